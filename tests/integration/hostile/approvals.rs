//! Approvals that mean what they say: a command approved "always" asks again once auto-accepted
//! edits could have changed what it runs (a `conftest.py` the test runner imports), and a
//! project MCP server is approved as its whole entry — command, arguments, folder and
//! environment — so changing one environment variable asks again.
//!
//! Real project folders, real SQLite, real commands, the scripted model server on loopback.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use redline_api::{
    ApiResult, App, ApprovalAnswer, ApprovalKind, ApprovalRequest, ChatEvent, KeyState, MessageView,
    SendInput,
};
use redline_tests::model_server::{openai_text_frames, openai_tool_call_frames, Ending, ModelServer, Reply};
use serde_json::{json, Value};

use super::traps::Traps;
use crate::api::Events;

const KEY: &str = "sk-hostile-approvals-5e0c2a91";

/// A step that calls these tools.
pub(super) fn calls(calls: &[(&str, &str, Value)]) -> Reply {
    Reply::Sse {
        frames: openai_tool_call_frames(calls, None),
        pace: Duration::ZERO,
        ending: Ending::Complete,
    }
}

/// A step that only answers: the end of a turn.
pub(super) fn says(text: &str) -> Reply {
    Reply::Sse {
        frames: openai_text_frames(text, 8, Some((50, 5))),
        pace: Duration::ZERO,
        ending: Ending::Complete,
    }
}

/// An app on `data` with the scripted server as its default model (one that calls tools),
/// opened on `project` — not trusted, as a folder cloned from elsewhere is.
pub(super) fn scripted_app(data: &Path, server: &ModelServer, project: &Path) -> App {
    let settings = format!(
        "default_model = \"s/gpt-4o\"\ndetect_local_servers = false\n[[provider]]\nid = \"s\"\nname = \"S\"\nwire = \"openai\"\nbase_url = \"{}/v1\"\nmodels = [\"gpt-4o\"]\nneeds_key = true\n",
        server.url
    );
    std::fs::write(data.join("settings.toml"), settings).expect("settings");
    let app = App::with_memory_keys(data, Arc::new(Events::default()));
    assert_eq!(app.set_key("s", KEY, false).expect("key"), KeyState::Keyring);
    app.open_project(&project.display().to_string()).expect("open");
    app
}

/// [`scripted_app`] on a folder the person trusts: its MCP servers may start (after approval).
fn trusted_app(data: &Path, server: &ModelServer, project: &Path) -> App {
    let app = scripted_app(data, server, project);
    app.trust_project().expect("trust the folder");
    app
}

pub(super) fn agent(text: &str, conversation_id: Option<i64>, auto_accept: bool) -> SendInput {
    SendInput { conversation_id, agent: true, auto_accept, ..SendInput::new(text) }
}

pub(super) struct Turn {
    pub result: ApiResult<MessageView>,
    pub events: Vec<ChatEvent>,
}

impl Turn {
    pub fn conversation_id(&self) -> i64 {
        match self.events.first() {
            Some(ChatEvent::Started { conversation, .. }) => conversation.id,
            other => panic!("the turn did not start: {other:?}"),
        }
    }

    pub fn approvals(&self) -> Vec<&ApprovalRequest> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Approval { request } => Some(request),
                _ => None,
            })
            .collect()
    }
}

/// Sends `input` and answers each approval card with the next of `answers` (declining once they
/// run out). Nothing is reviewed by hand: only auto-accept writes.
pub(super) async fn drive(app: &App, input: SendInput, answers: &[ApprovalAnswer]) -> Turn {
    let mut answers = answers.iter();
    let person = |e: &ChatEvent| {
        if let ChatEvent::Approval { request } = e {
            let answer = answers.next().copied().unwrap_or(ApprovalAnswer::Decline);
            app.answer_approval(request.id, answer).expect("answer");
        }
    };
    let (result, events) = crate::api::send_playing(app, input, person).await;
    Turn { result, events }
}

/// What the approved line runs: like pytest, it imports the project's `conftest.py` first.
const RUN_TESTS: &str = "import conftest\nprint('1 passed')\n";
const LINE: &str = "python3 run_tests.py";

