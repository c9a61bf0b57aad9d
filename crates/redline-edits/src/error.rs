//! Why an edit could not be applied, worded to be sent back to the model.

use serde::{Deserialize, Serialize};

/// The closest place a SEARCH text almost matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Closest {
    /// 1-based, inclusive line range in the file.
    pub start_line: usize,
    pub end_line: usize,
    /// 0.0 – 1.0, line-level normalized similarity.
    pub similarity: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EditErrorKind {
    /// Nothing matched well enough.
    NoMatch { closest: Option<Closest>, floor: Option<f64> },
    /// Several places matched equally; the 1-based start lines of each.
    Ambiguous { lines: Vec<usize> },
    /// The SEARCH text elides code (`...`) in a way that cannot be matched exactly.
    ElisionInSearch,
    /// The new text holds a placeholder such as `// ... existing code ...` that would be
    /// written into the file verbatim.
    ElisionInReplacement,
    /// SEARCH and REPLACE are the same text: the block would change nothing.
    NoChange,
    /// Empty SEARCH on a file that has content: it would replace or append blindly.
    EmptySearchOnExistingFile,
    /// The new content would leave the file empty; a delete must be explicit.
    WouldEmptyFile,
    /// A "whole file" that is mostly a copy of a small part of the file: applying it would
    /// delete the rest.
    LooksLikeFragment,
    /// The edit needs a file that does not exist.
    FileMissing,
    /// A create for a file that already exists with other content.
    FileExists,
    /// A hunk adds lines without context and without a line number.
    NoAnchor,
    /// The reply itself could not be read.
    Parse { message: String },
    /// A rename or `*** Move to:` onto a path that already holds a file.
    DestinationExists { to: String },
    /// One chunk (0-based) of an apply_patch update could not be placed; the whole update
    /// is refused.
    InChunk { chunk: usize, cause: Box<EditErrorKind> },
    /// An `@@` anchor of a chunk is not a line of the file after the previous chunk.
    AnchorNotFound { anchor: String },
    /// The chunk's lines are in the file, but only before where its anchors or the previous
    /// chunk left off (1-based lines).
    OutOfOrder { at_line: usize, after_line: usize },
    /// A chunk marked `*** End of File` whose lines are not the file's last lines.
    NotAtEndOfFile { closest: Option<Closest> },
}

/// One edit that was not applied. Blocks are counted from 1 in the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{path}: block {}: {}", .block + 1, describe(.kind))]
pub struct EditError {
    pub path: String,
    /// 0-based block index within the reply.
    pub block: usize,
    pub kind: EditErrorKind,
}

impl EditError {
    /// A short stable name for tallies and UI codes (never parse the message).
    pub fn category(&self) -> &'static str {
        category_of(&self.kind)
    }
}

fn category_of(kind: &EditErrorKind) -> &'static str {
    match kind {
        EditErrorKind::NoMatch { .. } => "no-match",
        EditErrorKind::Ambiguous { .. } => "ambiguous",
        EditErrorKind::ElisionInSearch => "elision-in-search",
        EditErrorKind::ElisionInReplacement => "elision-in-replacement",
        EditErrorKind::NoChange => "no-change",
        EditErrorKind::EmptySearchOnExistingFile => "empty-search-on-existing-file",
        EditErrorKind::WouldEmptyFile => "would-empty-file",
        EditErrorKind::LooksLikeFragment => "looks-like-fragment",
        EditErrorKind::FileMissing => "file-missing",
        EditErrorKind::FileExists => "file-exists",
        EditErrorKind::NoAnchor => "no-anchor",
        EditErrorKind::Parse { .. } => "parse-error",
        EditErrorKind::DestinationExists { .. } => "destination-exists",
        EditErrorKind::InChunk { cause, .. } => category_of(cause),
        EditErrorKind::AnchorNotFound { .. } => "anchor-not-found",
        EditErrorKind::OutOfOrder { .. } => "out-of-order",
        EditErrorKind::NotAtEndOfFile { .. } => "not-at-end-of-file",
    }
}

