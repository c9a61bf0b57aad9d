//! Code actions and completion at the cursor in the real window: Translate sends the file with
//! the new file's path and the reply arrives as a new-file proposal; "Complete here" sends the
//! text before and after the cursor to a fill-in-the-middle model and proposes the middle at the
//! cursor, and nowhere else.

use std::time::Duration;

use redline_tests::model_server::{openai_completion_frames, openai_text_frames, Ending, ModelServer, Reply};

use crate::driver::{AppRun, Profile};

const UTIL_PY: &str = "def double(x):\n    return x * 2\n\n\ndef triple(x):\n";

const TRANSLATED: &str = "Here it is in TypeScript.\n\nutil.ts\n```ts\n<<<<<<< SEARCH\n=======\nexport function double(x: number): number {\n  return x * 2;\n}\n>>>>>>> REPLACE\n```\n";

/// What the model writes at the cursor (the end of line 5).
const MIDDLE: &str = "\n    return x * 3";

fn sse(frames: Vec<String>) -> Reply {
    Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_translate_proposes_a_new_file_and_complete_here_inserts_only_at_the_cursor() {
    let server = ModelServer::start(vec![
        sse(openai_text_frames(TRANSLATED, 20, None)),
        sse(openai_completion_frames(MIDDLE, 4, None)),
    ])
    .await;
    let dir = tempfile::tempdir().expect("project");
    let root = dir.path().canonicalize().expect("canon");
    std::fs::write(root.join("util.py"), UTIL_PY).expect("write");
    let profile = Profile::new();
    profile.scripted_provider(&server.url, "qwen2.5-coder:7b");
    let mut app = AppRun::start("code-actions", &profile, &[&root.display().to_string()]).await;

    app.click(r#"[data-testid="tree-item"][data-path="util.py"]"#).await;
    app.wait(r#"[data-line="5"]"#).await;
    app.wait_content(r#"[data-testid="selection-label"]"#, |t| t.contains("Whole file")).await;
    app.click(r#"[data-testid="action-translate"]"#).await;
    app.click(r#"[data-testid="translate-language"] option[value="TypeScript"]"#).await;
    app.wait_content(r#"[data-testid="translate-path"]"#, |t| t.contains("util.ts")).await;
    app.screenshot("translate").await;
    app.click(r#"[data-testid="translate-go"]"#).await;
    let created = r#"[data-testid="message-assistant"] [data-testid="proposal-item"][data-path="util.ts"]"#;
    app.wait(created).await;
    let kind = app.wait_content(&format!("{created} .tag"), |t| !t.is_empty()).await;
    assert_eq!(kind, "new", "Translate proposes a new file");
    assert!(!root.join("util.ts").exists(), "nothing is written before review");
    let question = &server.received()[0].body;
    assert!(
        question.contains("util.ts") && question.contains("def double"),
        "the file and the new path were sent"
    );
    app.screenshot("translated").await;

    // The cursor at the end of line 5 ("def triple(x):"): the middle goes there.
    app.click(r#"[data-line="5"]"#).await;
    let cursor = app.wait_content(r#"[data-testid="cursor-label"]"#, |t| t.contains("5")).await;
    app.click(r#"[data-testid="complete-here"]"#).await;
    let hunk = r#"[data-testid="review-file"][data-path="util.py"] [data-testid="review-hunk"]"#;
    app.wait(hunk).await;
    app.screenshot("completed").await;
    assert_eq!(app.count(hunk).await, 1, "one hunk: the middle, at the cursor ({cursor})");
    let request = &server.received()[1];
    assert!(
        request.path.ends_with("/completions") && !request.path.ends_with("/chat/completions"),
        "{}",
        request.path
    );
    let body: serde_json::Value = serde_json::from_str(&request.body).expect("json");
    let prompt = body["prompt"].as_str().expect("prompt");
    assert_eq!(
        prompt,
        format!("<|fim_prefix|>{UTIL_PY_PREFIX}<|fim_suffix|>\n<|fim_middle|>"),
        "prefix and suffix split at the cursor"
    );
    app.click(&format!("{hunk} [data-testid=\"hunk-accept\"]")).await;
    app.wait(r#"[data-testid="review-file"][data-path="util.py"] [data-testid="review-hunk"][data-state="accepted"]"#).await;
    let written = std::fs::read_to_string(root.join("util.py")).expect("read");
    assert_eq!(written, format!("{UTIL_PY_PREFIX}{MIDDLE}\n"), "only the middle was added, at the cursor");
    app.quit().await;
}

/// util.py up to the end of line 5: what comes before the cursor.
const UTIL_PY_PREFIX: &str = "def double(x):\n    return x * 2\n\n\ndef triple(x):";
