//! One step of a reply: streamed from the model into the window, its edits turned into
//! proposals while it streams, saved when it ends (whatever the ending) and its proposals planned,
//! checked and saved. A plain question is one step; an agent turn is several.

use std::sync::Arc;

use redline_agent::instructions::EDIT_TOOLS;
use redline_agent::{run_turn, TurnEvent, TurnOutcome};
use redline_store::{MessageRow, NewMessage};
use tokio::sync::Notify;

use crate::review_view::{proposal_view, Hunks};
use crate::{ApiError, ApiResult, App, ChatEvent, ErrorCode, MessageView, UsageView};

pub(crate) fn message_view(row: &MessageRow) -> MessageView {
    let html = if row.role == "assistant" {
        redline_highlight::markdown_to_html(&row.content)
    } else {
        String::new()
    };
    MessageView {
        id: row.id,
        role: row.role.clone(),
        text: row.content.clone(),
        html,
        attachments: serde_json::from_str(&row.attachments).unwrap_or_default(),
        model: row.model.clone(),
        status: row.status.clone(),
        error: row
            .error
            .as_deref()
            .and_then(|e| serde_json::from_str::<StoredError>(e).ok())
            .map(|e| e.into()),
        usage: UsageView {
            input: row.input_tokens as u32,
            output: row.output_tokens as u32,
            cached: row.cached_tokens as u32,
        },
        cost: row.cost,
        first_token_ms: row.first_token_ms,
        duration_ms: row.duration_ms,
        proposals: Vec::new(),
        tools: serde_json::from_str(&row.tools).unwrap_or_default(),
    }
}

/// An error as saved with a message: the code's name and the sentence.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredError {
    code: serde_json::Value,
    message: String,
}

impl From<StoredError> for ApiError {
    fn from(e: StoredError) -> Self {
        let code = serde_json::from_value(e.code).unwrap_or(ErrorCode::Internal);
        ApiError::new(code, e.message)
    }
}

impl App {
    /// Streams one reply into `row` (saved as it ends, with the edits it proposed); the caller
    /// says when it is finished.
    pub(crate) async fn stream_step(
        &self,
        row: MessageRow,
        model_id: &str,
        model: &dyn redline_llm::LanguageModel,
        request: redline_llm::Request,
        cancel: Arc<Notify>,
        emit: &(dyn Fn(ChatEvent) + Send + Sync),
    ) -> ApiResult<(MessageView, TurnOutcome)> {
        let stream = model.stream(request);
        let project = self.project()?;
        let desk = self.desk(&project);
        let mut live = redline_review::LiveProposals::default();
        let outcome = run_turn(stream, cancel, |event| {
            let touched = match &event {
                TurnEvent::Render { delta, .. } => live.push(&desk, delta),
                _ => Vec::new(),
            };
            emit(chat_event(event));
            for path in touched {
                if let Some(record) = live.proposal(&desk, &path) {
                    let proposal = proposal_view(Some(&desk), &record, Hunks::Highlighted);
                    emit(ChatEvent::Proposal { proposal });
                }
            }
        })
        .await;
        let finished = self.finish_reply(row, model_id, &outcome)?;
        let mut view = message_view(&finished);
        if outcome.error.is_none() {
            let mut records = self.plan_step(&desk, finished.id, live.finish(), &outcome.tool_calls);
            self.check_records(&mut records).await?;
            view.proposals = self.save_records(finished.id, &records)?;
        }
        Ok((view, outcome))
    }

    /// The records of a step that ended: the edits parsed while its reply streamed, then its
    /// edit tool calls, planned against the files as they were read while streaming.
    fn plan_step(
        &self,
        desk: &redline_review::Desk,
        message_id: i64,
        parsed: redline_review::Parsed,
        tool_calls: &[redline_agent::turn::ToolCall],
    ) -> Vec<redline_review::Record> {
        let calls: Vec<(String, serde_json::Value)> = tool_calls
            .iter()
            .filter(|c| EDIT_TOOLS.contains(&c.name.as_str()))
            .map(|c| (c.name.clone(), c.arguments.clone()))
            .collect();
        let (call_edits, call_errors) = redline_review::tool_call_edits(&calls);
        let mut records = desk.plan(message_id, &parsed.edits, &parsed.errors, &parsed.bases);
        records.extend(desk.plan(message_id, &call_edits, &call_errors, &parsed.bases));
        records
    }

    /// Ends a reply that was stopped before its request was sent.
    pub(crate) fn finish_stopped(&self, mut row: MessageRow) -> ApiResult<MessageRow> {
        row.status = "stopped".into();
        self.with_store(|s| s.finish_message(&row))?;
        Ok(row)
    }

    fn finish_reply(
        &self,
        mut row: MessageRow,
        model_id: &str,
        outcome: &TurnOutcome,
    ) -> ApiResult<MessageRow> {
        row.content = outcome.text.clone();
        row.status = if outcome.cancelled {
            "stopped"
        } else if outcome.error.is_some() {
            "failed"
        } else {
            "complete"
        }
        .into();
        row.error = outcome.error.as_ref().map(|e| {
            let api = ApiError::from(e.clone());
            let stored = StoredError {
                code: serde_json::to_value(api.code).unwrap_or_default(),
                message: api.message,
            };
            serde_json::to_string(&stored).unwrap_or_default()
        });
        row.input_tokens = outcome.usage.input as i64;
        row.output_tokens = outcome.usage.output as i64;
        row.cached_tokens = outcome.usage.cached as i64;
        row.cost = self.models.prices.cost(model_id, &outcome.usage);
        row.first_token_ms = outcome.first_token.map(|d| d.as_millis() as i64);
        row.duration_ms = Some(outcome.duration.as_millis() as i64);
        self.with_store(|s| s.finish_message(&row))?;
        Ok(row)
    }
}

pub(crate) fn meter_view(m: &redline_agent::ContextMeter) -> crate::MeterView {
    crate::MeterView { used: m.used, window: m.window, reserved: m.reserved, dropped: m.dropped.clone() }
}

fn chat_event(event: TurnEvent) -> ChatEvent {
    match event {
        TurnEvent::Render { closed, open, delta } => ChatEvent::Render { closed, open, delta },
        TurnEvent::Thinking(text) => ChatEvent::Thinking { text },
        TurnEvent::Retrying { attempt, delay, error } => ChatEvent::Retrying {
            attempt,
            delay_ms: delay.as_millis() as u32,
            message: ApiError::from(error).message,
        },
    }
}

/// An empty reply about to stream.
pub(crate) fn streaming_reply(model_id: &str) -> NewMessage<'_> {
    NewMessage {
        role: "assistant",
        content: "",
        attachments: "[]",
        model: Some(model_id),
        status: "streaming",
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
