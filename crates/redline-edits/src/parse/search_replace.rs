//! SEARCH/REPLACE blocks in the Aider, Cline and Roo dialects.
//!
//! The walk follows Aider's `find_original_update_blocks` (so its gold parse of real replies is
//! reproduced), with Cline's and Roo's markers accepted and stricter handling of markers in the
//! wrong place: a reply that does not read cleanly gets an error instead of a guess.

use super::markers::{chevron_run, is_roo_separator, marker, numbered_head, roo_line_number, Marker};
use super::{ParseOptions, Parsed};
use crate::edit::{Edit, EditKind, ParseError, ShellBlock};
use crate::line_reader::{read_all, Lookahead, Stall, Stepper};
use crate::stream::ParseEvent;

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
    read_all(text, SearchReplaceReader::new(opts))
}

/// Reads SEARCH/REPLACE blocks line by line. A line is decided as soon as the (at most two) lines
/// after it that Aider's rules look at have arrived, so a block is emitted once its closing
/// marker is read; only a second `=======` in a block waits longer, for the marker that tells
/// whether it was a stray divider.
#[derive(Debug, Clone)]
pub(crate) struct SearchReplaceReader {
    opts: ParseOptions,
    lines: Lookahead,
    state: State,
    /// The file of the previous block: Aider lets a block without a file name inherit it.
    current: Option<String>,
    /// Blocks started so far: SEARCH/REPLACE blocks (malformed ones included) and shell blocks.
    blocks: usize,
}

#[derive(Debug, Clone)]
enum State {
    Outside,
    Shell { block: usize, command: String },
    Block(Block),
}

/// A SEARCH/REPLACE block whose head marker was read.
#[derive(Debug, Clone)]
struct Block {
    number: usize,
    /// Index of the head marker's line.
    head: usize,
    /// Length of the head marker's `<` run, which the REPLACE marker's `>` run must match.
    head_chevrons: usize,
    path: Option<String>,
    /// Roo's legacy `<<<<<<< SEARCH (5)`.
    numbered_hint: Option<usize>,
    /// Roo's `:start_line:` header, which wins over the numbered head.
    header_hint: Option<usize>,
    search: String,
    replace: String,
    part: Part,
}

#[derive(Debug, Clone, Copy)]
enum Part {
    /// Right after the head: Roo's optional `:start_line:` / `:end_line:` lines and separator.
    Header {
        saw_header: bool,
    },
    Search,
    Replace,
    /// A second `=======` (the first unused line) ended the REPLACE text. Aider ends the block
    /// there; if a REPLACE marker follows before the next block with text in between, the model
    /// wrote two dividers in one block and which text is the replacement is a guess (a repeated
    /// divider alone is harmless).
    SecondDivider {
        /// Lines after the divider looked at so far.
        scanned: usize,
        /// Whether one of them has text.
        stranded_text: bool,
    },
}

impl Stepper for SearchReplaceReader {
    fn lookahead(&mut self) -> &mut Lookahead {
        &mut self.lines
    }

    /// Moves on by at least one line or one state.
    fn step(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        match self.state {
            State::Outside => self.outside(out),
            State::Shell { .. } => self.shell(out),
            State::Block(_) => self.block(out),
        }
    }
}

impl SearchReplaceReader {
    pub(crate) fn new(opts: &ParseOptions) -> Self {
        Self {
            opts: opts.clone(),
            lines: Lookahead::default(),
            state: State::Outside,
            current: None,
            blocks: 0,
        }
    }

    fn outside(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let line = self.lines.get(0)?.ok_or(Stall)?;
        let (shell_fence, marker) = (is_shell_fence(line), marker(line));
        if shell_fence && !self.head_follows()? {
            self.lines.advance(1);
            self.state = State::Shell { block: self.blocks, command: String::new() };
            self.blocks += 1;
            return Ok(());
        }
        match marker {
            Some(Marker::Head) => return self.open_block(),
            Some(Marker::Divider) if self.head_follows()? => {
                error(out, self.lines.index(), "a `=======` line before a SEARCH marker");
            }
            _ => {}
        }
        self.lines.advance(1);
        Ok(())
    }

