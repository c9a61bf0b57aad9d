//! Syntax errors via tree-sitter: ERROR and MISSING nodes of the proposed text, minus the ones the
//! old text already had.

use std::collections::HashMap;

use tree_sitter::{Language, Node, Parser, Tree};

use crate::{CheckKind, Finding};

const SOURCE: &str = "tree-sitter";
/// How much of an unexpected token to quote; a whole unparsable block is noise in one line.
const QUOTE_LIMIT: usize = 24;

/// The language name Redline uses for `path`, judged by extension, when tree-sitter can parse it.
pub fn language_for_path(path: &str) -> Option<&'static str> {
    let extension = std::path::Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
    Some(match extension.as_str() {
        "rs" => "rust",
        "py" | "pyi" => "python",
        "js" | "mjs" | "cjs" | "jsx" => "javascript",
        "ts" | "mts" | "cts" => "typescript",
        "tsx" => "tsx",
        "go" => "go",
        "java" => "java",
        "c" | "h" => "c",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => "cpp",
        "json" => "json",
        "toml" => "toml",
        "yaml" | "yml" => "yaml",
        _ => return None,
    })
}

fn grammar(language: &str) -> Option<Language> {
    let function = match language {
        "rust" => tree_sitter_rust::LANGUAGE,
        "python" => tree_sitter_python::LANGUAGE,
        "javascript" => tree_sitter_javascript::LANGUAGE,
        "typescript" => tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
        "tsx" => tree_sitter_typescript::LANGUAGE_TSX,
        "go" => tree_sitter_go::LANGUAGE,
        "java" => tree_sitter_java::LANGUAGE,
        "c" => tree_sitter_c::LANGUAGE,
        "cpp" => tree_sitter_cpp::LANGUAGE,
        "json" => tree_sitter_json::LANGUAGE,
        "toml" => tree_sitter_toml_ng::LANGUAGE,
        "yaml" => tree_sitter_yaml::LANGUAGE,
        _ => return None,
    };
    Some(function.into())
}

fn parse(language: &str, text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    if let Err(error) = parser.set_language(&grammar(language)?) {
        tracing::warn!(language, %error, "tree-sitter grammar does not match the library version");
        return None;
    }
    parser.parse(text, None)
}

/// Syntax errors in `new` that `old` did not have. When `old` parsed clean every error is new;
/// otherwise an error whose first line reads the same (trimmed) as an old error's is the old one.
pub(crate) fn introduced_errors(language: &str, old: Option<&str>, new: &str) -> Vec<Finding> {
    let Some(tree) = parse(language, new) else { return Vec::new() };
    if !tree.root_node().has_error() {
        return Vec::new();
    }
    let mut findings = syntax_errors(tree.root_node(), new);
    let mut already_broken = old.map(|old| old_error_lines(language, old)).unwrap_or_default();
    findings.retain(|finding| {
        let text = line_text(new, finding.line).trim();
        match already_broken.get_mut(text) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        }
    });
    findings
}

/// How many errors of `old` start on a line with each trimmed text.
fn old_error_lines(language: &str, old: &str) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    let Some(tree) = parse(language, old) else { return lines };
    if !tree.root_node().has_error() {
        return lines;
    }
    for finding in syntax_errors(tree.root_node(), old) {
        *lines.entry(line_text(old, finding.line).trim().to_owned()).or_insert(0) += 1;
    }
    lines
}

fn line_text(text: &str, line: u32) -> &str {
    text.lines().nth(line.saturating_sub(1) as usize).unwrap_or("")
}

/// Every outermost ERROR node and every MISSING node, in document order. Only subtrees that
/// contain an error are walked, so a clean 5,000-line file costs one parse.
fn syntax_errors(root: Node<'_>, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() {
            findings.push(finding_for(
                node,
                format!("syntax error: unexpected {}", quote_unexpected(node, text)),
            ));
        } else if node.is_missing() {
            findings.push(finding_for(node, format!("syntax error: missing {}", describe_missing(node))));
        } else if node.has_error() {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    findings.sort_by_key(|f| (f.line, f.end_line));
    findings
}

fn finding_for(node: Node<'_>, message: String) -> Finding {
    let start = node.start_position();
    let end = node.end_position();
    // An error ending at column 0 ends with the previous line's newline; that next line is fine.
    let end_row = if end.row > start.row && end.column == 0 { end.row - 1 } else { end.row };
    Finding::new(CheckKind::Syntax, start.row as u32 + 1, end_row as u32 + 1, message, SOURCE)
}

/// A token is quoted (`;`); a grammar rule is named in words ("missing identifier").
fn describe_missing(node: Node<'_>) -> String {
    if node.is_named() {
        node.kind().replace('_', " ")
    } else {
        format!("`{}`", node.kind())
    }
}

/// The token a person should look at: the first leaf tree-sitter could not fit anywhere. An ERROR
/// node usually wraps what parsed before the bad token, so the last leaf is the culprit.
fn quote_unexpected(node: Node<'_>, text: &str) -> String {
    let mut leaf = node;
    while leaf.child_count() > 0 {
        match leaf.child(leaf.child_count() - 1) {
            Some(child) => leaf = child,
            None => break,
        }
    }
    let token = text.get(leaf.byte_range()).unwrap_or("").trim();
    let first_line = token.lines().next().unwrap_or("");
    if first_line.is_empty() {
        return "end of input".to_owned();
    }
    let mut quoted: String = first_line.chars().take(QUOTE_LIMIT).collect();
    if first_line.chars().count() > QUOTE_LIMIT {
        quoted.push('…');
    }
    format!("`{quoted}`")
}

#[cfg(test)]
mod tests;
