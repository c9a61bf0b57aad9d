//! Replies for measuring the streaming parser, shared by the workspace bench (`scripts/bench`)
//! and `examples/stream_cost.rs`: both push a reply in small chunks, as a model streams it, and
//! compare the cost per line of a long reply with a short one (1 when parsing is linear).

use std::fmt::Write;

use crate::parse::FormatChoice;
use crate::parse::ParseOptions;
use crate::stream::StreamParser;

/// A SEARCH/REPLACE reply of `lines` lines or a few more: a sentence, then many small fenced
/// blocks, each for its own file.
pub fn search_replace_reply(lines: usize) -> String {
    let mut reply = String::from("I'll make these changes.\n\n");
    let mut written = 2;
    let mut block = 0;
    while written < lines {
        let _ = write!(
            reply,
            "src/file{block}.rs\n```rust\n<<<<<<< SEARCH\nfn old_{block}() {{\n    let x = {block};\n}}\n=======\nfn new_{block}() {{\n    let x = {block} + 1;\n}}\n>>>>>>> REPLACE\n```\n\n"
        );
        written += 13;
        block += 1;
    }
    reply
}

/// A whole-file reply of `lines` lines: a path line, then one fenced file.
pub fn whole_file_reply(lines: usize) -> String {
    let mut reply = String::from("src/big.rs\n```rust\n");
    for i in 0..lines.saturating_sub(3) {
        let _ = writeln!(reply, "    let value_{i} = compute({i}, \"some text\");");
    }
    reply.push_str("```\n");
    reply
}

/// Streams `reply` through a new parser in chunks of `chunk_bytes` (moved to the next character
/// boundary), then finishes it; returns how many events it emitted.
pub fn stream_in_chunks(reply: &str, choice: FormatChoice, chunk_bytes: usize) -> usize {
    let mut parser = StreamParser::new(choice, ParseOptions::default());
    let mut events = 0;
    let mut start = 0;
    while start < reply.len() {
        let mut end = (start + chunk_bytes.max(1)).min(reply.len());
        while !reply.is_char_boundary(end) {
            end += 1;
        }
        events += parser.push(&reply[start..end]).len();
        start = end;
    }
    events + parser.finish().len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse_reply, Format};

    #[test]
    fn sample_replies_have_the_asked_length_and_parse_into_edits() {
        let blocks = search_replace_reply(500);
        assert!((500..520).contains(&blocks.lines().count()));
        assert_eq!(parse_reply(&blocks, FormatChoice::Auto).edits.len(), 39);
        let whole = whole_file_reply(500);
        assert_eq!(whole.lines().count(), 500);
        let parsed = parse_reply(&whole, FormatChoice::Exact(Format::WholeFile));
        assert_eq!(parsed.edits.len(), 1);
        assert_eq!(stream_in_chunks(&whole, FormatChoice::Auto, 20), 1);
    }
}
