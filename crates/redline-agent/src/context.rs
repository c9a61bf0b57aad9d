//! What goes to the model besides the question: files and folders the person @-mentioned, the
//! selection in the file view, the working tree's diff, and the project's rules files. Ignored
//! files are not sent, secrets are redacted, and everything is sized so the context meter can
//! say what fits and what was dropped.

use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use redline_project::{IgnoreRules, ProjectRoot};
use serde::Serialize;

use crate::redact::{redact, Redaction};

/// A single file is cut after this many bytes.
pub const FILE_CAP: usize = 256 * 1024;
/// A mentioned folder contributes at most this many bytes and files.
pub const FOLDER_CAP: usize = 512 * 1024;
pub const FOLDER_FILES_CAP: usize = 200;

/// Files the project's people already write for assistants, picked up automatically.
pub const RULES_FILES: &[&str] =
    &["AGENTS.md", "CLAUDE.md", ".cursorrules", ".github/copilot-instructions.md", ".redline/rules.md"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AttachmentKind {
    File,
    Folder,
    Selection,
    GitDiff,
    Rules,
}

/// Something attached to a question, as the chat shows it (contents stay in `body`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub kind: AttachmentKind,
    /// Project-relative path, or a label ("working tree diff").
    pub label: String,
    pub tokens: u32,
    pub truncated: bool,
    pub redactions: Vec<Redaction>,
    /// Why it was not attached or was shortened, for the person to read.
    pub note: Option<String>,
    #[serde(skip)]
    pub body: String,
}

impl Attachment {
    fn new(kind: AttachmentKind, label: String, body: String) -> Attachment {
        Attachment {
            kind,
            tokens: estimate_tokens(&body),
            label,
            truncated: false,
            redactions: vec![],
            note: None,
            body,
        }
    }

    fn refused(kind: AttachmentKind, label: String, note: String) -> Attachment {
        Attachment { note: Some(note), ..Attachment::new(kind, label, String::new()) }
    }

    pub fn is_attached(&self) -> bool {
        !self.body.is_empty()
    }
}

/// Roughly four bytes per token for code and English: good enough for a meter, and the
/// provider's own count replaces it once a reply reports usage.
pub fn estimate_tokens(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(4)).unwrap_or(u32::MAX)
}

/// `@path` words in a message (a trailing `.,:;!?)` is punctuation, not part of the path).
pub fn parse_mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let Some(path) = word.strip_prefix('@') else { continue };
        let path = path.trim_end_matches(['.', ',', ':', ';', '!', '?', ')', '\'', '"', '`']);
        if !path.is_empty() && !out.iter().any(|p| p == path) {
            out.push(path.to_owned());
        }
    }
    out
}

/// A range of lines in a file, 1-based and inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
}

/// Reads what a question refers to, inside the project only.
pub struct ContextReader<'a> {
    root: &'a ProjectRoot,
    ignore: IgnoreRules,
    redline_ignore: Gitignore,
}

impl<'a> ContextReader<'a> {
    pub fn new(root: &'a ProjectRoot) -> Self {
        let mut builder = GitignoreBuilder::new(root.path());
        builder.add(root.path().join(".redlineignore"));
        let redline_ignore = builder.build().unwrap_or_else(|_| Gitignore::empty());
        ContextReader { root, ignore: IgnoreRules::new(root.path()), redline_ignore }
    }

    fn ignored(&self, abs: &Path, is_dir: bool) -> bool {
        self.ignore.is_ignored(abs, is_dir)
            || self.redline_ignore.matched_path_or_any_parents(abs, is_dir).is_ignore()
    }

    /// A file or folder the person mentioned.
    pub fn mention(&self, path: &str) -> Attachment {
        let label = path.trim_end_matches('/').to_owned();
        let abs = match self.root.resolve(path) {
            Ok(abs) => abs,
            Err(e) => return Attachment::refused(AttachmentKind::File, label, e.to_string()),
        };
        if abs.is_dir() {
            return self.folder(&abs, label);
        }
        if self.ignored(&abs, false) {
            let note = "ignored by .gitignore or .redlineignore: not sent".to_owned();
            return Attachment::refused(AttachmentKind::File, label, note);
        }
        self.file(AttachmentKind::File, &abs, label)
    }

