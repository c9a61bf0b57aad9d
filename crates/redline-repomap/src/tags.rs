//! One file's definitions and references, read with tree-sitter tags queries.

use rustc_hash::{FxHashMap, FxHashSet};
use tree_sitter::{Node, Parser, QueryCursor, StreamingIterator};

use crate::languages::{grammar, Lang};

/// Longest line kept for the map; the rest of a long signature costs budget and says little.
const MAX_LINE_CHARS: usize = 100;

/// Node kinds whose first line gives a definition its context (`impl Foo {` above a method).
const SCOPE_KINDS: &[&str] = &[
    "impl_item",
    "trait_item",
    "mod_item",
    "class_definition",
    "class_declaration",
    "abstract_class_declaration",
    "class_specifier",
    "struct_specifier",
    "namespace_definition",
    "interface_declaration",
    "enum_declaration",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// Zero-based line number.
    pub(crate) number: u32,
    pub(crate) text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Definition {
    pub(crate) name: String,
    pub(crate) line: Line,
    /// First lines of the enclosing scopes, outermost first.
    pub(crate) scopes: Vec<Line>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FileTags {
    pub(crate) definitions: Vec<Definition>,
    /// Identifier → number of references in this file.
    pub(crate) references: FxHashMap<String, u32>,
    pub(crate) line_count: u32,
}

/// Tags of `source`, or `None` for a language whose grammar or query is unavailable. A file
/// with syntax errors still yields the tags of the parts tree-sitter could recover.
pub(crate) fn read_tags(lang: Lang, source: &str) -> Option<FileTags> {
    let grammar = grammar(lang)?;
    let mut parser = Parser::new();
    parser.set_language(&grammar.language).ok()?;
    let tree = parser.parse(source, None)?;
    let lines: Vec<&str> = source.lines().collect();
    let names = grammar.query.capture_names();

    let mut tags = FileTags { line_count: lines.len() as u32, ..FileTags::default() };
    let mut definition_names: FxHashSet<(usize, usize)> = FxHashSet::default();
    let mut seen_definitions: FxHashSet<(String, u32)> = FxHashSet::default();
    let mut references: Vec<(Node, String)> = Vec::new();

    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&grammar.query, tree.root_node(), source.as_bytes());
    while let Some(found) = matches.next() {
        let mut name_node = None;
        let mut role = None;
        for capture in found.captures {
            let capture_name = names[capture.index as usize];
            if capture_name == "name" {
                name_node = Some(capture.node);
            } else if capture_name.starts_with("definition.") {
                role = Some((true, capture.node));
            } else if capture_name.starts_with("reference.") {
                role = Some((false, capture.node));
            }
        }
        let (Some(name_node), Some((is_definition, node))) = (name_node, role) else { continue };
        let Ok(name) = name_node.utf8_text(source.as_bytes()) else { continue };
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        if is_definition {
            definition_names.insert((name_node.start_byte(), name_node.end_byte()));
            let number = name_node.start_position().row as u32;
            if seen_definitions.insert((name.to_string(), number)) {
                tags.definitions.push(Definition {
                    name: name.to_string(),
                    line: line_at(&lines, number),
                    scopes: scopes_of(node, &lines),
                });
            }
        } else {
            references.push((name_node, name.to_string()));
        }
    }
    // A definition's own name also matches broad reference patterns such as `(type_identifier)`;
    // counting it would make every file point at itself.
    for (node, name) in references {
        if !definition_names.contains(&(node.start_byte(), node.end_byte())) {
            *tags.references.entry(name).or_insert(0) += 1;
        }
    }
    tags.definitions.sort_by(|a, b| a.line.number.cmp(&b.line.number).then_with(|| a.name.cmp(&b.name)));
    Some(tags)
}

fn scopes_of(node: Node, lines: &[&str]) -> Vec<Line> {
    let own_row = node.start_position().row;
    let mut scopes = Vec::new();
    let mut current = node.parent();
    while let Some(parent) = current {
        let row = parent.start_position().row;
        if SCOPE_KINDS.contains(&parent.kind()) && row != own_row {
            scopes.push(line_at(lines, row as u32));
        }
        current = parent.parent();
    }
    scopes.reverse();
    scopes
}

fn line_at(lines: &[&str], number: u32) -> Line {
    let raw = lines.get(number as usize).copied().unwrap_or_default().trim_end();
    let text = match raw.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}…", &raw[..cut]),
        None => raw.to_string(),
    };
    Line { number, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lang: Lang, source: &str) -> Vec<String> {
        let tags = read_tags(lang, source).expect("grammar and query compile");
        tags.definitions.into_iter().map(|d| d.name).collect()
    }

    #[test]
    fn every_language_yields_its_definitions() {
        let cases: &[(Lang, &str, &str)] = &[
            (Lang::Rust, "pub fn parse_reply(text: &str) -> usize { text.len() }\n", "parse_reply"),
            (Lang::Python, "class Greeter:\n    def greet(self):\n        pass\n", "greet"),
            (Lang::JavaScript, "function renderPage(props) { return props; }\n", "renderPage"),
            (Lang::TypeScript, "export class Store { load(): number { return 1; } }\n", "Store"),
            (Lang::TypeScript, "interface Shape { area(): number }\n", "Shape"),
            (Lang::Tsx, "function App() { return <div/>; }\n", "App"),
            (Lang::Go, "package main\nfunc HandleRequest() int { return 1 }\n", "HandleRequest"),
            (Lang::Java, "class Invoice { int total() { return 0; } }\n", "total"),
            (Lang::C, "int checksum(const char *buf) { return 0; }\n", "checksum"),
            (
                Lang::Cpp,
                "class Buffer { public: int size(); };\nint Buffer::size() { return 0; }\n",
                "Buffer",
            ),
        ];
        for (lang, source, expected) in cases {
            let found = names(*lang, source);
            assert!(found.iter().any(|n| n == expected), "{lang:?}: {expected} not in {found:?}");
        }
    }

    #[test]
    fn a_method_carries_its_impl_line_as_context() {
        let source = "struct Parser;\n\nimpl Parser {\n    pub fn feed(&mut self) {}\n}\n";
        let tags = read_tags(Lang::Rust, source).expect("rust compiles");
        let feed = tags.definitions.iter().find(|d| d.name == "feed").expect("feed is defined");
        assert_eq!(feed.line.number, 3);
        assert_eq!(feed.scopes.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(), ["impl Parser {"]);
    }

    #[test]
    fn references_count_calls_but_not_the_definition_itself() {
        let source = "struct Config;\nfn build() -> Config { helper(); helper(); Config }\n";
        let tags = read_tags(Lang::Rust, source).expect("rust compiles");
        assert_eq!(tags.references.get("helper"), Some(&2));
        // `-> Config` is a reference, `struct Config` is not.
        assert_eq!(tags.references.get("Config"), Some(&1));
    }

    #[test]
    fn a_file_with_syntax_errors_keeps_what_parses() {
        let source = "fn good() {}\nfn broken( {{{ \nstruct Kept;\n";
        let found = names(Lang::Rust, source);
        assert!(found.contains(&"good".to_string()), "{found:?}");
    }

    #[test]
    fn a_long_line_is_cut_on_a_character_boundary() {
        let long = format!("fn wide() {{ let s = \"{}\"; }}\n", "é".repeat(200));
        let tags = read_tags(Lang::Rust, &long).expect("rust compiles");
        let line = &tags.definitions[0].line.text;
        assert_eq!(line.chars().count(), MAX_LINE_CHARS + 1);
    }
}
