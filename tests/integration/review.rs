//! Proposed edits below the window: a reply's edits become proposals; accepting and rejecting
//! hunks writes exactly that; a file changed on disk merges or, on a conflict, is left alone;
//! undoing a turn restores what Redline wrote and keeps what a person wrote after.

use std::sync::Arc;
use std::time::Duration;

use redline_api::{App, ChatEvent, HunkStateView, ProposalStatusView, SendInput, WrittenView};
use redline_tests::model_server::{Ending, ModelServer, Reply};

use crate::api::Events;
use crate::chat::openai_reply;

const REPLY: &str = "a.txt\n```\n<<<<<<< SEARCH\nline 2\n=======\nline two\n>>>>>>> REPLACE\n```\n\na.txt\n```\n<<<<<<< SEARCH\nline 9\n=======\nline nine\n>>>>>>> REPLACE\n```\n\nb.txt\n```\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n```\n\nmissing.txt\n```\n<<<<<<< SEARCH\nnot there\n=======\nwhatever\n>>>>>>> REPLACE\n```\n";

const A: &str = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n";

fn sse(text: &str) -> Reply {
    Reply::Sse { frames: openai_reply(text), pace: Duration::ZERO, ending: Ending::Complete }
}

async fn setup() -> (App, tempfile::TempDir, tempfile::TempDir, redline_api::MessageView) {
    setup_with(vec![sse(REPLY)], |_| {}).await
}

/// A project with a.txt and b.txt (`prepare` runs before the question), and the reply to it.
async fn setup_with(
    script: Vec<Reply>,
    prepare: impl FnOnce(&std::path::Path),
) -> (App, tempfile::TempDir, tempfile::TempDir, redline_api::MessageView) {
    let (setup, _server, live) = setup_model("m", script, prepare).await;
    assert!(live.contains(&"a.txt".to_owned()), "no proposal showed while the reply streamed");
    setup
}

async fn setup_model(
    model: &str,
    script: Vec<Reply>,
    prepare: impl FnOnce(&std::path::Path),
) -> ((App, tempfile::TempDir, tempfile::TempDir, redline_api::MessageView), ModelServer, Vec<String>) {
    let server = ModelServer::start(script).await;
    let data = tempfile::tempdir().expect("data");
    let project = tempfile::tempdir().expect("project");
    std::fs::write(project.path().join("a.txt"), A).expect("write");
    std::fs::write(project.path().join("b.txt"), "old\n").expect("write");
    prepare(project.path());
    let settings = format!(
        "default_model = \"s/{model}\"\ndetect_local_servers = false\n[[provider]]\nid = \"s\"\nname = \"S\"\nwire = \"openai\"\nbase_url = \"{}/v1\"\nmodels = [\"{model}\"]\n",
        server.url
    );
    std::fs::write(data.path().join("settings.toml"), settings).expect("settings");
    let app = App::with_memory_keys(data.path(), Arc::new(Events::default()));
    app.open_project(&project.path().display().to_string()).expect("open");
    let input = SendInput::new("edit");
    let live = std::sync::Mutex::new(Vec::new());
    let emit = |e: ChatEvent| {
        if let ChatEvent::Proposal { proposal } = e {
            live.lock().expect("lock").push(proposal.path);
        }
    };
    let reply = app.send_message(input, &emit).await.expect("sent");
    ((app, data, project, reply), server, live.into_inner().expect("lock"))
}

fn read(dir: &tempfile::TempDir, path: &str) -> String {
    std::fs::read_to_string(dir.path().join(path)).expect("read")
}

#[tokio::test]
async fn a_reply_becomes_proposals_and_a_failed_edit_says_why() {
    let (_app, _data, project, reply) = setup().await;
    assert!(reply.proposals.iter().all(|p| p.id > 0), "saved");
    let paths: Vec<_> = reply.proposals.iter().map(|p| (p.path.as_str(), p.status)).collect();
    use ProposalStatusView::{Failed, Pending};
    assert_eq!(paths, [("a.txt", Pending), ("b.txt", Pending), ("missing.txt", Failed)]);
    assert_eq!(reply.proposals[0].pending, 2);
    assert!(reply.proposals[2].error.is_some());
    assert_eq!(read(&project, "a.txt"), A, "nothing is written before a person accepts");
}

