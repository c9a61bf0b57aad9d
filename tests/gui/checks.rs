//! Checks before review in the real window: a reply whose three edits break the syntax, add an
//! AWS-style key, and run a shell command built from input gets each flagged on its own hunk,
//! before the person accepts anything, and the findings are still there after a restart.

use std::time::Duration;

use redline_tests::model_server::{openai_text_frames, Ending, ModelServer, Reply};

use crate::driver::{AppRun, Profile};

/// Functions far apart, so each edit is a hunk of its own.
const APP_PY: &str = "import subprocess\n\n\ndef one():\n    return 1\n\n\ndef pad_a():\n    return 'a'\n\n\ndef pad_b():\n    return 'b'\n\n\ndef two(path):\n    return path\n\n\ndef pad_c():\n    return 'c'\n\n\ndef pad_d():\n    return 'd'\n\n\ndef three(path):\n    return path\n";

const KEY_ID: &str = "AKIAQYLPMN5HFIQR7XYZ";

fn reply() -> String {
    format!(
        "Three changes.\n\napp.py\n```python\n<<<<<<< SEARCH\ndef one():\n    return 1\n=======\ndef one(:\n    return 1\n>>>>>>> REPLACE\n```\n\napp.py\n```python\n<<<<<<< SEARCH\ndef two(path):\n    return path\n=======\ndef two(path):\n    aws_access_key_id = \"{KEY_ID}\"\n    return path\n>>>>>>> REPLACE\n```\n\napp.py\n```python\n<<<<<<< SEARCH\ndef three(path):\n    return path\n=======\ndef three(path):\n    return subprocess.run(f\"ls {{path}}\", shell=True)\n>>>>>>> REPLACE\n```\n"
    )
}

/// The kinds of the findings shown on hunk `index` of app.py.
async fn kinds(app: &AppRun, index: usize) -> Vec<String> {
    let css = format!(
        r#"[data-testid="review-file"][data-path="app.py"] [data-testid="review-hunk"][data-index="{index}"] [data-testid="finding"]"#
    );
    let script = format!(
        "return [...document.querySelectorAll({})].map(e => e.dataset.kind);",
        serde_json::json!(css)
    );
    let mut kinds: Vec<String> = serde_json::from_value(app.eval(&script).await).expect("kinds");
    kinds.sort();
    kinds.dedup();
    kinds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_checks_flag_broken_syntax_an_aws_key_and_shell_true_on_their_own_hunks() {
    let frames = openai_text_frames(&reply(), 24, None);
    let server =
        ModelServer::start(vec![Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete }]).await;
    let dir = tempfile::tempdir().expect("project");
    let root = dir.path().canonicalize().expect("canon");
    std::fs::write(root.join("app.py"), APP_PY).expect("write");
    let profile = Profile::new();
    profile.scripted_provider(&server.url, "test-model");
    let mut app = AppRun::start("checks", &profile, &[&root.display().to_string()]).await;

    app.type_into(r#"[data-testid="chat-input"]"#, "Change app.py").await;
    app.click(r#"[data-testid="send"]"#).await;
    app.wait(r#"[data-testid="message-assistant"] [data-testid="proposal-item"][data-path="app.py"]"#).await;
    app.click(r#"[data-testid="open-review"]"#).await;
    app.wait(r#"[data-testid="review-file"][data-path="app.py"] [data-testid="review-hunk"][data-index="2"] [data-testid="finding"]"#).await;
    app.screenshot("findings").await;
    assert_eq!(kinds(&app, 0).await, ["syntax"]);
    assert_eq!(kinds(&app, 1).await, ["secret"]);
    assert_eq!(kinds(&app, 2).await, ["risk"]);
    let finding = app
        .wait_content(
            r#"[data-testid="review-hunk"][data-index="1"] [data-testid="finding"][data-kind="secret"]"#,
            |t| !t.is_empty(),
        )
        .await;
    assert!(!finding.contains(&KEY_ID[4..]), "a finding never quotes the secret: {finding}");
    assert_eq!(
        std::fs::read_to_string(root.join("app.py")).expect("read"),
        APP_PY,
        "checks inform, nothing is written"
    );
    app.quit().await;

    let again = AppRun::start("checks-restart", &profile, &[&root.display().to_string()]).await;
    again.click(r#"[data-testid="message-assistant"] [data-testid="open-review"]"#).await;
    again.wait(r#"[data-testid="review-file"][data-path="app.py"] [data-testid="review-hunk"][data-index="1"] [data-testid="finding"][data-kind="secret"]"#).await;
    again.quit().await;
}
