// Generated from the Rust types by `cargo test -p redline-api` (UPDATE_BINDINGS=1 rewrites it). Do not edit.

export type ApiError = { code: ErrorCode, 
/**
 * A sentence for a person: what happened and what to do.
 */
message: string, };
export type AppInfo = { version: string, 
/**
 * The folder given on the command line, if any; the UI opens it at start.
 */
initialFolder: string | null, };
export type Change = { path: string, 
/**
 * The path before a rename.
 */
origPath: string | null, kind: ChangeKind, 
/**
 * The change is (at least partly) in the index.
 */
staged: boolean, 
/**
 * The change is (at least partly) in the work tree, not yet staged.
 */
unstaged: boolean, };
export type ChangeKind = "modified" | "added" | "deleted" | "renamed" | "typeChanged" | "untracked" | "conflicted";
export type DiffHunkView = { header: string, lines: Array<DiffLineView>, };
export type DiffLineKind = "context" | "added" | "removed";
export type DiffLineView = { kind: DiffLineKind, oldLine: number | null, newLine: number | null, html: string, };
export type DirEntry = { name: string, 
/**
 * Relative to the project root, `/`-separated.
 */
path: string, kind: EntryKind, 
/**
 * Excluded by .gitignore, .ignore, .git/info/exclude or the global excludes file.
 */
ignored: boolean, 
/**
 * A dot-file.
 */
hidden: boolean, 
/**
 * The entry is a symlink (followed when it stays inside the project).
 */
symlink: boolean, };
export type EntryKind = "file" | "dir" | "brokenLink";
export type ErrorCode = "notFound" | "notADirectory" | "outsideProject" | "unreadable" | "noProject" | "git" | "database" | "internal";
export type FileDiffView = { path: string, origPath: string | null, binary: boolean, hunks: Array<DiffHunkView>, };
export type FileSummary = { "kind": "text", size: number, lineCount: number, lossy: boolean, language: string, } | { "kind": "binary", size: number, } | { "kind": "tooLarge", size: number, limit: number, };
export type FileView = { path: string, summary: FileSummary, 
/**
 * Changes whenever the content on disk changes; pass it back to `file_lines`.
 */
version: number, };
export type HeadState = { "kind": "branch", name: string, } | { "kind": "unborn", name: string, } | { "kind": "detached", commit: string, };
export type Progress = { task: string, message: string, done: boolean, };
export type ProjectChanged = { 
/**
 * Paths created, changed, deleted or renamed, relative to the root.
 */
paths: Array<string>, 
/**
 * Everything may have changed (the watcher overflowed): reload the tree and the open file.
 */
rescan: boolean, 
/**
 * The new git state when it changed.
 */
git: RepoState | null, 
/**
 * The project folder was deleted or moved away.
 */
rootGone: boolean, };
export type ProjectInfo = { 
/**
 * Absolute, canonical.
 */
root: string, name: string, 
/**
 * False for a folder that is not inside a git work tree: the UI hides the git panel.
 */
isRepo: boolean, };
export type RecentProject = { path: string, name: string, 
/**
 * Unix time in milliseconds.
 */
openedAt: number, 
/**
 * False when the folder no longer exists.
 */
exists: boolean, };
export type RepoState = { head: HeadState, upstream: Upstream | null, 
/**
 * Sorted by path.
 */
changes: Array<Change>, };
export type UiState = { sidebarWidth: number, chatWidth: number, showIgnored: boolean, };
export type Upstream = { name: string, ahead: number, behind: number, };
