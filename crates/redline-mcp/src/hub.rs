//! The running servers: starting them, routing calls by qualified tool name, stopping them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use process_wrap::tokio::CommandWrap;
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::{RunningService, ServiceError};
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use tokio::time::{timeout, Instant};

use crate::content::render_result;
use crate::stderr_log::StderrLog;
use crate::{McpError, McpTool, ServerConfig};

/// How long one server may take to start, initialize and list its tools.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a server may take to exit once its stdin is closed, before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(8);

/// What a tool call gave back, flattened to text for the model.
#[derive(Debug, Clone, PartialEq)]
pub struct McpCallResult {
    pub text: String,
    pub is_error: bool,
}

struct Server {
    name: String,
    client: RunningService<RoleClient, ClientConfig>,
    stderr: StderrLog,
}

impl Server {
    /// The service loop ends when the server's stdout closes, which drops the peer's channel.
    fn has_stopped(&self) -> bool {
        self.client.is_closed() || self.client.is_transport_closed()
    }
}

/// The started MCP servers of one project and the tools they offer.
pub struct McpHub {
    servers: Vec<Server>,
    tools: Vec<McpTool>,
    /// Qualified tool name → index into `tools`.
    routes: HashMap<String, usize>,
    problems: Vec<(String, String)>,
}

impl McpHub {
    /// Starts every enabled server (cwd = project root, env = redline_project::command_env()
    /// plus the server's own env; stderr captured to a log, not inherited), initializes it and
    /// lists its tools, each with a timeout (10 s). A server that fails to start is reported in
    /// `problems()` with a sentence, the others still work.
    pub async fn start(project_root: &Path, config: BTreeMap<String, ServerConfig>) -> McpHub {
        let mut starts = tokio::task::JoinSet::new();
        for (name, server) in config.into_iter().filter(|(_, s)| !s.disabled) {
            let root = project_root.to_path_buf();
            starts.spawn(async move {
                let started = start_server(&name, &server, &root).await;
                (name, started)
            });
        }
        let mut started = Vec::new();
        let mut problems = Vec::new();
        while let Some(joined) = starts.join_next().await {
            match joined {
                Ok((name, Ok(server))) => started.push((name, server)),
                Ok((name, Err(sentence))) => problems.push((name, sentence)),
                Err(e) => tracing::error!("an MCP server start task failed: {e}"),
            }
        }
        // Servers start concurrently; sorting keeps tool order stable between runs.
        started.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hub = McpHub { servers: Vec::new(), tools: Vec::new(), routes: HashMap::new(), problems };
        for (name, (server, tools)) in started {
            hub.add(name, server, tools);
        }
        hub.problems.sort();
        hub
    }

    fn add(&mut self, name: String, server: Server, tools: Vec<rmcp::model::Tool>) {
        for tool in tools {
            let tool = McpTool {
                server: name.clone(),
                name: tool.name.to_string(),
                description: tool.description.map(|d| d.to_string()).unwrap_or_default(),
                schema: serde_json::Value::Object((*tool.input_schema).clone()),
            };
            if let Err(sentence) = admit(&mut self.tools, &mut self.routes, tool) {
                self.problems.push((name.clone(), sentence));
            }
        }
        self.servers.push(server);
    }

    pub fn tools(&self) -> Vec<McpTool> {
        self.tools.clone()
    }

    /// Servers that failed to start, tools that were left out, and servers that have stopped
    /// since, each with a sentence for the person.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = self.problems.clone();
        for server in self.servers.iter().filter(|s| s.has_stopped()) {
            let mut sentence = format!("The MCP server `{}` has stopped.", server.name);
            if let Some(line) = server.stderr.last_line() {
                sentence.push_str(&format!(" It last said: {line}"));
            }
            problems.push((server.name.clone(), sentence));
        }
        problems
    }

    /// What a server wrote to stderr recently, for a log view; `None` for an unknown server.
    pub fn stderr_log(&self, server: &str) -> Option<String> {
        self.servers.iter().find(|s| s.name == server).map(|s| s.stderr.text())
    }

    /// Calls a tool by its qualified name; text content joined, non-text content described;
    /// isError kept; timeout → error result.
    pub async fn call(
        &self,
        qualified_name: &str,
        arguments: serde_json::Value,
        timeout_after: Duration,
    ) -> Result<McpCallResult, McpError> {
        let unknown = || McpError::UnknownTool(qualified_name.to_owned());
        let tool = self.routes.get(qualified_name).and_then(|&i| self.tools.get(i)).ok_or_else(unknown)?;
        let server = self.servers.iter().find(|s| s.name == tool.server).ok_or_else(unknown)?;
        let tool = &tool.name;
        let mut params = CallToolRequestParams::new(tool.clone());
        params.arguments = match arguments {
            serde_json::Value::Object(map) => Some(map),
            serde_json::Value::Null => None,
            other => return Ok(error_result(format!("The arguments must be a JSON object, not `{other}`."))),
        };
        // Dropping the request on timeout makes rmcp tell the server it is cancelled.
        match timeout(timeout_after, server.client.call_tool(params)).await {
            Err(_) => Ok(error_result(format!(
                "The MCP tool `{tool}` did not answer within {:.1} s and was cancelled.",
                timeout_after.as_secs_f64()
            ))),
            Ok(Ok(result)) => Ok(render_result(&result)),
            Ok(Err(ServiceError::McpError(e))) => {
                Ok(error_result(format!("The MCP server `{}` refused the call: {}", server.name, e.message)))
            }
            Ok(Err(e)) => Err(McpError::ServerGone { server: server.name.clone(), detail: e.to_string() }),
        }
    }

    /// Stops all servers (also on drop): closes each one's stdin, then signals and kills what
    /// is still running.
    pub async fn shutdown(self) {
        let mut stops = tokio::task::JoinSet::new();
        for server in self.servers {
            stops.spawn(async move {
                let mut client = server.client;
                if timeout(STOP_TIMEOUT, client.close()).await.is_err() {
                    tracing::warn!("the MCP server `{}` did not stop in time", server.name);
                }
            });
        }
        while stops.join_next().await.is_some() {}
    }
}

