//! The outbound gate: every byte Redline sends to a model passes [`gate`] first. It applies the
//! visibility policy ([`Visibility`]: what is never sent) and then redaction ([`crate::redact`]:
//! what is sent without its secrets), per file: a diff's or a search's parts are judged by the
//! file each part comes from, not by the path the caller asked about.
//!
//! What goes through it, and as which [`Source`]: attachments, folder files, selections, rules
//! files, `read_file`, each file's search hits, Complete here's prefix and suffix
//! ([`Source::File`]); the working-tree diff, `git_diff`, the commit-message draft
//! ([`Source::Diff`]); `search` output as a last check ([`Source::Hits`]); command output, MCP
//! output and the repo map ([`Source::Text`]).

use crate::redact::{describe, redact, Redaction};
use crate::visibility::Visibility;

/// Where a text bound for a model comes from, which decides how it is judged.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The text of one project file, by its project-relative path.
    File(&'a str),
    /// A unified diff (`diff --git` sections, or bare `---`/`+++` ones); `prefix` is the
    /// project's folder inside the work tree (`""` when they coincide), since diff paths are
    /// relative to the work tree.
    Diff { prefix: &'a str },
    /// `path:line: text` lines, as the search tool writes them.
    Hits,
    /// Text that is no file's (command output, MCP output, the repo map), named for the log.
    Text(&'a str),
}

/// What may go out: the text with secrets replaced, what was replaced, and why anything was
/// held back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gated {
    /// Empty when refused.
    pub text: String,
    pub redactions: Vec<Redaction>,
    /// Set when the whole text was refused: the sentence to show and tell the model.
    pub refused: Option<String>,
    /// Files left out of a diff or a search (hidden by the policy), by path.
    pub withheld: Vec<String>,
}

impl Gated {
    fn refused(why: String) -> Gated {
        Gated { refused: Some(why), ..Gated::default() }
    }

    /// One line for a chip or a tool summary: what was redacted and left out, never a secret.
    pub fn note(&self) -> Option<String> {
        let redacted = describe(&self.redactions);
        let withheld = (!self.withheld.is_empty())
            .then(|| format!("left out (kept from models): {}", self.withheld.join(", ")));
        match (redacted, withheld) {
            (Some(r), Some(w)) => Some(format!("{r}; {w}")),
            (r, w) => r.or(w),
        }
    }
}

/// Judges `text` from `source` under `visibility`.
pub fn gate(visibility: &Visibility, source: Source, text: &str) -> Gated {
    match source {
        Source::File(path) => gate_file(visibility, path, text),
        Source::Diff { prefix } => gate_diff(visibility, prefix, text),
        Source::Hits => gate_hits(visibility, text),
        Source::Text(label) => gate_text(label, text),
    }
}

/// The gate for text that is no project file's (command output, MCP output, the repo map): no
/// path to hide, so only redaction applies.
pub fn gate_text(label: &str, text: &str) -> Gated {
    let (text, redactions) = redact(label, text);
    Gated { text, redactions, ..Gated::default() }
}

/// Why `path` may not go to a model at all, if so.
pub fn refusal(visibility: &Visibility, path: &str) -> Option<String> {
    visibility.hidden_rel(path).map(|why| why.reason(path))
}

fn gate_file(visibility: &Visibility, path: &str, text: &str) -> Gated {
    if let Some(why) = refusal(visibility, path) {
        return Gated::refused(why);
    }
    let (text, redactions) = redact(path, text);
    Gated { text, redactions, ..Gated::default() }
}

/// Appends a part judged on its own, keeping redaction lines true for the whole text.
fn append(out: &mut Gated, label: &str, part: &str) {
    let lines_before = out.text.bytes().filter(|b| *b == b'\n').count() as u32;
    let (text, redactions) = redact(label, part);
    out.redactions.extend(redactions.into_iter().map(|r| Redaction { line: r.line + lines_before, ..r }));
    out.text.push_str(&text);
}

fn gate_diff(visibility: &Visibility, prefix: &str, diff: &str) -> Gated {
    let mut out = Gated::default();
    for section in split_diff(diff) {
        let Some(repo_path) = section.path else {
            append(&mut out, "diff", section.text);
            continue;
        };
        let project_path = match prefix {
            "" => Some(repo_path.as_str()),
            prefix => repo_path.strip_prefix(prefix).and_then(|p| p.strip_prefix('/')),
        };
        match project_path {
            Some(path) if visibility.hidden_rel(path).is_none() => append(&mut out, path, section.text),
            _ => out.withheld.push(repo_path),
        }
    }
    out
}

/// One file's part of a diff (`path` is `None` for text before the first file).
struct DiffSection<'t> {
    path: Option<String>,
    text: &'t str,
}

