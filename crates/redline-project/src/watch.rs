//! Watching a project: raw `notify` events in, debounced domain batches out.
//!
//! Folders are watched one by one (non-recursively) so ignored trees such as `target/` or
//! `node_modules/` cost no watches and raise no events. The git directory is watched for HEAD,
//! index and ref changes, reported as [`GitChange`]s rather than as paths.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{CreateKind, EventKind, MetadataKind, ModifyKind, RemoveKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};
use parking_lot::{Condvar, Mutex};

use crate::root::to_slash;
use crate::{IgnoreRules, ProjectError};

/// A batch waits this long for more events before it is delivered…
const QUIET: Duration = Duration::from_millis(30);
/// …but never longer than this after its first event, so a steady stream still shows up.
const MAX_DELAY: Duration = Duration::from_millis(100);
/// How long [`Watcher::flush`] waits for its barrier before giving up.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// What changed in the git directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GitChange {
    /// HEAD moved: a branch switch, a commit, a checkout.
    Head,
    Index,
    /// A branch, tag or remote ref, or packed-refs.
    Refs,
}

/// One debounced delivery.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Project-relative, `/`-separated paths that were created, changed, removed or renamed.
    pub paths: BTreeSet<String>,
    pub git: BTreeSet<GitChange>,
    /// Events were lost (queue overflow) or the ignore rules changed: reload everything.
    pub rescan: bool,
    /// The project folder itself was deleted or moved away.
    pub root_gone: bool,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.git.is_empty() && !self.rescan && !self.root_gone
    }
}

/// A running watch. Dropping it stops the watch and its thread.
pub struct Watcher {
    barrier_dir: tempfile::TempDir,
    next_flush: AtomicU64,
    flushed: Arc<(Mutex<u64>, Condvar)>,
    stop: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").field("barrier_dir", &self.barrier_dir.path()).finish()
    }
}

enum Msg {
    Raw(notify::Result<Event>),
    Stop,
}

/// Everything the event thread needs to turn raw events into batches.
struct Classifier {
    root: PathBuf,
    git_dir: Option<PathBuf>,
    barrier_dir: PathBuf,
    rules: Arc<IgnoreRules>,
    notify: Arc<Mutex<RecommendedWatcher>>,
}

impl Watcher {
    /// Starts watching `root` (canonical) and, when given, its git directory. `deliver` runs on
    /// the watcher's own thread, once per batch.
    pub fn start(
        root: &Path,
        git_dir: Option<&Path>,
        rules: Arc<IgnoreRules>,
        deliver: impl FnMut(Batch) + Send + 'static,
    ) -> Result<Watcher, ProjectError> {
        let watch_err = |e: notify::Error| ProjectError::Watch(e.to_string());
        let (tx, rx) = mpsc::channel();
        let raw_tx = tx.clone();
        let notify = notify::recommended_watcher(move |event| {
            let _ = raw_tx.send(Msg::Raw(event));
        })
        .map_err(watch_err)?;
        let notify = Arc::new(Mutex::new(notify));
        let barrier_dir = tempfile::Builder::new()
            .prefix("redline-watch-")
            .tempdir()
            .map_err(|e| ProjectError::Watch(e.to_string()))?;
        let classifier = Classifier {
            root: root.to_path_buf(),
            git_dir: git_dir.map(Path::to_path_buf),
            barrier_dir: barrier_dir.path().to_path_buf(),
            rules,
            notify: notify.clone(),
        };
        {
            let mut w = notify.lock();
            w.watch(barrier_dir.path(), RecursiveMode::NonRecursive).map_err(watch_err)?;
            if let Some(git_dir) = git_dir {
                w.watch(git_dir, RecursiveMode::NonRecursive).map_err(watch_err)?;
                let refs = git_dir.join("refs");
                if refs.is_dir() {
                    w.watch(&refs, RecursiveMode::Recursive).map_err(watch_err)?;
                }
            }
        }
        classifier.watch_tree(root, None);
        let flushed = Arc::new((Mutex::new(0u64), Condvar::new()));
        let thread_flushed = flushed.clone();
        let thread = std::thread::Builder::new()
            .name("redline-watch".into())
            .spawn(move || event_loop(rx, classifier, thread_flushed, deliver))
            .map_err(|e| ProjectError::Watch(e.to_string()))?;
        Ok(Watcher { barrier_dir, next_flush: AtomicU64::new(1), flushed, stop: tx, thread: Some(thread) })
    }

