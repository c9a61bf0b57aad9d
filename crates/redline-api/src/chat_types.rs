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
    /// Models declared to complete in the middle (fill-in-the-middle).
    pub fim_models: Vec<String>,
    /// Why this address is risky (plain `http://` to another machine), shown on the provider.
    pub warning: Option<String>,
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
    #[serde(default)]
    pub fim_models: Vec<String>,
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
    /// Tools the reply called (agent steps), with what each gave back.
    pub tools: Vec<ToolCallView>,
}

/// One tool call of an agent step: what was asked, and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ToolCallView {
    pub id: String,
    pub name: String,
    #[ts(type = "unknown")]
    pub arguments: serde_json::Value,
    /// `running`, `waiting` (for the person's approval or review), `done`, `failed` or `declined`.
    pub status: String,
    /// One line for the person: "read src/lib.rs lines 1–80", "exit 1 after 2.3 s".
    pub summary: String,
    /// A command's output (capped), streamed while it runs; empty for other tools.
    pub output: String,
}

/// A command (or MCP tool) the model wants to run, waiting for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequest {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub message_id: i64,
    pub call_id: String,
    /// The exact command line, or `server: tool {arguments}` for an MCP tool.
    pub command: String,
    pub kind: ApprovalKind,
    /// For `mcpServer`: everything that will run, as the server is started.
    pub server: Option<McpServerView>,
    /// Files auto-accepted since the person last reviewed. When not empty the card asks even
    /// for a line approved before: those edits (a `conftest.py`, `build.rs`, `package.json`
    /// script) can change what the line runs.
    pub changed_since_review: Vec<String>,
}

/// What an approval request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ApprovalKind {
    /// A command line the model wants to run.
    Command,
    /// A tool call to an MCP server.
    Mcp,
    /// Starting an MCP server the project configures.
    McpServer,
}

impl ApprovalKind {
    /// The name the UI and the transcript use.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalKind::Command => "command",
            ApprovalKind::Mcp => "mcp",
            ApprovalKind::McpServer => "mcpServer",
        }
    }
}

/// A project MCP server's whole entry as it will be started: approving it approves exactly this,
/// and any change to it asks again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct McpServerView {
    pub name: String,
    pub command: String,
    pub args: Vec<String>,
    /// The folder it runs in.
    pub cwd: String,
    /// Every variable the entry sets, in name order.
    pub env: Vec<EnvVarView>,
}

/// One environment variable a server entry sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarView {
    pub name: String,
    pub value: String,
    /// It changes which programs or libraries load (`PATH`, `LD_PRELOAD`, `NODE_OPTIONS`, …):
    /// highlighted on the card.
    pub changes_loading: bool,
}

/// What the person said to an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ApprovalAnswer {
    Once,
    Conversation,
    Always,
    Decline,
}

/// The agent's limits, shown next to the switch and editable in Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentLimitsView {
    pub max_steps: u32,
    pub max_tokens: u32,
    pub max_cost: Option<f64>,
    pub command_timeout_secs: u32,
    /// The project's test command for "fix until tests pass", once named.
    pub test_command: Option<String>,
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
    /// Agent mode: the model may call tools and take several steps.
    #[serde(default)]
    pub agent: bool,
    /// Accept the agent's edits of this turn without review (checkpoints are still written).
    #[serde(default)]
    pub auto_accept: bool,
}

