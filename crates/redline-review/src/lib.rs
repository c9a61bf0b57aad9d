//! A proposal's whole way from parsed edit to bytes on disk: planned against the files read
//! once, checked, kept with typed state in the database, decided hunk by hunk, written by the
//! one accept engine (create, change, remove, move; merged three-way onto a file that changed),
//! checkpointed first and undone through the same engine. The window, `redline apply` and the
//! agent all accept through it.
//!
//! It writes project files only through `redline-project`'s confined, conditional writes, and
//! never a path the rules refuse. It knows nothing of windows, models or networks; proposal JSON
//! is encoded and decoded here and nowhere else.

// Tests build their fixture projects with std::fs (see the workspace clippy.toml).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod apply;
pub mod checks;
mod diff;
mod engine;
mod error;
mod live;
mod plan;
mod record;
mod review;
mod rules;
#[cfg(test)]
mod test_support;

pub use apply::{apply_reply, ApplyOptions, FileReport, HunkCounts, ReportStatus};
pub use diff::unified_diff;
pub use engine::{read_text, transition, Applied, MAX_FILE_BYTES};
pub use error::{ReviewCode, ReviewError};
pub use live::{LiveProposals, Parsed};
pub use plan::{tool_call_edits, Bases};
pub use record::{FileImage, Record, Status};
pub use review::{conversation_records, decided_image, load, records, save, Decided, Desk, Undone};
pub use rules::{change_rule, project_rules};
