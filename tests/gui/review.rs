//! Reviewing proposed edits in the real window: proposals appear while the reply streams; hunks
//! are accepted, rejected and edited; the disk holds exactly what was decided; a file changed on
//! disk is marked stale, merges cleanly when it can, and is left alone on a conflict.

use std::time::Duration;

use redline_tests::model_server::{Ending, ModelServer, Reply};

use crate::driver::{AppRun, Profile};

fn frames(text: &str) -> Vec<String> {
    redline_tests::model_server::openai_text_frames(text, 16, None)
}

fn reply(text: &str, pace_ms: u64) -> Reply {
    Reply::Sse { frames: frames(text), pace: Duration::from_millis(pace_ms), ending: Ending::Complete }
}

const APP_PY: &str = "def one():\n    return 1\n\n\ndef two():\n    return 2\n\n\ndef three():\n    return 3\n\n\ndef four():\n    return 4\n";

const FIRST_REPLY: &str = "I will change three files.\n\napp.py\n```python\n<<<<<<< SEARCH\ndef one():\n    return 1\n=======\ndef one():\n    return 10\n>>>>>>> REPLACE\n```\n\napp.py\n```python\n<<<<<<< SEARCH\ndef four():\n    return 4\n=======\ndef four():\n    return 40\n>>>>>>> REPLACE\n```\n\nnotes.txt\n```\n<<<<<<< SEARCH\nstatus: draft\n=======\nstatus: reviewed\n>>>>>>> REPLACE\n```\n\nNEW.md\n```\n<<<<<<< SEARCH\n=======\n# New file\n>>>>>>> REPLACE\n```\n\nDone.";

