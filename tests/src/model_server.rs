//! A scripted model server on loopback for tests: it speaks plain HTTP/1.1, records every
//! request, and answers each one with the next scripted reply — SSE frames at a given pace,
//! an error status, a disconnect mid-stream, or a stall.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a scripted reply ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// All frames sent, connection closed.
    Complete,
    /// Connection dropped after this many frames.
    DisconnectAfter(usize),
    /// This many frames sent, then nothing, with the connection kept open.
    StallAfter(usize),
}

#[derive(Debug, Clone)]
pub enum Reply {
    /// A 200 whose frames are written as-is under an SSE content type, so any line format
    /// streams (Ollama's NDJSON lines, say) for clients that do not check the content type.
    Sse {
        frames: Vec<String>,
        pace: Duration,
        ending: Ending,
    },
    Status {
        code: u16,
        retry_after: Option<String>,
        body: String,
    },
}

impl Reply {
    /// Frames sent at once, completely.
    pub fn sse(frames: &[&str]) -> Reply {
        Reply::Sse {
            frames: frames.iter().map(|f| f.to_string()).collect(),
            pace: Duration::ZERO,
            ending: Ending::Complete,
        }
    }

    pub fn status(code: u16, body: &str) -> Reply {
        Reply::Status { code, retry_after: None, body: body.to_owned() }
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    script: Vec<Reply>,
    /// The answer to every `GET …/models`, kept apart from the script: the app may list models
    /// on its own (after a key changes, say) at a moment no test can predict.
    models: Option<String>,
    received: Vec<Received>,
    /// Connections whose client went away while a reply was being written.
    closed_by_client: usize,
}

/// A running server; it stops with the test's runtime.
#[derive(Clone)]
pub struct ModelServer {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

impl ModelServer {
    /// Starts on 127.0.0.1 with replies served in order (the last one repeats).
    pub async fn start(script: Vec<Reply>) -> ModelServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Arc::new(Mutex::new(Shared { script, ..Shared::default() }));
        let state = shared.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, state.clone()));
            }
        });
        ModelServer { url, shared }
    }

    /// Answers every `GET …/models` with `body`, whenever it comes, outside the script.
    pub fn with_model_list(self, body: &str) -> ModelServer {
        self.shared.lock().expect("lock").models = Some(body.to_owned());
        self
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().expect("lock").received.clone()
    }

    pub fn closed_by_client(&self) -> usize {
        self.shared.lock().expect("lock").closed_by_client
    }
}

async fn serve(mut socket: TcpStream, shared: Arc<Mutex<Shared>>) {
    let Some(request) = read_request(&mut socket).await else { return };
    let reply = {
        let mut shared = shared.lock().expect("lock");
        let listing = request.method == "GET" && request.path.ends_with("/models");
        shared.received.push(request);
        if let (true, Some(models)) = (listing, &shared.models) {
            Reply::status(200, models)
        } else if shared.script.len() > 1 {
            shared.script.remove(0)
        } else {
            shared.script[0].clone()
        }
    };
    if write_reply(&mut socket, reply).await.is_err() {
        shared.lock().expect("lock").closed_by_client += 1;
    }
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
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    Some(Received { method, path, headers, body })
}

async fn write_reply(socket: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
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
        Reply::Sse { frames, pace, ending } => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";
            socket.write_all(head.as_bytes()).await?;
            let limit = match ending {
                Ending::Complete => frames.len(),
                Ending::DisconnectAfter(n) | Ending::StallAfter(n) => n.min(frames.len()),
            };
            for frame in &frames[..limit] {
                if !pace.is_zero() {
                    tokio::time::sleep(pace).await;
                }
                socket.write_all(frame.as_bytes()).await?;
                socket.flush().await?;
            }
            if let Ending::StallAfter(_) = ending {
                // Keep the connection open and silent; notice when the client gives up.
                let mut probe = [0u8; 1];
                let _ = socket.read(&mut probe).await;
                return Err(std::io::Error::other("client closed a stalled stream"));
            }
            Ok(())
        }
    }
}

/// OpenAI Chat Completions frames streaming `text` in pieces of `chunk` characters, then a stop,
/// a usage chunk when `usage` gives `(prompt, completion)` tokens, and `[DONE]`.
pub fn openai_text_frames(text: &str, chunk: usize, usage: Option<(u64, u64)>) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut frames: Vec<String> = chars
        .chunks(chunk.max(1))
        .map(|piece| {
            let piece: String = piece.iter().collect();
            format!("data: {}\n\n", serde_json::json!({"choices":[{"index":0,"delta":{"content":piece}}]}))
        })
        .collect();
    frames.push("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n".into());
    if let Some((prompt, completion)) = usage {
        let usage =
            serde_json::json!({"choices":[],"usage":{"prompt_tokens":prompt,"completion_tokens":completion}});
        frames.push(format!("data: {usage}\n\n"));
    }
    frames.push("data: [DONE]\n\n".into());
    frames
}

/// OpenAI Chat Completions frames of a reply that calls tools: `text` first when given, then
/// each call streamed as tool_calls deltas (its id and name, then its JSON arguments in two
/// pieces), `finish_reason: "tool_calls"`, a usage chunk and `[DONE]`.
pub fn openai_tool_call_frames(calls: &[(&str, &str, serde_json::Value)], text: Option<&str>) -> Vec<String> {
    let frame = |chunk: serde_json::Value| format!("data: {chunk}\n\n");
    let mut frames = Vec::new();
    if let Some(text) = text {
        frames.push(frame(serde_json::json!({
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}]
        })));
    }
    for (index, (id, name, args)) in calls.iter().enumerate() {
        let args = args.to_string();
        let mut cut = args.len() / 2;
        while !args.is_char_boundary(cut) {
            cut -= 1;
        }
        let (first, second) = args.split_at(cut);
        frames.push(frame(serde_json::json!({"choices": [{"index": 0, "delta": {"tool_calls": [{
            "index": index, "id": id, "type": "function", "function": {"name": name, "arguments": first}
        }]}}]})));
        frames.push(frame(serde_json::json!({"choices": [{"index": 0, "delta": {"tool_calls": [{
            "index": index, "function": {"arguments": second}
        }]}}]})));
    }
    frames.push(frame(
        serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
    ));
    frames.push(frame(
        serde_json::json!({"choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 20}}),
    ));
    frames.push("data: [DONE]\n\n".into());
    frames
}

/// OpenAI legacy completions (`/v1/completions`) frames streaming `text` in pieces of `chunk`
/// characters, as fill-in-the-middle servers answer: `choices[].text`, a stop (carrying usage
/// when `usage` gives `(prompt, completion)` tokens) and `[DONE]`.
pub fn openai_completion_frames(text: &str, chunk: usize, usage: Option<(u64, u64)>) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut frames: Vec<String> = chars
        .chunks(chunk.max(1))
        .map(|piece| {
            let piece: String = piece.iter().collect();
            format!(
                "data: {}\n\n",
                serde_json::json!({"choices":[{"index":0,"text":piece,"finish_reason":null}]})
            )
        })
        .collect();
    let mut stop = serde_json::json!({"choices":[{"index":0,"text":"","finish_reason":"stop"}]});
    if let Some((prompt, completion)) = usage {
        stop["usage"] = serde_json::json!({"prompt_tokens":prompt,"completion_tokens":completion});
    }
    frames.push(format!("data: {stop}\n\n"));
    frames.push("data: [DONE]\n\n".into());
    frames
}