#[tokio::test]
async fn accepting_one_hunk_and_rejecting_another_writes_exactly_that() {
    let (app, _data, project, reply) = setup().await;
    let a = &reply.proposals[0];
    assert_eq!(
        app.set_hunks(a.id, vec![0], HunkStateView::Accepted).expect("accept").written,
        WrittenView::Written
    );
    app.set_hunks(a.id, vec![1], HunkStateView::Rejected).expect("reject");
    assert_eq!(read(&project, "a.txt"), A.replace("line 2\n", "line two\n"));
    let edited = app.edit_hunk(reply.proposals[1].id, 0, "edited\n").expect("edit");
    assert_eq!(edited.hunks[0].new_text, "edited\n");
    app.set_hunks(edited.id, vec![], HunkStateView::Accepted).expect("accept");
    assert_eq!(read(&project, "b.txt"), "edited\n");
}

#[tokio::test]
async fn a_file_changed_on_disk_is_stale_merges_cleanly_or_is_left_alone_on_conflict() {
    let (app, _data, project, reply) = setup().await;
    std::fs::write(project.path().join("a.txt"), A.replace("line 5\n", "line five (mine)\n")).expect("write");
    std::fs::write(project.path().join("b.txt"), "mine\n").expect("write");
    let conversation = app.conversations("").expect("list")[0].id;
    let review = app.review(conversation).expect("review");
    assert!(review[0].stale && review[1].stale);
    let merged = app.set_hunks(reply.proposals[0].id, vec![], HunkStateView::Accepted).expect("accept");
    assert_eq!(merged.written, WrittenView::Merged);
    assert_eq!(
        read(&project, "a.txt"),
        A.replace("line 2\n", "line two\n")
            .replace("line 5\n", "line five (mine)\n")
            .replace("line 9\n", "line nine\n")
    );
    let conflict = app.set_hunks(reply.proposals[1].id, vec![], HunkStateView::Accepted).expect("accept");
    assert_eq!(conflict.written, WrittenView::Conflict);
    assert_eq!(read(&project, "b.txt"), "mine\n");
    assert_eq!(conflict.proposal.expect("view").pending, 1, "a conflict keeps the hunk pending");
}

#[tokio::test]
async fn undoing_a_turn_restores_what_redline_wrote_and_keeps_later_edits() {
    let (app, data, project, reply) = setup().await;
    app.set_hunks(reply.proposals[0].id, vec![], HunkStateView::Accepted).expect("accept");
    app.set_hunks(reply.proposals[1].id, vec![], HunkStateView::Accepted).expect("accept");
    let after = read(&project, "a.txt");
    std::fs::write(project.path().join("a.txt"), format!("{after}my own line\n")).expect("write");
    let report = app.undo_turn(reply.id).expect("undo");
    assert_eq!(report.restored, ["a.txt", "b.txt"]);
    assert_eq!(read(&project, "a.txt"), format!("{A}my own line\n"));
    assert_eq!(read(&project, "b.txt"), "old\n");
    assert!(
        data.path().join("checkpoints").exists(),
        "a folder that is not a repository checkpoints privately"
    );
    assert!(!project.path().join(".git").exists());
}

#[tokio::test]
async fn committing_a_turn_commits_only_its_files_with_the_drafted_message() {
    let message = "Rename line two\n\nThe model was asked to.";
    let (app, _data, project, reply) = setup_with(vec![sse(REPLY), sse(message)], |dir| {
        redline_tests::git(dir, &["init", "-q", "-b", "main"]);
        redline_tests::git(dir, &["add", "."]);
        redline_tests::git(dir, &["commit", "-q", "-m", "init"]);
        std::fs::write(dir.join("unrelated.txt"), "not part of the turn\n").expect("write");
    })
    .await;
    assert!(app.commit_turn(reply.id, "x").is_err(), "nothing accepted yet");
    app.set_hunks(reply.proposals[0].id, vec![0], HunkStateView::Accepted).expect("accept");
    let drafted = app.draft_commit_message(reply.id).await.expect("draft");
    assert_eq!(drafted, message);
    app.commit_turn(reply.id, &drafted).expect("commit");
    let log = redline_tests::git(project.path(), &["log", "--format=%s", "--name-only", "-1"]);
    assert_eq!(log.trim(), "Rename line two\n\na.txt");
    let status = redline_tests::git(project.path(), &["status", "--porcelain"]);
    assert_eq!(status.trim(), "?? unrelated.txt");
}

