//! Real HTTP streams on loopback against the scripted model server, for each wire format:
//! what arrives, what is retried, what is classified, what cancelling does.

use std::time::{Duration, Instant};

use redline_llm::{
    ApiKey, Delivery, ErrorKind, EventStream, HttpModel, Message, ModelError, Request, StopReason,
    StreamEvent, Timeouts, Wire,
};
use redline_tests::model_server::{Ending, ModelServer, Reply};

const KEY: &str = "sk-test-0123456789abcdef";

fn openai_frames() -> Vec<&'static str> {
    vec![
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\", world\"}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}\n\n",
        "data: [DONE]\n\n",
    ]
}

fn model(wire: Wire, server: &ModelServer) -> HttpModel {
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        first_byte: Duration::from_secs(5),
        silence: Duration::from_millis(400),
    };
    let base = match wire {
        Wire::OpenAi => format!("{}/v1", server.url),
        _ => server.url.clone(),
    };
    HttpModel::new(wire, base, Some(ApiKey::new(KEY)), timeouts)
}

fn request() -> Request {
    Request::new("test-model", vec![Message::user("Say hello")])
}

async fn collect(model: &HttpModel) -> (Vec<Delivery>, Option<ModelError>) {
    drain(model.stream(request())).await
}

/// Everything `stream` delivered, and the error that ended it, if any.
pub(crate) async fn drain(mut stream: EventStream) -> (Vec<Delivery>, Option<ModelError>) {
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(delivery) => out.push(delivery),
            Err(error) => return (out, Some(error)),
        }
    }
    (out, None)
}

