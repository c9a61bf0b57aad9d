//! Redirects against real listeners on loopback: one server plays the provider and redirects,
//! another plays the host it points to and records whatever reaches it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::{list_models, ApiKey, Delivery, HttpModel, Message, Request, StreamEvent, Timeouts, Wire};

const KEY: &str = "sk-test-secret-4242";

/// A request as a listener saw it: the path and every header line, lower-cased names.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: Vec<(String, String)>,
}

/// A listener on 127.0.0.1 answering every request through `respond(path)`.
struct Listener {
    /// `http://127.0.0.1:PORT`
    url: String,
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Listener {
    async fn start(respond: fn(&str, u16) -> String, other_port: u16) -> Listener {
        let socket = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let port = socket.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = socket.accept().await {
                tokio::spawn(serve(stream, record.clone(), respond, other_port));
            }
        });
        Listener { url: format!("http://127.0.0.1:{port}"), port, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    respond: fn(&str, u16) -> String,
    other: u16,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = stream.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next().and_then(|l| l.split(' ').nth(1)).unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    seen.lock().expect("lock").push(Seen { path: path.clone(), headers });
    let _ = stream.write_all(respond(&path, other).as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The second host: it answers like a provider, so a followed redirect would succeed.
fn answers_like_a_provider(_: &str, _: u16) -> String {
    let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"moved\"}}]}\n\n\
                data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The provider: every request is sent on, with a 307 that keeps the method and body, to the
/// same path on `127.0.0.1:<other>`.
fn redirects_to_other_port(path: &str, other: u16) -> String {
    redirect_to(&format!("http://127.0.0.1:{other}{path}"))
}

/// Like [`redirects_to_other_port`], to the host name `localhost` instead.
fn redirects_to_localhost(path: &str, other: u16) -> String {
    redirect_to(&format!("http://localhost:{other}{path}"))
}

fn redirect_to(location: &str) -> String {
    format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
}

/// Two listeners: the provider at `first`, redirecting with `redirect`, and a second host.
async fn provider_redirecting(redirect: fn(&str, u16) -> String) -> (Listener, Listener) {
    let second = Listener::start(answers_like_a_provider, 0).await;
    let first = Listener::start(redirect, second.port).await;
    (first, second)
}

/// Streams one question to `wire` at `base_url` with the test key; the error it ended with.
async fn stream_error(wire: Wire, base_url: &str) -> ModelError {
    let timeouts = Timeouts { connect: Duration::from_secs(5), ..Timeouts::default() };
    let model = HttpModel::new(wire, base_url, Some(ApiKey::new(KEY)), timeouts);
    first_error(model.stream(Request::new("m", vec![Message::user("hi")]))).await
}

/// The stream's first delivery, which must be the refusal: not a retry, not an answer.
async fn first_error(mut stream: crate::EventStream) -> ModelError {
    match stream.next().await {
        Some(Err(error)) => error,
        Some(Ok(Delivery::Retrying { error, .. })) => panic!("a refused redirect was retried: {error:?}"),
        Some(Ok(Delivery::Event(event))) => panic!("the redirect was followed and answered: {event:?}"),
        None => panic!("the stream ended without the refusal"),
    }
}

/// Nothing reached the second host, and the refusal names where the call went and where it was
/// sent.
fn assert_refused(error: &ModelError, first: &Listener, second_origin: &str, second: &Listener) {
    let leaked: Vec<Vec<(String, String)>> = second.seen().iter().map(|s| key_headers(&s.headers)).collect();
    assert!(leaked.is_empty(), "the redirect was followed to the second host, carrying {leaked:?}");
    assert!(error.message.contains(&first.url), "the error does not name the server: {}", error.message);
    assert!(error.message.contains(second_origin), "the error does not name the target: {}", error.message);
    assert!(!error.message.contains(KEY), "the error shows the key");
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert_eq!(first.seen().len(), 1, "the provider was asked once, not retried");
}

/// The headers that carry a key.
fn key_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    let keys = ["authorization", "x-api-key", "x-goog-api-key"];
    headers.iter().filter(|(name, _)| keys.contains(&name.as_str())).cloned().collect()
}

#[tokio::test]
async fn anthropic_x_api_key_does_not_follow_a_redirect_to_another_port() {
    let (first, second) = provider_redirecting(redirects_to_other_port).await;
    assert_eq!(first.seen().len(), 0);
    let error = stream_error(Wire::Anthropic, &first.url).await;
    assert_eq!(
        first.seen()[0].headers.iter().find(|(n, _)| n == "x-api-key").map(|(_, v)| v.as_str()),
        Some(KEY)
    );
    assert_refused(&error, &first, &second.url, &second);
}

#[tokio::test]
async fn gemini_x_goog_api_key_does_not_follow_a_redirect_to_another_host() {
    let (first, second) = provider_redirecting(redirects_to_localhost).await;
    let error = stream_error(Wire::Gemini, &first.url).await;
    assert_refused(&error, &first, &format!("http://localhost:{}", second.port), &second);
}

#[tokio::test]
async fn bearer_authorization_does_not_follow_a_redirect_to_another_host() {
    let (first, second) = provider_redirecting(redirects_to_localhost).await;
    let error = stream_error(Wire::OpenAi, &first.url).await;
    assert_refused(&error, &first, &format!("http://localhost:{}", second.port), &second);
}

#[tokio::test]
async fn fill_in_the_middle_does_not_follow_a_redirect_to_another_port() {
    let (first, second) = provider_redirecting(redirects_to_other_port).await;
    let model = HttpModel::new(Wire::OpenAi, &first.url, Some(ApiKey::new(KEY)), Timeouts::default());
    let request = crate::FimRequest::new("m", "fn main() {", "}");
    let error = first_error(model.complete_fim(request, crate::FimWire::Suffix)).await;
    assert_refused(&error, &first, &second.url, &second);
}

#[tokio::test]
async fn model_lists_do_not_follow_a_redirect_to_another_port() {
    for wire in [Wire::OpenAi, Wire::Anthropic, Wire::Gemini] {
        let (first, second) = provider_redirecting(redirects_to_other_port).await;
        let listed = list_models(wire, &first.url, Some(&ApiKey::new(KEY)), Duration::from_secs(5)).await;
        let error = listed.expect_err("a redirected model list was read");
        assert_refused(&error, &first, &second.url, &second);
    }
}

/// The server moved its API within itself: followed, with the key, and answered.
fn redirects_within_itself(path: &str, _: u16) -> String {
    match path.strip_prefix("/old") {
        Some(rest) => redirect_to(&format!("/new{rest}")),
        None => answers_like_a_provider(path, 0),
    }
}

#[tokio::test]
async fn a_redirect_within_the_same_server_is_followed() {
    let server = Listener::start(redirects_within_itself, 0).await;
    let model = HttpModel::new(
        Wire::OpenAi,
        format!("{}/old", server.url),
        Some(ApiKey::new(KEY)),
        Timeouts::default(),
    );
    let mut stream = model.stream(Request::new("m", vec![Message::user("hi")]));
    let mut text = String::new();
    while let Some(delivery) = stream.next().await {
        if let Delivery::Event(StreamEvent::Text(t)) = delivery.expect("the same-origin redirect failed") {
            text.push_str(&t);
        }
    }
    assert_eq!(text, "moved");
    let paths: Vec<_> = server.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(paths, ["/old/chat/completions", "/new/chat/completions"]);
}

#[test]
fn origins_differ_by_scheme_host_or_port() {
    let url = |s: &str| Url::parse(s).expect("url");
    assert!(same_origin(&url("https://api.example.com/v1"), &url("https://api.example.com:443/v2?x=1")));
    assert!(!same_origin(&url("http://api.example.com/v1"), &url("https://api.example.com/v1")));
    assert!(!same_origin(&url("https://api.example.com/v1"), &url("https://api.example.com:8443/v1")));
    assert!(!same_origin(&url("https://api.example.com/v1"), &url("https://evil.example/v1")));
    assert!(!same_origin(&url("http://127.0.0.1:80/"), &url("http://localhost:80/")));
}

#[test]
fn plain_http_is_warned_about_only_off_this_machine() {
    for local in [
        "http://127.0.0.1:11434/v1",
        "http://127.8.9.10:8080",
        "http://localhost:1234/v1",
        "http://LOCALHOST/v1",
        "http://[::1]:8000/v1",
        "https://api.openai.com/v1",
        "https://10.0.0.5/v1",
    ] {
        assert_eq!(plain_http_warning(local), None, "{local}");
    }
    for remote in
        ["http://10.0.0.5:11434/v1", "http://gpu-box.lan/v1", "http://[2001:db8::1]/v1", "http://0.0.0.0/"]
    {
        let warning = plain_http_warning(remote).unwrap_or_else(|| panic!("no warning for {remote}"));
        assert!(warning.contains("not encrypted") && warning.contains("https://"), "{warning}");
    }
    let named = plain_http_warning("http://gpu-box.lan:8080/v1?key=abc").unwrap_or_default();
    assert!(named.starts_with("http://gpu-box.lan:8080 ") && !named.contains("key=abc"), "{named}");
}