fn describe(kind: &EditErrorKind) -> String {
    match kind {
        EditErrorKind::NoMatch { closest: Some(c), floor } => format!(
            "the SEARCH text does not match the file. The closest candidate is lines {}-{} \
             ({:.0}% similar{}); copy the current lines exactly and retry",
            c.start_line,
            c.end_line,
            c.similarity * 100.0,
            floor.map(|f| format!(", {:.0}% needed", f * 100.0)).unwrap_or_default()
        ),
        EditErrorKind::NoMatch { closest: None, .. } => {
            "the SEARCH text does not match the file, and nothing in it is close".to_string()
        }
        EditErrorKind::Ambiguous { lines } => format!(
            "the SEARCH text matches {} places (starting at lines {}); include more surrounding \
             lines so it matches exactly one",
            lines.len(),
            lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
        EditErrorKind::ElisionInSearch => {
            "the SEARCH text elides code with `...`; write out the exact lines instead".to_string()
        }
        EditErrorKind::ElisionInReplacement => "the new text contains a placeholder like \
             `// ... existing code ...` that cannot be expanded safely; write the full code"
            .to_string(),
        EditErrorKind::NoChange => {
            "the SEARCH and REPLACE texts are identical, so the block changes nothing".to_string()
        }
        EditErrorKind::EmptySearchOnExistingFile => "the SEARCH text is empty but the file has \
             content; quote the lines to replace"
            .to_string(),
        EditErrorKind::WouldEmptyFile => {
            "the edit would leave the file empty; delete the file explicitly if that is intended".to_string()
        }
        EditErrorKind::LooksLikeFragment => "the whole-file content is only part of the file; send \
             the complete file, or a SEARCH/REPLACE block for the part that changes"
            .to_string(),
        EditErrorKind::FileMissing => "the file does not exist".to_string(),
        EditErrorKind::FileExists => "the file already exists; edit it instead of creating it".to_string(),
        EditErrorKind::NoAnchor => {
            "a hunk adds lines without context or a line number; include context lines".to_string()
        }
        EditErrorKind::Parse { message } => format!("the reply could not be read: {message}"),
        EditErrorKind::DestinationExists { to } => {
            format!(
                "cannot move the file to {to}: a file already exists there; edit or delete that file instead"
            )
        }
        EditErrorKind::InChunk { chunk, cause } => {
            format!("chunk {}: {}; nothing in this file was changed", chunk + 1, describe_chunk(cause))
        }
        EditErrorKind::AnchorNotFound { .. }
        | EditErrorKind::OutOfOrder { .. }
        | EditErrorKind::NotAtEndOfFile { .. } => describe_chunk(kind),
    }
}

/// Why an apply_patch chunk could not be placed, in the format's own words.
fn describe_chunk(kind: &EditErrorKind) -> String {
    const LINES: &str = "its ' ' and '-' lines";
    match kind {
        EditErrorKind::NoMatch { closest: Some(c), .. } => format!(
            "{LINES} do not match the file after its @@ lines and the previous chunk. The closest \
             candidate is lines {}-{} ({:.0}% similar); copy the current lines exactly and retry",
            c.start_line,
            c.end_line,
            c.similarity * 100.0
        ),
        EditErrorKind::NoMatch { closest: None, .. } => {
            format!("{LINES} do not match the file, and nothing in it is close")
        }
        EditErrorKind::Ambiguous { lines } => format!(
            "{LINES} match {} places (starting at lines {}); add an @@ line naming the enclosing \
             class or function, or more context lines, so they match exactly one",
            lines.len(),
            lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
        EditErrorKind::AnchorNotFound { anchor } => format!(
            "`@@ {anchor}` is not a line of the file after the previous chunk; an @@ line must \
             repeat a whole line of the file, such as a function's signature"
        ),
        EditErrorKind::OutOfOrder { at_line, after_line } => format!(
            "{LINES} are at line {at_line}, before line {after_line} where its @@ lines or the \
             previous chunk left off; write the chunks in file order, each after its @@ lines"
        ),
        EditErrorKind::NotAtEndOfFile { closest } => format!(
            "it is marked `*** End of File` but {LINES} are not the last lines of the file{}",
            closest
                .as_ref()
                .map(|c| format!(" (the last lines are {:.0}% similar)", c.similarity * 100.0))
                .unwrap_or_default()
        ),
        other => describe(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_match_message_names_file_block_lines_and_similarity() {
        let e = EditError {
            path: "src/a.rs".into(),
            block: 1,
            kind: EditErrorKind::NoMatch {
                closest: Some(Closest { start_line: 10, end_line: 14, similarity: 0.82 }),
                floor: Some(0.9),
            },
        };
        let text = e.to_string();
        assert!(text.starts_with("src/a.rs: block 2:"), "{text}");
        assert!(text.contains("lines 10-14") && text.contains("82%"), "{text}");
    }
}