/// The text pieces delivered, joined.
pub(crate) fn text_of(deliveries: &[Delivery]) -> String {
    deliveries
        .iter()
        .filter_map(|d| match d {
            Delivery::Event(StreamEvent::Text(t)) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn models_openai_stream_over_http_sends_bearer_key_and_body() {
    let server = ModelServer::start(vec![Reply::sse(&openai_frames())]).await;
    let (deliveries, error) = collect(&model(Wire::OpenAi, &server)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text_of(&deliveries), "Hello, world");
    assert!(deliveries.contains(&Delivery::Event(StreamEvent::Stop(StopReason::EndTurn))));
    let received = &server.received()[0];
    assert_eq!((received.method.as_str(), received.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(received.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert!(received.body.contains("\"stream\":true") && received.body.contains("Say hello"));
}

#[tokio::test]
async fn models_anthropic_and_gemini_use_their_paths_and_key_headers() {
    let anthropic = ModelServer::start(vec![Reply::sse(&[
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":4}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ])])
    .await;
    let (deliveries, error) = collect(&model(Wire::Anthropic, &anthropic)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text_of(&deliveries), "Hi");
    let received = &anthropic.received()[0];
    assert_eq!(received.path, "/v1/messages");
    assert_eq!(received.header("x-api-key"), Some(KEY));
    assert_eq!(received.header("anthropic-version"), Some("2023-06-01"));

    let gemini = ModelServer::start(vec![Reply::sse(&[
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Yo\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}]}\n\n",
    ])])
    .await;
    let (deliveries, error) = collect(&model(Wire::Gemini, &gemini)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text_of(&deliveries), "Yo");
    let received = &gemini.received()[0];
    assert_eq!(received.path, "/models/test-model:streamGenerateContent?alt=sse");
    assert_eq!(received.header("x-goog-api-key"), Some(KEY));
}

#[tokio::test]
async fn models_rate_limit_is_retried_after_the_delay_the_server_asked_for() {
    let limited = Reply::Status {
        code: 429,
        retry_after: Some("0.05".into()),
        body: "{\"error\":{\"message\":\"Rate limit reached\"}}".into(),
    };
    let server = ModelServer::start(vec![limited, Reply::sse(&openai_frames())]).await;
    let (deliveries, error) = collect(&model(Wire::OpenAi, &server)).await;
    assert!(error.is_none(), "{error:?}");
    match &deliveries[0] {
        Delivery::Retrying { attempt: 1, delay, error } => {
            assert_eq!(*delay, Duration::from_millis(50));
            assert_eq!((error.kind, error.message.as_str()), (ErrorKind::RateLimit, "Rate limit reached"));
        }
        other => panic!("expected a retry notice first, got {other:?}"),
    }
    assert_eq!(text_of(&deliveries), "Hello, world");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn models_bad_key_is_not_retried_and_the_error_never_contains_the_key() {
    let server = ModelServer::start(vec![Reply::status(
        401,
        "{\"error\":{\"message\":\"Incorrect API key provided\"}}",
    )])
    .await;
    let (deliveries, error) = collect(&model(Wire::OpenAi, &server)).await;
    let error = error.expect("fails");
    assert_eq!(error.kind, ErrorKind::Authentication);
    assert!(deliveries.is_empty());
    assert_eq!(server.received().len(), 1, "authentication errors are not retried");
    assert!(!format!("{error} {error:?}").contains(KEY));
    assert!(!format!("{:?}", model(Wire::OpenAi, &server)).contains(KEY), "the key never prints");
}

#[tokio::test]
async fn models_disconnect_mid_stream_is_a_network_error_after_the_text_so_far() {
    let frames: Vec<String> = openai_frames().iter().map(|f| f.to_string()).collect();
    let reply = Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::DisconnectAfter(2) };
    let server = ModelServer::start(vec![reply]).await;
    let (deliveries, error) = collect(&model(Wire::OpenAi, &server)).await;
    assert_eq!(text_of(&deliveries), "Hello, world");
    assert_eq!(error.expect("cut off").kind, ErrorKind::Network);
}

#[tokio::test]
async fn models_silent_server_times_out() {
    let frames: Vec<String> = openai_frames().iter().map(|f| f.to_string()).collect();
    let reply = Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::StallAfter(1) };
    let server = ModelServer::start(vec![reply]).await;
    let (deliveries, error) = collect(&model(Wire::OpenAi, &server)).await;
    assert_eq!(text_of(&deliveries), "Hello");
    assert_eq!(error.expect("stalls").kind, ErrorKind::Timeout);
}

#[tokio::test]
async fn models_dropping_the_stream_cancels_the_request_at_once() {
    let frames: Vec<String> = (0..200)
        .map(|i| format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{i} \"}}}}]}}\n\n"))
        .collect();
    let reply = Reply::Sse { frames, pace: Duration::from_millis(10), ending: Ending::Complete };
    let server = ModelServer::start(vec![reply]).await;
    let model = model(Wire::OpenAi, &server);
    let mut stream = model.stream(request());
    assert!(matches!(stream.next().await, Some(Ok(Delivery::Event(StreamEvent::Text(_))))));
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.closed_by_client() == 0 {
        assert!(Instant::now() < deadline, "the server kept streaming to a cancelled request");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn models_unreachable_server_is_a_network_error_retried_then_reported() {
    // A port nobody listens on: connection refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let timeouts = Timeouts { connect: Duration::from_millis(200), ..Timeouts::default() };
    let model = HttpModel::new(Wire::OpenAi, format!("http://127.0.0.1:{port}/v1"), None, timeouts);
    let mut stream = model.stream(request());
    match stream.next().await {
        Some(Ok(Delivery::Retrying { error, .. })) => assert_eq!(error.kind, ErrorKind::Network),
        other => panic!("expected a retry notice, got {other:?}"),
    }
}

#[tokio::test]
async fn models_list_comes_from_the_server_and_errors_are_classified() {
    let list = "{\"object\":\"list\",\"data\":[{\"id\":\"qwen2.5-coder:7b\"},{\"id\":\"llama3.2:3b\"}]}";
    let server =
        ModelServer::start(vec![Reply::status(200, list), Reply::status(401, "{\"error\":\"bad key\"}")])
            .await;
    let base = format!("{}/v1", server.url);
    let key = ApiKey::new(KEY);
    let models = redline_llm::list_models(Wire::OpenAi, &base, Some(&key), Duration::from_secs(2)).await;
    assert_eq!(models.expect("listed"), ["llama3.2:3b", "qwen2.5-coder:7b"]);
    assert_eq!(server.received()[0].path, "/v1/models");
    let err = redline_llm::list_models(Wire::OpenAi, &base, Some(&key), Duration::from_secs(2)).await;
    assert_eq!(err.expect_err("401").kind, ErrorKind::Authentication);
}
