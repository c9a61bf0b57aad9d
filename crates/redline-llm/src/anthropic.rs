//! Anthropic Messages streams: named events (`message_start`, `content_block_*`,
//! `message_delta`, `message_stop`, `ping`, `error`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::openai::parse_arguments;
use crate::{ErrorKind, ModelError, SseEvent, StopReason, StreamEvent, Usage, WireDecoder};

#[derive(Debug, Default)]
pub struct AnthropicStream {
    usage: Usage,
    /// `tool_use` blocks being assembled, by block index: (id, name, partial JSON).
    tools: BTreeMap<u64, (String, String, String)>,
    stopped: bool,
}

impl WireDecoder for AnthropicStream {
    fn decode(&mut self, event: &SseEvent) -> Result<Vec<StreamEvent>, ModelError> {
        let json: Value = serde_json::from_str(&event.data)
            .map_err(|e| ModelError::protocol(format!("malformed event: {e}")))?;
        let kind = event.event.as_deref().or_else(|| json.get("type").and_then(Value::as_str)).unwrap_or("");
        let index = json.get("index").and_then(Value::as_u64).unwrap_or(0);
        let mut out = Vec::new();
        match kind {
            "message_start" => {
                let usage = json.pointer("/message/usage");
                let n = |key: &str| usage.and_then(|u| u.get(key)).and_then(Value::as_u64).unwrap_or(0);
                let cached = n("cache_read_input_tokens");
                self.usage.input = n("input_tokens") + cached + n("cache_creation_input_tokens");
                self.usage.cached = cached;
                self.usage.output = n("output_tokens");
            }
            "content_block_start" => {
                let block = json.get("content_block");
                if block.and_then(|b| b.get("type")).and_then(Value::as_str) == Some("tool_use") {
                    let field = |k: &str| {
                        block.and_then(|b| b.get(k)).and_then(Value::as_str).unwrap_or_default().to_owned()
                    };
                    self.tools.insert(index, (field("id"), field("name"), String::new()));
                }
            }
            "content_block_delta" => {
                let delta = json.get("delta");
                let text = |k: &str| delta.and_then(|d| d.get(k)).and_then(Value::as_str).map(str::to_owned);
                match delta.and_then(|d| d.get("type")).and_then(Value::as_str) {
                    Some("text_delta") => out.extend(text("text").map(StreamEvent::Text)),
                    Some("thinking_delta") => out.extend(text("thinking").map(StreamEvent::Thinking)),
                    Some("input_json_delta") => {
                        if let (Some(tool), Some(part)) = (self.tools.get_mut(&index), text("partial_json")) {
                            tool.2.push_str(&part);
                        }
                    }
                    _ => {} // signature_delta and future kinds carry nothing to show
                }
            }
            "content_block_stop" => {
                if let Some((id, name, json)) = self.tools.remove(&index) {
                    let arguments = parse_arguments(&name, &json)?;
                    out.push(StreamEvent::ToolCall { id, name, arguments });
                }
            }
            "message_delta" => {
                if let Some(output) = json.pointer("/usage/output_tokens").and_then(Value::as_u64) {
                    self.usage.output = output;
                }
                out.push(StreamEvent::Usage(self.usage));
                if let Some(reason) = json.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    out.push(StreamEvent::Stop(stop_reason(reason)));
                }
            }
            "message_stop" => self.stopped = true,
            "error" => return Err(stream_error(&json)),
            _ => {} // ping, and event types added later
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        if self.stopped {
            Ok(Vec::new())
        } else {
            Err(ModelError::new(ErrorKind::Network, "the connection closed before the reply was complete"))
        }
    }
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "end_turn" => StopReason::EndTurn,
        "max_tokens" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence,
        "tool_use" => StopReason::ToolUse,
        other => StopReason::Other(other.to_owned()),
    }
}

/// An `error` event mid-stream, e.g. `overloaded_error`.
fn stream_error(json: &Value) -> ModelError {
    let kind_name = json.pointer("/error/type").and_then(Value::as_str).unwrap_or("");
    let message =
        json.pointer("/error/message").and_then(Value::as_str).unwrap_or("the provider reported an error");
    let kind = match kind_name {
        "overloaded_error" | "api_error" => ErrorKind::Overloaded,
        "rate_limit_error" => ErrorKind::RateLimit,
        "authentication_error" | "permission_error" => ErrorKind::Authentication,
        _ => ErrorKind::BadRequest,
    };
    ModelError::new(kind, message)
}
