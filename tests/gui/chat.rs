//! Chatting in the real window against the scripted model server on loopback: setting up a
//! provider and its key, @-mentions, streaming, restarts, hostile replies and every fault class.

use std::path::Path;
use std::time::Duration;

use redline_tests::model_server::{Ending, ModelServer, Reply};
use redline_tests::project_with;

use crate::driver::{AppRun, Profile};

const KEY: &str = "sk-gui-7d1e0c9b5a4f3e2d1c0b";

/// OpenAI-style frames streaming `text` in pieces of `size` characters.
fn frames(text: &str, size: usize) -> Vec<String> {
    redline_tests::model_server::openai_text_frames(text, size, Some((200, 40)))
}

fn paced(text: &str, pace_ms: u64) -> Reply {
    Reply::Sse { frames: frames(text, 8), pace: Duration::from_millis(pace_ms), ending: Ending::Complete }
}

/// A provider without a key, pointed at `server`, written before the app starts.
fn configure(profile: &Profile, server: &ModelServer, silence_ms: u64) {
    let settings = format!(
        "default_model = \"scripted/test-model\"\ndetect_local_servers = false\n\n[timeouts]\nconnect_ms = 2000\nfirst_byte_ms = 5000\nsilence_ms = {silence_ms}\n\n[[provider]]\nid = \"scripted\"\nname = \"Scripted\"\nwire = \"openai\"\nbase_url = \"{}/v1\"\nmodels = [\"test-model\"]\nneeds_key = false\n",
        server.url
    );
    std::fs::write(profile.path("data").join("settings.toml"), settings).expect("settings");
}

fn arg(dir: &Path) -> String {
    dir.canonicalize().expect("canon").display().to_string()
}

