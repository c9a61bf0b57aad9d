//! Fill-in-the-middle completion: the text before and after the cursor go to a model that
//! writes what belongs between them. Three wires: OpenAI-style legacy completions with a
//! `suffix` field, Ollama's native `/api/generate`, and a raw prompt holding the model family's
//! FIM tokens for servers without a suffix field. Requests, retries, timeouts and error kinds
//! are the chat transport's; only the bodies, URLs and stream framings are FIM's own.

use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::transport::BodyDecoder;
use crate::{
    classify_http, Delivery, ErrorKind, EventStream, HttpModel, ModelError, SseEvent, StopReason,
    StreamEvent, StreamParser, Usage, Wire, WireDecoder,
};

/// How a FIM request reaches a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FimWire {
    /// `POST {base}/completions` with `prompt` = prefix and `suffix` = suffix.
    Suffix,
    /// Ollama's `POST {host}/api/generate` with `prompt` and `suffix`, streamed as NDJSON.
    Ollama,
    /// `POST {base}/completions` with the family's FIM tokens filled into `prompt`.
    Tokens(FimTemplate),
}

/// A model family's FIM prompt format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FimTemplate {
    Qwen,
    StarCoder,
    CodeLlama,
    DeepSeek,
    Codestral,
    CodeGemma,
}

impl FimTemplate {
    /// The raw prompt: prefix and suffix around the family's sentinel tokens.
    pub fn fill(self, prefix: &str, suffix: &str) -> String {
        match self {
            FimTemplate::Qwen | FimTemplate::CodeGemma => {
                format!("<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>")
            }
            FimTemplate::StarCoder => format!("<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>"),
            FimTemplate::CodeLlama => format!("<PRE> {prefix} <SUF>{suffix} <MID>"),
            FimTemplate::DeepSeek => format!("<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>"),
            FimTemplate::Codestral => format!("[SUFFIX]{suffix}[PREFIX]{prefix}"),
        }
    }

    /// Where the middle ends. Servers given a raw prompt do not always stop at the family's
    /// end-of-middle token, and a model that runs on starts a new file or another FIM round.
    pub fn stops(self) -> &'static [&'static str] {
        match self {
            FimTemplate::Qwen => {
                &["<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>", "<|fim_prefix|>"]
            }
            FimTemplate::StarCoder => &["<|endoftext|>", "<file_sep>", "<fim_prefix>", "<fim_middle>"],
            FimTemplate::CodeLlama => &["<EOT>", "</s>", "<PRE>", "<SUF>", "<MID>"],
            FimTemplate::DeepSeek => {
                &["<|EOT|>", "<｜end▁of▁sentence｜>", "<｜fim▁begin｜>", "<｜fim▁hole｜>"]
            }
            FimTemplate::Codestral => &["</s>", "[PREFIX]", "[SUFFIX]"],
            FimTemplate::CodeGemma => &["<|file_separator|>", "<eos>", "<|fim_prefix|>", "<|fim_middle|>"],
        }
    }
}

/// The FIM format of a model, by its name as any server spells it (`qwen2.5-coder:7b`,
/// `Qwen/Qwen2.5-Coder-7B`, `starcoder2-3b-q8_0.gguf`); `None` when the family is not known to
/// do FIM. Chat-only siblings (plain Qwen2.5, Gemma) are not FIM models.
pub fn fim_template_for(model: &str) -> Option<FimTemplate> {
    let name = model.to_ascii_lowercase();
    let has = |needle: &str| name.contains(needle);
    if has("codegemma") {
        Some(FimTemplate::CodeGemma)
    } else if has("codestral") {
        Some(FimTemplate::Codestral)
    } else if has("deepseek-coder") || has("deepseek_coder") {
        Some(FimTemplate::DeepSeek)
    } else if has("codellama") || has("code-llama") || has("code_llama") {
        Some(FimTemplate::CodeLlama)
    } else if has("starcoder") || has("smollm") {
        Some(FimTemplate::StarCoder)
    } else if has("qwen") && has("coder") {
        Some(FimTemplate::Qwen)
    } else {
        None
    }
}

