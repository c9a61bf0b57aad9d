// Pid files and /proc are read with std::fs (see the workspace clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use redline_mcp::{McpCallResult, McpError, McpHub, ServerConfig};
use serde_json::json;

const TEST_SERVER: &str = env!("CARGO_BIN_EXE_redline-mcp-test-server");
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

fn test_server(env: &[(&str, &str)]) -> ServerConfig {
    ServerConfig {
        command: TEST_SERVER.to_owned(),
        args: Vec::new(),
        env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        disabled: false,
    }
}

async fn start(root: &Path, servers: Vec<(&str, ServerConfig)>) -> McpHub {
    let config: BTreeMap<String, ServerConfig> =
        servers.into_iter().map(|(name, config)| (name.to_owned(), config)).collect();
    McpHub::start(root, config).await
}

async fn call(hub: &McpHub, name: &str, arguments: serde_json::Value) -> McpCallResult {
    hub.call(name, arguments, CALL_TIMEOUT).await.expect("call reaches the server")
}

#[tokio::test]
async fn the_test_server_lists_its_tools_under_qualified_names() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    assert_eq!(hub.problems(), Vec::<(String, String)>::new());
    let tools = hub.tools();
    let mut names: Vec<String> = tools.iter().map(|t| t.qualified_name()).collect();
    names.sort();
    assert_eq!(
        names,
        ["cwd", "echo", "env_has", "exit", "fail", "picture", "sleep"].map(|n| format!("mcp__test__{n}"))
    );
    let echo = tools.iter().find(|t| t.name == "echo").expect("echo listed");
    assert_eq!(echo.server, "test");
    assert_eq!(echo.description, "Returns the text it is given.");
    assert_eq!(echo.schema["properties"]["text"]["type"], "string");
    hub.shutdown().await;
}

#[tokio::test]
async fn echo_returns_the_text_it_was_given() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    let result = call(&hub, "mcp__test__echo", json!({"text": "héllo\nworld"})).await;

    assert_eq!(result, McpCallResult { text: "héllo\nworld".into(), is_error: false });
    hub.shutdown().await;
}

#[tokio::test]
async fn a_call_that_outlasts_its_timeout_becomes_an_error_result_and_the_server_stays_usable() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    let began = Instant::now();
    let result = hub
        .call("mcp__test__sleep", json!({"ms": 5000}), Duration::from_millis(300))
        .await
        .expect("a timeout is a result, not an error");

    assert!(began.elapsed() < Duration::from_secs(3), "waited {:?}", began.elapsed());
    assert!(result.is_error);
    assert!(result.text.contains("did not answer within 0.3 s"), "{}", result.text);
    let after = call(&hub, "mcp__test__echo", json!({"text": "still here"})).await;
    assert_eq!(after.text, "still here");
    hub.shutdown().await;
}

#[tokio::test]
async fn a_missing_command_is_a_problem_while_another_server_still_works() {
    let root = tempfile::tempdir().expect("tempdir");
    let missing = ServerConfig { command: "redline-no-such-mcp-server".into(), ..test_server(&[]) };
    let hub = start(root.path(), vec![("broken", missing), ("test", test_server(&[]))]).await;

    let problems = hub.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "broken");
    assert!(problems[0].1.contains("`redline-no-such-mcp-server` was not found"), "{problems:?}");
    assert!(hub.tools().iter().all(|t| t.server == "test"));
    assert_eq!(call(&hub, "mcp__test__echo", json!({"text": "ok"})).await.text, "ok");
    hub.shutdown().await;
}

#[tokio::test]
async fn a_server_that_exits_at_start_is_reported_with_what_it_wrote_to_stderr() {
    let root = tempfile::tempdir().expect("tempdir");
    let failing = ServerConfig {
        args: vec!["--exit-at-start".into(), "config key `root` is missing".into()],
        ..test_server(&[])
    };
    let hub = start(root.path(), vec![("failing", failing)]).await;

    let problems = hub.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].1.starts_with("The MCP server `failing` did not start"), "{problems:?}");
    assert!(problems[0].1.contains("config key `root` is missing"), "{problems:?}");
    assert!(hub.tools().is_empty());
}

#[tokio::test]
async fn the_server_gets_its_configured_env_but_not_the_parents_unkept_variables() {
    // Cargo sets this for the test process; command_env() does not keep it.
    assert!(std::env::var_os("CARGO_PKG_NAME").is_some(), "precondition: cargo sets it");
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[("SOME_CONFIGURED_VAR", "1")]))]).await;

    let configured = call(&hub, "mcp__test__env_has", json!({"name": "SOME_CONFIGURED_VAR"})).await;
    let inherited = call(&hub, "mcp__test__env_has", json!({"name": "CARGO_PKG_NAME"})).await;
    let path = call(&hub, "mcp__test__env_has", json!({"name": "PATH"})).await;

    assert_eq!(configured.text, "true");
    assert_eq!(inherited.text, "false");
    assert_eq!(path.text, "true");
    hub.shutdown().await;
}

