//! The use-cases the UI calls, end to end below the window: a real folder, a real repository,
//! real watcher events, a real SQLite file.

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use redline_api::{App, ChangeKind, ErrorCode, EventSink, FileSummary, HeadState, Progress, ProjectChanged};
use redline_tests::{fixture, git};

/// Collects what the backend would send to the window.
#[derive(Default)]
pub struct Events {
    pub changed: Mutex<Vec<ProjectChanged>>,
    pub progress: Mutex<Vec<Progress>>,
}

impl EventSink for Events {
    fn project_changed(&self, event: ProjectChanged) {
        self.changed.lock().expect("lock").push(event);
    }
    fn progress(&self, progress: Progress) {
        self.progress.lock().expect("lock").push(progress);
    }
}

impl Events {
    fn take(&self) -> Vec<ProjectChanged> {
        std::mem::take(&mut *self.changed.lock().expect("lock"))
    }
}

/// Sends `input` and plays the person with `person`, which sees every event as it arrives and
/// may call the app (review, approve, stop) while the turn waits. Returns the turn's result and
/// every event, including those sent after it ended.
pub async fn send_playing(
    app: &App,
    input: redline_api::SendInput,
    mut person: impl FnMut(&redline_api::ChatEvent),
) -> (redline_api::ApiResult<redline_api::MessageView>, Vec<redline_api::ChatEvent>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let emit = move |e: redline_api::ChatEvent| {
        let _ = tx.send(e);
    };
    let send = app.send_message(input, &emit);
    tokio::pin!(send);
    let mut events = Vec::new();
    let run = async {
        loop {
            tokio::select! {
                result = &mut send => break result,
                Some(e) = rx.recv() => {
                    person(&e);
                    events.push(e);
                }
            }
        }
    };
    // A hang guard only: every turn in these tests is a few local steps.
    let timeout = std::time::Duration::from_secs(60);
    let result = tokio::time::timeout(timeout, run).await.expect("the turn hung");
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    (result, events)
}

/// An app with a fresh data folder, opened on `root`.
pub fn open_app(root: &Path) -> (App, Arc<Events>) {
    let data = tempfile::tempdir().expect("tmp").keep();
    let events = Arc::new(Events::default());
    let app = App::new(&data, None, events.clone());
    app.open_project(&root.display().to_string()).expect("open project");
    // The watcher starts in the background; tests that change files want it running first.
    app.flush_watcher();
    (app, events)
}

#[test]
fn api_tree_hides_ignored_files_until_asked() {
    let repo = fixture("basic");
    let (app, _) = open_app(repo.path());
    let names: Vec<String> = app.list_dir("", false).expect("list").into_iter().map(|e| e.name).collect();
    assert!(names.contains(&"src".to_owned()) && names.contains(&"README.md".to_owned()), "{names:?}");
    assert!(!names.contains(&"target".to_owned()) && !names.contains(&"build.log".to_owned()), "{names:?}");
    let all = app.list_dir("", true).expect("list");
    assert!(all.iter().any(|e| e.name == "target" && e.ignored));
}

#[test]
fn api_open_file_highlights_lines_by_range() {
    let repo = fixture("basic");
    let (app, _) = open_app(repo.path());
    let view = app.open_file("src/main.rs").expect("open");
    let FileSummary::Text { line_count, ref language, .. } = view.summary else { panic!("{view:?}") };
    assert_eq!(language, "Rust");
    let lines = app.file_lines("src/main.rs", view.version, 0, line_count).expect("lines");
    assert_eq!(lines.len(), line_count as usize);
    assert!(lines.iter().any(|l| l.contains("hl-")), "highlighted: {lines:?}");
}

#[test]
fn api_modified_file_becomes_modified_in_git_state_and_view_is_invalidated() {
    let repo = fixture("basic");
    let (app, events) = open_app(repo.path());
    let before = app.git_state().expect("status").expect("repo");
    assert!(before.changes.is_empty(), "{before:?}");
    let view = app.open_file("src/lib.rs").expect("open");
    fs::write(repo.path().join("src/lib.rs"), "pub fn changed() {}\n").expect("write");
    app.flush_watcher();
    let changed = events.take();
    let git = changed.iter().rev().find_map(|e| e.git.clone()).expect("git state pushed");
    let change = git.changes.iter().find(|c| c.path == "src/lib.rs").expect("listed");
    assert_eq!(change.kind, ChangeKind::Modified);
    assert!(changed.iter().any(|e| e.paths.contains(&"src/lib.rs".to_owned())));
    let err = app.file_lines("src/lib.rs", view.version, 0, 10).expect_err("old version is stale");
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn api_branch_switch_on_disk_pushes_new_head() {
    let repo = fixture("basic");
    let (app, events) = open_app(repo.path());
    app.git_state().expect("status");
    git(repo.path(), &["checkout", "-q", "feature"]);
    app.flush_watcher();
    let head = events.take().into_iter().rev().find_map(|e| e.git).map(|g| g.head);
    assert_eq!(head, Some(HeadState::Branch { name: "feature".into() }));
}

#[test]
fn api_folder_that_is_not_a_repository_has_no_git_state() {
    let plain = fixture("plain");
    let (app, _) = open_app(plain.path());
    assert_eq!(app.git_state().expect("status"), None);
    let err = app.file_diff("notes.txt").expect_err("no diff without git");
    assert_eq!(err.code, ErrorCode::Git);
}

#[test]
fn api_diff_of_modified_file_is_highlighted() {
    let repo = fixture("basic");
    let (app, _) = open_app(repo.path());
    let path = repo.path().join("src/main.rs");
    let text = fs::read_to_string(&path).expect("read").replacen("fn main", "fn main_renamed", 1);
    fs::write(&path, text).expect("write");
    let diff = app.file_diff("src/main.rs").expect("diff");
    let lines: Vec<_> = diff.hunks.iter().flat_map(|h| &h.lines).collect();
    assert!(lines.iter().any(|l| l.html.contains("main_renamed") && l.html.contains("hl-")), "{diff:?}");
}

#[test]
fn api_recent_projects_survive_restart_and_mark_missing_folders() {
    let data = tempfile::tempdir().expect("tmp");
    let kept = fixture("plain");
    let gone = tempfile::tempdir().expect("tmp");
    let gone_path = gone.path().canonicalize().expect("canon");
    {
        let app = App::new(data.path(), None, Arc::new(Events::default()));
        app.open_project(&gone_path.display().to_string()).expect("open");
        app.open_project(&kept.path().display().to_string()).expect("open");
    }
    drop(gone);
    let app = App::new(data.path(), None, Arc::new(Events::default()));
    let recent = app.recent_projects().expect("recent");
    assert_eq!(recent.len(), 2);
    assert!(recent[0].exists, "newest first: {recent:?}");
    assert_eq!(recent[1].path, gone_path.display().to_string());
    assert!(!recent[1].exists);
    app.remove_recent(&recent[1].path).expect("remove");
    assert_eq!(app.recent_projects().expect("recent").len(), 1);
}

#[test]
fn api_binary_and_huge_files_are_summarized() {
    let dir = tempfile::tempdir().expect("tmp");
    fs::write(dir.path().join("img.png"), [0x89, b'P', b'N', b'G', 0, 0]).expect("write");
    fs::File::create(dir.path().join("big.sql")).and_then(|f| f.set_len(200 << 20)).expect("sparse");
    let (app, _) = open_app(dir.path());
    assert!(matches!(app.open_file("img.png").expect("open").summary, FileSummary::Binary { .. }));
    assert!(matches!(app.open_file("big.sql").expect("open").summary, FileSummary::TooLarge { .. }));
}
