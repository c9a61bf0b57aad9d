//! One open project: its root, ignore rules, repository, open documents and watcher, and the
//! glue that turns watcher batches into `ProjectChanged` events.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::{Condvar, Mutex};
use redline_git::{DiffLine, FileDiff, Repo};
use redline_highlight::DocumentPool;
use redline_project::{
    list_dir, read_text, Batch, IgnoreRules, ProjectIdentity, ProjectRoot, Trust, Watcher,
};
use redline_repomap::{Focus, RepoMap};

use crate::{
    ApiError, ApiResult, DiffHunkView, DiffLineKind, DiffLineView, DirEntry, ErrorCode, EventSink,
    FileDiffView, FileView, Progress, ProjectChanged, ProjectInfo, RepoState,
};

pub(crate) struct OpenProject {
    root: ProjectRoot,
    /// Who this folder is for trust and approvals (its repository, not its path).
    identity: ProjectIdentity,
    /// Decided when it was opened, changed by trusting or revoking it in this window.
    trust: Mutex<Trust>,
    /// Which paths proposals may not write or must confirm, with git's `core.hooksPath` as it
    /// was when the folder was opened (read once: every proposal view asks).
    protected: redline_project::ProtectedPaths,
    rules: Arc<IgnoreRules>,
    git: Mutex<GitCache>,
    /// Current version of each open text document; the text itself lives in `pool`.
    documents: Mutex<HashMap<String, u32>>,
    pool: DocumentPool,
    next_version: AtomicU32,
    watch: Mutex<WatchState>,
    watch_ready: Condvar,
    sink: Arc<dyn EventSink>,
    /// The project's definitions for the model's context: read at first use, then kept
    /// current from the watcher's batches.
    repo_map: Mutex<Option<RepoMap>>,
}

/// The watcher starts on a thread of its own: adding a watch per folder takes a quarter of a
/// second on a 50k-file repository, and the tree should not wait for it.
enum WatchState {
    Starting,
    Running(Watcher),
    Failed,
}

struct GitCache {
    repo: Option<Repo>,
    /// The last state handed to the UI; `None` until the first full status.
    state: Option<RepoState>,
}

/// Diffs longer than this many lines are cut, with a note in the last hunk header.
const DIFF_LINE_LIMIT: usize = 20_000;

impl OpenProject {
    pub(crate) fn open(
        path: &Path,
        sink: Arc<dyn EventSink>,
        trust_of: impl FnOnce(&ProjectIdentity) -> Trust,
    ) -> ApiResult<Arc<OpenProject>> {
        let root = ProjectRoot::open(path)?;
        let identity = redline_git::project_identity(root.path()).map_err(|e| {
            ApiError::new(ErrorCode::Unreadable, format!("Cannot read {}: {e}", root.path().display()))
        })?;
        let trust = Mutex::new(trust_of(&identity));
        let repo = Repo::discover(root.path()).unwrap_or_else(|e| {
            tracing::warn!("git unavailable for {}: {e}", root.path().display());
            None
        });
        let git_dir = repo.as_ref().map(|r| r.git_dir().to_path_buf());
        let rules = Arc::new(IgnoreRules::new(repo.as_ref().map(|r| r.workdir()).unwrap_or(root.path())));
        let protected = redline_review::project_rules(&root);
        let project = Arc::new(OpenProject {
            protected,
            rules: rules.clone(),
            git: Mutex::new(GitCache { repo, state: None }),
            documents: Mutex::new(HashMap::new()),
            pool: DocumentPool::new(),
            next_version: AtomicU32::new(1),
            watch: Mutex::new(WatchState::Starting),
            watch_ready: Condvar::new(),
            repo_map: Mutex::new(None),
            sink,
            root,
            identity,
            trust,
        });
        let setup = project.clone();
        let spawned = std::thread::Builder::new()
            .name("redline-watch-setup".into())
            .spawn(move || setup.start_watching(git_dir.as_deref(), rules));
        if let Err(e) = spawned {
            tracing::error!("cannot start watching: {e}");
            *project.watch.lock() = WatchState::Failed;
        }
        Ok(project)
    }

