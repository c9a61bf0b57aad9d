//! The built-in engine on the real SmolLM2-135M (`REDLINE_TEST_GGUF`, fetched by scripts/test),
//! with one thread and greedy sampling: the stream's mechanics, not the model's skill. Damaged
//! files get clear errors and never crash the process.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redline_api::{App, EventSink, Progress, ProjectChanged};
use redline_llm::{
    Delivery, ErrorKind, LanguageModel, Message, ModelError, Request, StopReason, StreamEvent,
};
use redline_local::{gguf_info, LocalModel, LocalOptions};

/// The engine serves one reply at a time; these tests take turns so their timings are their own.
static ENGINE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn test_gguf() -> Option<PathBuf> {
    match std::env::var_os("REDLINE_TEST_GGUF") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            eprintln!("skipped: REDLINE_TEST_GGUF is not set (scripts/test fetches SmolLM2 and sets it)");
            None
        }
    }
}

fn model(path: &PathBuf, context_size: Option<u32>) -> LocalModel {
    LocalModel::new(path).with_options(LocalOptions { threads: Some(1), context_size })
}

fn request(question: &str, max_tokens: u32) -> Request {
    let mut request = Request::new("builtin/test", vec![Message::user(question)]);
    request.temperature = Some(0.0);
    request.max_tokens = max_tokens;
    request
}

/// Everything a stream delivered, with when each text arrived.
#[derive(Debug, Default)]
struct Reply {
    texts: Vec<(Instant, String)>,
    usage: Option<redline_llm::Usage>,
    stop: Option<StopReason>,
    error: Option<ModelError>,
}

impl Reply {
    fn text(&self) -> String {
        self.texts.iter().map(|(_, t)| t.as_str()).collect()
    }
}

async fn collect(model: &LocalModel, request: Request) -> Reply {
    let _engine = ENGINE.lock().await;
    let mut stream = model.stream(request);
    let mut reply = Reply::default();
    let deadline = Duration::from_secs(120);
    while let Ok(Some(item)) = tokio::time::timeout(deadline, stream.next()).await {
        match item {
            Ok(Delivery::Event(StreamEvent::Text(t))) => reply.texts.push((Instant::now(), t)),
            Ok(Delivery::Event(StreamEvent::Usage(u))) => reply.usage = Some(u),
            Ok(Delivery::Event(StreamEvent::Stop(s))) => reply.stop = Some(s),
            Ok(_) => {}
            Err(e) => {
                reply.error = Some(e);
                break;
            }
        }
    }
    reply
}

#[tokio::test]
async fn builtin_model_streams_tokens_incrementally_and_reports_usage() {
    let Some(path) = test_gguf() else { return };
    let model = model(&path, None);
    assert_eq!(model.id(), "builtin/SmolLM2-135M-Instruct.Q4_1");
    let reply = collect(&model, request("Write a Python function that adds two numbers.", 48)).await;
    assert!(reply.error.is_none(), "{:?}", reply.error);
    assert!(!reply.text().trim().is_empty(), "empty reply");
    assert!(reply.texts.len() >= 5, "tokens were not streamed one by one: {:?}", reply.texts);
    let spread = reply.texts.last().zip(reply.texts.first()).map(|(last, first)| last.0 - first.0);
    assert!(spread.is_some_and(|d| d > Duration::from_millis(5)), "all text arrived at once");
    let usage = reply.usage.expect("usage");
    assert!(usage.input > 5 && usage.output > 0 && usage.output <= 48, "{usage:?}");
    assert!(matches!(reply.stop, Some(StopReason::EndTurn | StopReason::MaxTokens)), "{:?}", reply.stop);
}

#[tokio::test]
async fn builtin_model_honours_max_tokens() {
    let Some(path) = test_gguf() else { return };
    let reply = collect(&model(&path, None), request("Tell me a long story about a dragon.", 5)).await;
    assert!(reply.error.is_none(), "{:?}", reply.error);
    assert_eq!(reply.stop, Some(StopReason::MaxTokens));
    assert_eq!(reply.usage.map(|u| u.output), Some(5));
}

#[tokio::test]
async fn builtin_model_ends_at_a_stop_sequence_without_streaming_it() {
    let Some(path) = test_gguf() else { return };
    let model = model(&path, None);
    let question = "Count from 1 to 20, separated by commas.";
    let free = collect(&model, request(question, 64)).await;
    assert!(free.text().contains('5'), "the model did not count: {:?}", free.text());
    let mut stopped = request(question, 64);
    stopped.stop = vec!["5".into()];
    let reply = collect(&model, stopped).await;
    assert!(reply.error.is_none(), "{:?}", reply.error);
    assert_eq!(reply.stop, Some(StopReason::StopSequence));
    assert!(!reply.text().contains('5'), "{:?}", reply.text());
    assert!(free.text().starts_with(&reply.text()), "{:?} vs {:?}", reply.text(), free.text());
}

