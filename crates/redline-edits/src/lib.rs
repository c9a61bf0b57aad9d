//! Model replies to edit proposals: parsing every edit format Redline accepts (tool calls,
//! SEARCH/REPLACE in the Aider, Cline and Roo dialects, unified diffs, whole files, OpenAI's
//! apply_patch) at once or
//! line by line as a reply streams in, locating each edit in its file with layered matching,
//! building proposals with per-hunk state, and the three-way merge used when a file changed on
//! disk before accepting.
//!
//! This crate is pure: strings in, proposals out. It must never do file or network I/O, never
//! run a command, and never guess: an edit that cannot be placed unambiguously is an error
//! worded for the model, and a failed edit never yields text to write.

mod apply;
mod diff;
mod edit;
mod error;
mod lazy;
mod line_reader;
mod matching;
mod merge;
mod parse;
mod plan;
mod proposal;
mod stream;
pub mod stream_bench;
mod text;

/// Aider's helper functions, exposed so their upstream tests can be replayed.
pub mod aider_compat {
    pub use crate::parse::search_replace::{find_filename, strip_filename, strip_quoted_wrapping};
}

pub use apply::{apply_file, FileApply, FileResult};
pub use edit::{DiffHunk, DiffLine, Edit, EditKind, ParseError, ParseOutput, PatchChunk, ShellBlock};
pub use error::{Closest, EditError, EditErrorKind};
pub use matching::{EmptySearch, Layer, MatchOptions};
pub use merge::{merge3, Conflict, ConflictRegion};
pub use parse::apply_patch::parse_apply_patch_call;
pub use parse::tool_calls::{read_tool_calls, tool_call_edits};
pub use parse::{
    detect_format, edit_format_for_model, parse_reply, parse_reply_with, Format, FormatChoice, ParseOptions,
};
pub use plan::{plan_edits, plan_parsed, plan_reply, plan_reply_with, FileOutcome, FileStatus};
pub use proposal::{
    apply_hunk_states, compute_hunks, replace_hunk_text, sha256_hex, Hunk, HunkError, HunkState, Proposal,
    ProposalKind,
};
pub use stream::{ParseEvent, StreamParser};
pub use text::TextShape;