/// Which FIM wire to use for `model` on the server at `base_url`; `None` when the model is not
/// known to do FIM there.
///
/// Ollama (its port, 11434) fills the model's own FIM template from `suffix`. DeepSeek's and
/// Mistral's APIs take `suffix` on their FIM endpoints. Other OpenAI-compatible servers
/// (llama.cpp, vLLM, LM Studio) get the family's tokens in a raw prompt: every one of them
/// reads special tokens in a completions prompt, while a `suffix` field is ignored or refused by
/// some (vLLM answers 400). Hosted chat APIs (OpenAI, OpenRouter, Groq) serve no FIM model.
pub fn fim_wire_for(wire: &Wire, base_url: &str, model: &str) -> Option<FimWire> {
    if *wire != Wire::OpenAi {
        return None;
    }
    let host = host_of(base_url);
    let name = model.to_ascii_lowercase();
    if host.ends_with("deepseek.com") {
        // deepseek-chat (V3) does FIM on the beta endpoint; the reasoner does not.
        return (name == "deepseek-chat" || name.starts_with("deepseek-coder")).then_some(FimWire::Suffix);
    }
    if host.ends_with("mistral.ai") {
        return name.contains("codestral").then_some(FimWire::Suffix);
    }
    if ["api.openai.com", "openrouter.ai", "api.groq.com"].iter().any(|h| host.ends_with(h)) {
        return None;
    }
    let template = fim_template_for(model)?;
    if host.ends_with(":11434") || host.contains("ollama") {
        return Some(FimWire::Ollama);
    }
    Some(FimWire::Tokens(template))
}

/// `host[:port]` of a URL, lower-cased.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    authority.to_ascii_lowercase()
}

/// The endpoint a FIM request goes to, from the provider's OpenAI-style base URL.
pub fn fim_url(base_url: &str, wire: FimWire) -> String {
    let base = base_url.trim_end_matches('/');
    let host = host_of(base);
    match wire {
        FimWire::Ollama => format!("{}/api/generate", base.strip_suffix("/v1").unwrap_or(base)),
        // DeepSeek serves FIM only on its beta API, with the same paths.
        FimWire::Suffix if host.ends_with("deepseek.com") => {
            format!("{}/beta/completions", base.strip_suffix("/v1").unwrap_or(base))
        }
        FimWire::Suffix if host.ends_with("mistral.ai") => format!("{base}/fim/completions"),
        FimWire::Suffix | FimWire::Tokens(_) => format!("{base}/completions"),
    }
}

/// Text before and after the cursor, and how much to write between them.
#[derive(Debug, Clone, PartialEq)]
pub struct FimRequest {
    pub model: String,
    pub prefix: String,
    pub suffix: String,
    pub max_tokens: u32,
    /// Where the middle ends, besides the template's own stops.
    pub stop: Vec<String>,
}

impl FimRequest {
    pub fn new(model: impl Into<String>, prefix: impl Into<String>, suffix: impl Into<String>) -> Self {
        FimRequest {
            model: model.into(),
            prefix: prefix.into(),
            suffix: suffix.into(),
            max_tokens: 256,
            stop: Vec::new(),
        }
    }

    /// The request body for `wire`. Temperature 0: a completion at the cursor should be the
    /// model's best guess, and the same guess when asked again.
    pub fn body(&self, wire: FimWire) -> Value {
        match wire {
            FimWire::Suffix => self.completions_body(&self.prefix, Some(&self.suffix), &[]),
            FimWire::Tokens(template) => {
                let prompt = template.fill(&self.prefix, &self.suffix);
                self.completions_body(&prompt, None, template.stops())
            }
            FimWire::Ollama => {
                let mut options = json!({"temperature": 0, "num_predict": self.max_tokens});
                if !self.stop.is_empty() {
                    options["stop"] = json!(self.stop);
                }
                json!({
                    "model": self.model,
                    "prompt": self.prefix,
                    "suffix": self.suffix,
                    "stream": true,
                    "options": options,
                })
            }
        }
    }

