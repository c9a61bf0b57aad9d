//! Fill-in-the-middle over real HTTP on loopback against the scripted model server: what each
//! wire sends, what streams back, and how failures are classified.

use std::time::Duration;

use redline_llm::{
    fim_wire_for, ApiKey, Delivery, ErrorKind, FimRequest, FimTemplate, FimWire, HttpModel, ModelError,
    StopReason, StreamEvent, Timeouts, Usage, Wire,
};
use redline_tests::model_server::{openai_completion_frames, Ending, ModelServer, Received, Reply};
use serde_json::{json, Value};

use crate::models::{drain, text_of};

/// Legacy completions SSE streaming `text` in pieces of 3 characters, then a stop with usage,
/// then `[DONE]`.
fn completions_sse(text: &str) -> Reply {
    Reply::Sse {
        frames: openai_completion_frames(text, 3, Some((11, 3))),
        pace: Duration::ZERO,
        ending: Ending::Complete,
    }
}

/// Ollama's NDJSON lines, one frame each, written as they are.
fn ndjson(lines: &[&str], ending: Ending) -> Reply {
    Reply::Sse { frames: lines.iter().map(|l| l.to_string()).collect(), pace: Duration::ZERO, ending }
}

fn status(code: u16, retry_after: Option<&str>, body: &str) -> Reply {
    Reply::Status { code, retry_after: retry_after.map(str::to_owned), body: body.to_owned() }
}

fn body(received: &Received) -> Value {
    serde_json::from_str(&received.body).expect("a JSON body")
}

fn model(server: &ModelServer, key: Option<&str>) -> HttpModel {
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        first_byte: Duration::from_secs(5),
        silence: Duration::from_millis(300),
    };
    HttpModel::new(Wire::OpenAi, format!("{}/v1", server.url), key.map(ApiKey::new), timeouts)
}

/// Everything the stream delivered until it ended, or the error that ended it.
async fn collect(
    model: &HttpModel,
    request: FimRequest,
    wire: FimWire,
) -> (Vec<Delivery>, Option<ModelError>) {
    let drive = drain(model.complete_fim(request, wire));
    tokio::time::timeout(Duration::from_secs(20), drive).await.expect("the stream ends")
}

fn request() -> FimRequest {
    let mut request = FimRequest::new("m", "fn add(a: i32, b: i32) -> i32 {\n    ", "\n}\n");
    request.max_tokens = 32;
    request
}

#[tokio::test]
async fn suffix_wire_sends_prefix_and_suffix_in_their_fields_and_streams_the_middle() {
    let server = ModelServer::start(vec![completions_sse("a + b")]).await;
    let model = model(&server, Some("sk-fim"));
    let (deliveries, error) = collect(&model, request(), FimWire::Suffix).await;
    assert_eq!(error, None);
    assert_eq!(text_of(&deliveries), "a + b");
    assert!(deliveries.contains(&Delivery::Event(StreamEvent::Stop(StopReason::EndTurn))));
    assert!(deliveries.contains(&Delivery::Event(StreamEvent::Usage(Usage {
        input: 11,
        output: 3,
        cached: 0
    }))));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!((received[0].method.as_str(), received[0].path.as_str()), ("POST", "/v1/completions"));
    assert_eq!(received[0].header("authorization"), Some("Bearer sk-fim"));
    let body = body(&received[0]);
    assert_eq!(body["prompt"], json!("fn add(a: i32, b: i32) -> i32 {\n    "));
    assert_eq!(body["suffix"], json!("\n}\n"));
    assert_eq!(body["stream"], json!(true));
    assert_eq!(body["temperature"], json!(0));
}

#[tokio::test]
async fn tokens_wire_sends_the_filled_template_and_no_suffix_field() {
    let server = ModelServer::start(vec![completions_sse("a + b")]).await;
    let model = model(&server, None);
    let wire = FimWire::Tokens(FimTemplate::StarCoder);
    let (deliveries, error) = collect(&model, request(), wire).await;
    assert_eq!((text_of(&deliveries).as_str(), error), ("a + b", None));
    let received = &server.received()[0];
    let body = body(received);
    assert_eq!(
        body["prompt"],
        json!("<fim_prefix>fn add(a: i32, b: i32) -> i32 {\n    <fim_suffix>\n}\n<fim_middle>")
    );
    assert!(body.get("suffix").is_none(), "{body}");
    assert!(received.header("authorization").is_none());
}

