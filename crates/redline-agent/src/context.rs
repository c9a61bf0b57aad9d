//! What goes to the model besides the question: files and folders the person @-mentioned, the
//! selection in the file view, the working tree's diff, and the project's rules files. Each
//! passes the outbound gate (`redline_project::outbound`): what the visibility policy hides is
//! not sent and says why, secrets are redacted by each file's own path, reads are capped before
//! reading, and everything is sized so the context meter can say what fits and what was dropped.

use std::path::Path;

use redline_project::outbound::{gate, Gated, Source};
use redline_project::{read_capped, ProjectError, ProjectRoot, Redaction, Visibility};
use serde::Serialize;

/// A single file is cut after this many bytes.
pub const FILE_CAP: usize = 256 * 1024;
/// A mentioned folder contributes at most this many bytes and files.
pub const FOLDER_CAP: usize = 512 * 1024;
pub const FOLDER_FILES_CAP: usize = 200;
/// A selection is cut from at most this much of its file (the lines around it are not sent).
const SELECTION_FILE_CAP: usize = 4 * 1024 * 1024;

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
    /// Why it was not attached or was shortened, and what was redacted, for the person to read.
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

    /// An attachment of what passed the gate, its note saying what was redacted or left out
    /// (after `cut`, the sentence about a size cap, if any).
    fn gated(kind: AttachmentKind, label: String, gated: Gated, cut: Option<String>) -> Attachment {
        if let Some(why) = gated.refused {
            return Attachment::refused(kind, label, why);
        }
        let note = match (cut, gated.note()) {
            (Some(c), Some(n)) => Some(format!("{c}; {n}")),
            (c, n) => c.or(n),
        };
        let redactions = gated.redactions;
        Attachment { redactions, note, ..Attachment::new(kind, label, gated.text) }
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

/// A project file's text as read for a model: at most `cap` bytes, `None` when binary.
struct ReadText {
    text: String,
    truncated: bool,
}

/// Reads what a question refers to, inside the project only, through the outbound gate.
pub struct ContextReader<'a> {
    root: &'a ProjectRoot,
    visibility: Visibility,
}

impl<'a> ContextReader<'a> {
    pub fn new(root: &'a ProjectRoot) -> Self {
        ContextReader { root, visibility: Visibility::new(root.path()) }
    }

    /// A file or folder the person mentioned.
    pub fn mention(&self, path: &str) -> Attachment {
        let label = path.trim_end_matches('/').to_owned();
        let abs = match self.root.resolve(path) {
            Ok(abs) => abs,
            Err(e) => return Attachment::refused(AttachmentKind::File, label, e.to_string()),
        };
        let rel = self.root.relative(&abs).unwrap_or_else(|| label.clone());
        if self.root.metadata(&rel).is_ok_and(|meta| meta.is_dir()) {
            return self.folder(&abs, label);
        }
        self.file(AttachmentKind::File, &abs, &rel, label)
    }

    /// Why `abs` may not go to a model, following a symlink inside the project to its target.
    fn refusal(&self, abs: &Path, rel: &str) -> Option<String> {
        self.visibility.hidden_followed(abs, false).map(|why| why.reason(rel))
    }

    fn read(&self, rel: &str, cap: usize) -> Result<Option<ReadText>, String> {
        let capped = read_capped(self.root, rel, cap).map_err(|e| match e {
            ProjectError::OutsideProject { .. } => {
                format!("{rel} points outside the project folder (a symlink out): not sent")
            }
            e => format!("cannot read it: {e}"),
        })?;
        if capped.bytes[..capped.bytes.len().min(8000)].contains(&0) {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&capped.bytes).into_owned();
        Ok(Some(ReadText { text, truncated: capped.truncated }))
    }

    fn file(&self, kind: AttachmentKind, abs: &Path, rel: &str, label: String) -> Attachment {
        if let Some(why) = self.refusal(abs, rel) {
            return Attachment::refused(kind, label, why);
        }
        let read = match self.read(rel, FILE_CAP) {
            Ok(Some(read)) => read,
            Ok(None) => return Attachment::refused(kind, label, "binary file: not sent".into()),
            Err(why) => return Attachment::refused(kind, label, why),
        };
        let cut = read.truncated.then(|| format!("only the first {} KB were sent", FILE_CAP / 1024));
        let gated = gate(&self.visibility, Source::File(rel), &read.text);
        Attachment { truncated: read.truncated, ..Attachment::gated(kind, label, gated, cut) }
    }

