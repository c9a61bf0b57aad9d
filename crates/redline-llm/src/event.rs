use serde::Serialize;

/// Token counts of one request, as the provider reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    /// Input tokens served from the provider's prompt cache (included in `input`).
    pub cached: u64,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum StopReason {
    EndTurn,
    MaxTokens,
    StopSequence,
    ToolUse,
    /// A provider-specific reason (content filter, recitation…), kept verbatim.
    Other(String),
}

/// One piece of a streamed reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StreamEvent {
    Text(String),
    Thinking(String),
    /// A complete tool call: arguments are assembled from the streamed fragments and parsed.
    ToolCall {
        id: String,
        name: String,
        arguments: serde_json::Value,
    },
    Usage(Usage),
    Stop(StopReason),
}
