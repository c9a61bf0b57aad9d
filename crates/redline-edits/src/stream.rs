//! Incremental parsing: feed the reply chunk by chunk (split anywhere, even inside a marker) and
//! get each edit once it can no longer change. The edits, shell blocks and errors seen over a
//! whole stream equal a one-shot parse, because the one-shot parse of a line-read format is the
//! same line reader fed the whole reply.
//!
//! A line is read once by its format's reader; while the format of an `Auto` reply is unknown,
//! a line is also looked at once by the detection and read as whole files (what a reply without
//! markers is), and is read once more when a marker shows another format. So streaming a reply
//! costs time linear in its length, and `finish` only settles what is still open (tool-call
//! JSON, which is read once, at the end).

use crate::edit::{Edit, ParseError, ParseOutput, ShellBlock};
use crate::line_reader::LineReader;
use crate::parse::search_replace::SearchReplaceReader;
use crate::parse::udiff::DiffReader;
use crate::parse::whole::WholeFileReader;
use crate::parse::{detect_format, parse_as, Format, FormatChoice, ItemKind, ParseOptions, Parsed};

/// Something the stream has settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseEvent {
    Edit(Edit),
    Shell(ShellBlock),
    /// A part of the reply that could not be read, reported once it is certain.
    Error(ParseError),
}

impl Extend<ParseEvent> for ParseOutput {
    fn extend<T: IntoIterator<Item = ParseEvent>>(&mut self, events: T) {
        for event in events {
            match event {
                ParseEvent::Edit(edit) => self.edits.push(edit),
                ParseEvent::Shell(shell) => self.shell.push(shell),
                ParseEvent::Error(error) => self.errors.push(error),
            }
        }
    }
}

/// Collects a stream's events into what a one-shot parse returns.
impl FromIterator<ParseEvent> for ParseOutput {
    fn from_iter<T: IntoIterator<Item = ParseEvent>>(events: T) -> Self {
        let mut out = ParseOutput::default();
        out.extend(events);
        out
    }
}

/// Parses a reply as it streams in.
#[derive(Debug, Clone)]
pub struct StreamParser {
    opts: ParseOptions,
    /// The reply's text after its last line break.
    partial: String,
    reading: Reading,
}

#[derive(Debug, Clone)]
enum Reading {
    /// [`FormatChoice::Auto`] while no marker has shown the reply's format.
    Undecided(Undecided),
    /// A format read line by line: edits are emitted as they settle.
    Lines(FormatReader),
    /// A format read when the reply ends (tool-call JSON): the text so far.
    AtEnd { format: Format, text: String },
}

impl StreamParser {
    pub fn new(choice: FormatChoice, opts: ParseOptions) -> Self {
        let reading = match choice {
            FormatChoice::Auto => Reading::Undecided(Undecided::new(&opts)),
            FormatChoice::Exact(format) => reading_for(format, &opts),
        };
        Self { opts, partial: String::new(), reading }
    }

    /// Adds a chunk; returns what became final with it.
    pub fn push(&mut self, chunk: &str) -> Vec<ParseEvent> {
        let mut out = Vec::new();
        let mut rest = chunk;
        while let Some(end) = rest.find('\n') {
            let (line, after) = rest.split_at(end + 1);
            if self.partial.is_empty() {
                self.read_line(line, &mut out);
            } else {
                let mut whole = std::mem::take(&mut self.partial);
                whole.push_str(line);
                self.read_line(&whole, &mut out);
                whole.clear();
                self.partial = whole;
            }
            rest = after;
        }
        self.partial.push_str(rest);
        out
    }

    /// Ends the stream: what was still open, and its errors.
    pub fn finish(mut self) -> Vec<ParseEvent> {
        let mut out = Vec::new();
        let last = std::mem::take(&mut self.partial);
        if !last.is_empty() {
            self.read_line(&last, &mut out);
        }
        match self.reading {
            // No marker in the whole reply: it is whole files.
            Reading::Undecided(undecided) => {
                let Undecided { mut whole, held, .. } = undecided;
                out.extend(held);
                whole.finish(&mut out);
            }
            Reading::Lines(mut reader) => reader.finish(&mut out),
            Reading::AtEnd { format, text } => out.extend(events(parse_as(&text, format, &self.opts))),
        }
        out
    }