    fn folder(&self, abs: &Path, label: String) -> Attachment {
        let (mut body, mut redactions, mut files, mut truncated) = (String::new(), Vec::new(), 0, false);
        for entry in self.visibility.walk(abs).build().flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Some(rel) = self.root.relative(entry.path()) else { continue };
            let file = self.file(AttachmentKind::File, entry.path(), &rel, rel.clone());
            if !file.is_attached() {
                continue;
            }
            if files >= FOLDER_FILES_CAP || body.len() + file.body.len() > FOLDER_CAP {
                truncated = true;
                break;
            }
            files += 1;
            let lines_before = body.bytes().filter(|b| *b == b'\n').count() as u32 + 1;
            body.push_str(&file_block(&rel, &file.body));
            redactions
                .extend(file.redactions.into_iter().map(|r| Redaction { line: r.line + lines_before, ..r }));
        }
        let cut = truncated
            .then(|| format!("only the first {files} files ({} KB cap) were sent", FOLDER_CAP / 1024));
        let note = match (cut, redline_project::redact::describe(&redactions)) {
            (Some(c), Some(r)) => Some(format!("{c}; {r}")),
            (c, r) => c.or(r),
        };
        Attachment { truncated, redactions, note, ..Attachment::new(AttachmentKind::Folder, label, body) }
    }

    /// Lines of a file the person selected. The whole file (up to a cap) is redacted first, so a
    /// key block that starts above the selection is still recognised, then the lines are cut;
    /// a redacted secret keeps its line count, so the lines are the ones the person selected.
    pub fn selection(&self, selection: &Selection) -> Attachment {
        let label = format!("{}:{}-{}", selection.path, selection.start_line, selection.end_line);
        let kind = AttachmentKind::Selection;
        let abs = match self.root.resolve(&selection.path) {
            Ok(abs) => abs,
            Err(e) => return Attachment::refused(kind, label, e.to_string()),
        };
        let rel = self.root.relative(&abs).unwrap_or_else(|| selection.path.clone());
        if let Some(why) = self.refusal(&abs, &rel) {
            return Attachment::refused(kind, label, why);
        }
        let read = match self.read(&rel, SELECTION_FILE_CAP) {
            Ok(Some(read)) => read,
            Ok(None) => return Attachment::refused(kind, label, "binary file: not sent".into()),
            Err(why) => return Attachment::refused(kind, label, why),
        };
        let mut gated = gate(&self.visibility, Source::File(&rel), &read.text);
        let (start, end) = (selection.start_line.max(1), selection.end_line);
        let lines: Vec<&str> = gated
            .text
            .lines()
            .skip(start as usize - 1)
            .take((end + 1).saturating_sub(start) as usize)
            .collect();
        let body = lines.join("\n");
        gated.redactions.retain(|r| r.line >= start && r.line <= end);
        gated.text = body;
        Attachment::gated(kind, label, gated, None)
    }

    /// The project's rules files that exist. One that is a symlink out of the project is not
    /// read; its chip says so.
    pub fn rules(&self) -> Vec<Attachment> {
        RULES_FILES
            .iter()
            .filter_map(|name| {
                // Only names that are there, as a file or as a link (even one leading out).
                self.root.symlink_metadata(name).ok()?;
                let label = (*name).to_owned();
                Some(match self.root.metadata(name) {
                    Ok(meta) if meta.is_file() => {
                        self.file(AttachmentKind::Rules, &self.root.path().join(name), name, label)
                    }
                    Err(ProjectError::OutsideProject { .. }) => Attachment::refused(
                        AttachmentKind::Rules,
                        label,
                        format!("{name} is a link to a file outside the project: not sent"),
                    ),
                    Ok(_) | Err(_) => return None,
                })
            })
            .collect()
    }

    /// The working tree's diff (the caller computes it with git, paths relative to the work
    /// tree): files the policy hides are left out, each file redacted by its own path.
    pub fn diff(&self, patch: &str) -> Attachment {
        let label = "working tree diff".to_owned();
        let prefix = work_tree_prefix(self.root.path());
        let gated = gate(&self.visibility, Source::Diff { prefix: &prefix }, patch);
        if gated.text.trim().is_empty() {
            return Attachment::refused(AttachmentKind::GitDiff, label, "no uncommitted changes".into());
        }
        Attachment::gated(AttachmentKind::GitDiff, label, gated, None)
    }
}

