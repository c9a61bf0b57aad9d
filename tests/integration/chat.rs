//! Chat end to end below the window: a real project folder, a real SQLite file, real HTTP
//! streams from the scripted model server, keys in memory. What the server received, what was
//! streamed, what was saved, and what each kind of failure leaves behind.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redline_api::{App, ChatEvent, ErrorCode, KeyState, SendInput};
use redline_tests::model_server::{Ending, ModelServer, Reply};

use crate::api::Events;

const KEY: &str = "sk-chat-test-5f2a9c0d81e4b7a6";

/// OpenAI-style frames that stream `text` in pieces, then usage and `[DONE]`.
pub fn openai_reply(text: &str) -> Vec<String> {
    redline_tests::model_server::openai_text_frames(text, 12, Some((120, 30)))
}

fn sse(frames: Vec<String>) -> Reply {
    Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete }
}

/// Settings that point a provider named `scripted` at the server.
fn write_settings(data: &Path, server: &ModelServer) {
    let settings = format!(
        "default_model = \"scripted/test-model\"\ndetect_local_servers = false\n\n[timeouts]\nconnect_ms = 2000\nfirst_byte_ms = 3000\nsilence_ms = 600\n\n[[provider]]\nid = \"scripted\"\nname = \"Scripted\"\nwire = \"openai\"\nbase_url = \"{}/v1\"\nmodels = [\"test-model\"]\nneeds_key = true\n",
        server.url
    );
    std::fs::write(data.join("settings.toml"), settings).expect("settings");
}

struct Chat {
    app: App,
    data: tempfile::TempDir,
    project: tempfile::TempDir,
}

fn chat(server: &ModelServer, files: &[(&str, &str)]) -> Chat {
    let data = tempfile::tempdir().expect("tmp");
    let project = redline_tests::project_with(files);
    write_settings(data.path(), server);
    let app = App::with_memory_keys(data.path(), Arc::new(Events::default()));
    assert_eq!(app.set_key("scripted", KEY, false).expect("key"), KeyState::Keyring);
    app.open_project(&project.path().display().to_string()).expect("open");
    Chat { app, data, project }
}

fn question(text: &str) -> SendInput {
    SendInput::new(text)
}

/// Sends and collects every streamed event.
async fn send(
    app: &App,
    input: SendInput,
) -> (redline_api::ApiResult<redline_api::MessageView>, Vec<ChatEvent>) {
    let events = Mutex::new(Vec::new());
    let emit = |e: ChatEvent| events.lock().expect("lock").push(e);
    let result = app.send_message(input, &emit).await;
    (result, events.into_inner().expect("lock"))
}

#[tokio::test]
async fn a_reply_streams_with_the_mentioned_file_sent_and_survives_a_restart() {
    let reply =
        "It adds two numbers:\n\n```rust\nfn add(a: i32, b: i32) -> i32 { a + b }\n```\n\nThat is all.";
    let server = ModelServer::start(vec![sse(openai_reply(reply))]).await;
    let c = chat(
        &server,
        &[
            ("src/lib.rs", "pub fn add(a: i32, b: i32) -> i32 { a + b }\n"),
            ("AGENTS.md", "Answer briefly.\n"),
        ],
    );
    let (result, events) = send(&c.app, question("What does @src/lib.rs do?")).await;
    let message = result.expect("sent");
    assert_eq!(message.status, "complete");
    assert_eq!(message.text, reply);
    assert!(message.html.contains("class=\"code-block\""), "{}", message.html);
    assert_eq!((message.usage.input, message.usage.output), (120, 30));

    let request = &server.received()[0];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert!(request.body.contains("pub fn add(a: i32, b: i32)"), "the mentioned file was not sent");
    assert!(request.body.contains("Answer briefly."), "the rules file was not sent");

    let Some(ChatEvent::Started { user_message, .. }) = events.first() else {
        panic!("no Started: {events:?}")
    };
    let labels: Vec<_> = user_message.attachments.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["AGENTS.md", "src/lib.rs"]);
    assert!(events.iter().any(|e| matches!(e, ChatEvent::Render { .. })));

    // A new app on the same data folder: the conversation is there.
    let again = App::with_memory_keys(c.data.path(), Arc::new(Events::default()));
    again.open_project(&c.project.path().display().to_string()).expect("reopen");
    let list = again.conversations("").expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].title, "What does @src/lib.rs do?");
    let detail = again.conversation(list[0].id).expect("detail");
    assert_eq!(detail.messages.len(), 2);
    assert_eq!(detail.messages[1].text, reply);
    assert_eq!(again.conversations("adds two").expect("search").len(), 1);
}