impl SendInput {
    /// A question starting a new conversation, with nothing attached, to the default model.
    pub fn new(text: impl Into<String>) -> Self {
        SendInput {
            conversation_id: None,
            text: text.into(),
            model: None,
            attachments: Vec::new(),
            selection: None,
            include_diff: false,
            replace_from: None,
            agent: false,
            auto_accept: false,
        }
    }
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
        /// For the command line, which prints the raw text; the window renders the HTML, so it
        /// is not sent there with every frame.
        #[serde(skip)]
        #[ts(skip)]
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
    /// One reply (or one agent step) ended and was saved.
    Finished {
        message: MessageView,
    },
    /// The agent starts another step: a new reply streams into `message`.
    Step {
        message: MessageView,
        step: u32,
    },
    /// A tool call of the step streaming in `message_id` started, changed state or ended.
    Tool {
        #[ts(type = "number")]
        message_id: i64,
        call: ToolCallView,
    },
    /// Output a running command printed.
    ToolOutput {
        #[ts(type = "number")]
        message_id: i64,
        call_id: String,
        chunk: String,
    },
    Approval {
        request: ApprovalRequest,
    },
    /// The agent waits for the person to review these files before it goes on.
    AwaitingReview {
        #[ts(type = "number")]
        message_id: i64,
        paths: Vec<String>,
    },
    /// The agent turn ended: `done`, `stepLimit`, `tokenLimit`, `costLimit`, `stopped` or `failed`.
    AgentDone {
        reason: String,
        steps: u32,
        tokens: u32,
        cost: Option<f64>,
    },
}

/// What attaching would send, before sending: for the chips and the context meter.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextPreview {
    pub attachments: Vec<AttachmentView>,
    pub meter: MeterView,
}

/// A hunk's review state; also what the UI asks a hunk to become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HunkStateView {
    Pending,
    Accepted,
    Rejected,
}

/// What a proposal does to its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProposalKindView {
    Modify,
    Create,
    Delete,
    Rename,
}

/// Where a proposal's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProposalStatusView {
    Pending,
    Reviewed,
    /// The edit could not be placed (`error` says why): nothing to accept.
    Failed,
}

/// What a decision did on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum WrittenView {
    Written,
    /// The file had changed since; the decided changes were merged onto it.
    Merged,
    Unchanged,
    /// The file changed since in the same lines: nothing was written.
    Conflict,
}

/// One changed region of a proposal, with its lines highlighted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HunkView {
    pub index: u32,
    pub state: HunkStateView,
    pub header: String,
    pub lines: Vec<crate::DiffLineView>,
    /// The proposed text of the hunk, for editing it before accepting.
    pub new_text: String,
    /// What the checks before review found in this hunk's lines.
    pub findings: Vec<FindingView>,
}

/// Something a check before review noticed in a proposal. It informs; it never blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    /// `syntax`, `secret`, `risk` or `lint`.
    pub kind: String,
    /// Line in the proposed file.
    pub line: u32,
    pub message: String,
    /// Who said so: `tree-sitter`, `secrets`, `risky-patterns`, `rustfmt`, ...
    pub source: String,
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
    pub kind: ProposalKindView,
    pub from_path: Option<String>,
    pub status: ProposalStatusView,
    pub error: Option<String>,
    /// The file changed on disk since the model saw it: accepting will merge.
    pub stale: bool,
    pub pending: u32,
    /// Redline has written accepted hunks of it ("undo this turn" can take them back).
    pub written: bool,
    /// Highlighted hunks: filled for the Review tab, empty in conversation payloads (the chat
    /// shows counts only).
    pub hunks: Vec<HunkView>,
    /// Findings outside every hunk (a formatter's view of the whole file, say).
    pub findings: Vec<FindingView>,
    /// Why the file is protected ("direnv runs it when a shell enters the folder"): never
    /// auto-accepted, and accepting it needs the person's second confirmation.
    pub protected: Option<String>,
}

/// What accepting or rejecting wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewOutcome {
    pub proposal: Option<ProposalView>,
    pub written: WrittenView,
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

/// Where to complete in the middle.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CompletionInput {
    pub path: String,
    /// 1-based line and 0-based column (in characters) of the cursor.
    pub line: u32,
    pub column: u32,
    /// `provider/model`; the default model when absent.
    pub model: Option<String>,
    /// The conversation to add the turn to; a new one when absent.
    #[ts(type = "number | null")]
    pub conversation_id: Option<i64>,
}

/// A completion saved as a turn, with its proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CompletionView {
    #[ts(type = "number")]
    pub conversation_id: i64,
    #[ts(type = "number")]
    pub message_id: i64,
    pub proposal: ProposalView,
}