/// The project's folder inside its git work tree, `/`-separated (`""` when they coincide or the
/// project is no repository).
fn work_tree_prefix(root: &Path) -> String {
    let Ok(repo) = git2::Repository::discover(root) else { return String::new() };
    // The work tree's own path (the root or a folder above it), made canonical to compare with
    // the canonical root: nothing inside the project is looked at.
    #[allow(clippy::disallowed_methods)]
    let workdir = repo.workdir().and_then(|w| w.canonicalize().ok());
    let Some(workdir) = workdir else { return String::new() };
    let Ok(rel) = root.strip_prefix(&workdir) else { return String::new() };
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Project files and folders whose path contains the letters of `query` in order (as @-completion
/// offers them), best first: a match in the file name beats one spread over folders, shorter
/// paths beat longer ones. Ignored files are not offered.
pub fn find_files(root: &ProjectRoot, query: &str, limit: usize) -> Vec<String> {
    let query = query.to_lowercase();
    let walker = Visibility::new(root.path()).walk(root.path()).build();
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

/// A diff as an attachment, redacted as one text: for diffs that belong to no project (prompt
/// tests); a project's diff goes through [`ContextReader::diff`].
#[cfg(test)]
pub(crate) fn diff_attachment(diff: &str) -> Attachment {
    let (body, redactions) = redline_project::redact::redact("working tree diff", diff);
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

    #[test]
    fn a_selection_is_judged_by_its_files_path_and_rules() {
        let (_d, root) = project(&[
            (".env", "A=1\nDB_PASSWORD=hunter2hunter2\n"),
            (".redlineignore", "vault.txt\n"),
            ("vault.txt", "secret\n"),
        ]);
        let reader = ContextReader::new(&root);
        let sel = reader.selection(&Selection { path: ".env".into(), start_line: 2, end_line: 2 });
        assert_eq!(sel.body, "DB_PASSWORD=[REDACTED]");
        assert_eq!(sel.note.as_deref(), Some("1 secret redacted (.env value on line 2)"));
        let hidden = reader.selection(&Selection { path: "vault.txt".into(), start_line: 1, end_line: 1 });
        assert!(
            !hidden.is_attached() && hidden.note.as_deref().is_some_and(|n| n.contains(".redlineignore"))
        );
    }

    #[test]
    fn a_rules_file_linking_out_of_the_project_is_refused_and_says_so() {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::write(outside.path().join("config"), "token: kube-secret-token-123\n").expect("write");
        let (dir, root) = project(&[("CLAUDE.md", "Be brief.\n")]);
        std::os::unix::fs::symlink(outside.path().join("config"), dir.path().join("AGENTS.md"))
            .expect("symlink");
        let rules = ContextReader::new(&root).rules();
        let agents = rules.iter().find(|r| r.label == "AGENTS.md").expect("AGENTS.md chip");
        assert!(
            !agents.is_attached()
                && agents.note.as_deref().is_some_and(|n| n.contains("outside the project"))
        );
        assert!(rules.iter().any(|r| r.label == "CLAUDE.md" && r.is_attached()));
    }

    #[test]
    fn the_diff_leaves_out_hidden_files_and_redacts_each_by_its_path() {
        let (_d, root) = project(&[(".redlineignore", "notes/\n")]);
        let patch = "diff --git a/notes/p.md b/notes/p.md\n--- /dev/null\n+++ b/notes/p.md\n@@ -0,0 +1 @@\n+private\ndiff --git a/.envrc b/.envrc\n--- /dev/null\n+++ b/.envrc\n@@ -0,0 +1 @@\n+export K=v\n";
        let a = ContextReader::new(&root).diff(patch);
        assert!(!a.body.contains("private") && a.body.contains("+export K=[REDACTED]"), "{}", a.body);
        assert!(a.note.as_deref().is_some_and(|n| n.contains("notes/p.md")), "{:?}", a.note);
    }
}
