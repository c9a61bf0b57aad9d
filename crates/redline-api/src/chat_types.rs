//! Transport types of chat, providers and keys. No type here carries an API key towards the UI:
//! a key travels only UI → backend, in `set_key`'s argument.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

/// Where a provider's key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum KeyState {
    /// The provider needs none, or none was entered.
    None,
    /// In the OS keyring.
    Keyring,
    /// In memory for this run only.
    Session,
    /// The keyring could not be asked (missing or locked).
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PresetView {
    pub id: String,
    pub name: String,
    pub wire: String,
    pub base_url: String,
    pub needs_key: bool,
    pub local: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
    pub id: String,
    pub name: String,
    /// `openai`, `anthropic` or `gemini`.
    pub wire: String,
    pub base_url: String,
    pub needs_key: bool,
    pub key: KeyState,
    /// Models the person listed; empty means "ask the server".
    pub models: Vec<String>,
}

/// A provider as the settings page submits it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInput {
    /// Set when editing an existing provider.
    pub id: Option<String>,
    pub name: String,
    pub wire: String,
    pub base_url: String,
    pub needs_key: bool,
    pub models: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelChoice {
    /// `provider/model`.
    pub id: String,
    pub provider_name: String,
    pub model: String,
    /// Found on this machine without any setup.
    pub detected: bool,
    pub window: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelsView {
    pub models: Vec<ModelChoice>,
    pub default_model: Option<String>,
    /// Providers that could not be asked for their models, and why.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    /// `file`, `folder`, `selection`, `gitDiff` or `rules`.
    pub kind: String,
    pub label: String,
    pub tokens: u32,
    pub truncated: bool,
    /// "AWS access key on line 3", one per redacted secret.
    pub redactions: Vec<String>,
    /// Why it was not sent or was shortened.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageView {
    pub input: u32,
    pub output: u32,
    pub cached: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    #[ts(type = "number")]
    pub id: i64,
    /// `user` or `assistant`.
    pub role: String,
    /// What was typed, or the reply's markdown.
    pub text: String,
    /// The reply rendered and sanitized; empty for the person's own messages.
    pub html: String,
    pub attachments: Vec<AttachmentView>,
    pub model: Option<String>,
    /// `complete`, `streaming`, `stopped`, `failed` or `interrupted`.
    pub status: String,
    pub error: Option<ApiError>,
    pub usage: UsageView,
    /// US dollars; `None` when the model has no price (local models).
    pub cost: Option<f64>,
    #[ts(type = "number | null")]
    pub first_token_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    /// The edits this reply proposed, one per file.
    pub proposals: Vec<ProposalView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    #[ts(type = "number")]
    pub id: i64,
    pub title: String,
    pub model: Option<String>,
    #[ts(type = "number")]
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDetail {
    pub conversation: ConversationView,
    pub messages: Vec<MessageView>,
    pub usage: UsageView,
    pub cost: Option<f64>,
    /// True while a reply is streaming (in this window or from before a reload).
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MeterView {
    pub used: u32,
    pub window: u32,
    pub reserved: u32,
    /// What did not fit: "4 earlier messages", "src/big.rs".
    pub dropped: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SelectionInput {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
}

/// A question to send. `@path` mentions in `text` are attached too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SendInput {
    /// `None` starts a new conversation.
    #[ts(type = "number | null")]
    pub conversation_id: Option<i64>,
    pub text: String,
    /// `provider/model`; the conversation's or the default one when absent.
    pub model: Option<String>,
    /// Paths attached as chips.
    pub attachments: Vec<String>,
    pub selection: Option<SelectionInput>,
    pub include_diff: bool,
    /// Edit-and-resend, regenerate: this message and every later one are replaced.
    #[ts(type = "number | null")]
    pub replace_from: Option<i64>,
}

/// Streamed to the UI over a channel while a reply is produced.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ChatEvent {
    Started {
        conversation: ConversationView,
        user_message: MessageView,
        #[ts(type = "number")]
        assistant_id: i64,
        model: String,
        meter: MeterView,
    },
    /// Closed blocks to append, the open block's new HTML, and the raw text that arrived.
    Render {
        closed: Vec<String>,
        open: String,
        delta: String,
    },
    Thinking {
        text: String,
    },
    /// A file's proposal as it stands while the reply streams (not saved yet: `id` is 0).
    Proposal {
        proposal: ProposalView,
    },
    Retrying {
        attempt: u32,
        delay_ms: u32,
        message: String,
    },
    Finished {
        message: MessageView,
    },
}

/// What attaching would send, before sending: for the chips and the context meter.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextPreview {
    pub attachments: Vec<AttachmentView>,
    pub meter: MeterView,
}

/// One changed region of a proposal, with its lines highlighted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HunkView {
    pub index: u32,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
    pub header: String,
    pub lines: Vec<crate::DiffLineView>,
    /// The proposed text of the hunk, for editing it before accepting.
    pub new_text: String,
}

/// What a reply wants one file to become, and where its review stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProposalView {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub message_id: i64,
    pub path: String,
    /// `modify`, `create`, `delete` or `rename`.
    pub kind: String,
    pub from_path: Option<String>,
    /// `pending`, `reviewed` or `failed` (the edit could not be placed; `error` says why).
    pub status: String,
    pub error: Option<String>,
    /// The file changed on disk since the model saw it: accepting will merge.
    pub stale: bool,
    pub pending: u32,
    /// Redline has written accepted hunks of it ("undo this turn" can take them back).
    pub written: bool,
    pub hunks: Vec<HunkView>,
}

/// What accepting or rejecting wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewOutcome {
    pub proposal: Option<ProposalView>,
    /// `written`, `merged`, `unchanged` or `conflict` (nothing written).
    pub written: String,
    pub message: Option<String>,
}

/// What "undo this turn" did, file by file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoReport {
    pub restored: Vec<String>,
    /// Files left as they are, each with the reason.
    pub kept: Vec<String>,
}