#[tokio::test]
async fn the_server_runs_in_the_project_root() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    let cwd = call(&hub, "mcp__test__cwd", json!({})).await;

    let expected = root.path().canonicalize().expect("canonical root");
    assert_eq!(Path::new(&cwd.text).canonicalize().expect("cwd exists"), expected);
    hub.shutdown().await;
}

#[tokio::test]
async fn a_tool_error_keeps_is_error_and_an_image_is_described() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    let failed = call(&hub, "mcp__test__fail", json!({"message": "disk full"})).await;
    let picture = call(&hub, "mcp__test__picture", json!({})).await;

    assert_eq!(failed, McpCallResult { text: "disk full".into(), is_error: true });
    assert_eq!(picture.text, "a red dot\n[image: image/png, 8 bytes]");
    assert!(!picture.is_error);
    hub.shutdown().await;
}

#[tokio::test]
async fn arguments_the_server_rejects_come_back_as_an_error_result() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    let result = call(&hub, "mcp__test__echo", json!({"wrong": 1})).await;

    assert!(result.is_error, "{result:?}");
    assert!(result.text.contains("text"), "{}", result.text);
    hub.shutdown().await;
}

#[tokio::test]
async fn an_unknown_tool_name_is_an_error() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    let err = hub.call("mcp__test__nope", json!({}), CALL_TIMEOUT).await.expect_err("unknown");

    assert!(matches!(err, McpError::UnknownTool(ref name) if name == "mcp__test__nope"), "{err:?}");
    hub.shutdown().await;
}

#[tokio::test]
async fn a_disabled_server_is_not_started_and_not_a_problem() {
    let root = tempfile::tempdir().expect("tempdir");
    let disabled = ServerConfig { disabled: true, ..test_server(&[]) };
    let hub = start(root.path(), vec![("off", disabled), ("on", test_server(&[]))]).await;

    assert!(hub.problems().is_empty(), "{:?}", hub.problems());
    assert!(!hub.tools().is_empty());
    assert!(hub.tools().iter().all(|t| t.server == "on"));
    hub.shutdown().await;
}

#[tokio::test]
async fn stderr_is_captured_in_the_servers_log() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;
    // The server writes to stderr before it answers initialize; the reader may lag a little.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut log = String::new();
    while Instant::now() < deadline {
        log = hub.stderr_log("test").expect("server known");
        if log.contains("ready") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(log.contains("redline-mcp-test-server: ready"), "{log:?}");
    hub.shutdown().await;
}

#[tokio::test]
async fn shutdown_ends_the_server_process() {
    let root = tempfile::tempdir().expect("tempdir");
    let pid_file = root.path().join("server.pid");
    let pid_env = pid_file.to_str().expect("utf-8 temp path");
    let hub = start(root.path(), vec![("test", test_server(&[("REDLINE_TEST_PID_FILE", pid_env)]))]).await;
    let pid = std::fs::read_to_string(&pid_file).expect("server wrote its pid");
    let proc_dir = Path::new("/proc").join(pid.trim());
    assert!(proc_dir.exists(), "server should be running before shutdown");

    let began = Instant::now();
    hub.shutdown().await;

    assert!(!proc_dir.exists(), "server {pid} still exists after shutdown");
    assert!(began.elapsed() < Duration::from_secs(3), "shutdown took {:?}", began.elapsed());
}

#[tokio::test]
async fn dropping_the_hub_also_ends_the_server_process() {
    let root = tempfile::tempdir().expect("tempdir");
    let pid_file = root.path().join("server.pid");
    let pid_env = pid_file.to_str().expect("utf-8 temp path");
    let hub = start(root.path(), vec![("test", test_server(&[("REDLINE_TEST_PID_FILE", pid_env)]))]).await;
    let pid = std::fs::read_to_string(&pid_file).expect("server wrote its pid");
    let proc_dir = Path::new("/proc").join(pid.trim());

    drop(hub);

    let deadline = Instant::now() + Duration::from_secs(8);
    while proc_dir.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!proc_dir.exists(), "server {pid} still exists after the hub was dropped");
}

#[tokio::test]
async fn a_server_that_dies_mid_session_fails_calls_and_shows_up_in_problems() {
    let root = tempfile::tempdir().expect("tempdir");
    let hub = start(root.path(), vec![("test", test_server(&[]))]).await;

    let exit = hub.call("mcp__test__exit", json!({}), CALL_TIMEOUT).await;
    let after = hub.call("mcp__test__echo", json!({"text": "x"}), CALL_TIMEOUT).await;

    assert!(matches!(exit, Err(McpError::ServerGone { .. })), "{exit:?}");
    assert!(matches!(after, Err(McpError::ServerGone { .. })), "{after:?}");
    let problems = hub.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].1.contains("`test` has stopped"), "{problems:?}");
    // Its last stderr line is quoted once the log reader has caught up.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !hub.problems()[0].1.contains("exiting on request") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(hub.problems()[0].1.contains("exiting on request"), "{:?}", hub.problems());
}
