//! The open folder: confining paths to it, listing it the way git sees it, reading files safely,
//! and watching it for changes.
//!
//! This crate owns every file-system access Redline makes inside a project. It must never follow
//! a path out of the project root and never load a file without checking its size first. It
//! writes only through the functions of [`write`] (re-exported here): confined to the root,
//! atomic (temp file, fsync, rename) and conditional on the file still holding what the caller
//! saw, so a write never leaves a half-written file or loses someone else's change.

mod confined;
mod env;
mod error;
mod ignore_rules;
mod listing;
pub mod outbound;
mod protected;
mod read;
pub mod redact;
mod root;
mod trust;
mod types;
mod visibility;
mod watch;
pub mod write;

pub use env::command_env;
pub use error::ProjectError;
pub use ignore_rules::{IgnoreRules, REDLINE_IGNORE};
pub use listing::list_dir;
pub use outbound::{gate, Gated, Source};
pub use protected::{is_unprintable, PathRule, ProtectedPaths, GIT_REFUSAL};
pub use read::{read_capped, read_text, CappedBytes, TextFile, VIEW_SIZE_LIMIT};
pub use redact::Redaction;
pub use root::ProjectRoot;
pub use trust::{path_outside_project, IdentityKind, ProjectIdentity, Trust, UNTRUSTED_NOTE};
pub use types::{DirEntry, EntryKind, FileSummary};
pub use visibility::{is_secret_file, Hidden, Visibility};
pub use watch::{Batch, GitChange, Watcher};
pub use write::{
    delete_if_unchanged, link_leaving_on_rename, read_current, rename_file, replace_if_unchanged, sha256_hex,
    write_atomic, Replaced, WriteError,
};
