//! MCP tool servers configured by the person (`.redline/mcp.json` and a global file): starting
//! them as stdio child processes with `rmcp`, listing their tools under model-safe qualified
//! names, calling them with a timeout, and stopping them.
//!
//! It must never hand a server more environment than `redline_project::command_env()` plus the
//! server's own configured `env` (no API keys), never let a server's stderr reach the app's
//! terminal, and never decide whether a call is allowed: approval belongs to the agent.

// Tests use std::fs freely (see the workspace clippy.toml).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod config;
mod content;
mod error;
mod hub;
mod stderr_log;
mod tool;

pub use config::{changes_program_loading, load_config, parse as parse_config, ServerConfig, PROJECT_CONFIG};
pub use error::McpError;
pub use hub::{McpCallResult, McpHub, START_TIMEOUT};
pub use tool::McpTool;