/// Adds `tool` unless its qualified name is taken, which sanitizing and the 64-character cut
/// can cause; the model could not tell such tools apart, so the later one is left out.
fn admit(tools: &mut Vec<McpTool>, routes: &mut HashMap<String, usize>, tool: McpTool) -> Result<(), String> {
    let qualified = tool.qualified_name();
    if let Some(other) = routes.get(&qualified).and_then(|&i| tools.get(i)) {
        return Err(format!(
            "The tool `{}` is left out: its name becomes `{qualified}`, which the tool `{}` of `{}` already has.",
            tool.name, other.name, other.server
        ));
    }
    routes.insert(qualified, tools.len());
    tools.push(tool);
    Ok(())
}

fn error_result(text: String) -> McpCallResult {
    McpCallResult { text, is_error: true }
}

/// Spawns, initializes and lists one server within [`START_TIMEOUT`]; the error is a sentence.
async fn start_server(
    name: &str,
    config: &ServerConfig,
    project_root: &Path,
) -> Result<(Server, Vec<rmcp::model::Tool>), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let (transport, stderr_pipe) = TokioChildProcess::builder(command(config, project_root))
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_failure(name, &config.command, &e))?;
    let stderr = StderrLog::default();
    let reader = stderr_pipe.map(|pipe| stderr.capture(name, pipe));
    let handler = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("redline", env!("CARGO_PKG_VERSION")),
    );
    let started = timeout_at(deadline, async {
        let client = handler.serve(transport).await.map_err(|e| e.to_string())?;
        let tools = client.list_all_tools().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((client, tools))
    })
    .await;
    let failure = match started {
        Ok(Ok((client, tools))) => {
            return Ok((Server { name: name.to_owned(), client, stderr }, tools));
        }
        Ok(Err(detail)) => format!("The MCP server `{name}` did not start: {detail}."),
        Err(()) => format!(
            "The MCP server `{name}` did not answer within {} s and was stopped.",
            START_TIMEOUT.as_secs()
        ),
    };
    Err(with_stderr(failure, reader, &stderr).await)
}

async fn timeout_at<T>(deadline: Instant, work: impl std::future::Future<Output = T>) -> Result<T, ()> {
    tokio::time::timeout_at(deadline, work).await.map_err(|_| ())
}

/// Appends the server's own last words, which usually say more than "connection closed".
async fn with_stderr(
    mut sentence: String,
    reader: Option<tokio::task::JoinHandle<()>>,
    log: &StderrLog,
) -> String {
    if let Some(reader) = reader {
        // The server has exited or been killed, so its stderr reaches EOF soon.
        let _ = timeout(Duration::from_millis(500), reader).await;
    }
    if let Some(line) = log.last_line() {
        sentence.push_str(&format!(" It said: {line}"));
    }
    sentence
}

fn command(config: &ServerConfig, project_root: &Path) -> CommandWrap {
    let mut command = tokio::process::Command::new(&config.command);
    command
        .args(&config.args)
        .current_dir(project_root)
        .env_clear()
        .envs(redline_project::command_env())
        .envs(&config.env);
    let mut wrapped = CommandWrap::from(command);
    // Launchers like `npx` start the real server as a grandchild; a process group lets the
    // shutdown reach it too.
    #[cfg(unix)]
    wrapped.wrap(process_wrap::tokio::ProcessGroup::leader());
    wrapped
}

fn spawn_failure(name: &str, program: &str, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => format!(
            "The MCP server `{name}` did not start: the program `{program}` was not found. Is it installed and on PATH?"
        ),
        std::io::ErrorKind::PermissionDenied => {
            format!("The MCP server `{name}` did not start: `{program}` is not executable.")
        }
        _ => format!("The MCP server `{name}` did not start: `{program}` failed to run: {error}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool::tool;

    #[test]
    fn a_tool_whose_qualified_name_collides_is_left_out_with_a_sentence() {
        let (mut tools, mut routes) = (Vec::new(), HashMap::new());
        admit(&mut tools, &mut routes, tool("a", "read.file")).expect("first is admitted");
        let err = admit(&mut tools, &mut routes, tool("a", "read_file")).expect_err("collides");

        assert_eq!(tools, [tool("a", "read.file")]);
        assert_eq!(routes.get("mcp__a__read_file"), Some(&0));
        assert!(err.contains("`read_file` is left out") && err.contains("`read.file`"), "{err}");
    }
}
