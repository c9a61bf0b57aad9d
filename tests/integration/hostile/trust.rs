//! Workspace trust against hostile folders: a cloned folder's own programs (a planted
//! `node_modules/.bin/prettier`, eslint with a JavaScript config, a prettier plugin), its MCP
//! servers and its saved approvals never run while it is untrusted — through the App API and the
//! `redline ask` binary — and run as before once the person trusts it. Trust and approvals belong
//! to a repository, so another repository cloned at the same path inherits neither.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use redline_api::{App, ApprovalAnswer, ChatEvent, MessageView, SendInput};
use redline_tests::model_server::{openai_text_frames, openai_tool_call_frames, Ending, ModelServer, Reply};
use redline_tests::redline_binary;
use serde_json::json;

use super::traps::{planted_script, Traps};
use crate::api::Events;

/// A reply that edits a Markdown, a JSON and a TypeScript file: each one prettier (and, for the
/// TypeScript, eslint) would be run on.
const EDITS: &str = "README.md\n```\n<<<<<<< SEARCH\n# Demo\n=======\n# Demo app\n>>>>>>> REPLACE\n```\n\nconfig.json\n```\n<<<<<<< SEARCH\n{\"a\": 1}\n=======\n{\"a\": 2}\n>>>>>>> REPLACE\n```\n\nsrc/main.ts\n```\n<<<<<<< SEARCH\nlet a = 1;\n=======\nlet a = 2;\n>>>>>>> REPLACE\n```\n";

const NODE_PROGRAMS: &[&str] = &["node_modules/.bin/prettier", "node_modules/.bin/eslint"];

fn sse(frames: Vec<String>) -> Reply {
    Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete }
}

fn text_reply(text: &str) -> Reply {
    sse(openai_text_frames(text, 16, Some((20, 10))))
}

/// A folder as it might arrive from a clone: configs that name the project's own tools, and
/// executable planted programs behind them whose marker lands in `outside`.
fn hostile_folder(outside: &Path, traps: &mut Traps) -> tempfile::TempDir {
    let project = redline_tests::project_with(&[
        ("README.md", "# Demo\n"),
        ("config.json", "{\"a\": 1}\n"),
        ("src/main.ts", "let a = 1;\n"),
        (".prettierrc", "{ \"plugins\": [\"prettier-plugin-evil\"] }\n"),
        (".prettierrc.js", "require('child_process').execSync('touch /tmp/never');\n"),
        ("eslint.config.js", "require('child_process').execSync('touch /tmp/never');\n"),
        ("package.json", "{ \"prettier\": { \"plugins\": [\"prettier-plugin-evil\"] } }\n"),
    ]);
    for program in NODE_PROGRAMS {
        let name = Path::new(program).file_name().and_then(|n| n.to_str()).unwrap_or("tool");
        planted_script(&project.path().join(program), &traps.marker(outside, name));
    }
    // A plugin is a program too; a real prettier would `require` this file.
    let plugin = project.path().join("node_modules/prettier-plugin-evil/index.js");
    planted_script(&plugin, &traps.marker(outside, "prettier-plugin"));
    project
}

fn write_settings(data: &Path, server: &ModelServer) {
    let settings = format!(
        "default_model = \"s/gpt-4o\"\ndetect_local_servers = false\n[[provider]]\nid = \"s\"\nname = \"S\"\nwire = \"openai\"\nbase_url = \"{}/v1\"\nmodels = [\"gpt-4o\"]\nneeds_key = false\n",
        server.url
    );
    std::fs::write(data.join("settings.toml"), settings).expect("settings");
}

fn app_on(data: &Path, project: &Path) -> App {
    let app = App::with_memory_keys(data, Arc::new(Events::default()));
    app.open_project(&project.display().to_string()).expect("open project");
    app
}

/// Sends `input`, answering every approval card with `answer`; returns the reply and the
/// approvals asked for, as `(kind, command)`.
async fn send(app: &App, input: SendInput, answer: ApprovalAnswer) -> (MessageView, Vec<(String, String)>) {
    let asked = std::sync::Mutex::new(Vec::new());
    let emit = |e: ChatEvent| {
        if let ChatEvent::Approval { request } = e {
            let kind = serde_json::to_value(request.kind).ok().and_then(|v| v.as_str().map(str::to_owned));
            asked.lock().expect("lock").push((kind.unwrap_or_default(), request.command.clone()));
            app.answer_approval(request.id, answer).expect("answer the card");
        }
    };
    let sent = tokio::time::timeout(Duration::from_secs(60), app.send_message(input, &emit));
    let reply = sent.await.expect("the turn hung").expect("sent");
    (reply, asked.into_inner().expect("lock"))
}