/// Splits at `diff --git` lines and at bare `--- `/`+++ ` header pairs outside hunks (hunk
/// bodies are counted by their `@@` ranges, so a removed line `-- x` is never a header).
fn split_diff(diff: &str) -> Vec<DiffSection<'_>> {
    let lines: Vec<(usize, &str)> = diff
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line))
        })
        .collect();
    let mut starts: Vec<(usize, Option<String>)> = vec![(0, None)];
    let (mut in_git_header, mut old_left, mut new_left) = (false, 0u64, 0u64);
    for (i, (at, line)) in lines.iter().enumerate() {
        if old_left > 0 || new_left > 0 {
            match line.as_bytes().first() {
                Some(b'-') => old_left = old_left.saturating_sub(1),
                Some(b'+') => new_left = new_left.saturating_sub(1),
                Some(b'\\') => {}
                _ => {
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                }
            }
            continue;
        }
        if let Some(header) = line.strip_prefix("diff --git ") {
            starts.push((*at, Some(git_header_path(header))));
            in_git_header = true;
        } else if let Some(range) = line.strip_prefix("@@ ") {
            (old_left, new_left) = hunk_lengths(range);
            in_git_header = false;
        } else if !in_git_header && line.starts_with("--- ") {
            if let Some((_, next)) = lines.get(i + 1).filter(|(_, n)| n.starts_with("+++ ")) {
                starts.push((*at, Some(bare_header_path(line, next))));
            }
        }
    }
    let ends = starts.iter().skip(1).map(|(at, _)| *at).chain([diff.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|((start, path), end)| DiffSection { path: path.clone(), text: &diff[*start..end] })
        .filter(|s| !s.text.is_empty())
        .collect()
}

fn git_header_path(header: &str) -> String {
    let header = header.trim_end();
    match header.rfind(" b/") {
        Some(i) => header[i + 3..].to_owned(),
        None => header.trim_start_matches("a/").to_owned(),
    }
}

fn bare_header_path(old: &str, new: &str) -> String {
    let side = |line: &str| line[4..].trim_end().split('\t').next().unwrap_or_default().to_owned();
    let (old, new) = (side(old), side(new));
    let path = if new == "/dev/null" { old } else { new };
    path.strip_prefix("b/").or_else(|| path.strip_prefix("a/")).map(str::to_owned).unwrap_or(path)
}

/// `-12,3 +12,4 @@ fn x` → (3, 4); a missing count is 1.
fn hunk_lengths(range: &str) -> (u64, u64) {
    let mut parts = range.split_whitespace();
    let count = |part: Option<&str>| {
        let part = part.unwrap_or_default();
        match part[1.min(part.len())..].split_once(',') {
            Some((_, n)) => n.parse().unwrap_or(0),
            None => 1,
        }
    };
    (count(parts.next()), count(parts.next()))
}

fn gate_hits(visibility: &Visibility, hits: &str) -> Gated {
    let mut out = Gated::default();
    for line in hits.split_inclusive('\n') {
        let Some((path, rest)) = hit_path(line) else {
            append(&mut out, "search", line);
            continue;
        };
        if visibility.hidden_rel(path).is_some() {
            if !out.withheld.iter().any(|p| p == path) {
                out.withheld.push(path.to_owned());
            }
            continue;
        }
        let lines_before = out.text.bytes().filter(|b| *b == b'\n').count() as u32;
        let (text, redactions) = redact(path, rest);
        out.redactions.extend(redactions.into_iter().map(|r| Redaction { line: r.line + lines_before, ..r }));
        out.text.push_str(&line[..line.len() - rest.len()]);
        out.text.push_str(&text);
    }
    out
}