#[tokio::test]
async fn models_that_call_tools_get_edit_tools_and_their_calls_become_proposals() {
    let frames = [
        r#"data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"edit_file","arguments":""}}]}}]}"#,
        r#"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":\"b.txt\","}}]}}]}"#,
        r#"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"old_text\":\"old\",\"new_text\":\"new\"}"}}]}}]}"#,
        r#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        "data: [DONE]",
    ];
    let frames: Vec<String> = frames.iter().map(|f| format!("{f}\n\n")).collect();
    let reply = Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete };
    let ((app, _data, project, message), server, _) = setup_model("gpt-4o", vec![reply], |_| {}).await;
    let body = &server.received()[0].body;
    assert!(body.contains("\"edit_file\"") && body.contains("\"tools\""), "{body}");
    assert_eq!(message.status, "complete");
    assert_eq!(message.proposals.len(), 1, "{:?}", message.proposals);
    app.set_hunks(message.proposals[0].id, vec![], HunkStateView::Accepted).expect("accept");
    assert_eq!(read(&project, "b.txt"), "new\n");
}

/// A reply that renames b.txt as it is and a.txt with a change of one line.
const RENAMES: &str = r#"[{"name":"rename_file","arguments":{"from":"b.txt","to":"c.txt"}},{"name":"rename_file","arguments":{"from":"a.txt","to":"a2.txt"}},{"name":"edit_file","arguments":{"path":"a.txt","old_text":"line 2\n","new_text":"line two\n"}}]"#;

/// The files of a folder and their text, sorted.
fn files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("list")
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("read");
            (e.file_name().to_string_lossy().into_owned(), text)
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn renames_are_accepted_in_the_app_as_redline_apply_writes_them_and_undone() {
    let ((app, _data, project, reply), _server, _) = setup_model("m", vec![sse(RENAMES)], |_| {}).await;
    let kinds: Vec<_> = reply.proposals.iter().map(|p| (p.path.as_str(), p.kind, p.pending)).collect();
    use redline_api::ProposalKindView::Rename;
    assert_eq!(kinds, [("c.txt", Rename, 1), ("a2.txt", Rename, 1)], "{:?}", reply.proposals);
    for p in &reply.proposals {
        let outcome = app.set_hunks(p.id, vec![], HunkStateView::Accepted).expect("accept");
        assert_eq!(outcome.written, WrittenView::Written, "{}", p.path);
        assert_eq!(outcome.proposal.expect("view").pending, 0);
    }
    let expected = vec![
        ("a2.txt".to_owned(), A.replace("line 2\n", "line two\n")),
        ("c.txt".to_owned(), "old\n".to_owned()),
    ];
    assert_eq!(files(project.path()), expected);

    // The same reply through `redline apply`: the one accept engine, the same files.
    let cli = tempfile::tempdir().expect("cli project");
    std::fs::write(cli.path().join("a.txt"), A).expect("write");
    std::fs::write(cli.path().join("b.txt"), "old\n").expect("write");
    let out = redline_tests::redline_apply(cli.path(), &[], RENAMES);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(files(cli.path()), expected);

    let report = app.undo_turn(reply.id).expect("undo");
    assert_eq!(report.kept, Vec::<String>::new());
    assert_eq!(
        files(project.path()),
        [("a.txt".to_owned(), A.to_owned()), ("b.txt".to_owned(), "old\n".to_owned())]
    );
}

#[tokio::test]
async fn rejecting_a_renamed_file_after_accepting_it_moves_it_back() {
    let ((app, _data, project, reply), _server, _) = setup_model("m", vec![sse(RENAMES)], |_| {}).await;
    let pure = &reply.proposals[0];
    app.set_hunks(pure.id, vec![], HunkStateView::Accepted).expect("accept");
    assert!(project.path().join("c.txt").exists() && !project.path().join("b.txt").exists());
    let outcome = app.set_hunks(pure.id, vec![], HunkStateView::Rejected).expect("reject");
    assert_eq!(outcome.written, WrittenView::Written);
    assert_eq!(read(&project, "b.txt"), "old\n");
    assert!(!project.path().join("c.txt").exists());
    assert!(!outcome.proposal.expect("view").written, "back as it was: nothing of Redline's stays");
}