    fn start_watching(self: Arc<Self>, git_dir: Option<&Path>, rules: Arc<IgnoreRules>) {
        let task = "watch".to_owned();
        let message = "Watching the folder for changes…".to_owned();
        self.sink.progress(Progress { task: task.clone(), message, done: false });
        let weak: Weak<OpenProject> = Arc::downgrade(&self);
        let started = Watcher::start(self.root.path(), git_dir, rules, move |batch| {
            if let Some(project) = weak.upgrade() {
                project.on_batch(batch);
            }
        });
        let state = match started {
            Ok(watcher) => WatchState::Running(watcher),
            Err(e) => {
                tracing::error!("{e}");
                WatchState::Failed
            }
        };
        // Whatever changed while the watches were being added went unseen: catch up once,
        // before anyone waiting in `flush_watcher` goes on.
        self.on_batch(Batch { rescan: true, ..Batch::default() });
        *self.watch.lock() = state;
        self.watch_ready.notify_all();
        self.sink.progress(Progress { task, message: "Watching".into(), done: true });
    }

    pub(crate) fn root(&self) -> &ProjectRoot {
        &self.root
    }

    /// Uncommitted changes of the project's files as one diff, for a model: files it may not see
    /// (ignored, `.redlineignore`d, credentials, outside this folder) are left out before they
    /// are read. Empty for a folder that is not a repository.
    pub(crate) fn worktree_patch_for_model(&self, limit: usize) -> ApiResult<String> {
        let git = self.git.lock();
        let Some(repo) = &git.repo else { return Ok(String::new()) };
        let prefix = self.root.path().strip_prefix(repo.workdir()).map(slash_path).unwrap_or_default();
        let visibility = redline_project::Visibility::new(self.root.path());
        let keep = |repo_path: &str| visibility.visible_in_repo(&prefix, repo_path);
        Ok(repo.worktree_patch_where(limit, &keep)?)
    }

    pub(crate) fn info(&self) -> ProjectInfo {
        let trusted = self.trust().is_trusted();
        ProjectInfo {
            root: self.root.path().display().to_string(),
            name: self.root.name(),
            is_repo: self.git.lock().repo.is_some(),
            identity: self.identity.key(),
            trusted,
            untrusted_reason: (!trusted).then(|| crate::trust::UNTRUSTED_REASON.to_owned()),
        }
    }

    pub(crate) fn protected(&self) -> &redline_project::ProtectedPaths {
        &self.protected
    }

    pub(crate) fn identity(&self) -> &ProjectIdentity {
        &self.identity
    }

    pub(crate) fn trust(&self) -> Trust {
        *self.trust.lock()
    }

    pub(crate) fn set_trust(&self, trust: Trust) {
        *self.trust.lock() = trust;
    }

    pub(crate) fn list_dir(&self, path: &str, show_ignored: bool) -> ApiResult<Vec<DirEntry>> {
        Ok(list_dir(&self.root, &self.rules, path, show_ignored)?)
    }

    pub(crate) fn open_file(&self, path: &str) -> ApiResult<FileView> {
        let file = read_text(&self.root, path, |text| {
            redline_highlight::language_for(path, text.lines().next().unwrap_or("")).to_owned()
        })?;
        let version = self.next_version.fetch_add(1, Ordering::Relaxed);
        let mut documents = self.documents.lock();
        match file.text {
            Some(text) => {
                self.pool.open(path, path, text);
                documents.insert(path.to_owned(), version);
            }
            None => {
                self.pool.close(path);
                documents.remove(path);
            }
        }
        Ok(FileView { path: path.to_owned(), summary: file.summary, version })
    }

    /// Highlighted lines of an open document. A version that is no longer current means the
    /// file changed on disk: the UI re-opens it when the change event arrives.
    pub(crate) fn file_lines(
        &self,
        path: &str,
        version: u32,
        start: u32,
        count: u32,
    ) -> ApiResult<Vec<String>> {
        let current = self.documents.lock().get(path) == Some(&version);
        let lines = current.then(|| self.pool.lines(path, start as usize, count as usize)).flatten();
        match lines {
            Some(lines) => Ok(lines),
            None => Err(ApiError::new(
                ErrorCode::NotFound,
                format!("{path} changed on disk since it was opened; reopen it to see the new content"),
            )),
        }
    }

    pub(crate) fn git_state(&self) -> ApiResult<Option<RepoState>> {
        let mut git = self.git.lock();
        let GitCache { repo, state } = &mut *git;
        let Some(repo) = repo.as_mut() else { return Ok(None) };
        if state.is_none() {
            *state = Some(repo.full_status()?);
        }
        Ok(state.clone())
    }

    pub(crate) fn file_diff(&self, path: &str) -> ApiResult<FileDiffView> {
        self.root.resolve(path)?;
        let diff = {
            let git = self.git.lock();
            let repo = git
                .repo
                .as_ref()
                .ok_or_else(|| ApiError::new(ErrorCode::Git, "This folder is not a git repository."))?;
            repo.file_diff(path)?
        };
        Ok(highlight_diff(diff))
    }

