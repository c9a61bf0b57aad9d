//! A tiny MCP server over stdio for tests: `echo`, `env_has`, `sleep`, `fail`, `cwd`,
//! `picture` and `exit`. With `REDLINE_TEST_PID_FILE` set it writes its process id there.
//!
//! `--exit-at-start MESSAGE` writes MESSAGE to stderr and exits with status 3 before speaking
//! MCP, to stand in for a misconfigured server.

use std::time::Duration;

use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
use rmcp::{schemars, tool, tool_handler, tool_router, ServerHandler, ServiceExt};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EnvHasArgs {
    /// The environment variable to look for.
    name: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct SleepArgs {
    /// How long to wait before answering, in milliseconds.
    ms: u64,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct FailArgs {
    /// The error message to return.
    message: String,
}

#[derive(Clone)]
struct TestServer {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl TestServer {
    #[tool(description = "Returns the text it is given.")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        text
    }

    #[tool(description = "Says `true` if the server's environment has the variable, else `false`.")]
    fn env_has(&self, Parameters(EnvHasArgs { name }): Parameters<EnvHasArgs>) -> String {
        std::env::var_os(name).is_some().to_string()
    }

    #[tool(description = "Waits the given number of milliseconds, then answers.")]
    async fn sleep(&self, Parameters(SleepArgs { ms }): Parameters<SleepArgs>) -> String {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        format!("slept {ms} ms")
    }

    #[tool(description = "Returns a tool error with the given message.")]
    fn fail(&self, Parameters(FailArgs { message }): Parameters<FailArgs>) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(message)])
    }

    #[tool(description = "Ends the server process at once, without answering.")]
    fn exit(&self) -> String {
        eprintln!("redline-mcp-test-server: exiting on request");
        std::process::exit(4)
    }

    #[tool(description = "Returns the server's working directory.")]
    fn cwd(&self) -> String {
        std::env::current_dir().map_or_else(|e| format!("unknown: {e}"), |d| d.display().to_string())
    }

    #[tool(description = "Returns a caption and a tiny PNG.")]
    fn picture(&self) -> CallToolResult {
        CallToolResult::success(vec![
            ContentBlock::text("a red dot"),
            ContentBlock::image("iVBORw0KGgo=", "image/png"),
        ])
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--exit-at-start") {
        eprintln!("{}", args.get(1).map_or("exiting at start", String::as_str));
        std::process::exit(3);
    }
    // Lets a test see whether shutdown really ended the process. The pid file is the test's own
    // temp file, not a project file.
    if let Some(file) = std::env::var_os("REDLINE_TEST_PID_FILE") {
        #[allow(clippy::disallowed_methods)]
        std::fs::write(file, std::process::id().to_string())?;
    }
    // Something on stderr, so tests can see it is captured rather than inherited.
    eprintln!("redline-mcp-test-server: ready");
    let server =
        TestServer { tool_router: TestServer::tool_router() }.serve(rmcp::transport::stdio()).await?;
    server.waiting().await?;
    Ok(())
}
