//! What the command line writes to a terminal. Model text, file names, diffs and server
//! messages are untrusted: an escape sequence in them could retitle the window (OSC 0), write
//! the clipboard (OSC 52), move the cursor or hide text (CSI), or reorder what is shown (bidi
//! overrides). So every control character except newline and tab, DEL, the C1 controls and the
//! characters `redline_project::is_unprintable` lists are written as visible escapes (`\x1b`,
//! `\u{9b}`), the way git's `core.quotePath` shows odd file names; a path holding any of them
//! is printed in double quotes, as git does. `--raw` skips all of this for pipes.
//!
//! Escaping goes character by character, so a sequence split across streamed chunks is escaped
//! the same as a whole one: its ESC is shown wherever the split falls.

use std::borrow::Cow;
use std::fmt::Write as _;

use redline_project::is_unprintable;

/// How a command writes untrusted text to stdout: escaped, or byte for byte with `--raw`.
/// Stderr is for the person reading it and is always escaped.
#[derive(Debug, Clone, Copy)]
pub struct Stdout {
    pub raw: bool,
}

impl Stdout {
    pub fn text(self, text: &str) -> Cow<'_, str> {
        if self.raw {
            Cow::Borrowed(text)
        } else {
            self::text(text)
        }
    }

    pub fn path(self, path: &str) -> Cow<'_, str> {
        if self.raw {
            Cow::Borrowed(path)
        } else {
            self::path(path)
        }
    }
}

