//! SEARCH/REPLACE blocks in the Aider, Cline and Roo dialects.
//!
//! The walk follows Aider's `find_original_update_blocks` (so its gold parse of real replies is
//! reproduced), with Cline's and Roo's markers accepted and stricter handling of markers in the
//! wrong place: a reply that does not read cleanly gets an error instead of a guess.

use super::markers::{chevron_run, is_roo_separator, marker, numbered_head, roo_line_number, Marker};
use super::{Item, ItemKind, ParseOptions, Parsed};
use crate::edit::{Edit, EditKind, ParseError, ShellBlock};
use crate::text::lines_keep;

const SHELL_FENCES: &[&str] = &[
    "```bash",
    "```sh",
    "```shell",
    "```cmd",
    "```batch",
    "```powershell",
    "```ps1",
    "```zsh",
    "```fish",
    "```ksh",
    "```csh",
    "```tcsh",
];

/// Reads every SEARCH/REPLACE block (and fenced shell block) of a reply.
pub(crate) fn parse(text: &str, opts: &ParseOptions) -> Parsed {
    let lines = lines_keep(text);
    let mut walk =
        Walk { lines: &lines, opts, parsed: Parsed::default(), current: None, blocks: 0, shells: 0 };
    let mut i = 0;
    while i < lines.len() {
        i = walk.step(i);
    }
    walk.parsed
}

struct Walk<'a> {
    lines: &'a [&'a str],
    opts: &'a ParseOptions,
    parsed: Parsed,
    /// The file of the previous block: Aider lets a block without a file name inherit it.
    current: Option<String>,
    blocks: usize,
    shells: usize,
}

