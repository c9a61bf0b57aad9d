//! Unified diffs the way models write them: `--- a/x` / `+++ b/x` headers, `@@` lines with or
//! without numbers, fenced or not, context lines that lost their leading space.

use super::{Item, ItemKind, ParseOptions, Parsed};
use crate::edit::{DiffHunk, DiffLine, Edit, EditKind};
use crate::text::lines_keep;

/// Reads every file section of every diff in a reply.
pub(crate) fn parse(text: &str, opts: &ParseOptions) -> Parsed {
    let lines = lines_keep(text);
    let mut parsed = Parsed::default();
    let mut i = 0;
    let mut block = 0;
    while i < lines.len() {
        let header = file_header(&lines, i);
        let bare_hunk = header.is_none() && opts.default_path.is_some() && is_hunk_header(lines[i]);
        if header.is_none() && !bare_hunk {
            i += 1;
            continue;
        }
        let (old, new, body_start) = match header {
            Some((old, new)) => (old, new, i + 2),
            None => (None, opts.default_path.clone(), i),
        };
        let (hunks, end) = read_hunks(&lines, body_start);
        let closed = end < lines.len();
        if let Some(edit) = section_edit(old, new, hunks, block) {
            parsed.items.push(Item { kind: ItemKind::Edit(edit), end_line: end, closed });
            block += 1;
        }
        i = end.max(i + 1);
    }
    parsed
}

/// `--- old` followed by `+++ new`: the two paths (`None` for /dev/null).
fn file_header(lines: &[&str], i: usize) -> Option<(Option<String>, Option<String>)> {
    let old = lines.get(i)?.strip_prefix("--- ")?;
    let new = lines.get(i + 1)?.strip_prefix("+++ ")?;
    Some((header_path(old, "a/"), header_path(new, "b/")))
}

fn header_path(raw: &str, git_prefix: &str) -> Option<String> {
    let raw = raw.trim_end_matches(['\n', '\r']);
    // A tab separates a timestamp (`diff -u` style); spaces may be part of the name.
    let raw = raw.split('\t').next().unwrap_or(raw).trim();
    if raw == "/dev/null" || raw.is_empty() {
        return None;
    }
    let raw = raw.strip_prefix(git_prefix).unwrap_or(raw);
    Some(raw.to_string())
}

fn is_hunk_header(line: &str) -> bool {
    line.starts_with("@@")
}

/// Reads hunks from `start` until a line that cannot belong to a diff.
fn read_hunks(lines: &[&str], start: usize) -> (Vec<DiffHunk>, usize) {
    let mut hunks: Vec<DiffHunk> = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let line = lines[i];
        if file_header(lines, i).is_some() {
            break;
        }
        if is_hunk_header(line) {
            hunks.push(DiffHunk { old_start: old_start(line), lines: Vec::new() });
        } else if let Some(diff_line) = body_line(line) {
            if hunks.is_empty() {
                hunks.push(DiffHunk { old_start: None, lines: Vec::new() });
            }
            if let (Some(h), Some(l)) = (hunks.last_mut(), diff_line) {
                h.lines.push(l);
            }
        } else {
            break;
        }
        i += 1;
    }
    hunks.retain(|h| !h.lines.is_empty());
    (hunks, i)
}

/// One line of a hunk body; `Some(None)` for lines that belong to the diff but carry no text
/// (`\ No newline at end of file`).
fn body_line(line: &str) -> Option<Option<DiffLine>> {
    if line.starts_with('\\') {
        return Some(None);
    }
    let text = |rest: &str| rest.to_string();
    match line.chars().next() {
        Some(' ') => Some(Some(DiffLine::Context(text(&line[1..])))),
        Some('-') => Some(Some(DiffLine::Removed(text(&line[1..])))),
        Some('+') => Some(Some(DiffLine::Added(text(&line[1..])))),
        // Models (and editors) drop the space of empty context lines.
        Some('\n') | Some('\r') => Some(Some(DiffLine::Context(line.to_string()))),
        _ => None,
    }
}

/// The `a` of `@@ -a,b +c,d @@`.
fn old_start(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("@@")?.trim_start().strip_prefix('-')?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

fn section_edit(
    old: Option<String>,
    new: Option<String>,
    hunks: Vec<DiffHunk>,
    block: usize,
) -> Option<Edit> {
    let only_additions = hunks.iter().all(|h| h.lines.iter().all(|l| matches!(l, DiffLine::Added(_))));
    let (path, kind) = match (old, new) {
        (None, Some(new)) if only_additions => {
            let content = hunks.iter().map(DiffHunk::after_text).collect();
            (new, EditKind::Create { content })
        }
        (Some(old), None) => (old, EditKind::Delete),
        // The new name is the file the hunks apply to (renames are not inferred from diffs).
        (_, Some(new)) => (new, EditKind::UnifiedDiff { hunks }),
        (None, None) => return None,
    };
    if let EditKind::UnifiedDiff { hunks } = &kind {
        if hunks.is_empty() {
            return None;
        }
    }
    Some(Edit { path, kind, block })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(text: &str) -> Vec<Edit> {
        parse(text, &ParseOptions::default())
            .items
            .into_iter()
            .filter_map(|i| match i.kind {
                ItemKind::Edit(e) => Some(e),
                ItemKind::Shell(_) => None,
            })
            .collect()
    }

    #[test]
    fn fenced_diff_without_line_numbers_is_read() {
        let got = edits(
            "Some text\n```diff\n--- a/file.txt\n+++ b/file.txt\n@@ ... @@\n-Original\n+Modified\n```\n",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, "file.txt");
        let EditKind::UnifiedDiff { hunks } = &got[0].kind else { panic!("not a diff") };
        assert_eq!(hunks[0].before_text(), "Original\n");
        assert_eq!(hunks[0].after_text(), "Modified\n");
    }

    #[test]
    fn numbered_header_gives_a_line_hint_and_paths_keep_spaces() {
        let got = edits("--- dir name/f.txt\n+++ dir name/f.txt\n@@ -3,2 +3,2 @@\n a\n-b\n+c\n");
        assert_eq!(got[0].path, "dir name/f.txt");
        let EditKind::UnifiedDiff { hunks } = &got[0].kind else { panic!("not a diff") };
        assert_eq!(hunks[0].old_start, Some(3));
    }

    #[test]
    fn dev_null_headers_mean_create_and_delete() {
        let got = edits("--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+hello\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n");
        assert!(matches!(&got[0].kind, EditKind::Create { content } if content == "hello\n"));
        assert!(matches!(got[1].kind, EditKind::Delete));
        assert_eq!(got[1].path, "old.txt");
    }
}
