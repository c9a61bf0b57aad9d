//! Conversations with a model about a project: what context a question carries (mentions,
//! selection, diff, rules files), secrets removed from it, the prompt fitted to the model's
//! window, a streamed reply rendered block by block, what the model is told (`instructions`),
//! the agent's tools, and the settings and prices files.
//!
//! It reads project files only through `redline-project`'s confinement and writes none: every
//! change is a proposal that `redline-review` writes once a person accepts it. It knows nothing
//! of Tauri, SQLite or the window.

// Tests build their fixture projects with std::fs (see the workspace clippy.toml).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod context;
pub mod instructions;
pub mod prompt;
pub mod redact;
pub mod render;
pub mod settings;
pub mod tools;
pub mod turn;

pub use context::{parse_mentions, Attachment, AttachmentKind, ContextReader, Selection};
pub use prompt::{build as build_prompt, ContextMeter, HistoryMessage, Prompt, PromptInput};
pub use render::{RenderUpdate, StreamRenderer};
pub use settings::{ModelPrice, Prices, ProviderConfig, Settings, SettingsError, TimeoutSettings};
pub use tools::{
    agent_tool_specs, command_result_text, parse_text_tool_calls, run_command, run_read_only,
    text_tool_instructions, CommandResult, ToolOutput, READ_ONLY_TOOLS,
};
pub use turn::{run_turn, TurnEvent, TurnOutcome};
