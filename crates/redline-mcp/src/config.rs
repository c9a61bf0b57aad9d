//! `.redline/mcp.json` and the global file, in the `{"mcpServers": {..}}` shape other tools use.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::McpError;

/// Where a project keeps its MCP servers, relative to the project root.
pub const PROJECT_CONFIG: &str = ".redline/mcp.json";

/// One stdio server as configured: the program, its arguments and the extra environment it
/// gets on top of the scrubbed one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ServerConfig {
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub disabled: bool,
}

/// Merged configuration; a malformed file is an error naming the file and the problem.
///
/// Missing files count as empty. Project entries replace global entries of the same name
/// whole, so a project can disable a global server with `"disabled": true`.
pub fn load_config(
    project_root: &Path,
    global_file: Option<&Path>,
) -> Result<BTreeMap<String, ServerConfig>, McpError> {
    let mut servers = match global_file {
        Some(file) => read_file(file)?,
        None => BTreeMap::new(),
    };
    servers.extend(read_file(&project_root.join(PROJECT_CONFIG))?);
    Ok(servers)
}

fn read_file(file: &Path) -> Result<BTreeMap<String, ServerConfig>, McpError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(config_error(file, format!("cannot read it: {e}"))),
    };
    parse(&text).map_err(|problem| config_error(file, problem))
}

/// Parses a configuration text; the error is a sentence without the file name.
pub fn parse(text: &str) -> Result<BTreeMap<String, ServerConfig>, String> {
    #[derive(Deserialize)]
    struct File {
        #[serde(rename = "mcpServers", default)]
        mcp_servers: BTreeMap<String, serde_json::Value>,
    }
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    let file: File = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    // Entries are decoded one by one so the message can say which server is wrong.
    file.mcp_servers
        .into_iter()
        .map(|(name, value)| {
            let config = ServerConfig::deserialize(value).map_err(|e| {
                format!("server `{name}`: {e} (only stdio servers with a `command` are supported)")
            })?;
            if config.command.trim().is_empty() {
                return Err(format!("server `{name}`: `command` is empty"));
            }
            Ok((name, config))
        })
        .collect()
}

fn config_error(file: &Path, problem: String) -> McpError {
    McpError::Config { file: file.to_path_buf(), problem }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_without_args_or_env_gets_empty_defaults() {
        let servers = parse(r#"{"mcpServers": {"a": {"command": "x"}}}"#).expect("valid");
        let a = &servers["a"];
        assert_eq!(a.command, "x");
        assert!(a.args.is_empty() && a.env.is_empty() && !a.disabled);
    }

    #[test]
    fn an_http_server_entry_is_named_in_the_error() {
        let err = parse(r#"{"mcpServers": {"remote": {"url": "https://x"}}}"#).expect_err("no command");
        assert!(err.contains("`remote`") && err.contains("command"), "{err}");
    }

    #[test]
    fn an_empty_command_is_rejected() {
        let err = parse(r#"{"mcpServers": {"a": {"command": " "}}}"#).expect_err("empty");
        assert!(err.contains("empty"), "{err}");
    }

    #[test]
    fn a_file_without_mcp_servers_is_empty_not_an_error() {
        assert!(parse("{}").expect("valid").is_empty());
        assert!(parse("  \n").expect("blank").is_empty());
    }
}
