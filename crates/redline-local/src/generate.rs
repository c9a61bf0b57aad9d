//! One reply: the chat template applied, the prompt decoded (reusing what the context already
//! holds from the previous turn), tokens sampled and streamed until the end of turn, a stop
//! sequence, the token limit or a dropped stream.

use std::num::NonZeroU32;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use redline_llm::{
    Delivery, ErrorKind, Message, ModelError, Part, Request, Role, StopReason, StreamEvent, Usage,
};

use crate::engine::{backend, Job, LocalOptions, DEFAULT_MAX_CONTEXT};
use crate::text::{StopFilter, Utf8Joiner};

/// Prompt tokens decoded per step: small enough that a dropped stream stops the prompt within
/// a fraction of a second, large enough to keep llama.cpp's matrix kernels busy.
const PROMPT_CHUNK: usize = 128;

/// A loaded model with its context, kept between replies so a conversation's next turn only
/// decodes what is new.
pub(crate) struct Session<'m> {
    model: &'m LlamaModel,
    options: LocalOptions,
    context: Option<LlamaContext<'m>>,
    /// The tokens whose keys and values the context holds, in order.
    cached: Vec<LlamaToken>,
}

fn bad_request(message: impl Into<String>) -> ModelError {
    ModelError::new(ErrorKind::BadRequest, message)
}

/// How generation ended.
enum End {
    Stop(StopReason),
    /// Nobody listens any more.
    Dropped,
}