    fn completions_body(&self, prompt: &str, suffix: Option<&str>, template_stops: &[&str]) -> Value {
        let mut body = json!({
            "model": self.model,
            "prompt": prompt,
            "max_tokens": self.max_tokens,
            "temperature": 0,
            "stream": true,
        });
        if let Some(suffix) = suffix {
            body["suffix"] = json!(suffix);
        }
        let mut stop: Vec<&str> = self.stop.iter().map(String::as_str).collect();
        for extra in template_stops {
            if !stop.contains(extra) {
                stop.push(extra);
            }
        }
        if !stop.is_empty() {
            body["stop"] = json!(stop);
        }
        body
    }
}

impl HttpModel {
    /// Streams the middle for `request` over `wire` (see [`fim_wire_for`]); must be called
    /// inside a tokio runtime. The stream carries the chat stream's events: `Text` pieces of the
    /// middle as the model gives them, then `Usage` and `Stop`; errors are classified as chat's,
    /// and a server without the endpoint says so.
    pub fn complete_fim(&self, request: FimRequest, wire: FimWire) -> EventStream {
        let model = self.clone();
        EventStream::spawn(move |tx| async move { model.run_fim(&request, wire, &tx).await })
    }

    async fn run_fim(
        &self,
        request: &FimRequest,
        wire: FimWire,
        tx: &mpsc::Sender<Result<Delivery, ModelError>>,
    ) -> Result<(), ModelError> {
        let url = fim_url(&self.base_url, wire);
        let body = request.body(wire);
        let build = || self.post_bearer(&url).json(&body);
        match wire {
            FimWire::Ollama => {
                let response = self.connect(build, classify_http, tx).await?;
                self.pump(response, OllamaGenerateStream::default(), tx).await
            }
            FimWire::Suffix | FimWire::Tokens(_) => {
                let response = self.connect(build, classify_completions_error, tx).await?;
                self.pump(response, StreamParser::new(CompletionsStream::default()), tx).await
            }
        }
    }
}

/// Chat's classification, with a 404 explained: most often the server has no legacy
/// completions endpoint at all (hosted chat APIs), or not for this model.
fn classify_completions_error(status: u16, retry_after: Option<&str>, body: &str) -> ModelError {
    let mut error = classify_http(status, retry_after, body);
    if status == 404 {
        error.message = format!(
            "this server has no completions endpoint for this model ({}); pick a code model on a \
             server that does fill-in-the-middle (Ollama, llama.cpp, vLLM, LM Studio) for \
             \"complete here\"",
            error.message
        );
    }
    error
}

/// Legacy completions streams: `data: {"choices":[{"text", "finish_reason"}]}` events ending
/// with `data: [DONE]`. Mistral's FIM endpoint sends chat-style `delta.content` instead.
#[derive(Debug, Default)]
pub(crate) struct CompletionsStream {
    stopped: bool,
    done: bool,
}

impl WireDecoder for CompletionsStream {
    fn decode(&mut self, event: &SseEvent) -> Result<Vec<StreamEvent>, ModelError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            self.done = true;
            return Ok(Vec::new());
        }
        let chunk: Value =
            serde_json::from_str(data).map_err(|e| ModelError::protocol(format!("malformed chunk: {e}")))?;
        if let Some(error) = chunk.get("error") {
            return Err(stream_error(error));
        }
        let mut out = Vec::new();
        for choice in chunk.get("choices").and_then(Value::as_array).into_iter().flatten() {
            let text =
                choice.get("text").or_else(|| choice.pointer("/delta/content")).and_then(Value::as_str);
            if let Some(text) = text.filter(|t| !t.is_empty()) {
                out.push(StreamEvent::Text(text.to_owned()));
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                self.stopped = true;
                out.push(StreamEvent::Stop(stop_reason(reason)));
            }
        }
        if let Some(usage) = chunk.get("usage").filter(|u| !u.is_null()) {
            let n = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
            out.push(StreamEvent::Usage(Usage {
                input: n("prompt_tokens"),
                output: n("completion_tokens"),
                cached: 0,
            }));
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        // Some servers end after finish_reason without [DONE].
        if self.done || self.stopped {
            return Ok(Vec::new());
        }
        Err(cut_off())
    }
}