    /// The repo map within `budget` tokens, ranked toward `focus`; blocks for the first scan.
    pub(crate) fn repo_map(&self, focus: &Focus, budget: usize) -> String {
        let mut map = self.repo_map.lock();
        let map = map.get_or_insert_with(|| {
            let mut map = RepoMap::new(self.root.path());
            map.scan();
            map
        });
        map.render(focus, budget)
    }

    /// Waits for the watcher to be running, then delivers its pending events.
    pub(crate) fn flush_watcher(&self) {
        let mut watch = self.watch.lock();
        while matches!(*watch, WatchState::Starting) {
            self.watch_ready.wait(&mut watch);
        }
        if let WatchState::Running(watcher) = &*watch {
            watcher.flush();
        }
    }

    /// Runs on the watcher thread for every debounced batch.
    fn on_batch(&self, batch: Batch) {
        {
            let mut documents = self.documents.lock();
            let stale: Vec<String> = if batch.rescan {
                documents.keys().cloned().collect()
            } else {
                batch.paths.iter().filter(|p| documents.contains_key(*p)).cloned().collect()
            };
            for path in stale {
                documents.remove(&path);
                self.pool.close(&path);
            }
        }
        if let Some(map) = self.repo_map.lock().as_mut() {
            if batch.rescan {
                map.scan();
            } else {
                map.update(&batch.paths.iter().cloned().collect::<Vec<_>>());
            }
        }
        let git = self.refresh_git(&batch);
        let paths = batch.paths.into_iter().collect();
        self.sink.project_changed(ProjectChanged {
            paths,
            rescan: batch.rescan,
            git,
            root_gone: batch.root_gone,
        });
    }

    /// Re-statuses only what the batch touched; returns the new state when it differs from the
    /// last one the UI saw. Nothing is computed before the UI asked for the first full status.
    fn refresh_git(&self, batch: &Batch) -> Option<RepoState> {
        let mut git = self.git.lock();
        let GitCache { repo, state } = &mut *git;
        let repo = repo.as_mut()?;
        state.as_ref()?;
        let fresh = if batch.rescan || !batch.git.is_empty() {
            repo.refresh_all()
        } else if !batch.paths.is_empty() {
            let paths: Vec<String> = batch.paths.iter().cloned().collect();
            repo.refresh_paths(&paths)
        } else {
            return None;
        };
        match fresh {
            Ok(fresh) if state.as_ref() != Some(&fresh) => {
                *state = Some(fresh.clone());
                Some(fresh)
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("git refresh failed: {e}");
                None
            }
        }
    }
}

fn highlight_diff(diff: FileDiff) -> FileDiffView {
    let mut budget = DIFF_LINE_LIMIT;
    let old = side_html(&diff, diff.old_text.as_deref(), |l| l.old_line);
    let new = side_html(&diff, diff.new_text.as_deref(), |l| l.new_line);
    let hunks = diff
        .hunks
        .iter()
        .map_while(|hunk| {
            if budget == 0 {
                return None;
            }
            let take = hunk.lines.len().min(budget);
            budget -= take;
            let lines = hunk.lines[..take]
                .iter()
                .map(|line| DiffLineView {
                    kind: line.kind,
                    old_line: line.old_line,
                    new_line: line.new_line,
                    html: pick_html(line, &old, &new),
                })
                .collect();
            Some(DiffHunkView { header: hunk.header.clone(), lines })
        })
        .collect();
    FileDiffView { path: diff.path, orig_path: diff.orig_path, binary: diff.binary, hunks }
}

/// Highlighted HTML for the lines of one side that the diff shows, keyed by line number.
fn side_html(
    diff: &FileDiff,
    text: Option<&str>,
    number: impl Fn(&DiffLine) -> Option<u32>,
) -> HashMap<u32, String> {
    let Some(text) = text else { return HashMap::new() };
    let mut wanted: Vec<u32> =
        diff.hunks.iter().flat_map(|h| h.lines.iter()).filter_map(&number).take(DIFF_LINE_LIMIT).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let html = redline_highlight::highlight_lines(&diff.path, text, &wanted);
    wanted.into_iter().zip(html).collect()
}

fn pick_html(line: &DiffLine, old: &HashMap<u32, String>, new: &HashMap<u32, String>) -> String {
    let from_side = match line.kind {
        DiffLineKind::Removed => line.old_line.and_then(|n| old.get(&n)),
        _ => line.new_line.and_then(|n| new.get(&n)).or_else(|| line.old_line.and_then(|n| old.get(&n))),
    };
    from_side.cloned().unwrap_or_else(|| redline_highlight::escape(&line.text))
}

/// A relative path as `/`-separated text (the form git and the rules use).
fn slash_path(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}
