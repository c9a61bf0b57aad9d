//! Git state of the open project through libgit2: HEAD, upstream, status and per-file diffs,
//! and checkpoints of files Redline is about to write.
//!
//! Status is computed in full once, then kept current per changed path, so the watcher's cost
//! grows with what changed, not with the repository. It never writes to the work tree, the index,
//! HEAD or branches: checkpoints add objects and private `refs/redline/` refs only.

mod checkpoint;
mod commit;
mod diff;
mod fast_status;
mod identity;
mod status;
mod types;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use checkpoint::{Checkpoint, CheckpointStore, FileState};
pub use identity::{project_identity, root_commit};
pub use types::*;

/// A failure reading git state, phrased for a person.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// An open repository and the last status it computed.
pub struct Repo {
    repo: git2::Repository,
    workdir: PathBuf,
    /// Changes by path; `None` until the first full status.
    changes: Option<BTreeMap<String, Change>>,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo").field("workdir", &self.workdir).finish()
    }
}

/// Above this many changed paths a batch is re-statused in full: one walk beats many.
const PER_PATH_LIMIT: usize = 64;

impl Repo {
    /// The repository whose work tree contains `root`; `None` when there is none (or it is bare).
    pub fn discover(root: &Path) -> Result<Option<Repo>, GitError> {
        let repo = match git2::Repository::discover(root) {
            Ok(repo) => repo,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(workdir) = repo.workdir() else { return Ok(None) };
        let workdir = workdir.canonicalize().unwrap_or_else(|_| workdir.to_path_buf());
        Ok(Some(Repo { repo, workdir, changes: None }))
    }

    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    pub fn head(&self) -> Result<HeadState, GitError> {
        status::head(&self.repo)
    }

    pub fn upstream(&self) -> Result<Option<Upstream>, GitError> {
        status::upstream(&self.repo)
    }

    /// Status of the whole work tree; the result is cached for [`Repo::refresh_paths`].
    pub fn full_status(&mut self) -> Result<RepoState, GitError> {
        self.changes = Some(fast_status::changes(&self.repo, &self.workdir)?);
        self.state()
    }

    /// Re-statuses only `paths` (work-tree relative, `/`-separated; files, deleted files or
    /// folders) and returns the whole state.
    pub fn refresh_paths(&mut self, paths: &[String]) -> Result<RepoState, GitError> {
        let Some(cached) = self.changes.as_ref() else { return self.full_status() };
        let touches_rename = cached.values().any(|c| {
            c.orig_path.as_ref().is_some_and(|o| paths.iter().any(|p| covers(p, o) || covers(p, &c.path)))
        });
        if paths.len() > PER_PATH_LIMIT || touches_rename {
            return self.full_status();
        }
        let mut fresh = Vec::with_capacity(paths.len());
        for path in paths {
            let changes = status::changes(&self.repo, std::slice::from_ref(path))?;
            // A new rename pairs this path with another one: only a full walk sees both.
            if changes.values().any(|c| c.kind == ChangeKind::Renamed) {
                return self.full_status();
            }
            fresh.push((path, changes));
        }
        if let Some(cached) = self.changes.as_mut() {
            for (path, changes) in fresh {
                cached.retain(|p, _| !covers(path, p));
                cached.extend(changes);
            }
        }
        self.state()
    }

    /// After HEAD, the index or refs changed: everything may differ.
    pub fn refresh_all(&mut self) -> Result<RepoState, GitError> {
        self.full_status()
    }

    /// Commits the work tree's content of exactly `paths` (a missing file is a deletion) on top
    /// of HEAD, whatever else is staged or changed, and brings the index in line for those paths
    /// only. Returns the new commit's id.
    pub fn commit_paths(&self, paths: &[String], message: &str) -> Result<String, GitError> {
        commit::commit_paths(&self.repo, &self.workdir, paths, message)
    }

    /// Uncommitted changes as one unified diff, at most `limit` bytes.
    pub fn worktree_patch(&self, limit: usize) -> Result<String, GitError> {
        diff::worktree_patch(&self.repo, limit)
    }

    /// [`Repo::worktree_patch`] of only the files `keep` admits (work-tree paths); the others'
    /// content is never read.
    pub fn worktree_patch_where(
        &self,
        limit: usize,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<String, GitError> {
        diff::worktree_patch_where(&self.repo, limit, keep)
    }

    /// `git diff HEAD -- path`: staged and unstaged changes together, untracked files as added.
    pub fn file_diff(&self, path: &str) -> Result<FileDiff, GitError> {
        let orig = self.changes.as_ref().and_then(|c| c.get(path)).and_then(|c| c.orig_path.clone());
        diff::file_diff(&self.repo, &self.workdir, path, orig.as_deref())
    }

    fn state(&self) -> Result<RepoState, GitError> {
        let changes = self.changes.as_ref().map(|c| c.values().cloned().collect()).unwrap_or_default();
        Ok(RepoState { head: self.head()?, upstream: self.upstream()?, changes })
    }
}

/// Whether refreshing `refreshed` covers the cached entry `path` (itself, or inside it).
fn covers(refreshed: &str, path: &str) -> bool {
    path == refreshed || (path.starts_with(refreshed) && path.as_bytes().get(refreshed.len()) == Some(&b'/'))
}

/// Git's `core.hooksPath` of the repository holding `root`, as a `/`-separated path relative to
/// `root` when it lies inside it: the folder whose scripts git runs on commit, push and checkout.
/// `None` when it is unset, outside `root`, or there is no repository. (`.git/hooks` needs no
/// answer here: nothing under `.git` is ever written.)
pub fn hooks_path_in(root: &Path) -> Option<String> {
    let repo = git2::Repository::discover(root).ok()?;
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let configured = repo.config().ok()?.get_path("core.hooksPath").ok()?;
    // A relative hooksPath is relative to the work tree's top, wherever git runs.
    let absolute = if configured.is_absolute() { configured } else { workdir.join(configured) };
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    let root = root.canonicalize().ok()?;
    let relative = absolute.strip_prefix(&root).ok()?;
    Some(relative.to_string_lossy().replace('\\', "/"))
}

#[cfg(test)]
mod hooks_tests {
    use super::*;

    fn repo_with_hooks_path(value: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tmp");
        let repo = git2::Repository::init(dir.path()).expect("init");
        if let Some(value) = value {
            repo.config().expect("config").set_str("core.hooksPath", value).expect("set");
        }
        dir
    }

    #[test]
    fn a_relative_hooks_path_is_given_relative_to_the_root() {
        let dir = repo_with_hooks_path(Some(".githooks"));
        assert_eq!(hooks_path_in(dir.path()).as_deref(), Some(".githooks"));
    }

    #[test]
    fn hooks_outside_the_root_or_unset_give_none() {
        let outside = tempfile::tempdir().expect("tmp");
        let dir = repo_with_hooks_path(Some(&outside.path().display().to_string()));
        assert_eq!(hooks_path_in(dir.path()), None);
        assert_eq!(hooks_path_in(repo_with_hooks_path(None).path()), None);
    }
}
