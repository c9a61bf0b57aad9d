//! Watcher semantics on a real folder with real inotify events, made deterministic with
//! `Watcher::flush` instead of sleeps.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use redline_project::{Batch, GitChange, IgnoreRules, Watcher};
use redline_tests::git;

struct Watched {
    dir: tempfile::TempDir,
    watcher: Watcher,
    batches: Arc<std::sync::Mutex<Vec<Batch>>>,
}

impl Watched {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Everything delivered since the last call, merged.
    fn take(&self) -> (Batch, usize) {
        self.watcher.flush();
        let batches = std::mem::take(&mut *self.batches.lock().expect("lock"));
        let count = batches.len();
        let mut merged = Batch::default();
        for b in batches {
            merged.paths.extend(b.paths);
            merged.git.extend(b.git);
            merged.rescan |= b.rescan;
            merged.root_gone |= b.root_gone;
        }
        (merged, count)
    }
}

fn watch(setup: impl FnOnce(&Path)) -> Watched {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().canonicalize().expect("canon");
    setup(&root);
    let git_dir = root.join(".git");
    let git_dir = git_dir.is_dir().then_some(git_dir);
    let rules = Arc::new(IgnoreRules::new(&root));
    let batches = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = batches.clone();
    let watcher =
        Watcher::start(&root, git_dir.as_deref(), rules, move |b| sink.lock().expect("lock").push(b))
            .expect("watch");
    Watched { dir, watcher, batches }
}

fn paths(batch: &Batch) -> BTreeSet<&str> {
    batch.paths.iter().map(String::as_str).collect()
}

fn project_with_ignores(root: &Path) {
    fs::create_dir_all(root.join("src")).expect("mkdir");
    fs::create_dir_all(root.join("target/debug")).expect("mkdir");
    fs::write(root.join(".gitignore"), "target/\n*.log\n").expect("write");
    fs::write(root.join("src/main.rs"), "fn main() {}\n").expect("write");
}

#[test]
fn watcher_reports_created_file() {
    let w = watch(project_with_ignores);
    fs::write(w.root().join("src/new.rs"), "x").expect("write");
    let (batch, _) = w.take();
    assert!(paths(&batch).contains("src/new.rs"), "{batch:?}");
}

#[test]
fn watcher_reports_modified_file() {
    let w = watch(project_with_ignores);
    w.take();
    fs::write(w.root().join("src/main.rs"), "fn main() { println!(); }\n").expect("write");
    let (batch, _) = w.take();
    assert_eq!(paths(&batch), BTreeSet::from(["src/main.rs"]));
}

#[test]
fn watcher_reports_deleted_file() {
    let w = watch(project_with_ignores);
    fs::remove_file(w.root().join("src/main.rs")).expect("rm");
    let (batch, _) = w.take();
    assert!(paths(&batch).contains("src/main.rs"), "{batch:?}");
}

#[test]
fn watcher_reports_both_sides_of_a_rename() {
    let w = watch(project_with_ignores);
    fs::rename(w.root().join("src/main.rs"), w.root().join("src/app.rs")).expect("mv");
    let (batch, _) = w.take();
    assert!(paths(&batch).is_superset(&BTreeSet::from(["src/main.rs", "src/app.rs"])), "{batch:?}");
}

#[test]
fn watcher_ignores_gitignored_paths_and_folders() {
    let w = watch(project_with_ignores);
    fs::write(w.root().join("target/debug/app"), "binary").expect("write");
    fs::write(w.root().join("build.log"), "log").expect("write");
    let (batch, count) = w.take();
    assert!(batch.is_empty() && count == 0, "{batch:?}");
}

#[test]
fn watcher_drops_access_events_from_reads() {
    let w = watch(project_with_ignores);
    w.take();
    let _ = fs::read_to_string(w.root().join("src/main.rs")).expect("read");
    let (batch, count) = w.take();
    assert!(batch.is_empty() && count == 0, "{batch:?}");
}

#[test]
fn watcher_coalesces_a_burst_of_1000_writes() {
    let w = watch(project_with_ignores);
    for i in 0..1000 {
        fs::write(w.root().join(format!("src/f{i}.rs")), "x").expect("write");
    }
    let (batch, count) = w.take();
    assert_eq!(batch.paths.len(), 1000);
    // Debounced, not one delivery per write: a handful at most even on a slow machine.
    assert!(count <= 20, "{count} deliveries for 1000 writes");
}

#[test]
fn watcher_sees_files_inside_a_folder_created_with_them() {
    let w = watch(project_with_ignores);
    let deep = w.root().join("pkg/sub");
    fs::create_dir_all(&deep).expect("mkdir");
    fs::write(deep.join("a.rs"), "a").expect("write");
    let (batch, _) = w.take();
    assert!(paths(&batch).contains("pkg/sub/a.rs"), "{batch:?}");
    fs::write(deep.join("b.rs"), "b").expect("write");
    let (batch, _) = w.take();
    assert!(paths(&batch).contains("pkg/sub/b.rs"), "new folder is watched: {batch:?}");
}

#[test]
fn watcher_maps_git_head_change_to_head() {
    let w = watch(|root| {
        project_with_ignores(root);
        git(root, &["init", "-q"]);
        git(root, &["add", "."]);
        git(root, &["commit", "-qm", "init"]);
    });
    w.take();
    git(w.root(), &["checkout", "-q", "-b", "topic"]);
    let (batch, _) = w.take();
    assert!(batch.git.contains(&GitChange::Head), "{batch:?}");
    assert!(batch.paths.is_empty(), "nothing under .git leaks as a path: {batch:?}");
}

#[test]
fn watcher_maps_commit_to_index_and_refs() {
    let w = watch(|root| {
        project_with_ignores(root);
        git(root, &["init", "-q"]);
        git(root, &["add", "."]);
        git(root, &["commit", "-qm", "init"]);
    });
    fs::write(w.root().join("src/main.rs"), "changed").expect("write");
    w.take();
    git(w.root(), &["commit", "-qam", "second"]);
    let (batch, _) = w.take();
    assert!(batch.git.contains(&GitChange::Index), "{batch:?}");
    assert!(batch.git.contains(&GitChange::Refs), "{batch:?}");
}

#[test]
fn watcher_rescans_when_gitignore_changes() {
    let w = watch(project_with_ignores);
    fs::write(w.root().join(".gitignore"), "target/\n").expect("write");
    let (batch, _) = w.take();
    assert!(batch.rescan, "{batch:?}");
}

#[test]
fn watcher_reports_root_gone() {
    let w = watch(project_with_ignores);
    fs::remove_dir_all(w.root()).expect("rm -r");
    let (batch, _) = w.take();
    assert!(batch.root_gone, "{batch:?}");
}
