//! Fill-in-the-middle over real HTTP on loopback: what each wire sends, what streams back, and
//! how failures are classified. The server is a few lines of HTTP/1.1 here, because the shared
//! scripted server in `tests/src` lives in a crate that depends on this one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use redline_llm::{
    fim_wire_for, ApiKey, Delivery, ErrorKind, FimRequest, FimTemplate, FimWire, HttpModel, ModelError,
    StopReason, StreamEvent, Timeouts, Usage, Wire,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
enum Reply {
    /// 200 with this content type and these body pieces, written one by one.
    Stream {
        content_type: &'static str,
        pieces: Vec<String>,
    },
    /// 200 with the first piece written, then silence with the connection open.
    Stall {
        content_type: &'static str,
        first: String,
    },
    Status {
        code: u16,
        retry_after: Option<&'static str>,
        body: String,
    },
}

#[derive(Debug, Clone)]
struct Received {
    path: String,
    authorization: Option<String>,
    body: Value,
}

/// Answers each request with the next reply (the last one repeats) and records it.
struct Server {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    async fn start(script: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, script.clone(), log.clone()));
            }
        });
        Server { base, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

async fn serve(mut socket: TcpStream, script: Arc<Mutex<Vec<Reply>>>, log: Arc<Mutex<Vec<Received>>>) {
    let Some(request) = read_request(&mut socket).await else { return };
    log.lock().expect("lock").push(request);
    let reply = {
        let mut script = script.lock().expect("lock");
        if script.len() > 1 {
            script.remove(0)
        } else {
            script[0].clone()
        }
    };
    let _ = write_reply(&mut socket, reply).await;
}

async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let path = head.split(' ').nth(1)?.to_owned();
    let header = |name: &str| {
        head.split("\r\n")
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null);
    Some(Received { path, authorization: header("authorization"), body })
}

async fn write_reply(socket: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    let ok = |content_type: &str| {
        format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n")
    };
    match reply {
        Reply::Status { code, retry_after, body } => {
            let retry = retry_after.map(|r| format!("retry-after: {r}\r\n")).unwrap_or_default();
            let head = format!(
                "HTTP/1.1 {code} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{retry}connection: close\r\n\r\n",
                body.len()
            );
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(body.as_bytes()).await
        }
        Reply::Stream { content_type, pieces } => {
            socket.write_all(ok(content_type).as_bytes()).await?;
            for piece in pieces {
                socket.write_all(piece.as_bytes()).await?;
                socket.flush().await?;
            }
            Ok(())
        }
        Reply::Stall { content_type, first } => {
            socket.write_all(ok(content_type).as_bytes()).await?;
            socket.write_all(first.as_bytes()).await?;
            socket.flush().await?;
            let mut probe = [0u8; 1];
            let _ = socket.read(&mut probe).await;
            Ok(())
        }
    }
}

/// Legacy completions SSE streaming `pieces`, then a stop with usage, then `[DONE]`.
fn completions_sse(pieces: &[&str]) -> Reply {
    let mut frames: Vec<String> = pieces
        .iter()
        .map(|p| {
            format!("data: {}\n\n", json!({"choices": [{"index": 0, "text": p, "finish_reason": null}]}))
        })
        .collect();
    frames.push(
        "data: {\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3}}\n\n".into(),
    );
    frames.push("data: [DONE]\n\n".into());
    Reply::Stream { content_type: "text/event-stream", pieces: frames }
}

fn status(code: u16, retry_after: Option<&'static str>, body: &str) -> Reply {
    Reply::Status { code, retry_after, body: body.to_owned() }
}

fn model(base: &str, key: Option<&str>) -> HttpModel {
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        first_byte: Duration::from_secs(5),
        silence: Duration::from_millis(300),
    };
    HttpModel::new(Wire::OpenAi, base, key.map(ApiKey::new), timeouts)
}