const SECOND_REPLY: &str = "notes.txt\n```\n<<<<<<< SEARCH\ntitle: notes\n=======\ntitle: better notes\n>>>>>>> REPLACE\n```\n\nconflict.txt\n```\n<<<<<<< SEARCH\nsame line\n=======\nmodel's line\n>>>>>>> REPLACE\n```\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_review_accept_reject_edit_stale_merge_and_conflict() {
    let server = ModelServer::start(vec![reply(FIRST_REPLY, 60), reply(SECOND_REPLY, 5)]).await;
    let dir = tempfile::tempdir().expect("project");
    let root = dir.path().canonicalize().expect("canon");
    std::fs::write(root.join("app.py"), APP_PY).expect("write");
    std::fs::write(root.join("notes.txt"), "title: notes\nstatus: draft\nend\n").expect("write");
    std::fs::write(root.join("conflict.txt"), "same line\n").expect("write");
    let profile = Profile::new();
    profile.scripted_provider(&server.url, "test-model");
    let mut app = AppRun::start("review", &profile, &[&root.display().to_string()]).await;

    app.type_into(r#"[data-testid="chat-input"]"#, "Make the changes").await;
    app.click(r#"[data-testid="send"]"#).await;
    // Proposals show while the reply is still streaming.
    app.wait(r#"[data-testid="message-streaming"] [data-testid="proposal-item"][data-path="app.py"]"#).await;
    app.screenshot("streaming-proposals").await;
    app.wait(r#"[data-testid="message-assistant"] [data-testid="proposal-item"][data-path="NEW.md"]"#).await;
    app.wait_content(r#"[data-testid="pending-count"]"#, |t| t.contains("4 pending")).await;
    // The edit blocks fold into one line each: the Review tab shows them as hunks.
    let folded =
        app.count(r#"[data-testid="message-assistant"] details[data-testid="edit-block"]:not([open])"#).await;
    assert_eq!(folded, 4, "edit blocks folded in the reply");
    assert_eq!(
        std::fs::read_to_string(root.join("app.py")).expect("read"),
        APP_PY,
        "nothing is written before review"
    );

    app.wait_content(r#"[data-testid="tree-item"][data-path="app.py"] [data-testid="tree-pending"]"#, |t| {
        t == "2"
    })
    .await;
    app.click(r#"[data-testid="open-review"]"#).await;
    app.wait(r#"[data-testid="review-file"][data-path="app.py"] [data-testid="review-hunk"]"#).await;
    // Word-level: "return 1" → "return 10" marks only the number.
    let marked = app
        .wait_content(r#"[data-testid="review-file"][data-path="app.py"] .diff-line.added mark.word"#, |_| {
            true
        })
        .await;
    assert_eq!(marked, "10");
    app.screenshot("review").await;
    app.click(r#"[data-testid="side-by-side"]"#).await;
    app.wait(r#"[data-testid="split-hunk"]"#).await;
    app.screenshot("side-by-side").await;
    app.click(r#"[data-testid="side-by-side"]"#).await;
    let hunk = |path: &str, index: usize, what: &str| {
        format!(
            r#"[data-testid="review-file"][data-path="{path}"] [data-testid="review-hunk"][data-index="{index}"] [data-testid="{what}"]"#
        )
    };
    app.click(&hunk("app.py", 0, "hunk-accept")).await;
    app.wait(r#"[data-testid="review-file"][data-path="app.py"] [data-testid="review-hunk"][data-state="accepted"]"#).await;
    app.click(&hunk("app.py", 1, "hunk-reject")).await;
    app.wait(r#"[data-testid="review-file"][data-path="app.py"] [data-testid="review-hunk"][data-state="rejected"]"#).await;
    app.click(&hunk("notes.txt", 0, "hunk-edit")).await;
    let editor = app.wait(r#"[data-testid="hunk-editor"]"#).await;
    editor.clear().await.expect("clear");
    editor.send_keys("status: edited by me\n").await.expect("type");
    app.click(r#"[data-testid="hunk-editor-save"]"#).await;
    app.click(&hunk("notes.txt", 0, "hunk-accept")).await;
    app.click(&hunk("NEW.md", 0, "hunk-accept")).await;
    app.wait_content(r#"[data-testid="review-pending"]"#, |t| t.starts_with("0 pending")).await;
    app.screenshot("reviewed").await;

    let app_py = std::fs::read_to_string(root.join("app.py")).expect("read");
    assert_eq!(app_py, APP_PY.replace("return 1\n", "return 10\n"));
    let notes = std::fs::read_to_string(root.join("notes.txt")).expect("read");
    assert_eq!(notes, "title: notes\nstatus: edited by me\nend\n");
    assert_eq!(std::fs::read_to_string(root.join("NEW.md")).expect("read"), "# New file\n");

    // The person adds a line of their own; undoing the turn puts back everything Redline
    // wrote and keeps that line.
    let mine = format!("{app_py}# my note\n");
    std::fs::write(root.join("app.py"), &mine).expect("write");
    app.click(r#"[data-testid="message-assistant"] [data-testid="undo-turn"]"#).await;
    app.wait_content(r#"[data-testid="notice"]"#, |t| t.contains("3 files restored")).await;
    assert_eq!(std::fs::read_to_string(root.join("app.py")).expect("read"), format!("{APP_PY}# my note\n"));
    assert_eq!(
        std::fs::read_to_string(root.join("notes.txt")).expect("read"),
        "title: notes\nstatus: draft\nend\n"
    );
    assert!(!root.join("NEW.md").exists(), "the file Redline created is gone again");
    app.screenshot("undone").await;

    // A second reply; then the files change on disk before accepting.
    app.type_into(r#"[data-testid="chat-input"]"#, "More").await;
    app.click(r#"[data-testid="send"]"#).await;
    app.wait(r#"[data-testid="review-file"][data-path="conflict.txt"]"#).await;
    std::fs::write(root.join("notes.txt"), "title: notes\nstatus: draft\nend\nadded by hand\n")
        .expect("write");
    std::fs::write(root.join("conflict.txt"), "my own line\n").expect("write");
    app.wait(r#"[data-testid="review-file"][data-path="conflict.txt"][data-stale="true"]"#).await;
    app.screenshot("stale").await;
    app.click(r#"[data-testid="review-file"][data-path="notes.txt"][data-stale="true"] [data-testid="hunk-accept"]"#).await;
    app.wait_content(r#"[data-testid="review-message"]"#, |t| t.contains("merged")).await;
    let notes = std::fs::read_to_string(root.join("notes.txt")).expect("read");
    assert_eq!(notes, "title: better notes\nstatus: draft\nend\nadded by hand\n");
    app.click(r#"[data-testid="review-file"][data-path="conflict.txt"] [data-testid="hunk-accept"]"#).await;
    app.wait_content(r#"[data-testid="review-message"]"#, |t| t.contains("nothing was written")).await;
    assert_eq!(std::fs::read_to_string(root.join("conflict.txt")).expect("read"), "my own line\n");
    app.wait(r#"[data-testid="review-file"][data-path="conflict.txt"] [data-testid="review-hunk"][data-state="pending"]"#).await;
    app.screenshot("conflict").await;
    app.quit().await;

    // Hunk states survive a restart.
    let again = AppRun::start("review-restart", &profile, &[&root.display().to_string()]).await;
    again.click(r#"[data-testid="message-assistant"] [data-testid="open-review"]"#).await;
    again.wait(r#"[data-testid="review-file"][data-path="notes.txt"] [data-testid="review-hunk"][data-state="accepted"]"#).await;
    again.wait(r#"[data-testid="review-file"][data-path="conflict.txt"] [data-testid="review-hunk"][data-state="pending"]"#).await;
    again.quit().await;
}

/// Waits until `path` holds `text` (the click's write lands a moment after the button).
async fn wait_for_file(path: &std::path::Path, text: Option<&str>) {
    for _ in 0..100 {
        if std::fs::read_to_string(path).ok().as_deref() == text {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never became {text:?}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_review_accepts_a_pure_rename_and_a_rename_with_changes() {
    use serde_json::json;
    let calls = [
        ("c1", "rename_file", json!({"from": "old.txt", "to": "new.txt"})),
        ("c2", "rename_file", json!({"from": "calc.py", "to": "maths.py"})),
        (
            "c3",
            "edit_file",
            json!({"path": "calc.py", "old_text": "    return 1\n", "new_text": "    return 10\n"}),
        ),
    ];
    let frames = redline_tests::model_server::openai_tool_call_frames(&calls, Some("Renaming two files."));
    let server = ModelServer::start(vec![Reply::Sse {
        frames,
        pace: Duration::from_millis(5),
        ending: Ending::Complete,
    }])
    .await;
    let dir = tempfile::tempdir().expect("project");
    let root = dir.path().canonicalize().expect("canon");
    std::fs::write(root.join("old.txt"), "keep me\n").expect("write");
    std::fs::write(root.join("calc.py"), APP_PY).expect("write");
    let profile = Profile::new();
    profile.scripted_provider(&server.url, "test-model");
    let mut app = AppRun::start("review-rename", &profile, &[&root.display().to_string()]).await;

    app.type_into(r#"[data-testid="chat-input"]"#, "Rename them").await;
    app.click(r#"[data-testid="send"]"#).await;
    app.wait(r#"[data-testid="message-assistant"] [data-testid="open-review"]"#).await;
    app.click(r#"[data-testid="message-assistant"] [data-testid="open-review"]"#).await;
    let file = |path: &str| format!(r#"[data-testid="review-file"][data-path="{path}"]"#);
    let named = app
        .wait_content(&format!("{} [data-testid=\"review-file-name\"]", file("new.txt")), |t| !t.is_empty())
        .await;
    assert!(named.contains("old.txt") && named.contains("new.txt"), "the review names both names: {named}");
    app.screenshot("renames").await;

    // A pure rename has no hunk: the file itself is accepted.
    app.click(&format!("{} [data-testid=\"file-accept\"]", file("new.txt"))).await;
    app.wait(&format!("{}[data-state=\"accepted\"]", file("new.txt"))).await;
    wait_for_file(&root.join("new.txt"), Some("keep me\n")).await;
    assert!(!root.join("old.txt").exists(), "the old name is gone");

    // A rename with changes: accepting its hunk writes the change under the new name.
    app.click(&format!(
        "{} [data-testid=\"review-hunk\"][data-index=\"0\"] [data-testid=\"hunk-accept\"]",
        file("maths.py")
    ))
    .await;
    wait_for_file(&root.join("maths.py"), Some(&APP_PY.replace("return 1\n", "return 10\n"))).await;
    assert!(!root.join("calc.py").exists(), "the old name is gone");
    app.wait_content(r#"[data-testid="review-pending"]"#, |t| t.starts_with("0 pending")).await;
    app.screenshot("renames-accepted").await;

    // Changing one's mind about the pure rename moves the file back under its old name.
    app.click(&format!("{} [data-testid=\"file-undo\"]", file("new.txt"))).await;
    app.wait(&format!("{}[data-state=\"pending\"]", file("new.txt"))).await;
    wait_for_file(&root.join("old.txt"), Some("keep me\n")).await;
    assert!(!root.join("new.txt").exists(), "the new name is gone again");
    app.quit().await;
}
