//! The one place where provider failures are classified and retry delays decided.

use std::time::Duration;

use serde::Serialize;

/// What kind of failure, in terms of what the person (or the retry loop) should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    /// The key is missing, wrong or lacks access: fix it in Settings.
    Authentication,
    /// Too many requests: wait and retry.
    RateLimit,
    /// The provider is overloaded or failing (5xx, Anthropic 529): wait and retry.
    Overloaded,
    /// The prompt does not fit the model's context window: drop context.
    ContextTooLong,
    /// The provider rejected the request as malformed; retrying will not help.
    BadRequest,
    /// The connection failed or broke mid-stream.
    Network,
    /// No first byte, or silence between chunks, for too long.
    Timeout,
    /// The stream could not be decoded.
    Protocol,
}

/// A failed request, with the provider's message and how long to wait, if waiting helps.
/// It never contains a key: messages come from response bodies, which providers keep key-free.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct ModelError {
    pub kind: ErrorKind,
    pub message: String,
    /// What the provider asked for (Retry-After), when it did.
    pub retry_after: Option<Duration>,
}

/// Retries stop after this many attempts.
pub const MAX_RETRIES: u32 = 4;

impl ModelError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ModelError { kind, message: message.into(), retry_after: None }
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, message)
    }

    /// How long to wait before retry number `attempt` (1-based); `None` when retrying will
    /// not help or the attempts are used up. Exponential from 1 s, capped at 30 s, unless the
    /// provider said how long.
    pub fn retry_delay(&self, attempt: u32) -> Option<Duration> {
        let retryable = matches!(
            self.kind,
            ErrorKind::RateLimit | ErrorKind::Overloaded | ErrorKind::Network | ErrorKind::Timeout
        );
        if !retryable || attempt == 0 || attempt > MAX_RETRIES {
            return None;
        }
        let backoff = Duration::from_secs(1u64 << (attempt - 1).min(5)).min(Duration::from_secs(30));
        Some(self.retry_after.map_or(backoff, |asked| asked.min(Duration::from_secs(120))))
    }
}

/// Classifies an HTTP error response from any provider.
pub fn classify_http(status: u16, retry_after: Option<&str>, body: &str) -> ModelError {
    let message = provider_message(body).unwrap_or_else(|| format!("HTTP {status}"));
    let lower = body.to_ascii_lowercase();
    let too_long =
        ["context_length_exceeded", "context length", "too long", "maximum context", "prompt is too long"]
            .iter()
            .any(|needle| lower.contains(needle));
    let kind = match status {
        401 | 403 => ErrorKind::Authentication,
        429 if lower.contains("insufficient_quota") => ErrorKind::Authentication,
        429 => ErrorKind::RateLimit,
        400 | 413 | 422 if too_long => ErrorKind::ContextTooLong,
        408 => ErrorKind::Timeout,
        500..=599 => ErrorKind::Overloaded,
        _ => ErrorKind::BadRequest,
    };
    let retry_after = retry_after.and_then(|v| v.trim().parse::<f64>().ok()).map(Duration::from_secs_f64);
    ModelError { kind, message, retry_after }
}

/// The human part of a provider's error body: `{"error": {"message": …}}` (OpenAI, Anthropic,
/// Gemini) or `{"error": "…"}` (Ollama).
fn provider_message(body: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let error = json.get("error")?;
    error.get("message").and_then(|m| m.as_str()).or_else(|| error.as_str()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_maps_status_codes_to_kinds() {
        assert_eq!(classify_http(401, None, "").kind, ErrorKind::Authentication);
        assert_eq!(classify_http(429, None, "").kind, ErrorKind::RateLimit);
        assert_eq!(classify_http(529, None, "").kind, ErrorKind::Overloaded);
        assert_eq!(classify_http(500, None, "").kind, ErrorKind::Overloaded);
        assert_eq!(classify_http(404, None, "").kind, ErrorKind::BadRequest);
    }

    #[test]
    fn classify_recognizes_context_too_long_in_openai_and_anthropic_bodies() {
        let openai = r#"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#;
        let anthropic = r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#;
        assert_eq!(classify_http(400, None, openai).kind, ErrorKind::ContextTooLong);
        assert_eq!(classify_http(400, None, anthropic).kind, ErrorKind::ContextTooLong);
        assert!(classify_http(400, None, anthropic).message.starts_with("prompt is too long"));
    }

    #[test]
    fn quota_exhaustion_is_not_retried_as_a_rate_limit() {
        let body = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota"}}"#;
        let err = classify_http(429, Some("10"), body);
        assert_eq!(err.kind, ErrorKind::Authentication);
        assert_eq!(err.retry_delay(1), None);
    }

    #[test]
    fn retry_delay_honours_retry_after_and_backs_off_boundedly() {
        let err = classify_http(429, Some("7"), "");
        assert_eq!(err.retry_delay(1), Some(Duration::from_secs(7)));
        let overloaded = classify_http(529, None, "");
        let delays: Vec<_> = (1..=5).map(|a| overloaded.retry_delay(a)).collect();
        assert_eq!(
            delays,
            vec![
                Some(Duration::from_secs(1)),
                Some(Duration::from_secs(2)),
                Some(Duration::from_secs(4)),
                Some(Duration::from_secs(8)),
                None
            ]
        );
        assert_eq!(classify_http(400, None, "").retry_delay(1), None);
    }
}