/// Everything the stream delivered until it ended, or the error that ended it.
async fn collect(
    model: &HttpModel,
    request: FimRequest,
    wire: FimWire,
) -> (Vec<Delivery>, Option<ModelError>) {
    let mut stream = model.complete_fim(request, wire);
    let mut deliveries = Vec::new();
    let drive = async {
        while let Some(item) = stream.next().await {
            match item {
                Ok(delivery) => deliveries.push(delivery),
                Err(error) => return Some(error),
            }
        }
        None
    };
    let error = tokio::time::timeout(Duration::from_secs(20), drive).await.expect("the stream ends");
    (deliveries, error)
}

fn middle(deliveries: &[Delivery]) -> String {
    deliveries
        .iter()
        .filter_map(|d| match d {
            Delivery::Event(StreamEvent::Text(t)) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn request() -> FimRequest {
    let mut request = FimRequest::new("m", "fn add(a: i32, b: i32) -> i32 {\n    ", "\n}\n");
    request.max_tokens = 32;
    request
}

#[tokio::test]
async fn suffix_wire_sends_prefix_and_suffix_in_their_fields_and_streams_the_middle() {
    let server = Server::start(vec![completions_sse(&["a +", " b"])]).await;
    let model = model(&format!("{}/v1", server.base), Some("sk-fim"));
    let (deliveries, error) = collect(&model, request(), FimWire::Suffix).await;
    assert_eq!(error, None);
    assert_eq!(middle(&deliveries), "a + b");
    assert!(deliveries.contains(&Delivery::Event(StreamEvent::Stop(StopReason::EndTurn))));
    assert!(deliveries.contains(&Delivery::Event(StreamEvent::Usage(Usage {
        input: 11,
        output: 3,
        cached: 0
    }))));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/completions");
    assert_eq!(received[0].authorization.as_deref(), Some("Bearer sk-fim"));
    assert_eq!(received[0].body["prompt"], json!("fn add(a: i32, b: i32) -> i32 {\n    "));
    assert_eq!(received[0].body["suffix"], json!("\n}\n"));
    assert_eq!(received[0].body["stream"], json!(true));
    assert_eq!(received[0].body["temperature"], json!(0));
}

#[tokio::test]
async fn tokens_wire_sends_the_filled_template_and_no_suffix_field() {
    let server = Server::start(vec![completions_sse(&["a + b"])]).await;
    let model = model(&format!("{}/v1", server.base), None);
    let wire = FimWire::Tokens(FimTemplate::StarCoder);
    let (deliveries, error) = collect(&model, request(), wire).await;
    assert_eq!((middle(&deliveries).as_str(), error), ("a + b", None));
    let body = &server.received()[0].body;
    assert_eq!(
        body["prompt"],
        json!("<fim_prefix>fn add(a: i32, b: i32) -> i32 {\n    <fim_suffix>\n}\n<fim_middle>")
    );
    assert!(body.get("suffix").is_none(), "{body}");
    assert!(server.received()[0].authorization.is_none());
}

#[tokio::test]
async fn ollama_v1_base_goes_to_api_generate_and_its_ndjson_streams() {
    let lines = [
        "{\"model\":\"qwen2.5-coder:1.5b\",\"response\":\"a +\",\"done\":false}\n",
        "{\"model\":\"qwen2.5-coder:1.5b\",\"response\":\" b\",\"done\":false}\n",
        "{\"model\":\"qwen2.5-coder:1.5b\",\"response\":\"\",\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":11,\"eval_count\":3}\n",
    ];
    let reply =
        Reply::Stream { content_type: "application/x-ndjson", pieces: lines.map(String::from).to_vec() };
    let server = Server::start(vec![reply]).await;
    // Ollama's OpenAI-compatible base, as the preset and the settings hold it.
    let model = model(&format!("{}/v1", server.base), None);
    let (deliveries, error) = collect(&model, request(), FimWire::Ollama).await;
    assert_eq!(error, None);
    assert_eq!(middle(&deliveries), "a + b");
    assert_eq!(
        deliveries[deliveries.len() - 2..],
        [
            Delivery::Event(StreamEvent::Usage(Usage { input: 11, output: 3, cached: 0 })),
            Delivery::Event(StreamEvent::Stop(StopReason::EndTurn)),
        ]
    );
    let received = server.received();
    assert_eq!(received[0].path, "/api/generate");
    assert_eq!(received[0].body["prompt"], json!("fn add(a: i32, b: i32) -> i32 {\n    "));
    assert_eq!(received[0].body["suffix"], json!("\n}\n"));
    assert_eq!(received[0].body["options"]["num_predict"], json!(32));
}

#[tokio::test]
async fn a_404_says_the_server_has_no_completions_endpoint_and_is_not_retried() {
    let body = r#"{"error":{"message":"Unknown request URL: POST /v1/completions"}}"#;
    let server = Server::start(vec![status(404, None, body)]).await;
    let model = model(&format!("{}/v1", server.base), None);
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
    let server = Server::start(vec![status(404, None, body)]).await;
    let model = model(&format!("{}/v1", server.base), None);
    let (_, error) = collect(&model, request(), FimWire::Ollama).await;
    let error = error.expect("a 404 fails");
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert_eq!(error.message, "model \"qwen2.5-coder:1.5b\" not found, try pulling it first");
}

#[tokio::test]
async fn a_429_is_retried_and_then_the_middle_arrives() {
    let limited = status(429, Some("0"), r#"{"error":{"message":"slow down"}}"#);
    let server = Server::start(vec![limited, completions_sse(&["a + b"])]).await;
    let model = model(&format!("{}/v1", server.base), None);
    let (deliveries, error) = collect(&model, request(), FimWire::Suffix).await;
    assert_eq!(error, None);
    match &deliveries[0] {
        Delivery::Retrying { attempt, error, .. } => {
            assert_eq!((*attempt, error.kind), (1, ErrorKind::RateLimit))
        }
        other => panic!("expected a retry first, got {other:?}"),
    }
    assert_eq!(middle(&deliveries), "a + b");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_401_is_an_authentication_error_that_never_shows_the_key() {
    let server = Server::start(vec![status(401, None, r#"{"error":{"message":"Invalid API key"}}"#)]).await;
    let model = model(&format!("{}/v1", server.base), Some("sk-secret-fim"));
    let (_, error) = collect(&model, request(), FimWire::Tokens(FimTemplate::Qwen)).await;
    let error = error.expect("a 401 fails");
    assert_eq!(error.kind, ErrorKind::Authentication);
    assert!(!format!("{error} {error:?} {model:?}").contains("sk-secret-fim"));
}

#[tokio::test]
async fn a_server_that_goes_silent_mid_middle_times_out() {
    let first = "{\"response\":\"a +\",\"done\":false}\n".to_owned();
    let server = Server::start(vec![Reply::Stall { content_type: "application/x-ndjson", first }]).await;
    let model = model(&format!("{}/v1", server.base), None);
    let (deliveries, error) = collect(&model, request(), FimWire::Ollama).await;
    assert_eq!(middle(&deliveries), "a +");
    assert_eq!(error.expect("silence fails").kind, ErrorKind::Timeout);
}

#[tokio::test]
async fn the_chosen_wire_for_the_ollama_preset_reaches_api_generate() {
    let reply = Reply::Stream {
        content_type: "application/x-ndjson",
        pieces: vec!["{\"response\":\"x\",\"done\":true,\"done_reason\":\"stop\"}\n".into()],
    };
    let server = Server::start(vec![reply]).await;
    // The loopback server stands in for Ollama; the wire comes from the preset's base URL.
    let wire =
        fim_wire_for(&Wire::OpenAi, "http://127.0.0.1:11434/v1", "qwen2.5-coder:1.5b").expect("a FIM model");
    let (deliveries, error) = collect(&model(&format!("{}/v1", server.base), None), request(), wire).await;
    assert_eq!((middle(&deliveries).as_str(), error), ("x", None));
    assert_eq!(server.received()[0].path, "/api/generate");
}