    /// Delivers every change made before this call, now, instead of after the debounce. Tests use
    /// it to stay deterministic without sleeping: a marker file in a private folder watched on
    /// the same inotify queue proves all earlier events have been read.
    pub fn flush(&self) {
        let n = self.next_flush.fetch_add(1, Ordering::SeqCst);
        let marker = self.barrier_dir.path().join(format!("flush-{n}"));
        if fs::write(&marker, b"").is_err() {
            return;
        }
        let (done, cond) = &*self.flushed;
        let deadline = Instant::now() + FLUSH_TIMEOUT;
        let mut done = done.lock();
        while *done < n {
            if cond.wait_until(&mut done, deadline).timed_out() {
                tracing::warn!("watcher flush timed out");
                break;
            }
        }
        drop(done);
        let _ = fs::remove_file(marker);
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.stop.send(Msg::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn event_loop(
    rx: Receiver<Msg>,
    classifier: Classifier,
    flushed: Arc<(Mutex<u64>, Condvar)>,
    mut deliver: impl FnMut(Batch),
) {
    let mut pending = Batch::default();
    let mut first_at: Option<Instant> = None;
    let mut last_at = Instant::now();
    loop {
        let timeout = match first_at {
            None => Duration::from_secs(3600),
            Some(first) => {
                let quiet_end = last_at + QUIET;
                let max_end = first + MAX_DELAY;
                quiet_end.min(max_end).saturating_duration_since(Instant::now())
            }
        };
        match rx.recv_timeout(timeout) {
            Ok(Msg::Raw(Ok(event))) => {
                if let Some(n) = classifier.flush_marker(&event) {
                    send(&mut pending, &mut first_at, &mut deliver);
                    let (done, cond) = &*flushed;
                    let mut done = done.lock();
                    *done = (*done).max(n);
                    cond.notify_all();
                    continue;
                }
                classifier.absorb(&event, &mut pending);
                if !pending.is_empty() {
                    first_at.get_or_insert_with(Instant::now);
                    last_at = Instant::now();
                }
            }
            Ok(Msg::Raw(Err(e))) => tracing::warn!("watcher: {e}"),
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => send(&mut pending, &mut first_at, &mut deliver),
        }
    }
}

fn send(pending: &mut Batch, first_at: &mut Option<Instant>, deliver: &mut impl FnMut(Batch)) {
    *first_at = None;
    if !pending.is_empty() {
        deliver(std::mem::take(pending));
    }
}

impl Classifier {
    fn flush_marker(&self, event: &Event) -> Option<u64> {
        if !matches!(event.kind, EventKind::Create(_)) {
            return None;
        }
        let path = event.paths.first()?;
        if path.parent()? != self.barrier_dir {
            return None;
        }
        path.file_name()?.to_str()?.strip_prefix("flush-")?.parse().ok()
    }

    /// Folds one raw event into the pending batch.
    fn absorb(&self, event: &Event, batch: &mut Batch) {
        if event.need_rescan() {
            batch.rescan = true;
            self.watch_tree(&self.root, None);
        }
        if !is_relevant(&event.kind) {
            return;
        }
        let is_dir_event = matches!(
            event.kind,
            EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder)
        );
        for path in &event.paths {
            if path.starts_with(&self.barrier_dir) {
                continue;
            }
            if let Some(change) = self.git_change(path) {
                batch.git.insert(change);
                continue;
            }
            if path == &self.root {
                if !self.root.exists() {
                    batch.root_gone = true;
                }
                continue;
            }
            let is_dir = is_dir_event || path.is_dir();
            if !path.starts_with(&self.root) || self.rules.is_ignored(path, is_dir) {
                continue;
            }
            if IgnoreRules::is_ignore_file(path) {
                if let Some(dir) = path.parent() {
                    self.rules.invalidate(dir);
                }
                batch.rescan = true;
                self.watch_tree(&self.root, None);
            }
            if is_dir && matches!(event.kind, EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))) {
                // Files may have landed in a new folder before its watch existed.
                self.watch_tree(path, Some(batch));
            }
            if let Some(rel) = path.strip_prefix(&self.root).ok().map(to_slash) {
                batch.paths.insert(rel);
            }
        }
        if !self.root.exists() {
            batch.root_gone = true;
        }
    }

    fn git_change(&self, path: &Path) -> Option<GitChange> {
        let rel = path.strip_prefix(self.git_dir.as_ref()?).ok()?;
        let name = rel.to_str()?;
        if name.ends_with(".lock") {
            return None;
        }
        match name {
            "HEAD" => Some(GitChange::Head),
            "index" => Some(GitChange::Index),
            "packed-refs" | "ORIG_HEAD" | "FETCH_HEAD" | "MERGE_HEAD" | "CHERRY_PICK_HEAD" => {
                Some(GitChange::Refs)
            }
            _ if name.starts_with("refs") => Some(GitChange::Refs),
            _ => None,
        }
    }

    /// Watches `dir` and every folder below it that is not ignored. With `found`, files met on
    /// the way are reported too (they were created before the watch could see them).
    fn watch_tree(&self, dir: &Path, mut found: Option<&mut Batch>) {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            if let Err(e) = self.notify.lock().watch(&dir, RecursiveMode::NonRecursive) {
                tracing::debug!("cannot watch {}: {e}", dir.display());
                continue;
            }
            let Ok(read) = fs::read_dir(&dir) else { continue };
            for entry in read.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else { continue };
                // Symlinked folders are not followed: they could loop or leave the project.
                let is_dir = kind.is_dir();
                if self.rules.is_ignored(&path, is_dir) {
                    continue;
                }
                if is_dir {
                    stack.push(path.clone());
                }
                if let Some(batch) = found.as_deref_mut() {
                    if let Some(rel) = path.strip_prefix(&self.root).ok().map(to_slash) {
                        batch.paths.insert(rel);
                    }
                }
            }
        }
    }
}

/// Access events are dropped: our own reads cause them. So are access-time updates.
fn is_relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(_) | EventKind::Other | EventKind::Any => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
    }
}
