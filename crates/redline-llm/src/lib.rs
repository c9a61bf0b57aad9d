//! Talking to language models: the events a streamed reply is made of, the wire formats of the
//! providers (OpenAI-compatible Chat Completions, Anthropic Messages, Gemini
//! streamGenerateContent) decoded incrementally from server-sent events, fill-in-the-middle
//! completion at a cursor, and the one place that classifies provider errors and says how long
//! to wait before retrying.
//!
//! Decoding is pure: bytes in, events out, split anywhere. `transport` is the only part that
//! touches the network, through the client `http` builds (redirects stay on the same origin,
//! so a key never follows one elsewhere); keys live in [`ApiKey`], which never prints or
//! serializes itself.

mod anthropic;
mod error;
mod event;
#[cfg(any(test, feature = "test-support"))]
mod fake;
mod fim;
mod gemini;
mod http;
mod keys;
mod openai;
mod providers;
mod request;
mod sse;
mod transport;

pub use anthropic::AnthropicStream;
pub use error::{classify_http, ErrorKind, ModelError};
pub use event::{StopReason, StreamEvent, Usage};
#[cfg(any(test, feature = "test-support"))]
pub use fake::FakeModel;
pub use fim::{fim_template_for, fim_url, fim_wire_for, trim_middle, FimRequest, FimTemplate, FimWire};
pub use gemini::GeminiStream;
pub use http::plain_http_warning;
pub use keys::{KeyError, KeyStore, OsKeyring, SessionKeys, SERVICE as KEYRING_SERVICE};
pub use openai::OpenAiStream;
pub use providers::{detect_local, list_models, parse_model_list, preset, Detected, Preset, PRESETS};
pub use request::{Message, Part, Request, Role, ToolSpec};
pub use sse::{SseDecoder, SseEvent};
pub use transport::{ApiKey, Delivery, EventStream, HttpModel, LanguageModel, Timeouts, Wire};

/// A provider's stream decoder: SSE events in, stream events out.
pub trait WireDecoder {
    /// Decodes one SSE event. Malformed frames are errors the caller shows; they never panic.
    fn decode(&mut self, event: &SseEvent) -> Result<Vec<StreamEvent>, ModelError>;

    /// Called when the connection ended: what is still pending, or an error when the stream
    /// was cut off before the provider said it was done.
    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError>;
}

/// Feeds raw bytes through an SSE decoder into a provider decoder.
#[derive(Debug, Default)]
pub struct StreamParser<D> {
    sse: SseDecoder,
    decoder: D,
}

impl<D: WireDecoder> StreamParser<D> {
    pub fn new(decoder: D) -> Self {
        StreamParser { sse: SseDecoder::default(), decoder }
    }

    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<StreamEvent>, ModelError> {
        let mut out = Vec::new();
        for event in self.sse.push(bytes) {
            out.extend(self.decoder.decode(&event)?);
        }
        Ok(out)
    }

    pub fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        let mut out = Vec::new();
        for event in self.sse.finish() {
            out.extend(self.decoder.decode(&event)?);
        }
        out.extend(self.decoder.finish()?);
        Ok(out)
    }
}

#[cfg(test)]
mod transcripts;
