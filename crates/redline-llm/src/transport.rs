//! Streaming a request to a model server over HTTP: timeouts for connecting, for the first byte
//! and for silence between chunks; bounded retries before anything was delivered; cancellation
//! at once when the stream is dropped.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::{
    classify_http, AnthropicStream, ErrorKind, GeminiStream, ModelError, OpenAiStream, Request, StreamEvent,
    StreamParser, WireDecoder,
};

/// An API key. It prints as `ApiKey(…)`, cannot be serialized, and only leaves this type as a
/// request header.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The secret itself, for a request header or the keyring; nothing else may call this.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

/// Which wire format a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Wire {
    OpenAi,
    Anthropic,
    Gemini,
}

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// From sending the request to the response headers.
    pub first_byte: Duration,
    /// Between two chunks of a streaming reply.
    pub silence: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(120),
            silence: Duration::from_secs(90),
        }
    }
}

/// What a stream delivers: events, and notice of retries so the UI can say it is waiting.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    Event(StreamEvent),
    Retrying { attempt: u32, delay: Duration, error: ModelError },
}

/// A reply in progress. Dropping it cancels the request at once.
#[derive(Debug)]
pub struct EventStream {
    rx: mpsc::Receiver<Result<Delivery, ModelError>>,
    task: Option<JoinHandle<()>>,
}

impl EventStream {
    /// A stream fed through a channel by someone else (the fake model, a local engine).
    pub fn from_channel(rx: mpsc::Receiver<Result<Delivery, ModelError>>) -> Self {
        EventStream { rx, task: None }
    }

