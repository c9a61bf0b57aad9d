//! The project's own formatter and linter, run on the proposed text in a scratch copy.
//!
//! A tool runs only when the project configures it and its binary exists; anything else is
//! skipped silently. In a folder the person has not trusted, tools that would load code from the
//! project (eslint, prettier: JavaScript configs, plugins, `node_modules/.bin`) are skipped and
//! named in the report; declarative ones (rustfmt, ruff, black, gofmt) still run, from the
//! person's own PATH. PATH never holds relative folders or folders inside the project, in any
//! mode. The scratch directory holds copies of the config files the tool reads, at the same
//! relative place, and the proposed text at `path`; the project folder is only read.

mod output;
mod plan;

use std::path::{Component, Path};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::{CheckKind, Finding};
pub use plan::SkippedTool;
use plan::{Parser, Tool, CONFIG_SIZE_LIMIT};
use redline_project::{read_capped, ProjectRoot, Trust};

/// What the project's tools said about one proposed file, and which were left off for trust.
#[derive(Debug, Default)]
pub struct ToolReport {
    pub findings: Vec<Finding>,
    pub skipped: Vec<SkippedTool>,
}

/// Which tools would run on `path` in this project (configured, installed, allowed by `trust`).
pub fn configured_tools(root: &Path, path: &str, trust: Trust) -> Vec<String> {
    let Ok(project) = ProjectRoot::open(root) else { return Vec::new() };
    let env = redline_project::path_outside_project(&redline_project::command_env(), project.path());
    plan::plan_for(&project, path, &env, trust).tools.into_iter().map(|tool| tool.name.to_owned()).collect()
}

/// The project's own formatter/linter, when the project has one configured, run on the proposed
/// content in a scratch copy (tempdir) with a timeout; never touches the project folder.
pub async fn tool_checks(root: &Path, path: &str, new: &str, timeout: Duration, trust: Trust) -> ToolReport {
    tool_checks_with_env(root, path, new, timeout, &redline_project::command_env(), trust).await
}

/// [`tool_checks`] with an explicit environment, so tests can choose what is on PATH.
pub(crate) async fn tool_checks_with_env(
    root: &Path,
    path: &str,
    new: &str,
    timeout: Duration,
    env: &[(String, String)],
    trust: Trust,
) -> ToolReport {
    if !is_plain_relative(path) {
        tracing::warn!(path, "tool checks skipped: path is not a plain relative path");
        return ToolReport::default();
    }
    let project = match ProjectRoot::open(root) {
        Ok(project) => project,
        Err(error) => {
            tracing::warn!(%error, "tool checks skipped: the project folder cannot be opened");
            return ToolReport::default();
        }
    };
    let env = redline_project::path_outside_project(env, project.path());
    let plan = plan::plan_for(&project, path, &env, trust);
    let mut findings = Vec::new();
    for tool in &plan.tools {
        match run_tool(&project, path, new, timeout, &env, tool).await {
            Ok(found) => findings.extend(found),
            Err(error) => tracing::warn!(tool = tool.name, %error, "tool check could not run"),
        }
    }
    ToolReport { findings, skipped: plan.skipped }
}

/// No absolute paths and no `..`: the proposed text must land inside the scratch directory.
fn is_plain_relative(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

async fn run_tool(
    root: &ProjectRoot,
    path: &str,
    new: &str,
    timeout: Duration,
    env: &[(String, String)],
    tool: &Tool,
) -> std::io::Result<Vec<Finding>> {
    let scratch = tempfile::Builder::new().prefix("redline-checks-").tempdir()?;
    prepare_scratch(root, scratch.path(), path, new, tool)?;
    let cwd = match (tool.cwd_is_file_folder, Path::new(path).parent()) {
        (true, Some(parent)) => scratch.path().join(parent),
        _ => scratch.path().to_path_buf(),
    };
    let mut command = Command::new(&tool.program);
    command
        .args(&tool.args)
        .current_dir(&cwd)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(if tool.stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn()?;
    let group = child.id();
    if let Some(mut stdin) = child.stdin.take() {
        // A tool that exits early closes the pipe; its output still says what it found.
        let _ = stdin.write_all(new.as_bytes()).await;
    }
    let Ok(output) = tokio::time::timeout(timeout, child.wait_with_output()).await else {
        kill_group(group);
        return Ok(vec![timed_out(tool.name, timeout)]);
    };
    let output = output?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line_count = new.lines().count() as u32;
    Ok(match tool.parser {
        Parser::Rustfmt => output::reformat_findings(tool.name, output::rustfmt_ranges(&stdout), line_count),
        Parser::UnifiedDiff => {
            output::reformat_findings(tool.name, output::unified_diff_ranges(&stdout), line_count)
        }
        Parser::Ruff => output::ruff_findings(&stdout, path),
        Parser::Eslint => output::eslint_findings(&stdout),
        // A formatter that failed (say, on a syntax error) printed no formatted text to compare.
        Parser::FormattedText if output.status.success() => {
            output::reformat_findings(tool.name, output::changed_ranges(new, &stdout), line_count)
        }
        Parser::FormattedText => Vec::new(),
    })
}

/// Config files at the same relative place, `node_modules` linked for JavaScript tools (plugins
/// load from there), and the proposed text at `path`. The project's configs are read through its
/// directory handle; std::fs writes only into the scratch dir, a temp dir outside the project.
#[allow(clippy::disallowed_methods)]
fn prepare_scratch(
    root: &ProjectRoot,
    scratch: &Path,
    path: &str,
    new: &str,
    tool: &Tool,
) -> std::io::Result<()> {
    for config in &tool.configs {
        let target = scratch.join(config);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, read_config(root, config)?)?;
    }
    #[cfg(unix)]
    if tool.link_node_modules {
        std::os::unix::fs::symlink(root.path().join("node_modules"), scratch.join("node_modules"))?;
    }
    let file = scratch.join(path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(file, new)
}

/// A config file of the project, whole: confined to the project and capped, so a link out or
/// a huge file fails the tool's run instead of being copied.
fn read_config(root: &ProjectRoot, config: &Path) -> std::io::Result<Vec<u8>> {
    let rel = config.to_str().ok_or_else(|| std::io::Error::other("config path is not UTF-8"))?;
    let read = read_capped(root, rel, CONFIG_SIZE_LIMIT).map_err(std::io::Error::other)?;
    if read.truncated {
        return Err(std::io::Error::other(format!("{rel} is larger than {CONFIG_SIZE_LIMIT} bytes")));
    }
    Ok(read.bytes)
}

/// The tool was started in its own process group; a wrapper script's children go with it.
fn kill_group(group: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = group.and_then(|id| rustix::process::Pid::from_raw(id as i32)) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = group;
}

fn timed_out(tool: &str, timeout: Duration) -> Finding {
    let seconds = timeout.as_secs_f64();
    let shown = if seconds.fract() == 0.0 { format!("{seconds:.0}") } else { format!("{seconds:.1}") };
    Finding::new(CheckKind::Lint, 1, 1, format!("{tool} did not finish in {shown} s"), tool)
}

#[cfg(test)]
mod tests;