/// A project whose test line was approved "always" in a first turn, and the app it ran in.
struct Approved {
    app: App,
    server: ModelServer,
    project: tempfile::TempDir,
    _data: tempfile::TempDir,
    conversation_id: i64,
}

/// Turn 1 runs the test line once, approved "always"; `then` is the script of what follows.
async fn approved_test_line(then: Vec<Reply>) -> Approved {
    let mut script = vec![calls(&[("c1", "run_command", json!({ "command": LINE }))]), says("1 passed.")];
    script.extend(then);
    let server = ModelServer::start(script).await;
    let data = tempfile::tempdir().expect("data");
    let project =
        redline_tests::project_with(&[("conftest.py", "# fixtures\n"), ("run_tests.py", RUN_TESTS)]);
    let app = trusted_app(data.path(), &server, project.path());
    let first = drive(&app, agent("run the tests", None, false), &[ApprovalAnswer::Always]).await;
    first.result.as_ref().expect("turn 1 ran");
    assert_eq!(first.approvals().len(), 1, "the first run of the line is asked about");
    let conversation_id = first.conversation_id();
    Approved { app, server, project, _data: data, conversation_id }
}

/// The model's edit of conftest.py: it would run `touch marker` whenever the tests import it.
fn conftest_edit(marker: &Path) -> Value {
    json!({
        "path": "conftest.py",
        "old_text": "# fixtures\n",
        "new_text": format!("# fixtures\nimport pathlib\npathlib.Path({:?}).touch()\n", marker.display().to_string()),
    })
}

#[tokio::test]
async fn hostile_approvals_an_always_approved_line_asks_again_after_auto_accepted_conftest_and_a_no_runs_nothing(
) {
    let outside = tempfile::tempdir().expect("outside");
    let mut traps = Traps::new();
    let marker = traps.marker(outside.path(), "conftest");
    let then = vec![
        calls(&[
            ("c2", "edit_file", conftest_edit(&marker)),
            ("c3", "run_command", json!({ "command": LINE })),
        ]),
        calls(&[("c4", "run_command", json!({ "command": LINE }))]),
        says("I could not run the tests."),
    ];
    let s = approved_test_line(then).await;
    let turn = drive(&s.app, agent("make the tests faster", Some(s.conversation_id), true), &[]).await;
    turn.result.as_ref().expect("turn 2 ran");

    assert!(
        std::fs::read_to_string(s.project.path().join("conftest.py")).expect("read").contains("touch()"),
        "auto-accept wrote conftest.py"
    );
    let asked: Vec<(&str, ApprovalKind, &[String])> = turn
        .approvals()
        .iter()
        .map(|r| (r.command.as_str(), r.kind, r.changed_since_review.as_slice()))
        .collect();
    let named = ["conftest.py".to_owned()];
    // Declined: the edits stay unreviewed, so the model's retry asks again instead of running.
    assert_eq!(asked, [(LINE, ApprovalKind::Command, &named[..]), (LINE, ApprovalKind::Command, &named[..])]);
    traps.assert_quiet(&[]);
}

#[tokio::test]
async fn hostile_approvals_a_yes_after_auto_accepted_edits_covers_that_batch_only() {
    let outside = tempfile::tempdir().expect("outside");
    let marker = outside.path().join("conftest.ran");
    let then = vec![
        calls(&[
            ("c2", "edit_file", conftest_edit(&marker)),
            ("c3", "run_command", json!({ "command": LINE })),
        ]),
        calls(&[("c4", "run_command", json!({ "command": LINE }))]),
        calls(&[
            ("c5", "create_file", json!({ "path": "build.rs", "content": "fn main() {}\n" })),
            ("c6", "run_command", json!({ "command": LINE })),
        ]),
        says("Done."),
    ];
    let s = approved_test_line(then).await;
    let answers = [ApprovalAnswer::Once, ApprovalAnswer::Once];
    let turn = drive(&s.app, agent("make the tests faster", Some(s.conversation_id), true), &answers).await;
    turn.result.as_ref().expect("turn 2 ran");

    let asked: Vec<Vec<String>> = turn.approvals().iter().map(|r| r.changed_since_review.clone()).collect();
    // Once for conftest.py (c3), not again for c4 (nothing new since the yes), once for build.rs.
    assert_eq!(asked, [vec!["conftest.py".to_owned()], vec!["build.rs".to_owned()]]);
    assert!(marker.exists(), "the person said yes: the line ran with the new conftest.py");
    // What c4 told the model: the approved line ran.
    let c4 = s.server.received().iter().flat_map(|r| tool_results(&r.body)).find(|(id, _)| id == "c4");
    assert!(c4.is_some_and(|(_, text)| text.contains("1 passed")), "c4 ran unasked");
}

