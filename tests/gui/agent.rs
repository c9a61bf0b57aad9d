//! Agent mode in the real window: a multi-step turn against the scripted model server that
//! searches, reads, proposes an edit the person reviews, runs the tests only after approval,
//! sees them fail, proposes a second edit and sees them pass; a command the person declines is
//! not run and the model is told so. The test command itself checks that no key reached it.

use std::time::Duration;

use redline_tests::model_server::{openai_text_frames, openai_tool_call_frames, Ending, ModelServer, Reply};
use serde_json::json;

use crate::driver::{AppRun, Profile};

/// A key in the environment Redline was started from: it must not reach a command.
const LEAKY_KEY: &str = "sk-gui-agent-7c1e93b0d2f4a8e6";

const CALC: &str = "def add(a, b):\n    return a - b\n";

/// The project's tests: they fail until `add` adds, and fail loudly if a key leaked in.
const TEST_SH: &str = "if env | grep -q sk-gui-agent; then echo KEY LEAKED; exit 3; fi\ngrep -q 'return a + b' calc.py && { echo '1 passed'; exit 0; }\necho 'FAILED: add(1, 2) != 3'\nexit 1\n";

fn calls(list: &[(&str, &str, serde_json::Value)]) -> Reply {
    Reply::Sse {
        frames: openai_tool_call_frames(list, None),
        pace: Duration::from_millis(20),
        ending: Ending::Complete,
    }
}

fn edit(id: &'static str, old: &str, new: &str) -> (&'static str, &'static str, serde_json::Value) {
    (id, "edit_file", json!({"path": "calc.py", "old_text": old, "new_text": new}))
}

fn run(id: &'static str, command: &str) -> (&'static str, &'static str, serde_json::Value) {
    (id, "run_command", json!({ "command": command }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_agent_searches_reads_edits_runs_approved_tests_until_they_pass_and_a_declined_command_is_not_run(
) {
    let script = vec![
        calls(&[("c1", "search", json!({"pattern": "def add"}))]),
        calls(&[("c2", "read_file", json!({"path": "calc.py"}))]),
        calls(&[edit("c3", "return a - b", "return a * b"), run("c4", "sh test.sh")]),
        calls(&[edit("c5", "return a * b", "return a + b"), run("c6", "sh test.sh")]),
        calls(&[run("c7", "touch declined-marker")]),
        Reply::Sse {
            frames: openai_text_frames("Fixed: `add` adds now and the tests pass.", 16, None),
            pace: Duration::ZERO,
            ending: Ending::Complete,
        },
    ];
    let server = ModelServer::start(script).await;
    let dir = tempfile::tempdir().expect("project");
    let root = dir.path().canonicalize().expect("canon");
    std::fs::write(root.join("calc.py"), CALC).expect("write");
    std::fs::write(root.join("test.sh"), TEST_SH).expect("write");
    let profile = Profile::new();
    profile.scripted_provider(&server.url, "gpt-4o");
    let env = [("OPENAI_API_KEY", LEAKY_KEY)];
    let mut app = AppRun::start_with_env("agent", &profile, &[&root.display().to_string()], &env).await;

    app.click(r#"[data-testid="agent-toggle"]"#).await;
    app.wait(r#"[data-testid="agent-limits"]"#).await;
    app.type_into(r#"[data-testid="chat-input"]"#, "add() is wrong, fix it and run the tests").await;
    app.click(r#"[data-testid="send"]"#).await;

    // Steps 1 and 2 run on their own: search, then read.
    app.wait(r#"[data-testid="tool-step"][data-tool="search"][data-status="done"]"#).await;
    app.wait(r#"[data-testid="tool-step"][data-tool="read_file"][data-status="done"]"#).await;
    // Step 3 proposes an edit; the command waits for the review first.
    app.wait(r#"[data-testid="awaiting-review"]"#).await;
    app.screenshot("awaiting-review").await;
    assert_eq!(
        std::fs::read_to_string(root.join("calc.py")).expect("read"),
        CALC,
        "nothing written before review"
    );
    accept_calc(&app).await;
    let command = app.wait_content(r#"[data-testid="approval-command"]"#, |t| !t.is_empty()).await;
    assert_eq!(command, "sh test.sh");
    app.screenshot("approval").await;
    app.click(r#"[data-testid="approve-once"]"#).await;
    let failed = r#"[data-testid="tool-step"][data-tool="run_command"][data-status="failed"] [data-testid="tool-output"]"#;
    let output = app.wait_content(failed, |t| t.contains("FAILED")).await;
    assert!(!output.contains("KEY LEAKED"), "{output}");

    // Step 4: a second edit, reviewed; "once" asks again for the same line.
    app.wait(r#"[data-testid="awaiting-review"]"#).await;
    accept_calc(&app).await;
    app.wait(r#"[data-testid="approval"]"#).await;
    app.click(r#"[data-testid="approve-conversation"]"#).await;
    let passed = r#"[data-testid="tool-step"][data-tool="run_command"][data-status="done"] [data-testid="tool-output"]"#;
    app.wait_content(passed, |t| t.contains("1 passed")).await;
    app.screenshot("tests-pass").await;

    // Step 5: a command the person declines is not run.
    let command = app.wait_content(r#"[data-testid="approval-command"]"#, |t| t.contains("touch")).await;
    assert_eq!(command, "touch declined-marker");
    app.click(r#"[data-testid="decline"]"#).await;
    app.wait_content(r#"[data-testid="messages"]"#, |t| t.contains("adds now")).await;
    app.wait(r#"[data-testid="send"]"#).await;
    app.wait(r#"[data-testid="tool-step"][data-status="declined"]"#).await;
    app.screenshot("done").await;

    assert!(!root.join("declined-marker").exists(), "a declined command never runs");
    assert_eq!(
        std::fs::read_to_string(root.join("calc.py")).expect("read"),
        "def add(a, b):\n    return a + b\n"
    );
    let received = server.received();
    assert_eq!(received.len(), 6, "one request per step");
    assert!(received[2].body.contains("return a - b"), "the read reached the model");
    assert!(received[3].body.contains("FAILED"), "the failure reached the model");
    assert!(received[5].body.contains("declined"), "the model is told the command was declined");
    assert!(received.iter().all(|r| !r.body.contains(LEAKY_KEY)));
    app.quit().await;

    // The transcript is saved: every step and its tools are there after a restart.
    let mut again = AppRun::start("agent-restart", &profile, &[&root.display().to_string()]).await;
    again.wait(r#"[data-testid="message-assistant"]"#).await;
    again.screenshot("restarted").await;
    again.wait(r#"[data-testid="tool-step"][data-tool="search"][data-status="done"]"#).await;
    let steps = again.count(r#"[data-testid="tool-step"]"#).await;
    assert_eq!(steps, 7, "every tool call of the turn is listed");
    again.quit().await;
}

/// Opens the review from the waiting banner and accepts calc.py's pending hunk.
async fn accept_calc(app: &AppRun) {
    app.click(r#"[data-testid="awaiting-review-open"]"#).await;
    let hunk = r#"[data-testid="review-file"][data-path="calc.py"] [data-testid="review-hunk"][data-state="pending"] [data-testid="hunk-accept"]"#;
    app.click(hunk).await;
    app.wait_gone(r#"[data-testid="awaiting-review"]"#).await;
}
