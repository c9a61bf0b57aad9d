//! Recorded wire transcripts of each provider, decoded whole and split at every byte boundary.

use serde_json::json;

use crate::*;

const OPENAI: &str = concat!(
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Héllo\"},\"finish_reason\":null}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_abc\",\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"path\\\": \\\"src/\"}}]},\"finish_reason\":null}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"main.rs\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":64}}}\n\n",
    "data: [DONE]\n\n",
);

const ANTHROPIC: &str = concat!(
    "event: message_start\r\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":25,\"cache_read_input_tokens\":100,\"output_tokens\":1}}}\r\n\r\n",
    "event: content_block_start\r\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\r\n\r\n",
    "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Look at main.\"}}\r\n\r\n",
    "event: content_block_stop\r\ndata: {\"type\":\"content_block_stop\",\"index\":0}\r\n\r\n",
    "event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n",
    "event: content_block_start\r\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\r\n\r\n",
    "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Reading it ✓\"}}\r\n\r\n",
    "event: content_block_stop\r\ndata: {\"type\":\"content_block_stop\",\"index\":1}\r\n\r\n",
    "event: content_block_start\r\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"read_file\",\"input\":{}}}\r\n\r\n",
    "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"path\\\": \\\"src/m\"}}\r\n\r\n",
    "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"ain.rs\\\"}\"}}\r\n\r\n",
    "event: content_block_stop\r\ndata: {\"type\":\"content_block_stop\",\"index\":2}\r\n\r\n",
    "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":40}}\r\n\r\n",
    "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n",
);

const GEMINI: &str = concat!(
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": 1},\"modelVersion\": \"gemini-2.5-flash\"}\r\n\r\n",
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\"}, {\"functionCall\": {\"name\": \"read_file\", \"args\": {\"path\": \"src/main.rs\"}}}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": 12,\"cachedContentTokenCount\": 4}}\r\n\r\n",
);

/// Decodes `wire` delivered as the given chunks.
fn decode<D: WireDecoder>(decoder: D, chunks: &[&[u8]]) -> Result<Vec<StreamEvent>, ModelError> {
    let mut parser = StreamParser::new(decoder);
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(parser.push(chunk)?);
    }
    out.extend(parser.finish()?);
    Ok(out)
}

/// The events must not depend on where the network split the bytes — even inside a UTF-8
/// character or between CR and LF.
fn assert_split_invariant<D: WireDecoder + Default>(wire: &str) -> Vec<StreamEvent> {
    let bytes = wire.as_bytes();
    let whole = decode(D::default(), &[bytes]).expect("whole transcript decodes");
    for i in 1..bytes.len() {
        let split = decode(D::default(), &[&bytes[..i], &bytes[i..]]).expect("split transcript decodes");
        assert_eq!(split, whole, "split at byte {i}");
    }
    let one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(decode(D::default(), &one_by_one).expect("byte by byte"), whole);
    whole
}

fn read_main() -> StreamEvent {
    StreamEvent::ToolCall {
        id: String::new(),
        name: "read_file".into(),
        arguments: json!({"path": "src/main.rs"}),
    }
}

fn with_id(event: StreamEvent, id: &str) -> StreamEvent {
    match event {
        StreamEvent::ToolCall { name, arguments, .. } => {
            StreamEvent::ToolCall { id: id.into(), name, arguments }
        }
        other => other,
    }
}

#[test]
fn openai_stream_assembles_text_tool_call_usage_and_stop_at_any_split() {
    let events = assert_split_invariant::<OpenAiStream>(OPENAI);
    assert_eq!(
        events,
        vec![
            StreamEvent::Text("Héllo".into()),
            with_id(read_main(), "call_abc"),
            StreamEvent::Stop(StopReason::ToolUse),
            StreamEvent::Usage(Usage { input: 120, output: 17, cached: 64 }),
        ]
    );
}

#[test]
fn anthropic_stream_assembles_thinking_text_tool_use_and_usage_at_any_split() {
    let events = assert_split_invariant::<AnthropicStream>(ANTHROPIC);
    assert_eq!(
        events,
        vec![
            StreamEvent::Thinking("Look at main.".into()),
            StreamEvent::Text("Reading it ✓".into()),
            with_id(read_main(), "toolu_1"),
            StreamEvent::Usage(Usage { input: 125, output: 40, cached: 100 }),
            StreamEvent::Stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn gemini_stream_decodes_text_function_call_and_final_usage_at_any_split() {
    let events = assert_split_invariant::<GeminiStream>(GEMINI);
    assert_eq!(
        events,
        vec![
            StreamEvent::Text("Hel".into()),
            StreamEvent::Text("lo".into()),
            with_id(read_main(), "call_1"),
            StreamEvent::Usage(Usage { input: 9, output: 12, cached: 4 }),
            StreamEvent::Stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn stream_cut_off_before_the_end_is_a_network_error() {
    let cut = &OPENAI
        [..OPENAI.find("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},").expect("marker")];
    let err = decode(OpenAiStream::default(), &[cut.as_bytes()]).expect_err("incomplete");
    assert_eq!(err.kind, ErrorKind::Network);
    let cut = &ANTHROPIC[..ANTHROPIC.find("event: message_stop").expect("marker")];
    assert_eq!(
        decode(AnthropicStream::default(), &[cut.as_bytes()]).expect_err("incomplete").kind,
        ErrorKind::Network
    );
    let cut = &GEMINI[..GEMINI.find("\r\n\r\n").expect("first event")];
    assert_eq!(
        decode(GeminiStream::default(), &[cut.as_bytes()]).expect_err("incomplete").kind,
        ErrorKind::Network
    );
}

#[test]
fn malformed_frame_is_a_protocol_error_not_a_panic() {
    let wire = b"data: {\"choices\": [{\"delta\": {\"content\": \"a\"}\n\n";
    assert_eq!(decode(OpenAiStream::default(), &[wire]).expect_err("malformed").kind, ErrorKind::Protocol);
    let bad_args = concat!(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}}]}\n\n",
        "data: [DONE]\n\n"
    );
    let err = decode(OpenAiStream::default(), &[bad_args.as_bytes()]).expect_err("bad arguments");
    assert!(err.message.contains("`f`"), "{err}");
}

#[test]
fn anthropic_overloaded_error_event_mid_stream_is_classified() {
    let wire = concat!(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n",
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    );
    let err = decode(AnthropicStream::default(), &[wire.as_bytes()]).expect_err("error event");
    assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Overloaded, "Overloaded"));
    assert!(err.retry_delay(1).is_some());
}

#[test]
fn openai_parallel_tool_calls_keep_their_order() {
    let wire = concat!(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}},{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: [DONE]\n\n",
    );
    let events = decode(OpenAiStream::default(), &[wire.as_bytes()]).expect("decodes");
    let ids: Vec<_> = events
        .iter()
        .filter_map(|e| if let StreamEvent::ToolCall { id, .. } = e { Some(id.as_str()) } else { None })
        .collect();
    assert_eq!(ids, ["a", "b"]);
}
