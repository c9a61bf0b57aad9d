//! `.redline/mcp.json` and the global file, in the `{"mcpServers": {..}}` shape other tools use.

use std::collections::BTreeMap;
use std::path::Path;

use redline_project::{read_capped, ProjectError, ProjectRoot};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

impl ServerConfig {
    /// The key an approval of this server is remembered by: a sha256 over a canonical form of its
    /// whole entry as it will start (name, program, arguments, working folder, environment), so
    /// changing any of it, one environment variable included, asks the person again.
    pub fn approval_key(&self, name: &str, cwd: &Path) -> String {
        // Field order is fixed by the struct and `env` is a BTreeMap: the same entry always
        // serializes to the same bytes, whatever order the file listed it in.
        #[derive(Serialize)]
        struct Canonical<'a> {
            name: &'a str,
            command: &'a str,
            args: &'a [String],
            cwd: String,
            env: &'a BTreeMap<String, String>,
        }
        let canonical = Canonical {
            name,
            command: &self.command,
            args: &self.args,
            cwd: cwd.display().to_string(),
            env: &self.env,
        };
        let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
        let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        format!("MCP server `{name}` sha256:{hash}")
    }
}

/// Whether an environment variable changes which programs or libraries a process loads, or what
/// an interpreter runs before its script: a server entry that sets one can run other code than
/// its command line says, so the approval card highlights it.
pub fn changes_program_loading(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "PATH",
        "NODE_OPTIONS",
        "NODE_PATH",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PYTHONHOME",
        "PERL5LIB",
        "PERL5OPT",
        "RUBYOPT",
        "RUBYLIB",
        "BASH_ENV",
        "ENV",
        "JAVA_TOOL_OPTIONS",
    ];
    NAMES.contains(&name) || name.starts_with("LD_") || name.starts_with("DYLD_")
}

/// A configuration file larger than this is refused rather than read.
const CONFIG_SIZE_LIMIT: usize = 1024 * 1024;

/// Merged configuration; a malformed file is an error naming the file and the problem.
///
/// Missing files count as empty. Project entries replace global entries of the same name
/// whole, so a project can disable a global server with `"disabled": true`.
pub fn load_config(
    project_root: &Path,
    global_file: Option<&Path>,
) -> Result<BTreeMap<String, ServerConfig>, McpError> {
    let mut servers = match global_file {
        Some(file) => read_global(file)?,
        None => BTreeMap::new(),
    };
    servers.extend(read_project(project_root)?);
    Ok(servers)
}

/// The person's own file, in the app's data folder: not a project file.
#[allow(clippy::disallowed_methods)]
fn read_global(file: &Path) -> Result<BTreeMap<String, ServerConfig>, McpError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(config_error(file, format!("cannot read it: {e}"))),
    };
    parse(&text).map_err(|problem| config_error(file, problem))
}

/// The project's `.redline/mcp.json`, read through the project's directory handle: a symlink
/// (of the file or of `.redline/`) that leads out of the project is refused, never followed.
fn read_project(project_root: &Path) -> Result<BTreeMap<String, ServerConfig>, McpError> {
    let file = project_root.join(PROJECT_CONFIG);
    let read = ProjectRoot::open(project_root)
        .and_then(|root| read_capped(&root, PROJECT_CONFIG, CONFIG_SIZE_LIMIT));
    let read = match read {
        Ok(read) => read,
        Err(ProjectError::NotFound(_)) => return Ok(BTreeMap::new()),
        Err(e) => return Err(config_error(&file, format!("cannot read it: {e}"))),
    };
    if read.truncated {
        let limit = CONFIG_SIZE_LIMIT / 1024;
        return Err(config_error(&file, format!("cannot read it: it is larger than {limit} KB")));
    }
    let text = String::from_utf8(read.bytes)
        .map_err(|_| config_error(&file, "cannot read it: it is not UTF-8 text".to_owned()))?;
    parse(&text).map_err(|problem| config_error(&file, problem))
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

    fn server(text: &str) -> ServerConfig {
        parse(text).expect("valid").remove("a").expect("server a")
    }

    #[test]
    fn the_approval_key_changes_with_any_env_var_or_arg_but_not_with_key_order() {
        let cwd = Path::new("/p");
        let base =
            server(r#"{"mcpServers": {"a": {"command": "x", "args": ["1"], "env": {"A": "1", "B": "2"}}}}"#);
        let reordered =
            server(r#"{"mcpServers": {"a": {"env": {"B": "2", "A": "1"}, "args": ["1"], "command": "x"}}}"#);
        let env = server(
            r#"{"mcpServers": {"a": {"command": "x", "args": ["1"], "env": {"A": "1", "B": "2", "LD_PRELOAD": "/tmp/x.so"}}}}"#,
        );
        let arg = server(
            r#"{"mcpServers": {"a": {"command": "x", "args": ["1", "2"], "env": {"A": "1", "B": "2"}}}}"#,
        );
        let key = base.approval_key("a", cwd);
        assert_eq!(key, reordered.approval_key("a", cwd));
        assert!(key.starts_with("MCP server `a` sha256:") && key.len() > 64, "{key}");
        for other in [env.approval_key("a", cwd), arg.approval_key("a", cwd), base.approval_key("b", cwd)] {
            assert_ne!(key, other);
        }
        assert_ne!(key, base.approval_key("a", Path::new("/q")), "another working folder is another server");
    }

    #[test]
    fn variables_that_change_what_loads_are_recognised() {
        for name in
            ["PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "NODE_OPTIONS", "PYTHONPATH", "DYLD_INSERT_LIBRARIES"]
        {
            assert!(changes_program_loading(name), "{name}");
        }
        for name in ["API_URL", "DEBUG", "PATHS_FILE", "HOME"] {
            assert!(!changes_program_loading(name), "{name}");
        }
    }

    #[test]
    fn a_file_without_mcp_servers_is_empty_not_an_error() {
        assert!(parse("{}").expect("valid").is_empty());
        assert!(parse("  \n").expect("blank").is_empty());
    }
}
