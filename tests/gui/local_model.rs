//! The built-in engine in the real window: a person with no key, no provider and no model
//! server chats at once with the GGUF model in the app's model folder.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::driver::{AppRun, Profile};

const MODEL_ID: &str = "builtin/SmolLM2-135M-Instruct.Q4_1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_builtin_model_answers_with_no_provider() {
    let Some(gguf) = std::env::var_os("REDLINE_TEST_GGUF").map(PathBuf::from) else {
        eprintln!("skipped: REDLINE_TEST_GGUF is not set (scripts/test fetches SmolLM2 and sets it)");
        return;
    };
    let profile = Profile::new();
    let models = profile.path("data/models");
    let copy = models.join("SmolLM2-135M-Instruct.Q4_1.gguf");
    std::fs::hard_link(&gguf, &copy)
        .or_else(|_| std::fs::copy(&gguf, &copy).map(|_| ()))
        .expect("model copy");
    let project = tempfile::tempdir().expect("project");
    std::fs::write(project.path().join("README.md"), "# Adder\n").expect("write");
    let folder = project.path().canonicalize().expect("canon").display().to_string();
    // No settings at all: no provider, no default model.
    let mut app =
        AppRun::start_with_env("builtin", &profile, &[&folder], &[("REDLINE_LOCAL_THREADS", "1")]).await;

    let option = format!(r#"[data-testid="model-picker"] option[value="{MODEL_ID}"]"#);
    app.wait(&option).await;
    let picked = app.eval(r#"const s = document.querySelector('[data-testid="model-picker"]'); return s.options[s.selectedIndex].text;"#).await;
    let picked = picked.as_str().unwrap_or_default().to_owned();
    assert!(
        picked.contains("SmolLM2-135M-Instruct") && picked.contains("Built-in"),
        "picker shows {picked:?}"
    );
    app.screenshot("picker").await;

    app.type_into(r#"[data-testid="chat-input"]"#, "Write a Python function that adds two numbers.").await;
    app.click(r#"[data-testid="send"]"#).await;
    // Loading the model and reading the prompt on one thread takes a few seconds.
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut saw_streaming = false;
    let probe = r#"const s = document.querySelector('[data-testid="message-streaming"] .markdown');
        return [s ? s.textContent.trim().length : 0, document.querySelectorAll('[data-testid="message-assistant"]').length];"#;
    loop {
        let seen = app.eval(probe).await;
        saw_streaming |= seen[0].as_u64().unwrap_or(0) > 0;
        if seen[1].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "no answer from the built-in model");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.screenshot("answer").await;
    let status = app
        .eval(r#"return document.querySelector('[data-testid="message-assistant"]').dataset.status;"#)
        .await;
    let text = app
        .eval(r#"return document.querySelector('[data-testid="message-assistant"] .markdown')?.textContent ?? "";"#)
        .await;
    assert_eq!(status.as_str(), Some("complete"), "reply text: {text}");
    assert!(!text.as_str().unwrap_or_default().trim().is_empty(), "empty answer");
    assert!(saw_streaming, "no partial answer was shown while it streamed");

    // The Models page: the file's facts from its GGUF metadata, and what a 135M model can do.
    app.click(r#"[data-testid="open-settings"]"#).await;
    let facts = app.wait_content(r#"[data-testid="builtin-model-facts"]"#, |t| !t.is_empty()).await;
    assert!(facts.contains("Q4_1") && facts.contains("135"), "facts shown: {facts}");
    app.screenshot("models-page").await;
    app.quit().await;
}
