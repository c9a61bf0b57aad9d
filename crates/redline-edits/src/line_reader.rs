//! Reading a reply one line at a time: what every streamable edit format implements, so that
//! streaming and one-shot parsing are the same code (the one-shot parse is the stream in one
//! piece) and each line is looked at a bounded number of times.

use std::collections::VecDeque;

use crate::parse::{Item, ItemKind, Parsed};
use crate::stream::ParseEvent;

/// A format parser fed the reply line by line.
pub(crate) trait LineReader {
    /// Reads the reply's next line (with its `\n`; only the last line of a reply may lack it) and
    /// adds to `out` everything that line settled.
    fn line(&mut self, line: &str, out: &mut Vec<ParseEvent>);

    /// The reply ended: adds to `out` everything still open.
    fn finish(&mut self, out: &mut Vec<ParseEvent>);
}

/// A reader whose decision about a line may wait for the lines after it: it keeps them in a
/// [`Lookahead`] and settles what it can whenever a line arrives or the reply ends.
pub(crate) trait Stepper {
    fn lookahead(&mut self) -> &mut Lookahead;

    /// Settles the next thing the lines so far decide; `Err(Stall)` when it needs more.
    fn step(&mut self, out: &mut Vec<ParseEvent>) -> Result<(), Stall>;
}

impl<S: Stepper> LineReader for S {
    fn line(&mut self, line: &str, out: &mut Vec<ParseEvent>) {
        self.lookahead().push(line);
        while self.step(out).is_ok() {}
    }

    fn finish(&mut self, out: &mut Vec<ParseEvent>) {
        self.lookahead().end();
        while self.step(out).is_ok() {}
    }
}

/// Reads a whole reply with `reader`.
pub(crate) fn read_all(text: &str, mut reader: impl LineReader) -> Parsed {
    let mut events = Vec::new();
    for line in text.split_inclusive('\n') {
        reader.line(line, &mut events);
    }
    reader.finish(&mut events);
    let mut parsed = Parsed::default();
    for event in events {
        match event {
            ParseEvent::Edit(edit) => parsed.items.push(Item { kind: ItemKind::Edit(edit) }),
            ParseEvent::Shell(shell) => parsed.items.push(Item { kind: ItemKind::Shell(shell) }),
            ParseEvent::Error(error) => parsed.errors.push(error),
        }
    }
    parsed
}

/// Returned when a decision needs a line that has not arrived yet (or, at the end of the reply,
/// when there is nothing left to read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stall;

/// The lines a reader was given but has not used yet, for formats whose decision about a line
/// depends on the lines after it. Each line is stored once and dropped once used.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lookahead {
    pending: VecDeque<String>,
    /// Index in the reply of the first pending line.
    first: usize,
    /// The last lines used, oldest first (Aider looks three lines back for a file name).
    recent: VecDeque<String>,
    ended: bool,
}

const RECENT_LINES: usize = 3;

impl Lookahead {
    pub(crate) fn push(&mut self, line: &str) {
        self.pending.push_back(line.to_string());
    }

    /// No more lines will come.
    pub(crate) fn end(&mut self) {
        self.ended = true;
    }

    /// The `k`-th line from the first unused one: `Ok(None)` past the end of the reply,
    /// `Err(Stall)` when it has not arrived yet.
    pub(crate) fn get(&self, k: usize) -> Result<Option<&str>, Stall> {
        match self.pending.get(k) {
            Some(line) => Ok(Some(line)),
            None if self.ended => Ok(None),
            None => Err(Stall),
        }
    }

    /// Index in the reply (0-based) of the first unused line; the number of lines when all are
    /// used.
    pub(crate) fn index(&self) -> usize {
        self.first
    }

    /// Moves past the first `n` pending lines.
    pub(crate) fn advance(&mut self, n: usize) {
        for _ in 0..n {
            let Some(line) = self.pending.pop_front() else { return };
            self.first += 1;
            if self.recent.len() == RECENT_LINES {
                self.recent.pop_front();
            }
            self.recent.push_back(line);
        }
    }

    /// The lines used last, up to three, oldest first.
    pub(crate) fn recent(&self) -> Vec<&str> {
        self.recent.iter().map(String::as_str).collect()
    }
}