/// Ollama's `/api/generate` stream: one JSON object a line, `{"response", "done": false}`
/// pieces, then `{"done": true, "done_reason", "prompt_eval_count", "eval_count"}`.
#[derive(Debug, Default)]
pub(crate) struct OllamaGenerateStream {
    /// Bytes of the current, unfinished line; decoded only whole, so a UTF-8 character split
    /// across chunks stays intact.
    line: Vec<u8>,
    done: bool,
}

impl BodyDecoder for OllamaGenerateStream {
    fn push(&mut self, bytes: &[u8]) -> Result<Vec<StreamEvent>, ModelError> {
        let mut out = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                let line = std::mem::take(&mut self.line);
                out.extend(self.line_done(&line)?);
            } else {
                self.line.push(b);
            }
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        let line = std::mem::take(&mut self.line);
        let out = self.line_done(&line)?;
        if self.done {
            Ok(out)
        } else {
            Err(cut_off())
        }
    }
}

impl OllamaGenerateStream {
    fn line_done(&mut self, line: &[u8]) -> Result<Vec<StreamEvent>, ModelError> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        let frame: Value =
            serde_json::from_slice(line).map_err(|e| ModelError::protocol(format!("malformed line: {e}")))?;
        if let Some(error) = frame.get("error") {
            return Err(stream_error(error));
        }
        let mut out = Vec::new();
        if let Some(text) = frame.get("response").and_then(Value::as_str).filter(|t| !t.is_empty()) {
            out.push(StreamEvent::Text(text.to_owned()));
        }
        if frame.get("done").and_then(Value::as_bool) == Some(true) {
            self.done = true;
            let n = |key: &str| frame.get(key).and_then(Value::as_u64).unwrap_or(0);
            out.push(StreamEvent::Usage(Usage {
                input: n("prompt_eval_count"),
                output: n("eval_count"),
                cached: 0,
            }));
            let reason = frame.get("done_reason").and_then(Value::as_str).unwrap_or("stop");
            out.push(StreamEvent::Stop(stop_reason(reason)));
        }
        Ok(out)
    }
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "stop" | "eos" => StopReason::EndTurn,
        "length" => StopReason::MaxTokens,
        other => StopReason::Other(other.to_owned()),
    }
}

/// An error the server reported mid-stream, as chat's decoder classifies it: retryable.
fn stream_error(error: &Value) -> ModelError {
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .or_else(|| error.as_str())
        .unwrap_or("the provider reported an error");
    ModelError::new(ErrorKind::Overloaded, message)
}

fn cut_off() -> ModelError {
    ModelError::new(ErrorKind::Network, "the connection closed before the reply was complete")
}

/// The middle, cut where the model starts writing the suffix again: where the first two
/// non-empty lines of `suffix` follow one another in `middle`, together with the line breaks
/// before them that the suffix itself starts with. A suffix's first line that continues the
/// cursor's line also matches at the end of a line of the middle. With fewer than two non-empty
/// suffix lines there is not enough to tell a repeat from code, and nothing is cut.
pub fn trim_middle<'a>(middle: &'a str, suffix: &str) -> &'a str {
    let mut suffix_lines = lines_with_starts(suffix).filter(|(_, line)| !line.trim().is_empty());
    let (Some((first_start, first)), Some((_, second))) = (suffix_lines.next(), suffix_lines.next()) else {
        return middle;
    };
    let (first, second) = (first.trim(), second.trim());
    let lead = &suffix[..first_start];
    let lines: Vec<(usize, &str)> = lines_with_starts(middle).collect();
    for (i, &(start, line)) in lines.iter().enumerate() {
        let at = if line.trim() == first {
            start
        } else if first_start == 0 && line.trim_end().ends_with(first) {
            start + line.trim_end().len() - first.len()
        } else {
            continue;
        };
        let next = lines[i + 1..].iter().map(|(_, l)| l.trim()).find(|l| !l.is_empty());
        if next == Some(second) {
            let kept = &middle[..at];
            return kept.strip_suffix(lead).unwrap_or(kept);
        }
    }
    middle
}