async fn ask(app: &AppRun, question: &str) {
    app.type_into(r#"[data-testid="chat-input"]"#, question).await;
    app.click(r#"[data-testid="send"]"#).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_provider_key_mention_streaming_and_restart() {
    let reply = "Here is the function:\n\n```rust\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n```\n\nIt adds two numbers.";
    let models = r#"{"object":"list","data":[{"id":"test-model"},{"id":"other-model"}]}"#;
    let server = ModelServer::start(vec![paced(reply, 120)]).await.with_model_list(models);
    let dir = project_with(&[("src/lib.rs", "pub fn add(a: i32, b: i32) -> i32 { a + b }\n")]);
    let profile = Profile::new();
    std::fs::write(profile.path("data").join("settings.toml"), "detect_local_servers = false\n")
        .expect("settings");
    let mut app = AppRun::start("chat", &profile, &[&arg(dir.path())]).await;

    app.wait(r#"[data-testid="no-models"]"#).await;
    app.click(r#"[data-testid="open-settings"]"#).await;
    app.type_into(r#"[data-testid="provider-name"]"#, "Scripted").await;
    app.type_into(r#"[data-testid="provider-url"]"#, &format!("{}/v1", server.url)).await;
    app.type_into(r#"[data-testid="provider-models"]"#, "test-model").await;
    app.click(r#"[data-testid="provider-save"]"#).await;
    app.type_into(r#"[data-testid="key-input-scripted"]"#, KEY).await;
    app.click(r#"[data-testid="key-save-scripted"]"#).await;
    app.wait_text(r#"[data-testid="key-state-scripted"]"#, |t| t.to_lowercase().contains("system keyring"))
        .await;
    app.click(r#"[data-testid="test-provider-scripted"]"#).await;
    app.wait_text(r#"[data-testid="provider-message-scripted"]"#, |t| t.contains("Connected: 2 models"))
        .await;
    let listed_with_key = server.received().iter().any(|r| {
        r.path.ends_with("/models") && r.header("authorization") == Some(format!("Bearer {KEY}").as_str())
    });
    assert!(listed_with_key, "the model list was asked for with the key: {:?}", server.received());
    app.screenshot("settings").await;
    app.click(r#"[data-testid="settings-close"]"#).await;

    app.wait(r#"[data-testid="model-picker"] option[value="scripted/test-model"]"#).await;
    app.type_into(r#"[data-testid="chat-input"]"#, "What does @src/li").await;
    app.wait_text(r#"[data-testid="mention-completion"]"#, |t| t.contains("src/lib.rs")).await;
    app.screenshot("mention-completion").await;
    app.type_into(r#"[data-testid="chat-input"]"#, "\u{E007}").await; // Enter picks the completion
    app.type_into(r#"[data-testid="chat-input"]"#, "do?").await;
    app.click(r#"[data-testid="send"]"#).await;

    // While the reply streams: the stop button, and the code block already highlighted.
    app.wait(r#"[data-testid="stop"]"#).await;
    app.wait(r#"[data-testid="message-streaming"] .code-block span[class*="hl-"]"#).await;
    app.screenshot("streaming").await;
    app.wait(r#"[data-testid="message-assistant"][data-status="complete"]"#).await;
    app.wait_text(r#"[data-testid="message-assistant"] .markdown"#, |t| t.contains("It adds two numbers."))
        .await;
    app.wait(r#"[data-testid="message-user"] [data-testid="attachment-chip"]"#).await;
    app.screenshot("reply").await;

    let request = server.received().last().cloned().expect("chat request");
    assert_eq!(request.path, "/v1/chat/completions");
    assert!(
        request.body.contains("pub fn add(a: i32, b: i32) -> i32 { a + b }"),
        "file not sent: {}",
        request.body
    );
    assert!(request.body.contains("What does @src/lib.rs do?"), "{}", request.body);
    app.quit().await;

    for file in profile.files() {
        // The app may still be removing its own temporary files (SQLite's -shm, caches) as it
        // exits: a file that is gone holds nothing.
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("reading {}: {e}", file.display()),
        };
        assert!(!String::from_utf8_lossy(&bytes).contains(KEY), "the key is in {}", file.display());
    }
    assert!(profile.path("data").join("logs/redline.log").exists(), "the app keeps a log file");

    let mut again = AppRun::start("chat-restart", &profile, &[&arg(dir.path())]).await;
    again
        .wait_text(r#"[data-testid="message-assistant"] .markdown"#, |t| t.contains("It adds two numbers."))
        .await;
    again.wait_content(r#"[data-testid="chat-title"]"#, |t| t.contains("What does @src/lib.rs do?")).await;
    again.wait_text(r#"[data-testid="model-picker"]"#, |t| t.contains("test-model")).await;
    again.screenshot("after-restart").await;
    again.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_hostile_replies_render_inert() {
    let hostile = "Look: <script>window.__pwned = 1</script>\n\n<img src=x onerror=\"window.__pwned = 2\">\n\n\
                   [click me](javascript:window.__pwned=3) and [site](https://example.com)\n\n\
                   <iframe src=\"https://example.com\"></iframe><div onclick=\"window.__pwned=4\">raw html</div>\n\n\
                   ![img](http://127.0.0.1:9/track.png)\n\nThe end.";
    let huge = format!("Big reply:\n\n{}\n\nDone with the big one.", "word ".repeat(1_000_000));
    let big = Reply::Sse { frames: frames(&huge, 64 * 1024), pace: Duration::ZERO, ending: Ending::Complete };
    let server = ModelServer::start(vec![paced(hostile, 5), big]).await;
    let dir = project_with(&[("a.txt", "a\n")]);
    let profile = Profile::new();
    configure(&profile, &server, 30_000);
    let mut app = AppRun::start("hostile", &profile, &[&arg(dir.path())]).await;

    ask(&app, "Show me something nasty").await;
    app.wait_text(r#"[data-testid="message-assistant"] .markdown"#, |t| t.contains("The end.")).await;
    let verdict = app
        .eval(
            "const md = document.querySelectorAll('.markdown'); \
             const all = [...md].flatMap(m => [...m.querySelectorAll('*')]); \
             return { scripts: all.filter(e => ['SCRIPT','IFRAME','IMG','OBJECT','EMBED'].includes(e.tagName)).length, \
                      handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length, \
                      badLinks: all.filter(e => e.tagName === 'A' && !/^(https?:|mailto:)/.test(e.getAttribute('href') || 'https:')).length, \
                      pwned: window.__pwned ?? 0, href: location.href };",
        )
        .await;
    assert_eq!(verdict["scripts"], 0, "{verdict}");
    assert_eq!(verdict["handlers"], 0, "{verdict}");
    assert_eq!(verdict["badLinks"], 0, "{verdict}");
    assert_eq!(verdict["pwned"], 0, "{verdict}");
    let before = verdict["href"].clone();
    app.click(r#"[data-testid="message-assistant"] .markdown a[href^="https:"]"#).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = app.eval("return location.href;").await;
    assert_eq!(after, before, "a link in a reply navigated the window");
    app.wait_content(r#"[data-testid="notice"]"#, |t| t.contains("https://example.com")).await;
    app.screenshot("hostile").await;

    ask(&app, "Now something huge").await;
    app.wait_text(r#"[data-testid="message-assistant"]:last-of-type .markdown"#, |t| {
        t.contains("Done with the big one.")
    })
    .await;
    let started = std::time::Instant::now();
    app.type_into(r#"[data-testid="chat-input"]"#, "still responsive").await;
    app.wait_text(r#"[data-testid="chat-input"]"#, |_| true).await;
    let value = app.eval("return document.querySelector('[data-testid=chat-input]').value;").await;
    assert_eq!(value, "still responsive");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "typing took {:?} after a 5 MB reply",
        started.elapsed()
    );
    app.screenshot("huge").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_faults_are_explained_retried_and_lose_nothing() {
    let rejected = Reply::status(401, r#"{"error":{"message":"Incorrect API key provided"}}"#);
    let limited = Reply::Status { code: 429, retry_after: Some("1".into()), body: "{}".into() };
    let overloaded =
        Reply::status(529, r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#);
    let cut = Reply::Sse {
        frames: frames("Partial answer that gets cut off halfway through", 8),
        pace: Duration::from_millis(20),
        ending: Ending::DisconnectAfter(3),
    };
    let stall = Reply::Sse {
        frames: frames("Silence follows", 8),
        pace: Duration::ZERO,
        ending: Ending::StallAfter(1),
    };
    let script =
        vec![rejected, limited, overloaded, paced("Recovered fine.", 5), cut, stall, paced("Back again.", 5)];
    let server = ModelServer::start(script).await;
    let dir = project_with(&[("a.txt", "a\n")]);
    let profile = Profile::new();
    configure(&profile, &server, 1500);
    let mut app = AppRun::start("faults", &profile, &[&arg(dir.path())]).await;

    ask(&app, "First question").await;
    let error = app.wait_text(r#"[data-testid="message-error"]"#, |t| !t.is_empty()).await;
    assert!(error.contains("Incorrect API key") && error.contains("Settings"), "{error}");
    app.wait(r#"[data-testid="message-error"][data-code="modelAuthentication"]"#).await;
    app.screenshot("auth-error").await;

    app.click(r#"[data-testid="regenerate"]"#).await;
    let notice = app.wait_text(r#"[data-testid="retry-notice"]"#, |t| !t.is_empty()).await;
    assert!(notice.contains("Retrying"), "{notice}");
    app.screenshot("retrying").await;
    app.wait_text(r#"[data-testid="message-assistant"] .markdown"#, |t| t.contains("Recovered fine.")).await;
    app.wait_gone(r#"[data-testid="message-error"]"#).await;

    ask(&app, "Second question").await;
    app.wait(r#"[data-testid="message-error"][data-code="modelNetwork"]"#).await;
    app.wait_text(r#"[data-testid="message-assistant"][data-status="failed"] .markdown"#, |t| {
        t.contains("Partial")
    })
    .await;
    app.screenshot("cut-off").await;

    app.click(r#"[data-testid="message-assistant"][data-status="failed"] [data-testid="regenerate"]"#).await;
    app.wait(r#"[data-testid="message-error"][data-code="modelTimeout"]"#).await;
    app.screenshot("timeout").await;

    app.click(r#"[data-testid="message-assistant"][data-status="failed"] [data-testid="regenerate"]"#).await;
    app.wait_text(r#"[data-testid="message-assistant"]:last-of-type .markdown"#, |t| {
        t.contains("Back again.")
    })
    .await;
    let texts = app
        .eval("return [...document.querySelectorAll('[data-testid=message-user] .msg-text')].map(e => e.textContent);")
        .await;
    assert_eq!(texts, serde_json::json!(["First question", "Second question"]));
    assert_eq!(app.count(r#"[data-testid="message-error"]"#).await, 0);
    app.screenshot("recovered").await;
    app.quit().await;
}