#[tokio::test]
async fn dropping_the_builtin_stream_ends_generation_within_200ms() {
    let Some(path) = test_gguf() else { return };
    let _engine = ENGINE.lock().await;
    let model = model(&path, None);
    let question = "Write a very long essay about the history of computers.";
    let mut stream = model.stream(request(question, 2000));
    let mut texts = 0;
    while texts < 3 {
        match tokio::time::timeout(Duration::from_secs(120), stream.next()).await {
            Ok(Some(Ok(Delivery::Event(StreamEvent::Text(_))))) => texts += 1,
            other => panic!("expected text, got {other:?}"),
        }
    }
    let dropped = Instant::now();
    drop(stream);
    // The engine serves one reply at a time, so the next one starts once the dropped one ended.
    // Its prompt is already in the context: it costs one token.
    let mut next = model.stream(request(question, 1));
    let first = tokio::time::timeout(Duration::from_secs(60), next.next()).await;
    let waited = dropped.elapsed();
    assert!(matches!(first, Ok(Some(Ok(_)))), "{first:?}");
    eprintln!("dropped stream -> first token of the next reply: {waited:?}");
    assert!(waited < Duration::from_millis(200), "generation went on for {waited:?} after the drop");
}

#[tokio::test]
async fn a_prompt_longer_than_the_context_is_context_too_long() {
    let Some(path) = test_gguf() else { return };
    let model = model(&path, Some(256));
    let long = "word ".repeat(400);
    let reply = collect(&model, request(&long, 8)).await;
    let error = reply.error.expect("an error");
    assert_eq!(error.kind, ErrorKind::ContextTooLong, "{error:?}");
    assert!(error.message.contains("256"), "{}", error.message);
}

fn damaged(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("damaged.gguf");
    std::fs::write(&path, bytes).expect("write");
    (dir, path)
}

async fn expect_clear_error(path: &PathBuf, words: &str) {
    let reply = collect(&model(path, None), request("Hi", 4)).await;
    let error = reply.error.expect("an error, not a reply");
    assert_eq!(error.kind, ErrorKind::BadRequest, "{error:?}");
    assert!(error.message.contains(words), "{}", error.message);
    assert!(reply.texts.is_empty());
}

#[tokio::test]
async fn a_truncated_gguf_gets_a_clear_error_not_a_crash() {
    let Some(path) = test_gguf() else { return };
    let bytes = std::fs::read(&path).expect("read model");
    for keep in [bytes.len() / 2, 4096, 30] {
        let (_dir, cut) = damaged(&bytes[..keep]);
        expect_clear_error(&cut, "truncated").await;
    }
}

#[tokio::test]
async fn a_corrupted_gguf_gets_a_clear_error_not_a_crash() {
    let (_dir, path) = damaged(b"this is not a model at all, just some text in a .gguf file");
    expect_clear_error(&path, "not a GGUF model file").await;
    let (_dir, missing) = damaged(b"");
    let missing = missing.with_file_name("absent.gguf");
    expect_clear_error(&missing, "does not exist").await;
    let Some(real) = test_gguf() else { return };
    let mut bytes = std::fs::read(&real).expect("read model");
    // A metadata key length that points far past the end of the file.
    bytes[24..32].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    let (_dir, corrupt) = damaged(&bytes);
    expect_clear_error(&corrupt, "damaged").await;
}

#[test]
fn gguf_info_reads_smollm2_metadata() {
    let Some(path) = test_gguf() else { return };
    let info = gguf_info(&path).expect("info");
    assert!(info.name.to_lowercase().contains("smollm2"), "{info:?}");
    assert_eq!(info.quantization, "Q4_1");
    assert_eq!(info.context_length, 8192);
    assert!((100_000_000..200_000_000).contains(&info.parameters), "{info:?}");
    assert_eq!(info.size_bytes, 98_362_432);
    assert!(info.has_chat_template);
}

struct Quiet;
impl EventSink for Quiet {
    fn project_changed(&self, _: ProjectChanged) {}
    fn progress(&self, _: Progress) {}
}

#[tokio::test]
async fn builtin_model_is_the_default_only_when_nothing_else_is_set_up() {
    let Some(path) = test_gguf() else { return };
    let data = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(data.path().join("models")).expect("models dir");
    let copy = data.path().join("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    std::fs::hard_link(&path, &copy).or_else(|_| std::fs::copy(&path, &copy).map(|_| ())).expect("copy");
    std::fs::write(data.path().join("settings.toml"), "detect_local_servers = false\n").expect("settings");
    let app = App::with_memory_keys(data.path(), Arc::new(Quiet));
    let view = app.models(false).await;
    let first = view.models.first().expect("a model");
    assert_eq!(first.id, "builtin/SmolLM2-135M-Instruct.Q4_1");
    assert_eq!(first.provider_name, "Built-in");
    let local = app.local_models();
    assert!(local.engine_available);
    assert_eq!(local.models.len(), 1);
    assert_eq!(local.models[0].quantization, "Q4_1");

    // A configured provider wins the first place, so it becomes the default.
    let settings = "detect_local_servers = false\n[[provider]]\nid = \"p\"\nname = \"P\"\nwire = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\nmodels = [\"m\"]\nneeds_key = false\n";
    std::fs::write(data.path().join("settings.toml"), settings).expect("settings");
    let app = App::with_memory_keys(data.path(), Arc::new(Quiet));
    let ids: Vec<String> = app.models(false).await.models.into_iter().map(|m| m.id).collect();
    assert_eq!(ids, ["p/m", "builtin/SmolLM2-135M-Instruct.Q4_1"]);
}

#[tokio::test]
async fn adding_a_damaged_gguf_by_path_is_refused_with_the_reason() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = App::with_memory_keys(data.path(), Arc::new(Quiet));
    let (_dir, path) = damaged(b"GGUF\x03\x00\x00\x00");
    let err = app.add_local_model(&path.display().to_string()).expect_err("refused");
    assert!(err.message.contains("truncated"), "{}", err.message);
    assert!(app.local_models().models.is_empty());
}