/// The lines of `text`, without their line breaks, with their byte offsets. An unfinished last
/// line is included: it matches only once it is whole.
fn lines_with_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let rest = &text[start..];
        let line_start = start;
        match rest.find('\n') {
            Some(end) => {
                start += end + 1;
                Some((line_start, rest[..end].trim_end_matches('\r')))
            }
            None => {
                start = text.len();
                Some((line_start, rest))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> FimRequest {
        let mut request = FimRequest::new("m", "fn add(a: i32, b: i32) -> i32 {\n    ", "\n}\n");
        request.max_tokens = 64;
        request
    }

    #[test]
    fn suffix_body_puts_prefix_in_prompt_and_suffix_in_suffix() {
        let mut request = request();
        request.stop = vec!["\n\n".into()];
        assert_eq!(
            request.body(FimWire::Suffix),
            json!({
                "model": "m",
                "prompt": "fn add(a: i32, b: i32) -> i32 {\n    ",
                "suffix": "\n}\n",
                "max_tokens": 64,
                "temperature": 0,
                "stream": true,
                "stop": ["\n\n"],
            })
        );
        assert!(self::request().body(FimWire::Suffix).get("stop").is_none());
    }

    #[test]
    fn ollama_body_puts_sampling_in_options() {
        assert_eq!(
            request().body(FimWire::Ollama),
            json!({
                "model": "m",
                "prompt": "fn add(a: i32, b: i32) -> i32 {\n    ",
                "suffix": "\n}\n",
                "stream": true,
                "options": {"temperature": 0, "num_predict": 64},
            })
        );
        let mut request = request();
        request.stop = vec!["<END>".into()];
        assert_eq!(request.body(FimWire::Ollama)["options"]["stop"], json!(["<END>"]));
    }

    #[test]
    fn tokens_body_fills_the_template_without_suffix_and_adds_its_stops_once() {
        let mut request = FimRequest::new("qwen2.5-coder-7b", "P", "S");
        request.max_tokens = 8;
        request.stop = vec!["<|endoftext|>".into(), "\n\n\n".into()];
        assert_eq!(
            request.body(FimWire::Tokens(FimTemplate::Qwen)),
            json!({
                "model": "qwen2.5-coder-7b",
                "prompt": "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>",
                "max_tokens": 8,
                "temperature": 0,
                "stream": true,
                "stop": ["<|endoftext|>", "\n\n\n", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>", "<|fim_prefix|>"],
            })
        );
    }

    #[test]
    fn each_template_puts_prefix_and_suffix_where_its_family_expects_them() {
        let cases = [
            (FimTemplate::Qwen, "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>"),
            (FimTemplate::StarCoder, "<fim_prefix>P<fim_suffix>S<fim_middle>"),
            (FimTemplate::CodeLlama, "<PRE> P <SUF>S <MID>"),
            (FimTemplate::DeepSeek, "<｜fim▁begin｜>P<｜fim▁hole｜>S<｜fim▁end｜>"),
            (FimTemplate::Codestral, "[SUFFIX]S[PREFIX]P"),
            (FimTemplate::CodeGemma, "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>"),
        ];
        for (template, prompt) in cases {
            assert_eq!(template.fill("P", "S"), prompt, "{template:?}");
            let body = FimRequest::new("m", "P", "S").body(FimWire::Tokens(template));
            assert_eq!(body["prompt"], json!(prompt), "{template:?}");
            assert!(body.get("suffix").is_none(), "{template:?}");
            assert_eq!(body["stop"], json!(template.stops()), "{template:?}");
        }
    }

    #[test]
    fn model_names_map_to_their_fim_family_and_chat_models_to_none() {
        let cases = [
            ("qwen2.5-coder:7b", Some(FimTemplate::Qwen)),
            ("Qwen/Qwen3-Coder-30B-A3B-Instruct", Some(FimTemplate::Qwen)),
            ("bigcode/starcoder2-3b", Some(FimTemplate::StarCoder)),
            ("HuggingFaceTB/SmolLM2-1.7B", Some(FimTemplate::StarCoder)),
            ("codellama:7b-code", Some(FimTemplate::CodeLlama)),
            ("deepseek-coder-6.7b-base.Q4_K_M.gguf", Some(FimTemplate::DeepSeek)),
            ("codestral:22b", Some(FimTemplate::Codestral)),
            ("google/codegemma-2b", Some(FimTemplate::CodeGemma)),
            ("qwen2.5:7b", None),
            ("gemma3:4b", None),
            ("llama3.2:3b", None),
            ("gpt-4o", None),
        ];
        for (model, template) in cases {
            assert_eq!(fim_template_for(model), template, "{model}");
        }
    }

    #[test]
    fn fim_wire_is_chosen_by_server_and_model() {
        let tokens = |t| Some(FimWire::Tokens(t));
        let cases = [
            (Wire::OpenAi, "http://127.0.0.1:11434/v1", "qwen2.5-coder:1.5b", Some(FimWire::Ollama)),
            (Wire::OpenAi, "http://localhost:11434", "codellama:7b-code", Some(FimWire::Ollama)),
            (Wire::OpenAi, "http://127.0.0.1:11434/v1", "llama3.2:3b", None),
            (
                Wire::OpenAi,
                "http://127.0.0.1:8080/v1",
                "qwen2.5-coder-1.5b-q8_0.gguf",
                tokens(FimTemplate::Qwen),
            ),
            (
                Wire::OpenAi,
                "http://127.0.0.1:8000/v1",
                "bigcode/starcoder2-7b",
                tokens(FimTemplate::StarCoder),
            ),
            (Wire::OpenAi, "http://127.0.0.1:1234/v1", "codegemma-7b", tokens(FimTemplate::CodeGemma)),
            (Wire::OpenAi, "http://127.0.0.1:8080/v1", "mistral-7b-instruct", None),
            (Wire::OpenAi, "https://api.deepseek.com/v1", "deepseek-chat", Some(FimWire::Suffix)),
            (Wire::OpenAi, "https://api.deepseek.com/v1", "deepseek-reasoner", None),
            (Wire::OpenAi, "https://api.mistral.ai/v1", "codestral-latest", Some(FimWire::Suffix)),
            (Wire::OpenAi, "https://api.mistral.ai/v1", "mistral-large-latest", None),
            (Wire::OpenAi, "https://api.openai.com/v1", "gpt-4o", None),
            (Wire::OpenAi, "https://openrouter.ai/api/v1", "qwen/qwen-2.5-coder-32b-instruct", None),
            (Wire::OpenAi, "https://api.groq.com/openai/v1", "qwen-2.5-coder-32b", None),
            (Wire::Anthropic, "https://api.anthropic.com", "claude-sonnet-4-5", None),
            (Wire::Gemini, "https://generativelanguage.googleapis.com/v1beta", "codegemma-7b", None),
        ];
        for (wire, base, model, expected) in cases {
            assert_eq!(fim_wire_for(&wire, base, model), expected, "{base} {model}");
        }
    }

    #[test]
    fn fim_urls_map_ollama_v1_base_and_providers_fim_endpoints() {
        assert_eq!(
            fim_url("http://127.0.0.1:11434/v1", FimWire::Ollama),
            "http://127.0.0.1:11434/api/generate"
        );
        assert_eq!(
            fim_url("http://127.0.0.1:11434/", FimWire::Ollama),
            "http://127.0.0.1:11434/api/generate"
        );
        assert_eq!(
            fim_url("http://127.0.0.1:8080/v1", FimWire::Tokens(FimTemplate::Qwen)),
            "http://127.0.0.1:8080/v1/completions"
        );
        assert_eq!(
            fim_url("https://api.deepseek.com/v1", FimWire::Suffix),
            "https://api.deepseek.com/beta/completions"
        );
        assert_eq!(
            fim_url("https://api.mistral.ai/v1", FimWire::Suffix),
            "https://api.mistral.ai/v1/fim/completions"
        );
    }

    /// Decodes `wire` whole, split at every byte and byte by byte; the events must not depend
    /// on where the network split it (even inside a UTF-8 character).
    fn assert_split_invariant(new: impl Fn() -> Box<dyn BodyDecoder>, wire: &str) -> Vec<StreamEvent> {
        let decode = |chunks: &[&[u8]]| -> Result<Vec<StreamEvent>, ModelError> {
            let mut decoder = new();
            let mut out = Vec::new();
            for chunk in chunks {
                out.extend(decoder.push(chunk)?);
            }
            out.extend(decoder.finish()?);
            Ok(out)
        };
        let bytes = wire.as_bytes();
        let whole = decode(&[bytes]).expect("whole stream decodes");
        for i in 1..bytes.len() {
            assert_eq!(
                decode(&[&bytes[..i], &bytes[i..]]).expect("split stream decodes"),
                whole,
                "split at {i}"
            );
        }
        let one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(decode(&one_by_one).expect("byte by byte"), whole);
        whole
    }

    fn completions() -> Box<dyn BodyDecoder> {
        Box::new(StreamParser::new(CompletionsStream::default()))
    }

    fn ollama() -> Box<dyn BodyDecoder> {
        Box::new(OllamaGenerateStream::default())
    }

    const COMPLETIONS: &str = concat!(
        "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"a + \",\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"text\":\"b // é\",\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":4}}\n\n",
        "data: [DONE]\n\n",
    );

    const OLLAMA: &str = concat!(
        "{\"model\":\"qwen2.5-coder:1.5b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"response\":\"a + \",\"done\":false}\n",
        "{\"model\":\"qwen2.5-coder:1.5b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"response\":\"b // é\",\"done\":false}\n",
        "{\"model\":\"qwen2.5-coder:1.5b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"response\":\"\",\"done\":true,\"done_reason\":\"length\",\"context\":[1,2],\"total_duration\":1000,\"prompt_eval_count\":20,\"eval_count\":4}\n",
    );

    #[test]
    fn completions_stream_yields_text_stop_and_usage_at_any_split() {
        assert_eq!(
            assert_split_invariant(completions, COMPLETIONS),
            vec![
                StreamEvent::Text("a + ".into()),
                StreamEvent::Text("b // é".into()),
                StreamEvent::Stop(StopReason::EndTurn),
                StreamEvent::Usage(Usage { input: 20, output: 4, cached: 0 }),
            ]
        );
    }

    #[test]
    fn ollama_ndjson_yields_text_usage_and_stop_at_any_split() {
        assert_eq!(
            assert_split_invariant(ollama, OLLAMA),
            vec![
                StreamEvent::Text("a + ".into()),
                StreamEvent::Text("b // é".into()),
                StreamEvent::Usage(Usage { input: 20, output: 4, cached: 0 }),
                StreamEvent::Stop(StopReason::MaxTokens),
            ]
        );
        let no_final_newline = OLLAMA.trim_end();
        assert_eq!(assert_split_invariant(ollama, no_final_newline).len(), 4);
    }

    #[test]
    fn streams_cut_off_before_their_end_are_network_errors() {
        let cut = &COMPLETIONS[..COMPLETIONS
            .find("data: {\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"text\":\"\"")
            .expect("marker")];
        let mut decoder = completions();
        decoder.push(cut.as_bytes()).expect("pieces decode");
        assert_eq!(decoder.finish().expect_err("cut off").kind, ErrorKind::Network);
        let cut = &OLLAMA[..OLLAMA.rfind("{\"model\"").expect("last line")];
        let mut decoder = ollama();
        decoder.push(cut.as_bytes()).expect("pieces decode");
        assert_eq!(decoder.finish().expect_err("cut off").kind, ErrorKind::Network);
    }

    #[test]
    fn errors_reported_mid_stream_are_classified_and_malformed_lines_are_protocol_errors() {
        let mut decoder = ollama();
        let err =
            decoder.push(b"{\"error\":\"model runner has unexpectedly stopped\"}\n").expect_err("error line");
        assert_eq!(
            (err.kind, err.message.as_str()),
            (ErrorKind::Overloaded, "model runner has unexpectedly stopped")
        );
        assert_eq!(ollama().push(b"{\"response\": \n").expect_err("malformed").kind, ErrorKind::Protocol);
        let err = completions()
            .push(b"data: {\"error\":{\"message\":\"out of memory\"}}\n\n")
            .expect_err("error event");
        assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Overloaded, "out of memory"));
    }

    #[test]
    fn mistral_style_delta_content_is_read_as_text() {
        let wire = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n";
        assert_eq!(
            assert_split_invariant(completions, wire),
            vec![StreamEvent::Text("x".into()), StreamEvent::Stop(StopReason::MaxTokens)]
        );
    }

    #[test]
    fn a_404_from_a_completions_endpoint_says_the_server_has_none() {
        let body = r#"{"error":{"message":"Unknown request URL: POST /openai/v1/completions"}}"#;
        let err = classify_completions_error(404, None, body);
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert!(err.message.starts_with("this server has no completions endpoint"), "{err}");
        assert!(err.message.contains("Unknown request URL"), "{err}");
        assert_eq!(classify_completions_error(401, None, "").kind, ErrorKind::Authentication);
        assert_eq!(classify_completions_error(429, Some("1"), "").kind, ErrorKind::RateLimit);
    }

    #[test]
    fn trim_middle_cuts_where_the_suffix_lines_repeat_with_their_leading_break() {
        let suffix = "\n    a + b\n}\n";
        assert_eq!(trim_middle("let c = 1;\n    a + b\n}\n", suffix), "let c = 1;");
        // More blank lines than the suffix starts with: only the suffix's own break goes.
        assert_eq!(trim_middle("let c = 1;\n\n\n    a + b\n}", suffix), "let c = 1;\n\n");
    }

    #[test]
    fn trim_middle_cuts_a_repeat_of_the_rest_of_the_cursor_line() {
        // Cursor inside `foo(|);`: the suffix starts with the rest of that line.
        let suffix = ");\nbar();\n";
        assert_eq!(trim_middle("1, 2);\nbar();\nbaz();", suffix), "1, 2");
    }

    #[test]
    fn trim_middle_keeps_the_middle_when_the_suffix_does_not_repeat() {
        let suffix = "\n}\n\nfn main() {}\n";
        // Only the first suffix line appears: an ordinary closing brace, not a repeat.
        assert_eq!(trim_middle("if x {\n    y\n}\nz", suffix), "if x {\n    y\n}\nz");
        // The second line is still streaming: not yet a repeat.
        assert_eq!(trim_middle("y\n}\n\nfn mai", suffix), "y\n}\n\nfn mai");
        assert_eq!(trim_middle("y\n}\n\nfn main() {}", suffix), "y");
        // One non-empty suffix line is too little to tell a repeat from code.
        assert_eq!(trim_middle("x\n}\n", "\n}\n"), "x\n}\n");
        assert_eq!(trim_middle("", suffix), "");
    }
}