/// `src/a.rs:12: text` → ("src/a.rs", "text…"): the path ends at the first `:digits: `.
fn hit_path(line: &str) -> Option<(&str, &str)> {
    let mut search_from = 0;
    while let Some(colon) = line[search_from..].find(':').map(|i| i + search_from) {
        let after = &line[colon + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(": ") {
            return Some((&line[..colon], &after[digits + 2..]));
        }
        search_from = colon + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::*;

    const PGP: &str = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBGXz1xsBCADKj3n8lL1yq0fP8y1Z2m3Xb7n4Kq9V0cW2e5T6u7I8o9P0a1S2d3F4g5H6j7K8l9\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n";

    fn policy(files: &[(&str, &str)]) -> (tempfile::TempDir, Visibility) {
        let dir = tempfile::tempdir().expect("tmp");
        let root: PathBuf = dir.path().canonicalize().expect("canon");
        for (path, text) in files {
            let abs = root.join(path);
            fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
            fs::write(abs, text).expect("write");
        }
        let vis = Visibility::new(&root);
        (dir, vis)
    }

    #[test]
    fn a_file_is_redacted_by_its_own_path_or_refused_with_the_rule() {
        let (_d, vis) = policy(&[(".redlineignore", "vault/\n")]);
        let env = gate(&vis, Source::File("app/.env"), "DB_URL=postgres://u:pw@h/db\n");
        assert_eq!(env.text, "DB_URL=[REDACTED]\n");
        assert_eq!(env.note().as_deref(), Some("1 secret redacted (.env value on line 1)"));
        let vault = gate(&vis, Source::File("vault/keys.txt"), "anything");
        assert!(
            vault.text.is_empty() && vault.refused.as_deref().is_some_and(|r| r.contains(".redlineignore"))
        );
        let netrc = gate(&vis, Source::File(".netrc"), "machine h login u password p\n");
        assert!(netrc.text.is_empty() && netrc.refused.is_some(), "{netrc:?}");
    }

    #[test]
    fn a_diff_drops_hidden_files_and_redacts_each_file_by_its_own_path() {
        let (_d, vis) = policy(&[(".redlineignore", "private.txt\n")]);
        let diff = format!(
            "diff --git a/.env.local b/.env.local\nnew file mode 100644\n--- /dev/null\n+++ b/.env.local\n@@ -0,0 +1 @@\n+PORT=5432\n\
             diff --git a/private.txt b/private.txt\n--- /dev/null\n+++ b/private.txt\n@@ -0,0 +1 @@\n+the private thing\n\
             diff --git a/key.asc b/key.asc\n--- /dev/null\n+++ b/key.asc\n@@ -0,0 +1,5 @@\n{}",
            PGP.lines().map(|l| format!("+{l}\n")).collect::<String>()
        );
        let out = gate(&vis, Source::Diff { prefix: "" }, &diff);
        assert!(out.text.contains("+PORT=[REDACTED]"), "{}", out.text);
        assert!(!out.text.contains("private thing") && !out.text.contains("lQOYBGXz"), "{}", out.text);
        assert_eq!(out.withheld, ["private.txt"]);
        assert_eq!(out.redactions.len(), 2, "{:?}", out.redactions);
    }

    #[test]
    fn bare_unified_diffs_split_per_file_and_hunk_lines_are_not_headers() {
        let diff = "--- notes.md\n+++ notes.md\n@@ -1 +1 @@\n--- old rule\n+++ new rule\n--- a.env\n+++ a.env\n@@ -1 +1 @@\n-K=1\n+K=2\n";
        let sections = split_diff(diff);
        let paths: Vec<_> = sections.iter().map(|s| s.path.clone()).collect();
        assert_eq!(paths, [Some("notes.md".to_owned()), Some("a.env".to_owned())]);
        let (_d, vis) = policy(&[]);
        let out = gate(&vis, Source::Diff { prefix: "" }, diff);
        assert!(
            out.text.contains("+++ new rule") && out.text.ends_with("-K=[REDACTED]\n+K=[REDACTED]\n"),
            "{}",
            out.text
        );
    }

    #[test]
    fn a_diff_of_a_subfolder_project_leaves_out_files_outside_it() {
        let (_d, vis) = policy(&[]);
        let diff = "diff --git a/other/x.rs b/other/x.rs\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/app/y.rs b/app/y.rs\n@@ -1 +1 @@\n-c\n+d\n";
        let out = gate(&vis, Source::Diff { prefix: "app" }, diff);
        assert_eq!(out.withheld, ["other/x.rs"]);
        assert!(out.text.starts_with("diff --git a/app/y.rs"), "{}", out.text);
    }

    #[test]
    fn search_hits_are_judged_by_each_hits_file() {
        let (_d, vis) = policy(&[(".redlineignore", "secret/\n")]);
        let hits = "src/db.rs:3: let url = \"postgres://app:pw123456@db/app\";\n.env:1: DB_NAME=prod\nsecret/a.txt:1: hidden\nsrc/x.rs:9: plain\n";
        let out = gate(&vis, Source::Hits, hits);
        assert_eq!(
            out.text,
            "src/db.rs:3: let url = \"postgres://app:[REDACTED]@db/app\";\n.env:1: DB_NAME=[REDACTED]\nsrc/x.rs:9: plain\n"
        );
        assert_eq!(out.withheld, ["secret/a.txt"]);
        assert_eq!(hit_path("a:b.rs:12: x:1: y"), Some(("a:b.rs", "x:1: y")));
    }

    #[test]
    fn command_and_tool_server_output_is_redacted() {
        let (_d, vis) = policy(&[]);
        let out = gate(&vis, Source::Text("command output"), &format!("$ cat key\n{PGP}exit 0\n"));
        assert!(!out.text.contains("lQOYBGXz") && out.text.ends_with("exit 0\n"), "{}", out.text);
        assert_eq!(out.redactions[0].line, 2);
    }
}