/// The messages the checks left on each proposal about tools skipped for trust.
fn trust_notes(reply: &MessageView) -> Vec<(String, String)> {
    let mut notes = Vec::new();
    for p in &reply.proposals {
        let all = p.findings.iter().chain(p.hunks.iter().flat_map(|h| h.findings.iter()));
        notes.extend(all.filter(|f| f.kind == "trust").map(|f| (p.path.clone(), f.message.clone())));
    }
    notes
}

#[tokio::test]
async fn hostile_untrusted_folder_runs_none_of_its_node_tools_for_a_proposal_and_says_so() {
    let outside = tempfile::tempdir().expect("outside");
    let mut traps = Traps::new();
    let project = hostile_folder(outside.path(), &mut traps);
    let server = ModelServer::start(vec![text_reply(EDITS)]).await;
    let data = tempfile::tempdir().expect("data");
    write_settings(data.path(), &server);
    let app = app_on(data.path(), project.path());

    let (reply, _) = send(&app, SendInput::new("tidy these"), ApprovalAnswer::Decline).await;
    let proposed: Vec<_> = reply.proposals.iter().map(|p| (p.path.as_str(), p.status)).collect();
    let pending = redline_api::ProposalStatusView::Pending;
    assert_eq!(proposed, [("README.md", pending), ("config.json", pending), ("src/main.ts", pending)]);
    traps.assert_quiet(&[]);
    assert_eq!(
        trust_notes(&reply),
        [
            ("README.md".to_owned(), "prettier skipped: this folder is not trusted".to_owned()),
            ("config.json".to_owned(), "prettier skipped: this folder is not trusted".to_owned()),
            ("src/main.ts".to_owned(), "eslint, prettier skipped: this folder is not trusted".to_owned()),
        ]
    );
}

#[tokio::test]
async fn hostile_trusting_the_folder_gives_back_its_own_tools() {
    let outside = tempfile::tempdir().expect("outside");
    let mut traps = Traps::new();
    let project = hostile_folder(outside.path(), &mut traps);
    let server = ModelServer::start(vec![text_reply(EDITS)]).await;
    let data = tempfile::tempdir().expect("data");
    write_settings(data.path(), &server);
    let app = app_on(data.path(), project.path());
    let info = app.trust_project().expect("trust");
    assert!(info.trusted && info.untrusted_reason.is_none(), "{info:?}");

    let (reply, _) = send(&app, SendInput::new("tidy these"), ApprovalAnswer::Decline).await;
    assert!(trust_notes(&reply).is_empty(), "{:?}", trust_notes(&reply));
    let ran =
        std::fs::read_to_string(outside.path().join("prettier.ran")).expect("the folder's prettier ran");
    assert!(ran.contains("README.md") && ran.contains("src/main.ts"), "{ran}");
    assert!(outside.path().join("eslint.ran").exists(), "the folder's eslint did not run on src/main.ts");
}

#[tokio::test]
async fn hostile_project_mcp_servers_stay_off_until_the_folder_is_trusted() {
    let outside = tempfile::tempdir().expect("outside");
    let mut traps = Traps::new();
    let started = traps.marker(outside.path(), "mcp-server");
    let config = json!({"mcpServers": {"evil": {"command": "sh", "args": ["-c", format!("touch {}", started.display())]}}});
    let project = redline_tests::project_with(&[(".redline/mcp.json", &config.to_string())]);
    let server = ModelServer::start(vec![text_reply("Nothing to do."), text_reply("Still nothing.")]).await;
    let data = tempfile::tempdir().expect("data");
    write_settings(data.path(), &server);
    let app = app_on(data.path(), project.path());

    let agent = |text: &str| SendInput { agent: true, ..SendInput::new(text) };
    let (_, asked) = send(&app, agent("hello"), ApprovalAnswer::Decline).await;
    assert!(asked.is_empty(), "an untrusted folder's server was offered: {asked:?}");
    traps.assert_quiet(&[]);

    app.trust_project().expect("trust");
    let (_, asked) = send(&app, agent("hello again"), ApprovalAnswer::Decline).await;
    assert_eq!(asked.iter().map(|(kind, _)| kind.as_str()).collect::<Vec<_>>(), ["mcpServer"], "{asked:?}");
    traps.assert_quiet(&[]);
}