impl<'m> Session<'m> {
    pub(crate) fn new(model: &'m LlamaModel, options: LocalOptions) -> Session<'m> {
        Session { model, options, context: None, cached: Vec::new() }
    }

    /// Forgets the context, after a failure left it in an unknown state.
    pub(crate) fn reset(&mut self) {
        self.context = None;
        self.cached.clear();
    }

    pub(crate) fn context_size(&self) -> u32 {
        let trained = self.model.n_ctx_train().max(1);
        self.options.context_size.filter(|n| *n > 0).unwrap_or(trained.min(DEFAULT_MAX_CONTEXT))
    }

    pub(crate) fn run(&mut self, job: &Job) {
        if let Err(e) = self.generate(job) {
            job.fail(e);
        }
    }

    fn generate(&mut self, job: &Job) -> Result<(), ModelError> {
        let prompt = render_prompt(self.model, &job.request)?;
        let tokens = self.model.vocab().tokenize(prompt.as_bytes(), true, true);
        if tokens.is_empty() {
            return Err(bad_request("the prompt is empty"));
        }
        let n_ctx = self.context_size() as usize;
        if tokens.len() >= n_ctx {
            return Err(ModelError::new(
                ErrorKind::ContextTooLong,
                format!("the prompt is {} tokens; this model's context holds {n_ctx}", tokens.len()),
            ));
        }
        let reused = self.prepare_context(&tokens)?;
        let mut batch = LlamaBatch::new(PROMPT_CHUNK.max(1), 1);
        if let End::Dropped = self.decode_prompt(&tokens[reused..], reused, &mut batch, job)? {
            return Ok(());
        }
        let (end, output) = self.sample_loop(job, &mut batch, n_ctx)?;
        let End::Stop(reason) = end else { return Ok(()) };
        let usage = Usage { input: tokens.len() as u64, output, cached: reused as u64 };
        let _ = job.reply.blocking_send(Ok(Delivery::Event(StreamEvent::Usage(usage))));
        let _ = job.reply.blocking_send(Ok(Delivery::Event(StreamEvent::Stop(reason))));
        Ok(())
    }

    /// Creates the context on first use and drops from it what the new prompt does not share;
    /// returns how many leading prompt tokens are already decoded.
    fn prepare_context(&mut self, tokens: &[LlamaToken]) -> Result<usize, ModelError> {
        if self.context.is_none() {
            let threads = i32::try_from(self.options.threads()).unwrap_or(1);
            let n_ctx = self.context_size();
            let params = LlamaContextParams::default()
                .with_n_ctx(NonZeroU32::new(n_ctx))
                .with_n_batch(n_ctx.min(2048))
                .with_n_ubatch(PROMPT_CHUNK as u32)
                .with_n_threads(threads)
                .with_n_threads_batch(threads);
            let context = self.model.new_context(backend()?, params).map_err(|e| {
                ModelError::new(
                    ErrorKind::Overloaded,
                    format!("llama.cpp could not allocate a {n_ctx}-token context ({e}); try a smaller one"),
                )
            })?;
            self.context = Some(context);
            self.cached.clear();
        }
        let context = self.context.as_mut().ok_or_else(|| bad_request("no context"))?;
        let mut shared = self.cached.iter().zip(tokens).take_while(|(a, b)| a == b).count();
        // The last prompt token is always decoded again: its logits start the reply.
        shared = shared.min(tokens.len().saturating_sub(1));
        let removed =
            u32::try_from(shared).ok().map(|p0| context.clear_kv_cache_seq(Some(0), Some(p0), None));
        if !matches!(removed, Some(Ok(true))) {
            context.clear_kv_cache();
            shared = 0;
        }
        self.cached.truncate(shared);
        Ok(shared)
    }

    fn decode_prompt(
        &mut self,
        tokens: &[LlamaToken],
        start: usize,
        batch: &mut LlamaBatch,
        job: &Job,
    ) -> Result<End, ModelError> {
        let context = self.context.as_mut().ok_or_else(|| bad_request("no context"))?;
        let last = tokens.len().saturating_sub(1);
        for (chunk_index, chunk) in tokens.chunks(PROMPT_CHUNK).enumerate() {
            if job.reply.is_closed() {
                return Ok(End::Dropped);
            }
            batch.clear();
            for (i, token) in chunk.iter().enumerate() {
                let index = chunk_index * PROMPT_CHUNK + i;
                let pos = i32::try_from(start + index).map_err(|_| bad_request("prompt too long"))?;
                batch.add(*token, pos, &[0], index == last).map_err(|e| bad_request(e.to_string()))?;
            }
            context.decode(batch).map_err(decode_error)?;
            self.cached.extend_from_slice(chunk);
        }
        Ok(End::Stop(StopReason::EndTurn))
    }

    /// Samples, streams and decodes tokens; returns how it ended and how many tokens it made.
    fn sample_loop(
        &mut self,
        job: &Job,
        batch: &mut LlamaBatch,
        n_ctx: usize,
    ) -> Result<(End, u64), ModelError> {
        let model = self.model;
        let vocab = model.vocab();
        let context = self.context.as_mut().ok_or_else(|| bad_request("no context"))?;
        let mut sampler = sampler_for(job.request.temperature);
        let mut utf8 = Utf8Joiner::default();
        let mut stops = StopFilter::new(&job.request.stop);
        let max_tokens = u64::from(job.request.max_tokens.max(1));
        let mut produced = 0u64;
        let send = |text: String| -> bool {
            text.is_empty() || job.reply.blocking_send(Ok(Delivery::Event(StreamEvent::Text(text)))).is_ok()
        };
        let reason = loop {
            if job.reply.is_closed() {
                return Ok((End::Dropped, produced));
            }
            let token = sampler.sample(context, batch.n_tokens() - 1);
            if vocab.is_eog(token) {
                break StopReason::EndTurn;
            }
            produced += 1;
            let piece = vocab.token_to_piece(token, false, None);
            let filtered = stops.push(&utf8.push(&piece));
            if !send(filtered.text) {
                return Ok((End::Dropped, produced));
            }
            if filtered.stopped {
                return Ok((End::Stop(StopReason::StopSequence), produced));
            }
            if produced >= max_tokens || self.cached.len() + 1 >= n_ctx {
                break StopReason::MaxTokens;
            }
            batch.clear();
            let pos = i32::try_from(self.cached.len()).map_err(|_| bad_request("context too large"))?;
            batch.add(token, pos, &[0], true).map_err(|e| bad_request(e.to_string()))?;
            context.decode(batch).map_err(decode_error)?;
            self.cached.push(token);
        };
        let rest = stops.push(&utf8.finish());
        let mut tail = rest.text;
        if !rest.stopped {
            tail.push_str(&stops.finish());
        }
        let reason = if rest.stopped { StopReason::StopSequence } else { reason };
        if !send(tail) {
            return Ok((End::Dropped, produced));
        }
        Ok((End::Stop(reason), produced))
    }
}

fn decode_error(e: llama_cpp_2::DecodeError) -> ModelError {
    match e {
        llama_cpp_2::DecodeError::NoKvCacheSlot => {
            ModelError::new(ErrorKind::ContextTooLong, "the model's context is full")
        }
        other => ModelError::new(ErrorKind::Protocol, format!("llama.cpp failed to decode: {other}")),
    }
}

/// Greedy at temperature 0; otherwise llama.cpp's usual chain (top-k 40, top-p 0.95, min-p 0.05)
/// at the asked temperature, 0.8 when none was asked.
fn sampler_for(temperature: Option<f32>) -> LlamaSampler {
    let t = temperature.unwrap_or(0.8);
    if t <= 0.0 {
        return LlamaSampler::greedy();
    }
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    LlamaSampler::chain_simple([
        LlamaSampler::top_k(40),
        LlamaSampler::top_p(0.95, 1),
        LlamaSampler::min_p(0.05, 1),
        LlamaSampler::temp(t),
        LlamaSampler::dist(seed),
    ])
}

/// The conversation as the model's chat template lays it out, ending where the assistant's
/// reply begins. Models without a template get ChatML, which most small models were tuned on.
pub(crate) fn render_prompt(model: &LlamaModel, request: &Request) -> Result<String, ModelError> {
    let mut chat = Vec::new();
    let message = |role: &str, content: String| {
        LlamaChatMessage::new(role.to_owned(), content.replace('\0', ""))
            .map_err(|e| bad_request(format!("the message cannot be given to the model: {e}")))
    };
    if let Some(system) = request.system.as_ref().filter(|s| !s.is_empty()) {
        chat.push(message("system", system.clone())?);
    }
    for m in &request.messages {
        let role = if m.role == Role::User { "user" } else { "assistant" };
        chat.push(message(role, flatten(m))?);
    }
    let chatml = || LlamaChatTemplate::new("chatml").map_err(|e| bad_request(e.to_string()));
    let template = model.chat_template(None).or_else(|_| chatml())?;
    match model.apply_chat_template(&template, &chat, true) {
        Ok(prompt) => Ok(prompt),
        // llama.cpp knows the common templates by their markers; an unknown one falls back.
        Err(_) => model
            .apply_chat_template(&chatml()?, &chat, true)
            .map_err(|e| bad_request(format!("the chat template could not be applied: {e}"))),
    }
}

/// A message as plain text: tool calls and results written out, since a local model gets no
/// tools.
fn flatten(message: &Message) -> String {
    let parts: Vec<String> = message
        .parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.clone(),
            Part::ToolCall { name, arguments, .. } => format!("[called {name} with {arguments}]"),
            Part::ToolResult { name, content, is_error, .. } => {
                let what = if *is_error { "failed" } else { "returned" };
                format!("[{name} {what}]\n{content}")
            }
        })
        .collect();
    parts.join("\n\n")
}
