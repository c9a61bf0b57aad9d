//! Which grammar and tags query read which file, compiled once per process.

use std::path::Path;
use std::sync::OnceLock;

use tree_sitter::{Language, Query};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    C,
    Cpp,
}

const LANG_COUNT: usize = 9;

impl Lang {
    pub(crate) fn for_path(path: &Path) -> Option<Lang> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "rs" => Lang::Rust,
            "py" | "pyi" => Lang::Python,
            "js" | "jsx" | "mjs" | "cjs" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "go" => Lang::Go,
            "java" => Lang::Java,
            "c" | "h" => Lang::C,
            "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => Lang::Cpp,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        self as usize
    }

    fn language(self) -> Language {
        match self {
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
            Lang::C => tree_sitter_c::LANGUAGE.into(),
            Lang::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        }
    }

    /// The grammar's own tags query plus the references it leaves out: without type and path
    /// references a Rust or C file that only names a struct would not point at its definer.
    fn tags_query(self) -> String {
        match self {
            Lang::Rust => [tree_sitter_rust::TAGS_QUERY, RUST_EXTRA].concat(),
            Lang::Python => [tree_sitter_python::TAGS_QUERY, PYTHON_EXTRA].concat(),
            Lang::JavaScript => tree_sitter_javascript::TAGS_QUERY.to_string(),
            // The TypeScript query only adds to the JavaScript one, as the grammar does.
            Lang::TypeScript | Lang::Tsx => {
                [tree_sitter_javascript::TAGS_QUERY, tree_sitter_typescript::TAGS_QUERY, TYPESCRIPT_EXTRA]
                    .concat()
            }
            Lang::Go => tree_sitter_go::TAGS_QUERY.to_string(),
            Lang::Java => [tree_sitter_java::TAGS_QUERY, JAVA_EXTRA].concat(),
            Lang::C => [tree_sitter_c::TAGS_QUERY, C_EXTRA].concat(),
            Lang::Cpp => [tree_sitter_cpp::TAGS_QUERY, C_EXTRA].concat(),
        }
    }
}

const RUST_EXTRA: &str = r#"
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(call_expression function: (scoped_identifier name: (identifier) @name)) @reference.call
(scoped_identifier path: (identifier) @name) @reference.type
(scoped_type_identifier path: (identifier) @name) @reference.type
(use_list (identifier) @name) @reference.import
(use_declaration argument: (scoped_identifier name: (identifier) @name)) @reference.import
(type_identifier) @name @reference.type
"#;

const PYTHON_EXTRA: &str = r#"
(import_from_statement name: (dotted_name (identifier) @name)) @reference.import
"#;

const TYPESCRIPT_EXTRA: &str = r#"
(class_declaration name: (type_identifier) @name) @definition.class
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(type_identifier) @name @reference.type
"#;

const JAVA_EXTRA: &str = r#"
(type_identifier) @name @reference.type
"#;

const C_EXTRA: &str = r#"
(call_expression function: (identifier) @name) @reference.call
(type_identifier) @name @reference.type
"#;

pub(crate) struct Grammar {
    pub(crate) language: Language,
    pub(crate) query: Query,
}

static GRAMMARS: [OnceLock<Option<Grammar>>; LANG_COUNT] = [const { OnceLock::new() }; LANG_COUNT];

/// The compiled grammar and query, or `None` when the query does not compile against the
/// grammar (logged once; the language is then skipped rather than failing the whole map).
pub(crate) fn grammar(lang: Lang) -> Option<&'static Grammar> {
    GRAMMARS[lang.index()]
        .get_or_init(|| {
            let language = lang.language();
            match Query::new(&language, &lang.tags_query()) {
                Ok(query) => Some(Grammar { language, query }),
                Err(error) => {
                    tracing::warn!(?lang, %error, "tags query does not compile; files skipped");
                    None
                }
            }
        })
        .as_ref()
}