    fn file(&self, kind: AttachmentKind, abs: &Path, label: String) -> Attachment {
        let bytes = match std::fs::read(abs) {
            Ok(bytes) => bytes,
            Err(e) => return Attachment::refused(kind, label, format!("cannot read it: {e}")),
        };
        if bytes[..bytes.len().min(8000)].contains(&0) {
            return Attachment::refused(kind, label, "binary file: not sent".into());
        }
        let truncated = bytes.len() > FILE_CAP;
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(FILE_CAP)]).into_owned();
        let (body, redactions) = redact(&label, &text);
        let note = truncated.then(|| format!("only the first {} KB were sent", FILE_CAP / 1024));
        Attachment { truncated, redactions, note, ..Attachment::new(kind, label, body) }
    }

    fn folder(&self, abs: &Path, label: String) -> Attachment {
        let walker = ignore::WalkBuilder::new(abs)
            .hidden(false)
            .require_git(false)
            .add_custom_ignore_filename(".redlineignore")
            .filter_entry(|e| e.file_name() != ".git")
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        let (mut body, mut redactions, mut files, mut truncated) = (String::new(), Vec::new(), 0, false);
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) || self.ignored(entry.path(), false) {
                continue;
            }
            let Some(rel) = self.root.relative(entry.path()) else { continue };
            let file = self.file(AttachmentKind::File, entry.path(), rel.clone());
            if !file.is_attached() {
                continue;
            }
            if files >= FOLDER_FILES_CAP || body.len() + file.body.len() > FOLDER_CAP {
                truncated = true;
                break;
            }
            files += 1;
            body.push_str(&file_block(&rel, &file.body));
            redactions.extend(file.redactions.into_iter().map(|r| Redaction { kind: r.kind, line: r.line }));
        }
        let note = truncated
            .then(|| format!("only the first {files} files ({} KB cap) were sent", FOLDER_CAP / 1024));
        Attachment { truncated, redactions, note, ..Attachment::new(AttachmentKind::Folder, label, body) }
    }

    /// Lines of a file the person selected.
    pub fn selection(&self, selection: &Selection) -> Attachment {
        let label = format!("{}:{}-{}", selection.path, selection.start_line, selection.end_line);
        let mut whole = match self.root.resolve(&selection.path) {
            Ok(abs) => self.file(AttachmentKind::Selection, &abs, label.clone()),
            Err(e) => return Attachment::refused(AttachmentKind::Selection, label, e.to_string()),
        };
        let start = selection.start_line.max(1) as usize - 1;
        let count = (selection.end_line as usize + 1).saturating_sub(start + 1);
        let lines: Vec<&str> = whole.body.lines().skip(start).take(count).collect();
        whole.body = lines.join("\n");
        whole.tokens = estimate_tokens(&whole.body);
        whole
    }

    /// The project's rules files that exist.
    pub fn rules(&self) -> Vec<Attachment> {
        RULES_FILES
            .iter()
            .filter_map(|name| {
                let abs = self.root.path().join(name);
                abs.is_file().then(|| self.file(AttachmentKind::Rules, &abs, (*name).to_owned()))
            })
            .collect()
    }
}