/// A repository at `dir` whose single commit says `what` (different text, different root).
fn repository(dir: &Path, what: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    redline_tests::git(dir, &["init", "-q"]);
    std::fs::write(dir.join("README.md"), what).expect("write");
    redline_tests::git(dir, &["add", "."]);
    redline_tests::git(dir, &["commit", "-q", "-m", what]);
}

#[tokio::test]
async fn hostile_another_repository_cloned_at_the_same_path_inherits_no_trust_and_no_approval() {
    let parent = tempfile::tempdir().expect("parent");
    let path = parent.path().join("app");
    repository(&path, "ours");
    let script = vec![
        sse(openai_tool_call_frames(&[("t1", "run_command", json!({"command": "echo tests ran"}))], None)),
        text_reply("done"),
    ];
    let server = ModelServer::start(script).await;
    let data = tempfile::tempdir().expect("data");
    write_settings(data.path(), &server);
    let app = app_on(data.path(), &path);
    let ours = app.trust_project().expect("trust ours");
    let mut limits = app.agent_limits().expect("limits");
    limits.test_command = Some("echo tests ran".into());
    app.set_agent_limits(limits).expect("name the test command");
    app.close_project();

    std::fs::remove_dir_all(&path).expect("remove our clone");
    repository(&path, "someone else's");
    let theirs = app.open_project(&path.display().to_string()).expect("open theirs");
    assert_ne!(theirs.identity, ours.identity);
    assert!(!theirs.trusted, "another repository at the same path was trusted");
    app.trust_project().expect("trust theirs");
    assert_eq!(app.agent_limits().expect("limits").test_command, None, "our test command carried over");
    let agent = SendInput { agent: true, ..SendInput::new("run the tests") };
    let (_, asked) = send(&app, agent, ApprovalAnswer::Decline).await;
    assert_eq!(asked, [("command".to_owned(), "echo tests ran".to_owned())], "our approval carried over");
}

#[test]
fn hostile_trust_is_listed_and_revoked_by_identity() {
    let project = redline_tests::project_with(&[("a.txt", "a\n")]);
    let data = tempfile::tempdir().expect("data");
    let app = app_on(data.path(), project.path());
    let info = app.trust_project().expect("trust");
    let listed = app.trusted_projects().expect("list");
    assert_eq!(listed.iter().map(|t| t.identity.as_str()).collect::<Vec<_>>(), [info.identity.as_str()]);
    app.revoke_trust(&info.identity).expect("revoke");
    assert!(app.trusted_projects().expect("list").is_empty());
    let reopened = app.open_project(&project.path().display().to_string()).expect("reopen");
    assert!(!reopened.trusted && reopened.untrusted_reason.is_some(), "{reopened:?}");
}

fn redline(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(redline_binary()).args(args).env("REDLINE_DATA_DIR", data).output().expect("run redline")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_redline_ask_in_an_untrusted_folder_runs_nothing_and_says_what_it_skipped_once() {
    let outside = tempfile::tempdir().expect("outside");
    let mut traps = Traps::new();
    let project = hostile_folder(outside.path(), &mut traps);
    let server = ModelServer::start(vec![text_reply(EDITS), text_reply(EDITS)]).await;
    let data = tempfile::tempdir().expect("data");
    write_settings(data.path(), &server);
    let root = project.path().display().to_string();
    let ask = |data: PathBuf, root: String| {
        tokio::task::spawn_blocking(move || redline(&data, &["ask", "--root", &root, "tidy these"]))
    };

    let out = ask(data.path().to_owned(), root.clone()).await.expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    traps.assert_quiet(&[]);
    let note = "redline: this folder is not trusted: prettier (node_modules/.bin) not run, eslint (node_modules/.bin) not run; run `redline trust` to allow it";
    assert_eq!(stderr.matches("this folder is not trusted").count(), 1, "{stderr}");
    assert!(stderr.contains(note), "{stderr}");

    let trusted = redline(data.path(), &["trust", "--root", &root]);
    let stdout = String::from_utf8_lossy(&trusted.stdout);
    assert!(trusted.status.success(), "{}", String::from_utf8_lossy(&trusted.stderr));
    assert!(stdout.starts_with("folder:") && stdout.trim_end().ends_with("\ttrusted"), "{stdout}");

    let out = ask(data.path().to_owned(), root.clone()).await.expect("join");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not trusted"));
    assert!(outside.path().join("prettier.ran").exists(), "a trusted folder's prettier did not run");

    let revoked = redline(data.path(), &["trust", "--root", &root, "--revoke"]);
    assert!(String::from_utf8_lossy(&revoked.stdout).trim_end().ends_with("\tnot trusted"));
}

/// `name` on this machine's PATH, or None with a note saying the case is skipped here. Under
/// `scripts/test` (`REDLINE_REQUIRE_FORMATTERS=1`) a missing tool fails instead, so CI never
/// passes these cases without running the real tools.
fn installed(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file());
    if found.is_none() {
        let required = std::env::var_os("REDLINE_REQUIRE_FORMATTERS").is_some();
        assert!(!required, "{name} is not on PATH, and scripts/test installs it: the install step failed");
        eprintln!("skipped the {name} case: {name} is not on PATH here (scripts/test installs it)");
    }
    found
}

