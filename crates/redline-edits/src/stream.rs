//! Incremental parsing: feed the reply chunk by chunk (split anywhere, even inside a marker or a
//! UTF-8 sequence boundary of the model's choosing) and get each edit once it can no longer
//! change. The edits, shell blocks and errors seen over a whole stream equal a one-shot parse.

use crate::edit::{Edit, ParseError, ShellBlock};
use crate::parse::{detect_format, parse_as, Format, FormatChoice, ItemKind, ParseOptions, Parsed};

/// Something the stream has settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseEvent {
    Edit(Edit),
    Shell(ShellBlock),
    /// Errors are only known for sure at the end of the reply, so they come from `finish`.
    Error(ParseError),
}

/// Lines after an item that the parsers may still look at to decide about it (Aider's shell
/// fence check looks two lines ahead).
const LOOKAHEAD_LINES: usize = 2;

#[derive(Debug, Clone)]
pub struct StreamParser {
    choice: FormatChoice,
    opts: ParseOptions,
    buf: String,
    /// Length of the prefix made of complete lines that was last parsed.
    parsed_len: usize,
    emitted: usize,
}

impl StreamParser {
    pub fn new(choice: FormatChoice, opts: ParseOptions) -> Self {
        Self { choice, opts, buf: String::new(), parsed_len: 0, emitted: 0 }
    }

    /// Adds a chunk; returns the edits that became final with it.
    pub fn push(&mut self, chunk: &str) -> Vec<ParseEvent> {
        self.buf.push_str(chunk);
        let complete = self.buf.rfind('\n').map_or(0, |i| i + 1);
        if complete == self.parsed_len {
            return Vec::new();
        }
        self.parsed_len = complete;
        let prefix = &self.buf[..complete];
        let Some(format) = self.streamable_format(prefix) else {
            return Vec::new();
        };
        let parsed = parse_as(prefix, format, &self.opts);
        let settled_until = prefix.matches('\n').count().saturating_sub(LOOKAHEAD_LINES);
        let settled =
            parsed.items.iter().skip(self.emitted).take_while(|i| i.closed && i.end_line <= settled_until);
        let events: Vec<ParseEvent> = settled.map(|i| event(i.kind.clone())).collect();
        self.emitted += events.len();
        events
    }

    /// Ends the stream: the remaining edits and every error.
    pub fn finish(self) -> Vec<ParseEvent> {
        let format = match self.choice {
            FormatChoice::Exact(f) => f,
            FormatChoice::Auto => detect_format(&self.buf).unwrap_or(Format::WholeFile),
        };
        let Parsed { items, errors } = parse_as(&self.buf, format, &self.opts);
        let rest = items.into_iter().skip(self.emitted).map(|i| event(i.kind));
        rest.chain(errors.into_iter().map(ParseEvent::Error)).collect()
    }

    /// The format while streaming; `None` until it is known, and for formats that only settle
    /// at the end (tool-call JSON, and whole files when the format was guessed).
    fn streamable_format(&self, prefix: &str) -> Option<Format> {
        let format = match self.choice {
            FormatChoice::Exact(f) => f,
            FormatChoice::Auto => detect_format(prefix)?,
        };
        (format != Format::ToolCalls).then_some(format)
    }
}

fn event(kind: ItemKind) -> ParseEvent {
    match kind {
        ItemKind::Edit(e) => ParseEvent::Edit(e),
        ItemKind::Shell(s) => ParseEvent::Shell(s),
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
}
