//! Gemini `streamGenerateContent?alt=sse`: each event is a whole `GenerateContentResponse`.

use serde_json::Value;

use crate::{ErrorKind, ModelError, SseEvent, StopReason, StreamEvent, Usage, WireDecoder};

#[derive(Debug, Default)]
pub struct GeminiStream {
    /// Usage metadata arrives on several chunks, cumulatively: the last one counts.
    usage: Option<Usage>,
    stop: Option<StopReason>,
    calls: u64,
}

impl WireDecoder for GeminiStream {
    fn decode(&mut self, event: &SseEvent) -> Result<Vec<StreamEvent>, ModelError> {
        let json: Value = serde_json::from_str(&event.data)
            .map_err(|e| ModelError::protocol(format!("malformed chunk: {e}")))?;
        if let Some(error) = json.get("error") {
            let message =
                error.get("message").and_then(Value::as_str).unwrap_or("the provider reported an error");
            return Err(ModelError::new(ErrorKind::Overloaded, message));
        }
        let mut out = Vec::new();
        let candidate = json.pointer("/candidates/0");
        let parts = candidate.and_then(|c| c.pointer("/content/parts")).and_then(Value::as_array);
        for part in parts.into_iter().flatten() {
            if let Some(text) = part.get("text").and_then(Value::as_str) {
                let thought = part.get("thought").and_then(Value::as_bool).unwrap_or(false);
                out.push(if thought {
                    StreamEvent::Thinking(text.into())
                } else {
                    StreamEvent::Text(text.into())
                });
            }
            if let Some(call) = part.get("functionCall") {
                self.calls += 1;
                let name = call.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                let id = call
                    .get("id")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("call_{}", self.calls), str::to_owned);
                let arguments = call.get("args").cloned().unwrap_or(Value::Object(Default::default()));
                out.push(StreamEvent::ToolCall { id, name, arguments });
            }
        }
        if let Some(reason) = candidate.and_then(|c| c.get("finishReason")).and_then(Value::as_str) {
            let has_calls = out.iter().any(|e| matches!(e, StreamEvent::ToolCall { .. })) || self.calls > 0;
            self.stop = Some(stop_reason(reason, has_calls));
        }
        if let Some(meta) = json.get("usageMetadata") {
            let n = |k: &str| meta.get(k).and_then(Value::as_u64).unwrap_or(0);
            self.usage = Some(Usage {
                input: n("promptTokenCount"),
                output: n("candidatesTokenCount") + n("thoughtsTokenCount"),
                cached: n("cachedContentTokenCount"),
            });
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        let Some(stop) = self.stop.take() else {
            return Err(ModelError::new(
                ErrorKind::Network,
                "the connection closed before the reply was complete",
            ));
        };
        Ok(self.usage.take().map(StreamEvent::Usage).into_iter().chain([StreamEvent::Stop(stop)]).collect())
    }
}

fn stop_reason(reason: &str, has_calls: bool) -> StopReason {
    match reason {
        "STOP" if has_calls => StopReason::ToolUse,
        "STOP" => StopReason::EndTurn,
        "MAX_TOKENS" => StopReason::MaxTokens,
        other => StopReason::Other(other.to_owned()),
    }
}