impl Walk<'_> {
    /// Handles the line at `i` and returns the index of the next line to look at.
    fn step(&mut self, i: usize) -> usize {
        let line = self.lines[i];
        if is_shell_fence(line) && !self.head_follows(i) {
            return self.take_shell(i);
        }
        match marker(line) {
            Some(Marker::Head) => self.take_block(i),
            Some(Marker::Divider) if self.head_follows(i) => {
                self.error(i, "a `=======` line before a SEARCH marker");
                i + 1
            }
            _ => i + 1,
        }
    }

    fn head_follows(&self, i: usize) -> bool {
        [i + 1, i + 2].iter().any(|&j| self.lines.get(j).is_some_and(|l| marker(l) == Some(Marker::Head)))
    }

    fn take_shell(&mut self, start: usize) -> usize {
        let mut i = start + 1;
        let mut command = String::new();
        while i < self.lines.len() && !self.lines[i].trim().starts_with("```") {
            command.push_str(self.lines[i]);
            i += 1;
        }
        let closed = i < self.lines.len();
        let end = if closed { i + 1 } else { i };
        let block = self.shells;
        self.shells += 1;
        self.parsed.items.push(Item {
            kind: ItemKind::Shell(ShellBlock { block, command }),
            end_line: end,
            closed,
        });
        end
    }

    /// Reads one block whose head marker is at `head`.
    fn take_block(&mut self, head: usize) -> usize {
        let block = self.blocks;
        self.blocks += 1;
        let path = self.block_path(head);
        let (header_hint, mut i) = self.roo_header(head + 1);
        let line_hint = header_hint.or_else(|| numbered_head(self.lines[head]));
        let (search, stop) = self.section(i, |m| m == Marker::Divider);
        i = stop;
        if self.marker_at(i) != Some(Marker::Divider) {
            return self.malformed(i, "expected `=======` after the SEARCH text");
        }
        let (replace, stop) = self.section(i + 1, |m| m == Marker::Replace || m == Marker::Divider);
        i = stop;
        if !matches!(self.marker_at(i), Some(Marker::Replace | Marker::Divider)) {
            return self.malformed(i, "expected `>>>>>>> REPLACE` or `=======` after the REPLACE text");
        }
        if self.marker_at(i) == Some(Marker::Divider) {
            // Aider ends a block at a second `=======`; if a REPLACE marker follows before the
            // next block with text in between, the model wrote two dividers in one block and
            // which text is the replacement is a guess (a repeated divider alone is harmless).
            let replace_follows = (i + 1..self.lines.len())
                .map(|j| (j, self.marker_at(j)))
                .take_while(|(_, m)| *m != Some(Marker::Head))
                .find(|(_, m)| *m == Some(Marker::Replace));
            let stranded_text = |j: usize| self.lines[i + 1..j].iter().any(|l| !l.trim().is_empty());
            if let Some((j, _)) = replace_follows.filter(|(j, _)| stranded_text(*j)) {
                self.error(i, "two `=======` lines in one block");
                return j + 1;
            }
        }
        let (open, close) = (chevron_run(self.lines[head]), chevron_run(self.lines[i]));
        if open > 0 && close > 0 && open != close && self.marker_at(i) == Some(Marker::Replace) {
            self.error(i, "the REPLACE marker does not match the SEARCH marker's length");
            return i + 1;
        }
        let Some(path) = path else {
            self.error(head, "missing file name: put the path alone on the line before the opening fence");
            return i + 1;
        };
        self.current = Some(path.clone());
        let kind = EditKind::Replace { old_text: search, new_text: replace, line_hint, replace_all: false };
        self.parsed.items.push(Item {
            kind: ItemKind::Edit(Edit { path, kind, block }),
            end_line: i + 1,
            closed: true,
        });
        i + 1
    }

    /// Collects content lines from `start` until a marker accepted by `stop`; a head (or a
    /// REPLACE where a divider belongs) inside a section means the block is malformed.
    fn section(&self, start: usize, stop: impl Fn(Marker) -> bool) -> (String, usize) {
        let mut text = String::new();
        let mut i = start;
        while let Some(line) = self.lines.get(i) {
            match marker(line) {
                Some(m) if stop(m) => break,
                Some(Marker::Head | Marker::Replace) => break,
                _ => text.push_str(&unescape_marker(line)),
            }
            i += 1;
        }
        (text, i)
    }

    fn marker_at(&self, i: usize) -> Option<Marker> {
        self.lines.get(i).and_then(|l| marker(l))
    }

    /// Records a malformed block and resumes after the offending marker (or at the end).
    fn malformed(&mut self, i: usize, message: &str) -> usize {
        let at = i.min(self.lines.len().saturating_sub(1));
        self.error(at, message);
        match self.marker_at(i) {
            Some(Marker::Head) => i,
            Some(_) => i + 1,
            None => self.lines.len(),
        }
    }

    /// Roo's optional `:start_line:` / `:end_line:` lines and `-------` separator.
    fn roo_header(&self, mut i: usize) -> (Option<usize>, usize) {
        let mut hint = None;
        let mut saw_header = false;
        while let Some(line) = self.lines.get(i) {
            if let Some(n) = roo_line_number(line, ":start_line:") {
                hint = Some(n);
            } else if roo_line_number(line, ":end_line:").is_none() {
                break;
            }
            saw_header = true;
            i += 1;
        }
        let separator_next = self.lines.get(i).is_some_and(|l| is_roo_separator(l));
        // A dash line right after the head is Roo's separator, never search text.
        if separator_next
            && (saw_header || self.lines.get(i + 1).is_some_and(|l| marker(l) != Some(Marker::Head)))
        {
            i += 1;
        }
        (hint, i)
    }

    fn block_path(&self, head: usize) -> Option<String> {
        let before = &self.lines[head.saturating_sub(3)..head];
        let new_file = self.marker_at(head + 1) == Some(Marker::Divider);
        let known = if new_file { &[][..] } else { &self.opts.known_paths[..] };
        find_filename(before, &self.opts.fence, known)
            .or_else(|| self.current.clone())
            .or_else(|| self.opts.default_path.clone())
    }

    fn error(&mut self, i: usize, message: &str) {
        self.parsed.errors.push(ParseError { line: i + 1, message: message.to_string() });
    }
}

fn is_shell_fence(line: &str) -> bool {
    let t = line.trim();
    SHELL_FENCES.iter().any(|f| t.starts_with(f))
}

/// Roo lets a model write a marker-like line as content by escaping it: `\=======`,
/// `\<<<<<<< HEAD`.
fn unescape_marker(line: &str) -> std::borrow::Cow<'_, str> {
    let looks_like_marker = |rest: &str| {
        let run = rest.chars().take_while(|c| matches!(c, '<' | '=' | '>')).count();
        run >= 5
    };
    match line.trim_start().strip_prefix('\\') {
        Some(rest) if looks_like_marker(rest) => {
            let indent = &line[..line.len() - line.trim_start().len()];
            format!("{indent}{rest}").into()
        }
        _ => line.into(),
    }
}

/// Aider's file-name search: up to three lines before the head, walking back only across fences.
pub fn find_filename(before: &[&str], fence: &str, known: &[String]) -> Option<String> {
    let mut names = Vec::new();
    for line in before.iter().rev().take(3) {
        if let Some(name) = strip_filename(line, fence) {
            names.push(name);
        }
        if !line.starts_with(fence) && !line.starts_with("```") {
            break;
        }
    }
    pick_filename(&names, known)
}