#[tokio::test]
async fn secrets_in_attached_files_never_reach_the_server_and_the_key_never_reaches_the_disk() {
    let server = ModelServer::start(vec![sse(openai_reply("ok"))]).await;
    let c = chat(&server, &[("deploy.py", "AWS = 'AKIAIOSFODNN7EXAMPLE'\nregion = 'eu'\n")]);
    let (result, events) = send(&c.app, question("check @deploy.py")).await;
    assert_eq!(result.expect("sent").status, "complete");
    let body = &server.received()[0].body;
    assert!(!body.contains("AKIAIOSFODNN7EXAMPLE") && body.contains("region = 'eu'"), "{body}");
    let Some(ChatEvent::Started { user_message, .. }) = events.first() else { panic!("no Started") };
    assert_eq!(user_message.attachments[0].redactions, ["AWS access key on line 1"]);
    for entry in walk(c.data.path()) {
        let bytes = std::fs::read(&entry).expect("read");
        assert!(!String::from_utf8_lossy(&bytes).contains(KEY), "the key is in {}", entry.display());
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_rejected_key_fails_with_advice_and_keeps_the_question() {
    let server =
        ModelServer::start(vec![Reply::status(401, r#"{"error":{"message":"Incorrect API key provided"}}"#)])
            .await;
    let c = chat(&server, &[]);
    let (result, _) = send(&c.app, question("hello?")).await;
    let message = result.expect("saved");
    assert_eq!(message.status, "failed");
    let error = message.error.expect("error");
    assert_eq!(error.code, ErrorCode::ModelAuthentication);
    assert!(error.message.contains("Settings") && !error.message.contains(KEY), "{}", error.message);
    assert_eq!(server.received().len(), 1, "authentication errors are not retried");
    let id = c.app.conversations("").expect("list")[0].id;
    let detail = c.app.conversation(id).expect("detail");
    assert_eq!(detail.messages[0].text, "hello?");
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_asked_delay_and_say_so() {
    let limited = Reply::Status { code: 429, retry_after: Some("1".into()), body: "{}".into() };
    let server = ModelServer::start(vec![limited, sse(openai_reply("after waiting"))]).await;
    let c = chat(&server, &[]);
    let (result, events) = send(&c.app, question("hi")).await;
    assert_eq!(result.expect("sent").text, "after waiting");
    let retry = events.iter().find_map(|e| match e {
        ChatEvent::Retrying { delay_ms, message, .. } => Some((*delay_ms, message.clone())),
        _ => None,
    });
    let (delay, message) = retry.expect("a retry notice");
    assert_eq!(delay, 1000);
    assert!(message.contains("wait"), "{message}");
}

#[tokio::test]
async fn a_stream_cut_off_keeps_the_text_so_far_and_regenerate_replaces_it() {
    let frames = openai_reply("First part of a long answer that never ends");
    let cut = Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::DisconnectAfter(2) };
    let server = ModelServer::start(vec![cut, sse(openai_reply("Complete answer."))]).await;
    let c = chat(&server, &[]);
    let (result, _) = send(&c.app, question("tell me")).await;
    let failed = result.expect("saved");
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.error.as_ref().map(|e| e.code), Some(ErrorCode::ModelNetwork));
    assert!(failed.text.starts_with("First part"), "{}", failed.text);

    let id = c.app.conversations("").expect("list")[0].id;
    let user_id = c.app.conversation(id).expect("detail").messages[0].id;
    let retry = SendInput { conversation_id: Some(id), replace_from: Some(user_id), ..question("tell me") };
    let (result, _) = send(&c.app, retry).await;
    assert_eq!(result.expect("sent").text, "Complete answer.");
    let texts: Vec<_> =
        c.app.conversation(id).expect("detail").messages.into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["tell me", "Complete answer."]);
}

#[tokio::test]
async fn a_silent_server_times_out_and_stop_ends_a_reply_at_once() {
    let stall = Reply::Sse {
        frames: openai_reply("waiting forever"),
        pace: Duration::ZERO,
        ending: Ending::StallAfter(1),
    };
    let server = ModelServer::start(vec![stall]).await;
    let c = Arc::new(chat(&server, &[]));
    let (result, _) = send(&c.app, question("anyone?")).await;
    let message = result.expect("saved");
    assert_eq!(message.error.map(|e| e.code), Some(ErrorCode::ModelTimeout));

    let id = c.app.conversations("").expect("list")[0].id;
    let stopper = c.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        stopper.app.stop_reply(id);
    });
    let started = std::time::Instant::now();
    let (result, _) = send(&c.app, SendInput { conversation_id: Some(id), ..question("again") }).await;
    assert_eq!(result.expect("saved").status, "stopped");
    assert!(started.elapsed() < Duration::from_millis(550), "stop took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_question_without_any_model_set_up_says_how_to_get_one() {
    let data = tempfile::tempdir().expect("tmp");
    std::fs::write(data.path().join("settings.toml"), "detect_local_servers = false\n").expect("settings");
    let project = tempfile::tempdir().expect("tmp");
    let app = App::with_memory_keys(data.path(), Arc::new(Events::default()));
    app.open_project(&project.path().display().to_string()).expect("open");
    let (result, _) = send(&app, question("hello")).await;
    let error = result.expect_err("no model");
    assert_eq!(error.code, ErrorCode::NoModel);
    assert!(error.message.contains("Settings"), "{}", error.message);
    assert!(app.conversations("").expect("list").is_empty(), "nothing is saved for a question never sent");
}