    /// Runs `work` on a task of its own; its error, if any, is the stream's last item.
    pub(crate) fn spawn<F, Fut>(work: F) -> Self
    where
        F: FnOnce(mpsc::Sender<Result<Delivery, ModelError>>) -> Fut,
        Fut: std::future::Future<Output = Result<(), ModelError>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(256);
        let done = tx.clone();
        let work = work(tx);
        let task = tokio::spawn(async move {
            if let Err(error) = work.await {
                let _ = done.send(Err(error)).await;
            }
        });
        EventStream { rx, task: Some(task) }
    }

    /// The next delivery; `None` when the reply is complete. An `Err` ends the stream.
    pub async fn next(&mut self) -> Option<Result<Delivery, ModelError>> {
        self.rx.recv().await
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// A model that streams replies: a provider over HTTP, the built-in engine, or the fake one in
/// tests. Object-safe, so the app holds `Arc<dyn LanguageModel>`.
pub trait LanguageModel: Send + Sync {
    /// `provider/model`, as the model picker and the database name it.
    fn id(&self) -> String;
    fn stream(&self, request: Request) -> EventStream;
}

impl LanguageModel for HttpModel {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn stream(&self, request: Request) -> EventStream {
        HttpModel::stream(self, request)
    }
}

/// One model on one HTTP server.
#[derive(Debug, Clone)]
pub struct HttpModel {
    /// `provider/model`; the base URL until [`HttpModel::with_id`] names it.
    pub id: String,
    pub wire: Wire,
    /// e.g. `http://127.0.0.1:11434/v1`, `https://api.anthropic.com`,
    /// `https://generativelanguage.googleapis.com/v1beta`.
    pub base_url: String,
    pub key: Option<ApiKey>,
    pub timeouts: Timeouts,
    client: reqwest::Client,
}

impl HttpModel {
    pub fn new(wire: Wire, base_url: impl Into<String>, key: Option<ApiKey>, timeouts: Timeouts) -> Self {
        let client = crate::http::api_client(timeouts.connect, None);
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        HttpModel { id: base_url.clone(), wire, base_url, key, timeouts, client }
    }

    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Starts streaming `request`; must be called inside a tokio runtime.
    pub fn stream(&self, request: Request) -> EventStream {
        let model = self.clone();
        EventStream::spawn(move |tx| async move { model.run(&request, &tx).await })
    }

    async fn run(
        &self,
        request: &Request,
        tx: &mpsc::Sender<Result<Delivery, ModelError>>,
    ) -> Result<(), ModelError> {
        let response = self.connect(|| self.build(request), classify_http, tx).await?;
        match self.wire {
            Wire::OpenAi => self.pump(response, StreamParser::new(OpenAiStream::default()), tx).await,
            Wire::Anthropic => self.pump(response, StreamParser::new(AnthropicStream::default()), tx).await,
            Wire::Gemini => self.pump(response, StreamParser::new(GeminiStream::default()), tx).await,
        }
    }

    /// Sends the request that `build` makes until the server accepts it, with bounded retries
    /// (announced on `tx`) while nothing was delivered yet; `classify` turns an HTTP error
    /// status into the error shown.
    pub(crate) async fn connect(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        classify: ClassifyHttp,
        tx: &mpsc::Sender<Result<Delivery, ModelError>>,
    ) -> Result<reqwest::Response, ModelError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send(build(), classify).await {
                Ok(response) => return Ok(response),
                Err(error) => match error.retry_delay(attempt) {
                    Some(delay) => {
                        let _ = tx.send(Ok(Delivery::Retrying { attempt, delay, error })).await;
                        tokio::time::sleep(delay).await;
                    }
                    None => return Err(error),
                },
            }
        }
    }

    fn build(&self, request: &Request) -> reqwest::RequestBuilder {
        let key = self.key.as_ref().map(ApiKey::expose);
        match self.wire {
            Wire::OpenAi => {
                let b = self
                    .client
                    .post(format!("{}/chat/completions", self.base_url))
                    .json(&request.openai_body());
                match key {
                    Some(key) => b.bearer_auth(key),
                    None => b,
                }
            }
            Wire::Anthropic => self
                .client
                .post(format!("{}/v1/messages", self.base_url))
                .header("x-api-key", key.unwrap_or_default())
                .header("anthropic-version", "2023-06-01")
                .json(&request.anthropic_body()),
            Wire::Gemini => self
                .client
                .post(format!("{}/models/{}:streamGenerateContent?alt=sse", self.base_url, request.model))
                .header("x-goog-api-key", key.unwrap_or_default())
                .json(&request.gemini_body()),
        }
    }

    /// A POST to `url` with this model's HTTP client and, when there is a key, bearer auth.
    pub(crate) fn post_bearer(&self, url: &str) -> reqwest::RequestBuilder {
        let builder = self.client.post(url);
        match &self.key {
            Some(key) => builder.bearer_auth(key.expose()),
            None => builder,
        }
    }

    /// Sends the request and waits for a successful status; HTTP errors are classified.
    async fn send(
        &self,
        builder: reqwest::RequestBuilder,
        classify: ClassifyHttp,
    ) -> Result<reqwest::Response, ModelError> {
        let response = tokio::time::timeout(self.timeouts.first_byte, builder.send())
            .await
            .map_err(|_| ModelError::new(ErrorKind::Timeout, "the model server did not answer in time"))?
            .map_err(network_error)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status.is_redirection() {
            return Err(crate::http::refused_redirect(&response));
        }
        let retry_after =
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body =
            tokio::time::timeout(self.timeouts.silence, response.text()).await.ok().and_then(Result::ok);
        Err(classify(status.as_u16(), retry_after.as_deref(), body.as_deref().unwrap_or("")))
    }

    /// Decodes the response body as it arrives and delivers its events, within the silence
    /// timeout between chunks.
    pub(crate) async fn pump(
        &self,
        mut response: reqwest::Response,
        mut parser: impl BodyDecoder,
        tx: &mpsc::Sender<Result<Delivery, ModelError>>,
    ) -> Result<(), ModelError> {
        loop {
            let chunk = tokio::time::timeout(self.timeouts.silence, response.chunk())
                .await
                .map_err(|_| ModelError::new(ErrorKind::Timeout, "the model server went silent mid-reply"))?
                .map_err(network_error)?;
            let events = match chunk {
                Some(bytes) => parser.push(&bytes)?,
                None => {
                    for event in parser.finish()? {
                        if tx.send(Ok(Delivery::Event(event))).await.is_err() {
                            return Ok(());
                        }
                    }
                    return Ok(());
                }
            };
            for event in events {
                if tx.send(Ok(Delivery::Event(event))).await.is_err() {
                    return Ok(()); // nobody is listening any more
                }
            }
        }
    }
}

/// Turns an HTTP error status, its Retry-After and its body into the error shown.
pub(crate) type ClassifyHttp = fn(u16, Option<&str>, &str) -> ModelError;

/// A response body's bytes in, stream events out, split anywhere: SSE through
/// [`StreamParser`], or another framing (Ollama's NDJSON).
pub(crate) trait BodyDecoder {
    fn push(&mut self, bytes: &[u8]) -> Result<Vec<StreamEvent>, ModelError>;
    /// The body ended: what is still pending, or an error when the reply was cut off.
    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError>;
}

impl<D: WireDecoder> BodyDecoder for StreamParser<D> {
    fn push(&mut self, bytes: &[u8]) -> Result<Vec<StreamEvent>, ModelError> {
        StreamParser::push(self, bytes)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ModelError> {
        StreamParser::finish(self)
    }
}

/// A transport failure; reqwest's message names the URL, never a header.
fn network_error(e: reqwest::Error) -> ModelError {
    let kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Network };
    ModelError::new(kind, format!("cannot reach the model server: {e}"))
}
