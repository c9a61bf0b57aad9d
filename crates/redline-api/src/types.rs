//! Transport types of the UI ↔ backend boundary. Bindings for `ui/src/bindings.ts` are generated
//! from these by `cargo test -p redline-api` (see `bindings.rs`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use redline_git::{Change, ChangeKind, DiffLineKind, HeadState, RepoState, Upstream};
pub use redline_project::{DirEntry, EntryKind, FileSummary};

/// A stable code the UI can act on; it never matches on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    NotFound,
    NotADirectory,
    OutsideProject,
    Unreadable,
    NoProject,
    Git,
    Database,
    Internal,
    /// The request to the model was refused for its key: fix it in Settings.
    ModelAuthentication,
    ModelRateLimit,
    ModelOverloaded,
    ModelContextTooLong,
    ModelBadRequest,
    ModelNetwork,
    ModelTimeout,
    ModelProtocol,
    /// No model is set up or the one asked for is unknown.
    NoModel,
    /// The OS keyring is missing or locked: offer to keep the key for this run.
    KeyringUnavailable,
    Keyring,
    Settings,
    InvalidInput,
    /// A reply is already streaming in this conversation.
    Busy,
    /// Accepting writes a protected file (one that makes another tool run code): ask the person
    /// to confirm, naming the file and why, then retry with the confirmation.
    NeedsConfirmation,
    /// The file changed since in a way this step cannot merge (created meanwhile, changed
    /// before a removal or a move, kept changing): look at it, then decide again.
    Stale,
    /// The rules never let Redline write this path (git's own files, a link leading out).
    Refused,
    TooLarge,
    /// The file is not UTF-8 text; Redline leaves it alone.
    NotText,
    /// A saved proposal that cannot be read back; it names the proposal.
    Corrupt,
}

/// Every failed command answers with this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence for a person: what happened and what to do.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    /// The folder given on the command line, if any; the UI opens it at start.
    pub initial_folder: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentProject {
    pub path: String,
    pub name: String,
    /// Unix time in milliseconds.
    #[ts(type = "number")]
    pub opened_at: i64,
    /// False when the folder no longer exists.
    pub exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectInfo {
    /// Absolute, canonical.
    pub root: String,
    pub name: String,
    /// False for a folder that is not inside a git work tree: the UI hides the git panel.
    pub is_repo: bool,
    /// Who the folder is for trust and approvals: its repository's root commit and path, or
    /// the folder's device, inode and path.
    pub identity: String,
    /// Whether the person trusts the folder; untrusted, nothing from inside it runs.
    pub trusted: bool,
    /// For an untrusted folder: what stays off and why, for the banner.
    pub untrusted_reason: Option<String>,
}

/// A folder the person trusts, for Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrustedProject {
    pub identity: String,
    /// Where it was when trusted.
    pub path: String,
    /// Unix time in milliseconds.
    #[ts(type = "number")]
    pub trusted_at: i64,
    /// False when nothing is at that path any more.
    pub exists: bool,
}

/// A file opened in the view. Lines are fetched on demand with `file_lines`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileView {
    pub path: String,
    pub summary: FileSummary,
    /// Changes whenever the content on disk changes; pass it back to `file_lines`.
    pub version: u32,
}

/// A diff line with its text highlighted (HTML with `hl-*` classes, already escaped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffLineView {
    pub kind: DiffLineKind,
    pub old_line: Option<u32>,
    pub new_line: Option<u32>,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffHunkView {
    pub header: String,
    pub lines: Vec<DiffLineView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileDiffView {
    pub path: String,
    pub orig_path: Option<String>,
    pub binary: bool,
    pub hunks: Vec<DiffHunkView>,
}

/// Pushed to the UI (event `project-changed`) whenever the folder or its git state changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectChanged {
    /// Paths created, changed, deleted or renamed, relative to the root.
    pub paths: Vec<String>,
    /// Everything may have changed (the watcher overflowed): reload the tree and the open file.
    pub rescan: bool,
    /// The new git state when it changed.
    pub git: Option<RepoState>,
    /// The project folder was deleted or moved away.
    pub root_gone: bool,
}

/// Pushed as event `progress` for work that takes more than a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub task: String,
    pub message: String,
    pub done: bool,
}

/// Layout and view preferences the UI keeps between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UiState {
    pub sidebar_width: u32,
    pub chat_width: u32,
    pub show_ignored: bool,
}
