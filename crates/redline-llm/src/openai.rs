//! OpenAI-compatible Chat Completions streams (OpenAI, Ollama, llama.cpp, LM Studio, vLLM,
//! OpenRouter, DeepSeek, Groq): `data: {chunk}` events ending with `data: [DONE]`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{ErrorKind, ModelError, SseEvent, StopReason, StreamEvent, Usage, WireDecoder};

#[derive(Debug, Default)]
pub struct OpenAiStream {
    /// Tool calls being assembled, by their `index` in the delta.
    calls: BTreeMap<u64, PartialCall>,
    stop: Option<StopReason>,
    /// A finish_reason was seen.
    stopped: bool,
    done: bool,
}

#[derive(Debug, Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

impl WireDecoder for OpenAiStream {
    fn decode(&mut self, event: &SseEvent) -> Result<Vec<StreamEvent>, ModelError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            self.done = true;
            return self.flush();
        }
        let chunk: Value =
            serde_json::from_str(data).map_err(|e| ModelError::protocol(format!("malformed chunk: {e}")))?;
        if let Some(error) = chunk.get("error") {
            let message =
                error.get("message").and_then(Value::as_str).unwrap_or("the provider reported an error");
            return Err(ModelError::new(ErrorKind::Overloaded, message));
        }
        let mut out = Vec::new();
        for choice in chunk.get("choices").and_then(Value::as_array).into_iter().flatten() {
            if let Some(delta) = choice.get("delta") {
                self.delta(delta, &mut out)?;
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                // The tool calls are complete now; usage may still follow before [DONE].
                self.stop = Some(stop_reason(reason));
                out.extend(self.flush()?);
            }
        }
        if let Some(usage) = chunk.get("usage").filter(|u| !u.is_null()) {
            out.push(StreamEvent::Usage(usage_of(usage)));
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        if self.done {
            return Ok(Vec::new());
        }
        if self.stopped {
            // Some servers (older llama.cpp) end after finish_reason without [DONE].
            return Ok(Vec::new());
        }
        Err(ModelError::new(ErrorKind::Network, "the connection closed before the reply was complete"))
    }
}

impl OpenAiStream {
    fn delta(&mut self, delta: &Value, out: &mut Vec<StreamEvent>) -> Result<(), ModelError> {
        // DeepSeek and vLLM send `reasoning_content`, OpenRouter and Ollama `reasoning`.
        for key in ["reasoning_content", "reasoning"] {
            if let Some(text) = delta.get(key).and_then(Value::as_str).filter(|t| !t.is_empty()) {
                out.push(StreamEvent::Thinking(text.to_owned()));
            }
        }
        if let Some(text) = delta.get("content").and_then(Value::as_str).filter(|t| !t.is_empty()) {
            out.push(StreamEvent::Text(text.to_owned()));
        }
        for call in delta.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
            let index = call.get("index").and_then(Value::as_u64).unwrap_or(self.calls.len() as u64);
            let partial = self.calls.entry(index).or_default();
            if let Some(id) = call.get("id").and_then(Value::as_str) {
                partial.id = id.to_owned();
            }
            let function = call.get("function");
            if let Some(name) = function.and_then(|f| f.get("name")).and_then(Value::as_str) {
                partial.name.push_str(name);
            }
            if let Some(args) = function.and_then(|f| f.get("arguments")).and_then(Value::as_str) {
                partial.arguments.push_str(args);
            }
        }
        Ok(())
    }

    /// Completed tool calls, then the stop reason.
    fn flush(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        let mut out = Vec::new();
        for (index, call) in std::mem::take(&mut self.calls) {
            let arguments = parse_arguments(&call.name, &call.arguments)?;
            let id = if call.id.is_empty() { format!("call_{index}") } else { call.id };
            out.push(StreamEvent::ToolCall { id, name: call.name, arguments });
        }
        if let Some(stop) = self.stop.take() {
            self.stopped = true;
            out.push(StreamEvent::Stop(stop));
        }
        Ok(out)
    }
}

pub(crate) fn parse_arguments(name: &str, raw: &str) -> Result<Value, ModelError> {
    if raw.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(raw).map_err(|e| {
        ModelError::protocol(format!("the arguments of tool call `{name}` are not valid JSON: {e}"))
    })
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "stop" => StopReason::EndTurn,
        "length" => StopReason::MaxTokens,
        "tool_calls" | "function_call" => StopReason::ToolUse,
        other => StopReason::Other(other.to_owned()),
    }
}

fn usage_of(usage: &Value) -> Usage {
    let n = |v: Option<&Value>| v.and_then(Value::as_u64).unwrap_or(0);
    Usage {
        input: n(usage.get("prompt_tokens")),
        output: n(usage.get("completion_tokens")),
        cached: n(usage.pointer("/prompt_tokens_details/cached_tokens")),
    }
}