/// Project files and folders whose path contains the letters of `query` in order (as @-completion
/// offers them), best first: a match in the file name beats one spread over folders, shorter
/// paths beat longer ones. Ignored files are not offered.
pub fn find_files(root: &ProjectRoot, query: &str, limit: usize) -> Vec<String> {
    let query = query.to_lowercase();
    let walker = ignore::WalkBuilder::new(root.path())
        .hidden(false)
        .require_git(false)
        .add_custom_ignore_filename(".redlineignore")
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    let mut scored: Vec<(u32, String)> = Vec::new();
    for entry in walker.flatten().take(50_000) {
        let Some(rel) = root.relative(entry.path()) else { continue };
        if rel.is_empty() {
            continue;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        let path = if is_dir { format!("{rel}/") } else { rel };
        if let Some(score) = match_score(&path.to_lowercase(), &query) {
            scored.push((score, path));
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(limit).map(|(_, p)| p).collect()
}

/// Lower is better; `None` when the query's letters do not appear in order.
fn match_score(path: &str, query: &str) -> Option<u32> {
    let name_start = path.trim_end_matches('/').rfind('/').map_or(0, |i| i + 1);
    if path[name_start..].contains(query) {
        return Some(path.len() as u32);
    }
    if path.contains(query) {
        return Some(1_000 + path.len() as u32);
    }
    let mut chars = path.chars();
    query.chars().all(|q| chars.any(|c| c == q)).then(|| 10_000 + path.len() as u32)
}

/// The working tree's diff as an attachment (the caller computes it with git).
pub fn diff_attachment(diff: &str) -> Attachment {
    let (body, redactions) = redact("working tree diff", diff);
    let label = "working tree diff".to_owned();
    if body.trim().is_empty() {
        return Attachment::refused(AttachmentKind::GitDiff, label, "no uncommitted changes".into());
    }
    Attachment { redactions, ..Attachment::new(AttachmentKind::GitDiff, label, body) }
}

fn file_block(path: &str, body: &str) -> String {
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("<file path=\"{path}\">\n{body}{newline}</file>\n")
}

/// How an attachment is written into the prompt.
pub fn render_attachment(a: &Attachment) -> String {
    match a.kind {
        AttachmentKind::File | AttachmentKind::Rules => file_block(&a.label, &a.body),
        AttachmentKind::Folder => format!("<folder path=\"{}\">\n{}</folder>\n", a.label, a.body),
        AttachmentKind::Selection => format!("<selection of=\"{}\">\n{}\n</selection>\n", a.label, a.body),
        AttachmentKind::GitDiff => format!("<git-diff>\n{}\n</git-diff>\n", a.body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().expect("tmp");
        for (path, text) in files {
            let abs = dir.path().join(path);
            std::fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
            std::fs::write(abs, text).expect("write");
        }
        let root = ProjectRoot::open(dir.path()).expect("root");
        (dir, root)
    }

    #[test]
    fn mentions_are_words_starting_with_at_without_trailing_punctuation() {
        assert_eq!(
            parse_mentions("see @src/main.rs, and @docs/ or @src/main.rs. me@x is not @"),
            ["src/main.rs", "docs/"]
        );
    }

    #[test]
    fn a_mentioned_file_is_attached_with_its_secrets_redacted() {
        let (_d, root) = project(&[("src/cfg.py", "KEY = 'AKIAIOSFODNN7EXAMPLE'\n")]);
        let a = ContextReader::new(&root).mention("src/cfg.py");
        assert!(a.is_attached() && !a.body.contains("AKIA"), "{a:?}");
        assert_eq!(a.redactions.len(), 1);
    }

    #[test]
    fn ignored_and_outside_files_are_refused_with_a_reason() {
        let (_d, root) = project(&[
            (".gitignore", "secret.txt\n"),
            ("secret.txt", "x"),
            (".redlineignore", "big/\n"),
            ("big/a", "y"),
        ]);
        let reader = ContextReader::new(&root);
        for path in ["secret.txt", "big/a", "../etc/passwd"] {
            let a = reader.mention(path);
            assert!(!a.is_attached() && a.note.is_some(), "{path}: {a:?}");
        }
    }

    #[test]
    fn a_folder_attaches_its_files_except_ignored_ones() {
        let (_d, root) = project(&[
            ("src/a.rs", "fn a() {}\n"),
            ("src/b.rs", "fn b() {}\n"),
            ("src/.redlineignore", "gen.rs\n"),
            ("src/gen.rs", "generated\n"),
        ]);
        let a = ContextReader::new(&root).mention("src/");
        assert!(a.body.contains("<file path=\"src/a.rs\">") && a.body.contains("fn b()"), "{}", a.body);
        assert!(!a.body.contains("generated"));
    }

    #[test]
    fn file_search_prefers_name_matches_and_skips_ignored_files() {
        let (_d, root) = project(&[
            (".gitignore", "target/\n"),
            ("src/main.rs", ""),
            ("docs/main_notes.md", ""),
            ("target/main.rs", ""),
            ("src/manifest.rs", ""),
        ]);
        let found = find_files(&root, "main", 10);
        assert_eq!(found, ["src/main.rs", "docs/main_notes.md"]);
        assert!(find_files(&root, "smrs", 10).contains(&"src/main.rs".to_owned()));
        assert!(find_files(&root, "", 100).contains(&"src/".to_owned()));
    }

    #[test]
    fn rules_files_are_found_and_a_selection_is_only_its_lines() {
        let (_d, root) = project(&[("AGENTS.md", "Use tabs.\n"), ("f.txt", "1\n2\n3\n4\n")]);
        let reader = ContextReader::new(&root);
        assert_eq!(reader.rules().iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["AGENTS.md"]);
        let sel = reader.selection(&Selection { path: "f.txt".into(), start_line: 2, end_line: 3 });
        assert_eq!(sel.body, "2\n3");
    }
}
