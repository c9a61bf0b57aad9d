//! Checks run on the proposed new text of a file before a person reviews the proposal: syntax
//! errors (tree-sitter), secrets, risky patterns, and the project's own formatter or linter.
//!
//! This crate owns turning a proposed file into [`Finding`]s with line numbers in the NEW text;
//! mapping them to hunks is the caller's job. Findings inform, they never block accepting. It must
//! never write inside the project folder (tools run on a scratch copy), never put a secret it found
//! into a message, and never report a problem the change did not introduce.

// Tests build their fixture projects with std::fs (see the workspace clippy.toml).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod added;
mod risky;
mod secrets;
mod syntax;
mod tools;

pub use syntax::language_for_path;
pub use tools::{configured_tools, tool_checks, SkippedTool, ToolReport};

/// What kind of check produced a finding, so the UI can group and colour them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckKind {
    Syntax,
    Secret,
    Risk,
    Lint,
    /// A tool that was left off because the folder is not trusted (about the whole file).
    Trust,
}

impl CheckKind {
    /// The name the UI and the saved JSON use.
    pub fn name(&self) -> &'static str {
        match self {
            CheckKind::Syntax => "syntax",
            CheckKind::Secret => "secret",
            CheckKind::Risk => "risk",
            CheckKind::Lint => "lint",
            CheckKind::Trust => "trust",
        }
    }
}

/// One thing a person should look at before accepting the proposal.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: CheckKind,
    /// 1-based first and last line in the NEW text the finding is about.
    pub line: u32,
    pub end_line: u32,
    /// One line for a person: what is wrong and why it matters.
    pub message: String,
    /// Who said so: "tree-sitter", "secrets", "risky-patterns", "rustfmt", "ruff", ...
    pub source: String,
}

impl Finding {
    fn new(kind: CheckKind, line: u32, end_line: u32, message: impl Into<String>, source: &str) -> Self {
        Finding {
            kind,
            line,
            end_line: end_line.max(line),
            message: message.into(),
            source: source.to_owned(),
        }
    }
}

/// The note a proposal carries when tools were left off for trust, on line 0 (the whole file):
/// "eslint, prettier skipped: this folder is not trusted".
pub fn skipped_for_trust(skipped: &[SkippedTool]) -> Option<Finding> {
    if skipped.is_empty() {
        return None;
    }
    let names: Vec<&str> = skipped.iter().map(|s| s.name).collect();
    let message = format!("{} skipped: {}", names.join(", "), redline_project::UNTRUSTED_NOTE);
    Some(Finding { kind: CheckKind::Trust, line: 0, end_line: 0, message, source: "trust".into() })
}

/// Syntax + secrets + risky patterns. Pure and fast (no processes). Reports only what the change
/// introduces: a problem already present in `old` (same kind, same line text) is not reported.
/// `old` is None for a new file. Unknown languages get only the secret check.
pub fn static_checks(path: &str, old: Option<&str>, new: &str) -> Vec<Finding> {
    let language = language_for_path(path);
    let added = added::AddedLines::new(old.unwrap_or(""), new);
    let mut findings = Vec::new();
    if let Some(language) = language {
        findings.extend(syntax::introduced_errors(language, old, new));
    }
    findings.extend(secrets::scan(&added));
    if let Some(language) = language {
        findings.extend(risky::scan(language, &added));
    }
    findings.sort_by_key(|f| (f.line, f.end_line));
    findings
}