    fn read_line(&mut self, line: &str, out: &mut Vec<ParseEvent>) {
        let format = match &mut self.reading {
            Reading::Lines(reader) => return reader.line(line, out),
            Reading::AtEnd { text, .. } => return text.push_str(line),
            Reading::Undecided(undecided) => match undecided.read(line) {
                Some(format) => format,
                None => return,
            },
        };
        let placeholder = Reading::AtEnd { format, text: String::new() };
        if let Reading::Undecided(undecided) = std::mem::replace(&mut self.reading, placeholder) {
            self.reading = undecided.into_reading(format, &self.opts, out);
        }
    }
}

/// How to read a reply known to be in `format`.
fn reading_for(format: Format, opts: &ParseOptions) -> Reading {
    match FormatReader::new(format, opts) {
        Some(reader) => Reading::Lines(reader),
        None => Reading::AtEnd { format, text: String::new() },
    }
}

fn events(parsed: Parsed) -> impl Iterator<Item = ParseEvent> {
    let items = parsed.items.into_iter().map(|item| match item.kind {
        ItemKind::Edit(edit) => ParseEvent::Edit(edit),
        ItemKind::Shell(shell) => ParseEvent::Shell(shell),
    });
    items.chain(parsed.errors.into_iter().map(ParseEvent::Error))
}

/// The line reader of a format that has one.
#[derive(Debug, Clone)]
enum FormatReader {
    SearchReplace(SearchReplaceReader),
    UnifiedDiff(DiffReader),
    WholeFile(WholeFileReader),
}

impl FormatReader {
    /// `None` for formats read at the end of the reply: tool-call JSON, and any format without
    /// a line reader yet.
    fn new(format: Format, opts: &ParseOptions) -> Option<Self> {
        match format {
            Format::SearchReplace => Some(Self::SearchReplace(SearchReplaceReader::new(opts))),
            Format::UnifiedDiff => Some(Self::UnifiedDiff(DiffReader::new(opts))),
            Format::WholeFile => Some(Self::WholeFile(WholeFileReader::new(opts))),
            _ => None,
        }
    }
}

impl LineReader for FormatReader {
    fn line(&mut self, line: &str, out: &mut Vec<ParseEvent>) {
        match self {
            Self::SearchReplace(r) => r.line(line, out),
            Self::UnifiedDiff(r) => r.line(line, out),
            Self::WholeFile(r) => r.line(line, out),
        }
    }

    fn finish(&mut self, out: &mut Vec<ParseEvent>) {
        match self {
            Self::SearchReplace(r) => r.finish(out),
            Self::UnifiedDiff(r) => r.finish(out),
            Self::WholeFile(r) => r.finish(out),
        }
    }
}

/// An `Auto` reply before its format is known. A reply without any marker is whole files, so it
/// is read as such meanwhile, but what that reads is held back: a later marker can still make
/// the reply something else.
#[derive(Debug, Clone)]
struct Undecided {
    /// The reply so far, for the reader of the format once it is known.
    text: Pieces,
    /// The last line read: [`detect_format`] is asked about it with the next one.
    previous: String,
    /// Whether a line with text was seen (the reply's start, where tool-call JSON is told).
    started: bool,
    /// What [`detect_format`] is asked about for each new line (kept to reuse its memory).
    window: String,
    whole: WholeFileReader,
    held: Vec<ParseEvent>,
}

/// A line placed before the two lines [`detect_format`] is asked about, so that they are not
/// taken for the start of the reply: it is no marker, and no marker's first line.
const NEUTRAL_LINE: &str = "\u{2026}\n";

impl Undecided {
    fn new(opts: &ParseOptions) -> Self {
        Self {
            text: Pieces::default(),
            previous: String::new(),
            started: false,
            window: String::new(),
            whole: WholeFileReader::new(opts),
            held: Vec::new(),
        }
    }