/// `text` with every unprintable character escaped; newlines and tabs kept, and a carriage
/// return kept only as part of `\r\n` (alone it would let text overwrite its own line).
pub fn text(text: &str) -> Cow<'_, str> {
    let mut stream = TextStream::default();
    let mut out = stream.push(text);
    out.push_str(&stream.finish());
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// A path as git prints it with `core.quotePath`: unchanged when it holds nothing unusual,
/// otherwise in double quotes with `"`, `\`, tabs, newlines and unprintable characters escaped.
pub fn path(path: &str) -> Cow<'_, str> {
    if !path.chars().any(|c| is_unprintable(c) || c == '"' || c == '\\') {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 2);
    out.push('"');
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_unprintable(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// JSON text as serde_json wrote it, with the characters it leaves raw (DEL, C1 controls, bidi
/// overrides) written as `\uXXXX`: the same JSON value, safe on a terminal. Newlines and tabs
/// stay: serde_json escapes them inside strings, so raw ones are the layout of pretty JSON.
pub fn json(json: &str) -> Cow<'_, str> {
    let escaped = |c: char| c != '\n' && c != '\t' && is_unprintable(c);
    if !json.chars().any(escaped) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if escaped(c) {
            // Every unprintable character is in the Basic Multilingual Plane: one \u escape.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes a reply streamed in pieces. Only a carriage return at the end of a piece is held
/// back, until the next piece says whether a newline follows it.
#[derive(Debug, Default)]
pub struct TextStream {
    held_cr: bool,
}

impl TextStream {
    /// The escaped form of `piece`, less a trailing carriage return kept for the next piece.
    pub fn push(&mut self, piece: &str) -> String {
        let mut out = String::with_capacity(piece.len());
        let mut chars = piece.chars().peekable();
        if std::mem::take(&mut self.held_cr) {
            out.push_str(if chars.peek() == Some(&'\n') { "\r" } else { "\\r" });
        }
        while let Some(c) = chars.next() {
            match c {
                '\n' | '\t' => out.push(c),
                '\r' => match chars.peek() {
                    Some('\n') => out.push('\r'),
                    Some(_) => out.push_str("\\r"),
                    None => self.held_cr = true,
                },
                c if is_unprintable(c) => push_escape(&mut out, c),
                c => out.push(c),
            }
        }
        out
    }

    /// What is still held back when the reply ends.
    pub fn finish(&mut self) -> String {
        if std::mem::take(&mut self.held_cr) {
            "\\r".to_owned()
        } else {
            String::new()
        }
    }
}

/// `\x1b` for ASCII controls and DEL, `\u{9b}` for the rest.
fn push_escape(out: &mut String, c: char) {
    let code = c as u32;
    let _ = if code < 0x80 { write!(out, "\\x{code:02x}") } else { write!(out, "\\u{{{code:x}}}") };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OSC 0 (window title), OSC 52 (clipboard), CSI (cursor, colour, erase) and the ways they
    /// can be ended (BEL, ST) or introduced (C1 CSI).
    const HOSTILE: &str = "\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x1b\\\x1b[2J\x1b[31mred\u{9b}1m";

    #[test]
    fn escape_sequences_in_text_are_shown_not_sent() {
        let shown = text(HOSTILE);
        assert!(!shown.contains(['\x1b', '\x07', '\u{9b}']), "{shown:?}");
        assert_eq!(shown, "\\x1b]0;owned\\x07\\x1b]52;c;cm0gLXJmIH4=\\x1b\\\\x1b[2J\\x1b[31mred\\u{9b}1m");
    }

    #[test]
    fn newlines_tabs_and_crlf_are_kept_but_a_lone_carriage_return_is_not() {
        assert!(matches!(text("fn main() {\n\tok\r\n}\n"), Cow::Borrowed(_)));
        assert_eq!(text("safe\rrm -rf ~"), "safe\\rrm -rf ~");
        assert_eq!(text("ends with\r"), "ends with\\r");
        assert_eq!(text("del\x7f nul\0 bell\x07"), "del\\x7f nul\\x00 bell\\x07");
    }

    #[test]
    fn bidi_overrides_are_escaped_and_other_unicode_kept() {
        assert_eq!(text("let a = \"\u{202e}dlrow\u{2066}\";"), "let a = \"\\u{202e}dlrow\\u{2066}\";");
        assert!(matches!(text("naïve — 日本語 ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn escaping_a_stream_does_not_depend_on_where_the_chunks_split() {
        let reply = format!("Title next:{HOSTILE}\r\nline\rover\r");
        let whole = text(&reply).into_owned();
        let chars: Vec<char> = reply.chars().collect();
        for split in 0..=chars.len() {
            let (a, b): (String, String) = (chars[..split].iter().collect(), chars[split..].iter().collect());
            let mut stream = TextStream::default();
            let pieces = [stream.push(&a), stream.push(&b), stream.finish()].concat();
            assert_eq!(pieces, whole, "split at {split}");
        }
        for size in 1..5 {
            let mut stream = TextStream::default();
            let mut out: String =
                chars.chunks(size).map(|c| stream.push(&c.iter().collect::<String>())).collect();
            out.push_str(&stream.finish());
            assert_eq!(out, whole, "chunks of {size}");
        }
    }

    #[test]
    fn plain_paths_are_printed_as_is_and_odd_ones_quoted_like_git() {
        assert!(matches!(path("src/main.rs"), Cow::Borrowed(_)));
        assert!(matches!(path("docs/naïve file.md"), Cow::Borrowed(_)));
        assert_eq!(path("evil\x1b]0;x\x07.txt"), "\"evil\\x1b]0;x\\x07.txt\"");
        assert_eq!(path("tab\there\nnl"), "\"tab\\there\\nnl\"");
        assert_eq!(path("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(path("gpj.\u{202e}exe"), "\"gpj.\\u{202e}exe\"");
    }

    #[test]
    fn json_keeps_its_value_and_loses_raw_controls() {
        let value = serde_json::json!({ "path": "a\u{9b}b\u{202e}c\x7f", "diff": "+\x1b[31m" });
        for written in [value.to_string(), serde_json::to_string_pretty(&value).expect("pretty")] {
            let shown = json(&written);
            assert!(!shown.chars().any(|c| c != '\n' && is_unprintable(c)), "{shown}");
            let read: serde_json::Value = serde_json::from_str(&shown).expect("still JSON");
            assert_eq!(read, value);
        }
    }
}
