use std::path::PathBuf;

/// Why reading the MCP configuration or calling an MCP tool failed, phrased for the person.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error("{}: {problem}", file.display())]
    Config { file: PathBuf, problem: String },
    #[error("there is no MCP tool named `{0}`")]
    UnknownTool(String),
    /// The server's connection broke (it exited or wrote something that is not MCP); a model's
    /// bad arguments are not this, they come back as an error result.
    #[error("the MCP server `{server}` is no longer reachable: {detail}")]
    ServerGone { server: String, detail: String },
}
