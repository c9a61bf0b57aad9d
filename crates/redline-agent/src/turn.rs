//! Drives one streamed reply: renders it block by block, batches UI updates (one per frame at
//! most), reports retries, and stops at once when asked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use redline_llm::{Delivery, ErrorKind, EventStream, ModelError, StopReason, StreamEvent, Usage};
use tokio::sync::Notify;

use crate::render::StreamRenderer;

/// UI updates are sent at most this often.
pub const FRAME: Duration = Duration::from_millis(33);

#[derive(Debug, Clone, PartialEq)]
pub enum TurnEvent {
    /// Blocks that closed, the open block's HTML (replacing the previous one), and the raw
    /// text that arrived since the last render.
    Render {
        closed: Vec<String>,
        open: String,
        delta: String,
    },
    Thinking(String),
    Retrying {
        attempt: u32,
        delay: Duration,
        error: ModelError,
    },
}

/// A tool call the model made.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The provider's id for it, which its result must quote.
    pub id: String,
    pub name: String,
    pub arguments: serde_json::Value,
}

/// How a reply ended.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOutcome {
    pub text: String,
    pub thinking: String,
    pub usage: Usage,
    pub stop: Option<StopReason>,
    pub error: Option<ModelError>,
    pub cancelled: bool,
    pub first_token: Option<Duration>,
    pub duration: Duration,
    pub tool_calls: Vec<ToolCall>,
}

/// Runs `stream` to its end, to an error, or until `cancel` is notified.
pub async fn run_turn(
    mut stream: EventStream,
    cancel: Arc<Notify>,
    mut on_event: impl FnMut(TurnEvent),
) -> TurnOutcome {
    let started = Instant::now();
    let mut renderer = StreamRenderer::default();
    let mut out = TurnOutcome {
        text: String::new(),
        thinking: String::new(),
        usage: Usage::default(),
        stop: None,
        error: None,
        cancelled: false,
        first_token: None,
        duration: Duration::ZERO,
        tool_calls: Vec::new(),
    };
    let mut dirty = false;
    let mut last_flush = Instant::now();
    let mut emitted = 0;
    let mut render = |renderer: &mut StreamRenderer, on_event: &mut dyn FnMut(TurnEvent)| {
        let u = renderer.update();
        let delta = renderer.text()[emitted..].to_owned();
        emitted = renderer.text().len();
        on_event(TurnEvent::Render { closed: u.closed, open: u.open, delta });
    };
    loop {
        let flush_in = FRAME.saturating_sub(last_flush.elapsed());
        let next = tokio::select! {
            biased;
            _ = cancel.notified() => { out.cancelled = true; break; }
            _ = tokio::time::sleep(flush_in), if dirty => None,
            next = stream.next() => Some(next),
        };
        match next {
            None => {}
            Some(None) => break,
            Some(Some(Err(error))) => {
                out.error = Some(error);
                break;
            }
            Some(Some(Ok(Delivery::Retrying { attempt, delay, error }))) => {
                on_event(TurnEvent::Retrying { attempt, delay, error });
            }
            Some(Some(Ok(Delivery::Event(event)))) => {
                if out.first_token.is_none()
                    && matches!(event, StreamEvent::Text(_) | StreamEvent::Thinking(_))
                {
                    out.first_token = Some(started.elapsed());
                }
                match event {
                    StreamEvent::Text(t) => {
                        renderer.push(&t);
                        dirty = true;
                    }
                    StreamEvent::Thinking(t) => {
                        out.thinking.push_str(&t);
                        on_event(TurnEvent::Thinking(t));
                    }
                    StreamEvent::Usage(u) => out.usage = u,
                    StreamEvent::Stop(reason) => out.stop = Some(reason),
                    StreamEvent::ToolCall { id, name, arguments } => {
                        out.tool_calls.push(ToolCall { id, name, arguments })
                    }
                }
            }
        }
        if dirty && last_flush.elapsed() >= FRAME {
            render(&mut renderer, &mut on_event);
            dirty = false;
            last_flush = Instant::now();
        }
    }
    drop(stream); // cancels the request if it is still running
    if dirty {
        render(&mut renderer, &mut on_event);
    }
    let said_nothing = renderer.text().is_empty() && out.tool_calls.is_empty();
    if out.error.is_none() && !out.cancelled && out.stop.is_none() && said_nothing {
        out.error =
            Some(ModelError::new(ErrorKind::Protocol, "the model ended its reply without saying anything"));
    }
    out.text = renderer.text().to_owned();
    out.duration = started.elapsed();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use redline_llm::{FakeModel, LanguageModel, Request};

    #[tokio::test]
    async fn text_is_rendered_and_usage_and_stop_are_kept() {
        let model = FakeModel::new("fake/m");
        let stream = model.stream(Request::new("m", vec![]));
        model.send(0, StreamEvent::Text("Hello\n\nworld".into())).await;
        model.send(0, StreamEvent::Usage(Usage { input: 5, output: 2, cached: 0 })).await;
        model.send(0, StreamEvent::Stop(StopReason::EndTurn)).await;
        model.end(0);
        let mut html = String::new();
        let out = run_turn(stream, Arc::new(Notify::new()), |e| {
            if let TurnEvent::Render { closed, open, .. } = e {
                html = closed.concat() + &open;
            }
        })
        .await;
        assert_eq!(out.text, "Hello\n\nworld");
        assert_eq!(out.usage.output, 2);
        assert_eq!(out.stop, Some(StopReason::EndTurn));
        assert!(html.contains("<p>world</p>"), "{html}");
        assert!(out.first_token.is_some());
    }

    #[tokio::test]
    async fn cancel_ends_the_turn_and_keeps_the_text_so_far() {
        let model = FakeModel::new("fake/m");
        let stream = model.stream(Request::new("m", vec![]));
        model.send(0, StreamEvent::Text("partial".into())).await;
        let cancel = Arc::new(Notify::new());
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            trigger.notify_one();
        });
        let out = run_turn(stream, cancel, |_| {}).await;
        assert!(out.cancelled && out.error.is_none());
        assert_eq!(out.text, "partial");
    }

    #[tokio::test]
    async fn an_error_mid_stream_keeps_the_text_and_reports_the_error() {
        let model = FakeModel::new("fake/m");
        let stream = model.stream(Request::new("m", vec![]));
        model.send(0, StreamEvent::Text("so far".into())).await;
        model.fail(0, ModelError::new(ErrorKind::Network, "connection reset")).await;
        let out = run_turn(stream, Arc::new(Notify::new()), |_| {}).await;
        assert_eq!(out.text, "so far");
        assert_eq!(out.error.map(|e| e.kind), Some(ErrorKind::Network));
    }
}