const RUFF_AND_BLACK: &str = "[tool.ruff]\nline-length = 88\n\n[tool.black]\nline-length = 88\n";
const UNTIDY_PY: &str = "import os\nx = {  'a':1 }\n";
const UNTIDY_MD: &str = "#   Title\n\n*  item\n";
const ESLINT_FLAT: &str = "export default [{ rules: { \"no-unused-vars\": \"error\" } }];\n";
const UNUSED_JS: &str = "const unused = 1;\n";

async fn checks_of(
    root: &Path,
    path: &str,
    text: &str,
    trust: redline_project::Trust,
) -> redline_checks::ToolReport {
    redline_checks::tool_checks(root, path, text, Duration::from_secs(60), trust).await
}

fn sources(report: &redline_checks::ToolReport) -> Vec<String> {
    let mut sources: Vec<String> = report.findings.iter().map(|f| f.source.clone()).collect();
    sources.dedup();
    sources
}

#[tokio::test]
async fn hostile_real_ruff_and_black_run_in_an_untrusted_folder_from_the_persons_path() {
    use redline_project::Trust::{Trusted, Untrusted};
    let (Some(_), Some(_)) = (installed("ruff"), installed("black")) else { return };
    let project = redline_tests::project_with(&[("pyproject.toml", RUFF_AND_BLACK)]);
    for trust in [Untrusted, Trusted] {
        let report = checks_of(project.path(), "app.py", UNTIDY_PY, trust).await;
        assert_eq!(sources(&report), ["ruff", "black"], "{trust:?}: {:?}", report.findings);
        assert!(report.skipped.is_empty(), "{trust:?}: {:?}", report.skipped);
    }
}

#[tokio::test]
async fn hostile_real_prettier_and_eslint_run_only_once_the_folder_is_trusted() {
    use redline_project::Trust::{Trusted, Untrusted};
    let (Some(_), Some(_)) = (installed("prettier"), installed("eslint")) else { return };
    let project = redline_tests::project_with(&[(".prettierrc", "{}\n"), ("eslint.config.mjs", ESLINT_FLAT)]);

    let md = checks_of(project.path(), "notes.md", UNTIDY_MD, Untrusted).await;
    assert!(md.findings.is_empty(), "{:?}", md.findings);
    assert_eq!(md.skipped.iter().map(|s| s.to_string()).collect::<Vec<_>>(), ["prettier (.prettierrc)"]);
    let js = checks_of(project.path(), "src/app.js", UNUSED_JS, Untrusted).await;
    assert_eq!(js.skipped.iter().map(|s| s.name).collect::<Vec<_>>(), ["eslint", "prettier"]);
    let note = redline_checks::skipped_for_trust(&js.skipped).expect("a note");
    assert_eq!(note.message, "eslint, prettier skipped: this folder is not trusted");

    let md = checks_of(project.path(), "notes.md", UNTIDY_MD, Trusted).await;
    assert_eq!(sources(&md), ["prettier"], "{:?}", md.findings);
    let js = checks_of(project.path(), "src/app.js", UNUSED_JS, Trusted).await;
    assert!(sources(&js).contains(&"eslint".to_owned()), "{:?}", js.findings);
}

#[tokio::test]
async fn hostile_real_gofmt_runs_in_an_untrusted_folder() {
    let Some(_) = installed("gofmt") else { return };
    let project = redline_tests::project_with(&[("go.mod", "module demo\n")]);
    let report = checks_of(
        project.path(),
        "main.go",
        "package main\nfunc main() {\n  x := 1\n  _ = x\n}\n",
        redline_project::Trust::Untrusted,
    )
    .await;
    assert_eq!(sources(&report), ["gofmt"], "{:?}", report.findings);
}