    /// Whether one of the two lines after the first unused one is a head marker.
    fn head_follows(&self) -> Result<bool, Stall> {
        for k in [1, 2] {
            if self.lines.get(k)?.is_some_and(|l| marker(l) == Some(Marker::Head)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn shell(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let State::Shell { block, command } = &mut self.state else { return Err(Stall) };
        // A shell block still open when the reply ends holds the commands so far.
        if let Some(line) = self.lines.get(0)? {
            if !line.trim().starts_with("```") {
                command.push_str(line);
                self.lines.advance(1);
                return Ok(());
            }
            self.lines.advance(1);
        }
        out.push(ParseEvent::Shell(ShellBlock { block: *block, command: std::mem::take(command) }));
        self.state = State::Outside;
        Ok(())
    }

    /// Starts a block at its head marker (the first unused line).
    fn open_block(&mut self) -> Result<(), Stall> {
        let new_file = self.lines.get(1)?.is_some_and(|l| marker(l) == Some(Marker::Divider));
        let head = self.lines.get(0)?.unwrap_or_default();
        let known = if new_file { &[][..] } else { &self.opts.known_paths[..] };
        let path = find_filename(&self.lines.recent(), &self.opts.fence, known)
            .or_else(|| self.current.clone())
            .or_else(|| self.opts.default_path.clone());
        let block = Block {
            number: self.blocks,
            head: self.lines.index(),
            head_chevrons: chevron_run(head),
            path,
            numbered_hint: numbered_head(head),
            header_hint: None,
            search: String::new(),
            replace: String::new(),
            part: Part::Header { saw_header: false },
        };
        self.blocks += 1;
        self.lines.advance(1);
        self.state = State::Block(block);
        Ok(())
    }

    fn block(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let State::Block(block) = &self.state else { return Err(Stall) };
        match block.part {
            Part::Header { saw_header } => self.header(saw_header),
            Part::Search => self.search(out),
            Part::Replace => self.replace(out),
            Part::SecondDivider { .. } => self.after_second_divider(out),
        }
    }

    /// Roo's optional `:start_line:` / `:end_line:` lines and `-------` separator after the head.
    fn header(&mut self, saw_header: bool) -> Result<(), Stall> {
        let State::Block(block) = &mut self.state else { return Err(Stall) };
        let line = self.lines.get(0)?.unwrap_or_default();
        if let Some(n) = roo_line_number(line, ":start_line:") {
            block.header_hint = Some(n);
        } else if roo_line_number(line, ":end_line:").is_none() {
            // A dash line right after the head is Roo's separator, never search text.
            let separator = is_roo_separator(line)
                && (saw_header || self.lines.get(1)?.is_some_and(|l| marker(l) != Some(Marker::Head)));
            block.part = Part::Search;
            if separator {
                self.lines.advance(1);
            }
            return Ok(());
        }
        block.part = Part::Header { saw_header: true };
        self.lines.advance(1);
        Ok(())
    }

    fn search(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let State::Block(block) = &mut self.state else { return Err(Stall) };
        let line = self.lines.get(0)?;
        match line.map(|l| (l, marker(l))) {
            Some((_, Some(Marker::Divider))) => block.part = Part::Replace,
            Some((line, None)) => block.search.push_str(&unescape_marker(line)),
            Some((_, Some(_))) | None => {
                return self.malformed(out, "expected `=======` after the SEARCH text");
            }
        }
        self.lines.advance(1);
        Ok(())
    }

    fn replace(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let State::Block(block) = &mut self.state else { return Err(Stall) };
        let line = self.lines.get(0)?;
        match line.map(|l| (l, marker(l))) {
            Some((_, Some(Marker::Replace))) => return self.close_at_replace(out),
            Some((_, Some(Marker::Divider))) => {
                block.part = Part::SecondDivider { scanned: 0, stranded_text: false };
                return Ok(());
            }
            Some((line, None)) => block.replace.push_str(&unescape_marker(line)),
            Some((_, Some(Marker::Head))) | None => {
                return self.malformed(out, "expected `>>>>>>> REPLACE` or `=======` after the REPLACE text");
            }
        }
        self.lines.advance(1);
        Ok(())
    }

    /// Looks past a second `=======` for the marker that decides about it, resuming where the
    /// last look stopped so each line is looked at once.
    fn after_second_divider(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let State::Block(Block { part: Part::SecondDivider { scanned, stranded_text }, .. }) =
            &mut self.state
        else {
            return Err(Stall);
        };
        loop {
            let Some(line) = self.lines.get(1 + *scanned)? else {
                return self.close_block(out);
            };
            match marker(line) {
                Some(Marker::Head) => return self.close_block(out),
                Some(Marker::Replace) if *stranded_text => {
                    let used = 2 + *scanned;
                    error(out, self.lines.index(), "two `=======` lines in one block");
                    self.lines.advance(used);
                    self.state = State::Outside;
                    return Ok(());
                }
                Some(Marker::Replace) => return self.close_block(out),
                _ => {
                    *stranded_text |= !line.trim().is_empty();
                    *scanned += 1;
                }
            }
        }
    }

    /// Ends the block at its REPLACE marker (the first unused line).
    fn close_at_replace(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let State::Block(block) = &self.state else { return Err(Stall) };
        let close = chevron_run(self.lines.get(0)?.unwrap_or_default());
        if block.head_chevrons > 0 && close > 0 && block.head_chevrons != close {
            error(out, self.lines.index(), "the REPLACE marker does not match the SEARCH marker's length");
            self.lines.advance(1);
            self.state = State::Outside;
            return Ok(());
        }
        self.close_block(out)
    }

    /// Emits the block, which ends at the first unused line.
    fn close_block(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall> {
        let State::Block(block) = std::mem::replace(&mut self.state, State::Outside) else {
            return Err(Stall);
        };
        self.lines.advance(1);
        let Some(path) = block.path else {
            error(
                out,
                block.head,
                "missing file name: put the path alone on the line before the opening fence",
            );
            return Ok(());
        };
        self.current = Some(path.clone());
        let kind = EditKind::Replace {
            old_text: block.search,
            new_text: block.replace,
            line_hint: block.header_hint.or(block.numbered_hint),
            replace_all: false,
        };
        out.push(ParseEvent::Edit(Edit { path, kind, block: block.number }));
        Ok(())
    }

    /// Records a malformed block at the first unused line (or the last line, at the end) and
    /// resumes after that line, or at it when it is the next block's head.
    fn malformed(&mut self, out: &mut Vec<ParseEvent>, message: &str) -> Result<(), Stall> {
        self.state = State::Outside;
        match self.lines.get(0)?.map(marker) {
            None => error(out, self.lines.index().saturating_sub(1), message),
            Some(m) => {
                error(out, self.lines.index(), message);
                if m != Some(Marker::Head) {
                    self.lines.advance(1);
                }
            }
        }
        Ok(())
    }
}

/// Records an error at the 0-based line `i`.
fn error(out: &mut Vec<ParseEvent>, i: usize, message: &str) {
    out.push(ParseEvent::Error(ParseError { line: i + 1, message: message.to_string() }));
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
    use crate::parse::{ItemKind, ParseOptions};

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
    fn block_numbers_count_shell_blocks_too() {
        let reply = "a.py\n<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n\n```bash\nmake\n```\n\na.py\n<<<<<<< SEARCH\nthree\n=======\nfour\n>>>>>>> REPLACE\n";
        let numbers: Vec<(bool, usize)> = parse(reply, &ParseOptions::default())
            .items
            .into_iter()
            .map(|item| match item.kind {
                ItemKind::Edit(e) => (true, e.block),
                ItemKind::Shell(s) => (false, s.block),
            })
            .collect();
        assert_eq!(numbers, vec![(true, 0), (false, 1), (true, 2)]);
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