/// Prefers a known path (exact, then same base name, then a close spelling), then a name with
/// an extension, then the nearest name.
fn pick_filename(names: &[String], known: &[String]) -> Option<String> {
    if let Some(n) = names.iter().find(|n| known.contains(n)) {
        return Some(n.clone());
    }
    for n in names {
        if let Some(k) = known.iter().find(|k| base_name(k) == n) {
            return Some(k.clone());
        }
    }
    for n in names {
        if let Some(k) = closest_known(n, known) {
            return Some(k);
        }
    }
    names.iter().find(|n| n.contains('.')).or(names.first()).cloned()
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn closest_known(name: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (sequence_ratio(name, k), k))
        .filter(|(r, _)| *r >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.clone())
}

/// `2·LCS / (len a + len b)`, close to difflib's ratio for short strings like file names.
fn sequence_ratio(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut row = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            row[j + 1] = if x == y { prev[j] + 1 } else { row[j].max(prev[j + 1]) };
        }
        prev = row;
    }
    2.0 * prev[b.len()] as f64 / (a.len() + b.len()) as f64
}

/// Aider's `strip_filename`: a line holding only a file name, maybe decorated as markdown.
pub fn strip_filename(line: &str, fence: &str) -> Option<String> {
    let name = line.trim();
    if name == "..." {
        return None;
    }
    for opener in [fence, "```"] {
        if let Some(rest) = name.strip_prefix(opener) {
            let looks_like_path = rest.contains('.') || rest.contains('/');
            return (!rest.is_empty() && looks_like_path).then(|| rest.to_string());
        }
    }
    let name = name.trim_end_matches(':').trim_start_matches('#').trim();
    let name = name.trim_matches('`').trim_matches('*');
    (!name.is_empty()).then(|| name.to_string())
}

/// Aider's `strip_quoted_wrapping`: drops a file-name line and the fences around a text.
pub fn strip_quoted_wrapping(text: &str, file_name: Option<&str>, fence: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut lines: Vec<&str> = text.lines().collect();
    if let (Some(name), Some(first)) = (file_name, lines.first()) {
        if first.trim().ends_with(base_name(name)) {
            lines.remove(0);
        }
    }
    let fenced = lines.len() >= 2
        && lines.first().is_some_and(|l| l.starts_with(fence))
        && lines.last().is_some_and(|l| l.starts_with(fence));
    if fenced {
        lines = lines[1..lines.len() - 1].to_vec();
    }
    let mut out = lines.join("\n");
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ParseOptions;

    fn blocks(text: &str) -> Vec<(String, String, String)> {
        parse(text, &ParseOptions::default())
            .items
            .into_iter()
            .filter_map(|item| match item.kind {
                ItemKind::Edit(Edit { path, kind: EditKind::Replace { old_text, new_text, .. }, .. }) => {
                    Some((path, old_text, new_text))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn block_without_file_name_inherits_the_previous_one() {
        let reply = "a.py\n```\n<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n```\n\n```\n<<<<<<< SEARCH\nthree\n=======\nfour\n>>>>>>> REPLACE\n```\n";
        let got = blocks(reply);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0, "a.py");
    }

    #[test]
    fn cline_markers_parse_like_aider_markers() {
        let reply = "x.ts\n------- SEARCH\nold\n=======\nnew\n+++++++ REPLACE\n";
        assert_eq!(blocks(reply), vec![("x.ts".into(), "old\n".into(), "new\n".into())]);
    }

    #[test]
    fn roo_start_line_header_becomes_a_line_hint() {
        let reply = "f.rs\n<<<<<<< SEARCH\n:start_line:7\n-------\nold\n=======\nnew\n>>>>>>> REPLACE";
        let parsed = parse(reply, &ParseOptions::default());
        let ItemKind::Edit(edit) = &parsed.items[0].kind else { panic!("not an edit") };
        assert!(
            matches!(&edit.kind, EditKind::Replace { line_hint: Some(7), old_text, .. } if old_text == "old\n")
        );
    }

    #[test]
    fn unterminated_block_is_an_error_not_an_edit() {
        let parsed = parse("a.py\n<<<<<<< SEARCH\none\n=======\ntwo\n", &ParseOptions::default());
        assert!(parsed.items.is_empty());
        assert_eq!(parsed.errors.len(), 1);
    }

    #[test]
    fn missing_file_name_is_an_error() {
        let parsed = parse("<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n", &ParseOptions::default());
        assert!(parsed.items.is_empty());
        assert!(parsed.errors[0].message.contains("file name"));
    }

    #[test]
    fn filename_helpers_follow_aider() {
        let known = vec!["file1.py".to_string(), "dir/file3.py".to_string()];
        assert_eq!(
            find_filename(&["```", "file3.py", "```python"], "```", &known).as_deref(),
            Some("dir/file3.py")
        );
        assert_eq!(find_filename(&["```", "file1_py"], "```", &known).as_deref(), Some("file1.py"));
        assert_eq!(strip_quoted_wrapping("name.ext\n```\nbody\n```", Some("name.ext"), "```"), "body\n");
    }
}
