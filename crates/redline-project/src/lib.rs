//! The open folder: confining paths to it, listing it the way git sees it, reading files safely,
//! and watching it for changes.
//!
//! This crate owns every file-system access Redline makes inside a project. It must never follow
//! a path out of the project root, never load a file without checking its size first, and never
//! write anything (writes arrive with proposals, through atomic replace only).

mod error;
mod ignore_rules;
mod listing;
mod read;
mod root;
mod types;
mod watch;

pub use error::ProjectError;
pub use ignore_rules::IgnoreRules;
pub use listing::list_dir;
pub use read::{read_text, TextFile, VIEW_SIZE_LIMIT};
pub use root::ProjectRoot;
pub use types::{DirEntry, EntryKind, FileSummary};
pub use watch::{Batch, GitChange, Watcher};
