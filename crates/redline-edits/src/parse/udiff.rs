//! Unified diffs the way models write them: `--- a/x` / `+++ b/x` headers, `@@` lines with or
//! without numbers, fenced or not, context lines that lost their leading space.

use super::{ParseOptions, Parsed};
use crate::edit::{DiffHunk, DiffLine, Edit, EditKind};
use crate::line_reader::{read_all, Lookahead, Stall, Stepper};
use crate::stream::ParseEvent;

/// Reads every file section of every diff in a reply.
pub(crate) fn parse(text: &str, opts: &ParseOptions) -> Parsed {
    read_all(text, DiffReader::new(opts))
}

/// Reads unified diffs line by line; a file section is emitted at the first line that cannot
/// belong to it (a `--- ` line waits for the next one, which tells a new file header from a
/// removed line).
#[derive(Debug, Clone)]
pub(crate) struct DiffReader {
    /// The file a `@@` hunk without file header belongs to (single-file requests).
    default_path: Option<String>,
    lines: Lookahead,
    section: Option<Section>,
    /// Edits emitted so far.
    blocks: usize,
}

/// The old and new path of a file header (`None` for /dev/null).
type HeaderPaths = (Option<String>, Option<String>);

/// A file section being read: its header's paths and its hunks so far.
#[derive(Debug, Clone)]
struct Section {
    old: Option<String>,
    new: Option<String>,
    hunks: Vec<DiffHunk>,
}

impl Stepper for DiffReader {
    fn lookahead(&mut self) -> &mut Lookahead {
        &mut self.lines
    }

    fn step(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        DiffReader::settle(self, out)
    }
}

impl DiffReader {
    pub(crate) fn new(opts: &ParseOptions) -> Self {
        Self {
            default_path: opts.default_path.clone(),
            lines: Lookahead::default(),
            section: None,
            blocks: 0,
        }
    }

    fn settle(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let Some(line) = self.lines.get(0)? else {
            return self.end_section(out);
        };
        let header = self.file_header()?;
        let Some(section) = &mut self.section else {
            if let Some((old, new)) = header {
                self.section = Some(Section { old, new, hunks: Vec::new() });
                self.lines.advance(2);
            } else if self.default_path.is_some() && is_hunk_header(line) {
                // A bare `@@` hunk: the section starts at this line.
                self.section = Some(Section { old: None, new: self.default_path.clone(), hunks: Vec::new() });
            } else {
                self.lines.advance(1);
            }
            return Ok(());
        };
        if header.is_some() {
            return self.end_section(out);
        }
        if is_hunk_header(line) {
            section.hunks.push(DiffHunk { old_start: old_start(line), lines: Vec::new() });
        } else {
            let Some(diff_line) = body_line(line) else {
                // Not a diff line: the section ends here and the line is read again outside it.
                return self.end_section(out);
            };
            if section.hunks.is_empty() {
                section.hunks.push(DiffHunk { old_start: None, lines: Vec::new() });
            }
            if let (Some(h), Some(l)) = (section.hunks.last_mut(), diff_line) {
                h.lines.push(l);
            }
        }
        self.lines.advance(1);
        Ok(())
    }

    /// `--- old` on the first unused line and `+++ new` on the next.
    fn file_header(&self) -> Result<Option<HeaderPaths>, Stall> {
        let Some(old) = self.lines.get(0)?.and_then(|l| l.strip_prefix("--- ")) else {
            return Ok(None);
        };
        let new = self.lines.get(1)?.and_then(|l| l.strip_prefix("+++ "));
        Ok(new.map(|new| (header_path(old, "a/"), header_path(new, "b/"))))
    }

    /// Emits the open section, if any.
    fn end_section(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let mut section = self.section.take().ok_or(Stall)?;
        section.hunks.retain(|h| !h.lines.is_empty());
        if let Some(edit) = section_edit(section.old, section.new, section.hunks, self.blocks) {
            out.push(ParseEvent::Edit(edit));
            self.blocks += 1;
        }
        Ok(())
    }
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
    use crate::parse::ItemKind;

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