#[tokio::test]
async fn ollama_v1_base_goes_to_api_generate_and_its_ndjson_streams() {
    let lines = [
        "{\"model\":\"qwen2.5-coder:1.5b\",\"response\":\"a +\",\"done\":false}\n",
        "{\"model\":\"qwen2.5-coder:1.5b\",\"response\":\" b\",\"done\":false}\n",
        "{\"model\":\"qwen2.5-coder:1.5b\",\"response\":\"\",\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":11,\"eval_count\":3}\n",
    ];
    let server = ModelServer::start(vec![ndjson(&lines, Ending::Complete)]).await;
    // Ollama's OpenAI-compatible base, as the preset and the settings hold it.
    let model = model(&server, None);
    let (deliveries, error) = collect(&model, request(), FimWire::Ollama).await;
    assert_eq!(error, None);
    assert_eq!(text_of(&deliveries), "a + b");
    assert_eq!(
        deliveries[deliveries.len() - 2..],
        [
            Delivery::Event(StreamEvent::Usage(Usage { input: 11, output: 3, cached: 0 })),
            Delivery::Event(StreamEvent::Stop(StopReason::EndTurn)),
        ]
    );
    let received = &server.received()[0];
    assert_eq!(received.path, "/api/generate");
    let body = body(received);
    assert_eq!(body["prompt"], json!("fn add(a: i32, b: i32) -> i32 {\n    "));
    assert_eq!(body["suffix"], json!("\n}\n"));
    assert_eq!(body["options"]["num_predict"], json!(32));
}

#[tokio::test]
async fn a_404_says_the_server_has_no_completions_endpoint_and_is_not_retried() {
    let body = r#"{"error":{"message":"Unknown request URL: POST /v1/completions"}}"#;
    let server = ModelServer::start(vec![status(404, None, body)]).await;
    let model = model(&server, None);
    let (deliveries, error) = collect(&model, request(), FimWire::Suffix).await;
    let error = error.expect("a 404 fails");
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert!(error.message.starts_with("this server has no completions endpoint"), "{error}");
    assert!(error.message.contains("Unknown request URL"), "{error}");
    assert!(deliveries.is_empty());
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn ollama_model_not_found_keeps_ollamas_own_advice() {
    let body = r#"{"error":"model \"qwen2.5-coder:1.5b\" not found, try pulling it first"}"#;
    let server = ModelServer::start(vec![status(404, None, body)]).await;
    let model = model(&server, None);
    let (_, error) = collect(&model, request(), FimWire::Ollama).await;
    let error = error.expect("a 404 fails");
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert_eq!(error.message, "model \"qwen2.5-coder:1.5b\" not found, try pulling it first");
}

#[tokio::test]
async fn a_429_is_retried_and_then_the_middle_arrives() {
    let limited = status(429, Some("0"), r#"{"error":{"message":"slow down"}}"#);
    let server = ModelServer::start(vec![limited, completions_sse("a + b")]).await;
    let model = model(&server, None);
    let (deliveries, error) = collect(&model, request(), FimWire::Suffix).await;
    assert_eq!(error, None);
    match &deliveries[0] {
        Delivery::Retrying { attempt, error, .. } => {
            assert_eq!((*attempt, error.kind), (1, ErrorKind::RateLimit))
        }
        other => panic!("expected a retry first, got {other:?}"),
    }
    assert_eq!(text_of(&deliveries), "a + b");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_401_is_an_authentication_error_that_never_shows_the_key() {
    let server =
        ModelServer::start(vec![status(401, None, r#"{"error":{"message":"Invalid API key"}}"#)]).await;
    let model = model(&server, Some("sk-secret-fim"));
    let (_, error) = collect(&model, request(), FimWire::Tokens(FimTemplate::Qwen)).await;
    let error = error.expect("a 401 fails");
    assert_eq!(error.kind, ErrorKind::Authentication);
    assert!(!format!("{error} {error:?} {model:?}").contains("sk-secret-fim"));
}

#[tokio::test]
async fn a_server_that_goes_silent_mid_middle_times_out() {
    let first = "{\"response\":\"a +\",\"done\":false}\n";
    let server = ModelServer::start(vec![ndjson(&[first], Ending::StallAfter(1))]).await;
    let model = model(&server, None);
    let (deliveries, error) = collect(&model, request(), FimWire::Ollama).await;
    assert_eq!(text_of(&deliveries), "a +");
    assert_eq!(error.expect("silence fails").kind, ErrorKind::Timeout);
}

#[tokio::test]
async fn the_chosen_wire_for_the_ollama_preset_reaches_api_generate() {
    let reply = ndjson(&["{\"response\":\"x\",\"done\":true,\"done_reason\":\"stop\"}\n"], Ending::Complete);
    let server = ModelServer::start(vec![reply]).await;
    // The loopback server stands in for Ollama; the wire comes from the preset's base URL.
    let wire =
        fim_wire_for(&Wire::OpenAi, "http://127.0.0.1:11434/v1", "qwen2.5-coder:1.5b").expect("a FIM model");
    let (deliveries, error) = collect(&model(&server, None), request(), wire).await;
    assert_eq!((text_of(&deliveries).as_str(), error), ("x", None));
    assert_eq!(server.received()[0].path, "/api/generate");
}