/// The `role: tool` messages of a request body, as (tool_call_id, content).
pub(super) fn tool_results(body: &str) -> Vec<(String, String)> {
    let body: Value = serde_json::from_str(body).expect("a JSON body");
    body["messages"]
        .as_array()
        .map(|m| m.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&m["tool_call_id"]), text(&m["content"]))
        })
        .collect()
}

/// `.redline/mcp.json` with one server, `tools`, that records each start in `started`.
fn mcp_config(started: &Path, env: Value) -> String {
    let script = format!("echo started >> '{}'", started.display());
    json!({"mcpServers": {"tools": {"command": "sh", "args": ["-c", script], "env": env}}}).to_string()
}

/// One agent turn in a fresh app on `data` (a restart: no server is running yet).
async fn turn_in_new_app(data: &Path, project: &Path, answers: &[ApprovalAnswer]) -> Turn {
    let server = ModelServer::start(vec![says("No tools needed.")]).await;
    let app = trusted_app(data, &server, project);
    let turn = drive(&app, agent("hello", None, false), answers).await;
    turn.result.as_ref().expect("the turn ran");
    turn
}

fn starts(started: &Path) -> usize {
    std::fs::read_to_string(started).unwrap_or_default().lines().count()
}

#[tokio::test]
async fn hostile_approvals_an_mcp_server_card_shows_its_whole_entry_and_an_env_change_asks_again() {
    let outside = tempfile::tempdir().expect("outside");
    let started = outside.path().join("started");
    let config = mcp_config(&started, json!({"API_URL": "http://localhost:9"}));
    let project = redline_tests::project_with(&[(".redline/mcp.json", &config)]);
    let data = tempfile::tempdir().expect("data");

    let first = turn_in_new_app(data.path(), project.path(), &[ApprovalAnswer::Always]).await;
    let cards = first.approvals();
    assert_eq!(cards.len(), 1, "{:?}", first.events);
    assert_eq!(cards[0].kind, ApprovalKind::McpServer);
    let server = cards[0].server.as_ref().expect("the card carries the server's entry");
    assert_eq!((server.name.as_str(), server.command.as_str()), ("tools", "sh"));
    assert_eq!(server.args[0], "-c");
    assert!(server.args[1].contains("echo started"), "{server:?}");
    let root = project.path().canonicalize().expect("canonical");
    assert_eq!(Path::new(&server.cwd), root);
    let env: Vec<(&str, &str, bool)> =
        server.env.iter().map(|e| (e.name.as_str(), e.value.as_str(), e.changes_loading)).collect();
    assert_eq!(env, [("API_URL", "http://localhost:9", false)]);
    assert_eq!(starts(&started), 1);

    let same = turn_in_new_app(data.path(), project.path(), &[]).await;
    assert!(same.approvals().is_empty(), "the same entry stays approved: {:?}", same.approvals());
    assert_eq!(starts(&started), 2);

    // The folder's mcp.json changes: one more variable, one that makes node load a script.
    let config =
        mcp_config(&started, json!({"API_URL": "http://localhost:9", "NODE_OPTIONS": "--require ./x.js"}));
    std::fs::write(project.path().join(".redline/mcp.json"), config).expect("change mcp.json");
    let changed = turn_in_new_app(data.path(), project.path(), &[ApprovalAnswer::Decline]).await;
    let cards = changed.approvals();
    assert_eq!(cards.len(), 1, "a changed entry asks again");
    let env: Vec<(&str, bool)> = cards[0]
        .server
        .as_ref()
        .expect("entry")
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.changes_loading))
        .collect();
    assert_eq!(env, [("API_URL", false), ("NODE_OPTIONS", true)]);
    assert_eq!(starts(&started), 2, "declined: the changed server never started");
}