    /// Reads a line; the reply's format once this line shows it.
    ///
    /// [`detect_format`] decides from the start of the reply and from each complete line with
    /// the one after it, so asking it about the reply up to its first line with text, then
    /// about each new line with the one before it, gives its answer for the whole reply at the
    /// line that decides it, without reading the reply again and again.
    fn read(&mut self, line: &str) -> Option<Format> {
        self.whole.line(line, &mut self.held);
        self.text.push_line(line);
        let format = if !self.started {
            self.started = !line.trim().is_empty();
            self.started.then(|| detect_format(&self.text.concat())).flatten()
        } else {
            self.window.clear();
            self.window.push_str(NEUTRAL_LINE);
            self.window.push_str(&self.previous);
            self.window.push_str(line);
            detect_format(&self.window)
        };
        self.previous.clear();
        self.previous.push_str(line);
        format
    }

    /// Hands the reply so far to the reader of `format`, adding to `out` what it settles.
    fn into_reading(self, format: Format, opts: &ParseOptions, out: &mut Vec<ParseEvent>) -> Reading {
        if format == Format::WholeFile {
            out.extend(self.held);
            return Reading::Lines(FormatReader::WholeFile(self.whole));
        }
        match reading_for(format, opts) {
            Reading::Lines(mut reader) => {
                self.text.lines().for_each(|line| reader.line(line, out));
                Reading::Lines(reader)
            }
            _ => Reading::AtEnd { format, text: self.text.concat() },
        }
    }
}

/// Text kept as it grows, in pieces of whole lines: appending never copies what is there
/// (growing one string would copy it over and over, and a long reply kept twice spills out of
/// the processor's caches).
#[derive(Debug, Clone, Default)]
struct Pieces(Vec<String>);

const PIECE_BYTES: usize = 64 * 1024;

impl Pieces {
    fn push_line(&mut self, line: &str) {
        match self.0.last_mut() {
            Some(piece) if piece.len() + line.len() <= piece.capacity() => piece.push_str(line),
            _ => {
                let mut piece = String::with_capacity(PIECE_BYTES.max(line.len()));
                piece.push_str(line);
                self.0.push(piece);
            }
        }
    }

    fn lines(&self) -> impl Iterator<Item = &str> {
        self.0.iter().flat_map(|piece| piece.split_inclusive('\n'))
    }

