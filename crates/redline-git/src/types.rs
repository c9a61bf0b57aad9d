//! Git state as the rest of Redline sees it: plain data, serializable, with TypeScript bindings.

use serde::Serialize;
use ts_rs::TS;

/// Where HEAD points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum HeadState {
    /// On a branch that has at least one commit.
    Branch { name: String },
    /// On a branch with no commits yet (a fresh `git init`).
    Unborn { name: String },
    /// HEAD names a commit directly; `commit` is the abbreviated id.
    Detached { commit: String },
}

/// The branch's upstream and how far apart the two are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Upstream {
    pub name: String,
    pub ahead: u32,
    pub behind: u32,
}

/// What happened to a path, in the words of `git status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Modified,
    Added,
    Deleted,
    Renamed,
    TypeChanged,
    Untracked,
    Conflicted,
}

/// One changed path. Paths are relative to the repository's work tree, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub path: String,
    /// The path before a rename.
    pub orig_path: Option<String>,
    pub kind: ChangeKind,
    /// The change is (at least partly) in the index.
    pub staged: bool,
    /// The change is (at least partly) in the work tree, not yet staged.
    pub unstaged: bool,
}

/// Everything the Changes panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepoState {
    pub head: HeadState,
    pub upstream: Option<Upstream>,
    /// Sorted by path.
    pub changes: Vec<Change>,
}

/// Which side of a diff a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DiffLineKind {
    Context,
    Added,
    Removed,
}

/// One line of a hunk; `text` has no line terminator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffLine {
    pub kind: DiffLineKind,
    pub old_line: Option<u32>,
    pub new_line: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffHunk {
    /// The `@@ -a,b +c,d @@ context` line.
    pub header: String,
    pub lines: Vec<DiffLine>,
}

/// The diff of one path between HEAD and the work tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileDiff {
    pub path: String,
    pub orig_path: Option<String>,
    pub binary: bool,
    pub hunks: Vec<DiffHunk>,
    /// Full text of the old side (HEAD) when it is text, for highlighting; `None` for new files.
    #[serde(skip)]
    #[ts(skip)]
    pub old_text: Option<String>,
    /// Full text of the new side (work tree), `None` for deleted files.
    #[serde(skip)]
    #[ts(skip)]
    pub new_text: Option<String>,
}
