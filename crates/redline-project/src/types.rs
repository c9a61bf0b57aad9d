//! Project data that crosses to the UI: plain, serializable, with TypeScript bindings.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum EntryKind {
    File,
    Dir,
    /// A symlink that cannot be followed: broken, looping, or leading outside the project.
    BrokenLink,
}

/// One child of a folder in the file tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DirEntry {
    pub name: String,
    /// Relative to the project root, `/`-separated.
    pub path: String,
    pub kind: EntryKind,
    /// Excluded by .gitignore, .ignore, .git/info/exclude or the global excludes file.
    pub ignored: bool,
    /// A dot-file.
    pub hidden: bool,
    /// The entry is a symlink (followed when it stays inside the project).
    pub symlink: bool,
}

/// What the file view gets when it opens a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FileSummary {
    /// Text, loaded; `lossy` when the bytes were not UTF-8 and invalid sequences were replaced.
    #[serde(rename_all = "camelCase")]
    Text {
        #[ts(type = "number")]
        size: u64,
        line_count: u32,
        lossy: bool,
        language: String,
    },
    /// Contains NUL bytes or is otherwise not text; not shown.
    Binary {
        #[ts(type = "number")]
        size: u64,
    },
    /// Larger than the view's limit; not loaded.
    TooLarge {
        #[ts(type = "number")]
        size: u64,
        #[ts(type = "number")]
        limit: u64,
    },
}