    fn concat(&self) -> String {
        self.0.concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_reply_with;

    fn streamed(reply: &str, chunk_at: &[usize]) -> Vec<ParseEvent> {
        let mut parser = StreamParser::new(FormatChoice::Auto, ParseOptions::default());
        let mut events = Vec::new();
        let mut last = 0;
        for &at in chunk_at {
            events.extend(parser.push(&reply[last..at]));
            last = at;
        }
        events.extend(parser.push(&reply[last..]));
        events.extend(parser.finish());
        events
    }

    #[test]
    fn marker_split_inside_its_chevrons_still_parses() {
        let reply = "a.txt\n<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n";
        let whole = parse_reply_with(reply, FormatChoice::Auto, &ParseOptions::default());
        for at in 1..reply.len() {
            let events = streamed(reply, &[at]);
            let edits: Vec<Edit> = events
                .into_iter()
                .filter_map(|e| match e {
                    ParseEvent::Edit(e) => Some(e),
                    _ => None,
                })
                .collect();
            assert_eq!(edits, whole.edits, "split at {at}");
        }
    }

    #[test]
    fn edit_is_emitted_before_the_stream_ends() {
        let mut parser = StreamParser::new(FormatChoice::Auto, ParseOptions::default());
        let events =
            parser.push("a.txt\n<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n\nmore text\nand more\n");
        assert_eq!(events.len(), 1);
    }

    /// The events of each push, then of finish.
    fn events_per_push(choice: FormatChoice, chunks: &[&str]) -> Vec<Vec<ParseEvent>> {
        let mut parser = StreamParser::new(choice, ParseOptions::default());
        let mut per_push: Vec<Vec<ParseEvent>> = chunks.iter().map(|c| parser.push(c)).collect();
        per_push.push(parser.finish());
        per_push
    }

    fn counts(per_push: &[Vec<ParseEvent>]) -> Vec<usize> {
        per_push.iter().map(Vec::len).collect()
    }

    #[test]
    fn a_block_is_emitted_by_the_push_that_completes_its_replace_marker() {
        let chunks = ["a.txt\n<<<<<<< SEARCH\none\n=", "======\ntwo\n>>>>>>> REPL", "ACE", "\n", "text"];
        for choice in [FormatChoice::Auto, FormatChoice::Exact(Format::SearchReplace)] {
            assert_eq!(counts(&events_per_push(choice, &chunks)), [0, 0, 0, 1, 0, 0], "{choice:?}");
        }
    }

    #[test]
    fn errors_are_emitted_once_certain_not_only_at_finish() {
        let per_push = events_per_push(
            FormatChoice::Auto,
            &["a.txt\n<<<<<<< SEARCH\none\n<<<<<<< SEARCH\n", "two\n=======\n3\n>>>>>>> REPLACE\n"],
        );
        assert!(matches!(&per_push[0][..], [ParseEvent::Error(e)] if e.line == 4), "{per_push:?}");
        assert!(matches!(&per_push[1][..], [ParseEvent::Edit(_)]), "{per_push:?}");
    }

    #[test]
    fn an_auto_reply_without_markers_is_whole_files_settled_at_finish() {
        let per_push =
            events_per_push(FormatChoice::Auto, &["a.txt\n```\nnew\n```\n", "b.txt\n```\nx\n```\n"]);
        assert_eq!(counts(&per_push), [0, 0, 2]);
        let exact = events_per_push(FormatChoice::Exact(Format::WholeFile), &["a.txt\n```\nnew\n```\n"]);
        assert_eq!(counts(&exact), [1, 0], "a reply known to be whole files streams its files");
    }

    #[test]
    fn a_late_marker_makes_an_auto_reply_search_replace_and_drops_what_was_read_as_whole_files() {
        let per_push = events_per_push(
            FormatChoice::Auto,
            &["a.txt\n```\nnew\n```\n", "a.txt\n<<<<<<< SEARCH\nnew\n=======\nnewer\n>>>>>>> REPLACE\n"],
        );
        assert_eq!(counts(&per_push), [0, 1, 0]);
        assert!(matches!(
            &per_push[1][0],
            ParseEvent::Edit(Edit { kind: crate::EditKind::Replace { .. }, .. })
        ));
    }

    #[test]
    fn a_second_divider_waits_for_the_marker_that_decides_about_it() {
        let head = "a.txt\n<<<<<<< SEARCH\none\n=======\ntwo\n=======\n";
        // Text then a REPLACE marker: two dividers in one block, an error.
        let per_push = events_per_push(FormatChoice::Auto, &[head, "three\n", "more\n", ">>>>>>> REPLACE\n"]);
        assert_eq!(counts(&per_push), [0, 0, 0, 1, 0]);
        assert!(matches!(&per_push[3][0], ParseEvent::Error(e) if e.line == 6));
        // The next block's head: the block ended at the second divider.
        let per_push = events_per_push(FormatChoice::Auto, &[head, "three\n", "<<<<<<< SEARCH\n"]);
        assert_eq!(counts(&per_push), [0, 0, 1, 1]);
    }

    #[test]
    fn tool_calls_are_read_at_finish() {
        let call = r#"[{"name":"delete_file","arguments":{"path":"a.txt"}}]"#;
        let (first, rest) = call.split_at(10);
        for choice in [FormatChoice::Auto, FormatChoice::Exact(Format::ToolCalls)] {
            assert_eq!(counts(&events_per_push(choice, &[first, rest, "\n"])), [0, 0, 0, 1], "{choice:?}");
        }
    }

    #[test]
    fn a_reply_cut_off_inside_a_block_reports_it_at_finish() {
        let per_push = events_per_push(FormatChoice::Auto, &["a.txt\n<<<<<<< SEARCH\none\n", "=======\ntw"]);
        assert_eq!(counts(&per_push), [0, 0, 1]);
        assert!(matches!(&per_push[2][0], ParseEvent::Error(e) if e.line == 5), "{per_push:?}");
    }
}
