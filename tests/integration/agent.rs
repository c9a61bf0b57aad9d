//! Agent mode below the window: a real project folder, real SQLite, real HTTP from the scripted
//! model server, real commands. The model searches, reads, proposes and runs what the person
//! approved, step by step; the checks before review flag the right hunk; completion at the
//! cursor inserts only there; an MCP tool runs after approval in a scrubbed environment.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use redline_api::{
    ApiResult, App, ApprovalAnswer, ApprovalRequest, ChatEvent, CompletionInput, ErrorCode, HunkStateView,
    KeyState, MessageView, SendInput,
};
use redline_tests::model_server::{
    openai_completion_frames, openai_text_frames, openai_tool_call_frames, Ending, ModelServer, Reply,
};
use serde_json::{json, Value};

use crate::api::Events;

const KEY: &str = "sk-agent-test-3c8e1f07d94b52a6";

const CALC: &str = "def add(a, b):\n    return a - b\n";
const CALC_FIXED: &str = "def add(a, b):\n    return a + b\n";
const TEST_CALC: &str =
    "if grep -q 'return a + b' calc.py; then echo PASS; else echo 'FAIL: add is wrong'; exit 1; fi\n";

fn sse(frames: Vec<String>) -> Reply {
    Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete }
}

/// A step that calls these tools.
fn calls(calls: &[(&str, &str, Value)]) -> Reply {
    sse(openai_tool_call_frames(calls, None))
}

/// A step that only answers: the end of a turn.
fn says(text: &str) -> Reply {
    sse(openai_text_frames(text, 8, Some((50, 5))))
}

fn command(id: &str, line: &str) -> Reply {
    calls(&[(id, "run_command", json!({ "command": line }))])
}

struct Setup {
    app: App,
    data: tempfile::TempDir,
    project: tempfile::TempDir,
    server: ModelServer,
}

/// Settings for the scripted server: `top` goes before the provider (an `[agent]` table, say),
/// `provider` into it (`fim_models`).
fn write_settings(data: &Path, server: &ModelServer, top: &str, provider: &str) {
    let settings = format!(
        "default_model = \"s/gpt-4o\"\ndetect_local_servers = false\n{top}\n[[provider]]\nid = \"s\"\nname = \"S\"\nwire = \"openai\"\nbase_url = \"{}/v1\"\nmodels = [\"gpt-4o\"]\nneeds_key = true\n{provider}\n",
        server.url
    );
    std::fs::write(data.join("settings.toml"), settings).expect("settings");
}

fn new_app(data: &Path, project: &Path) -> App {
    let app = App::with_memory_keys(data, Arc::new(Events::default()));
    assert_eq!(app.set_key("s", KEY, false).expect("key"), KeyState::Keyring);
    app.open_project(&project.display().to_string()).expect("open");
    // These tests are about a folder the person trusts: its MCP servers and test command run.
    app.trust_project().expect("trust the folder");
    app
}

async fn setup_with(script: Vec<Reply>, files: &[(&str, &str)], top: &str, provider: &str) -> Setup {
    let server = ModelServer::start(script).await;
    let data = tempfile::tempdir().expect("data");
    let project = redline_tests::project_with(files);
    write_settings(data.path(), &server, top, provider);
    let app = new_app(data.path(), project.path());
    Setup { app, data, project, server }
}

async fn setup(script: Vec<Reply>, files: &[(&str, &str)]) -> Setup {
    setup_with(script, files, "", "").await
}

fn ask(text: &str, conversation_id: Option<i64>) -> SendInput {
    SendInput { conversation_id, agent: true, ..SendInput::new(text) }
}

struct Turn {
    result: ApiResult<MessageView>,
    events: Vec<ChatEvent>,
}

impl Turn {
    fn conversation_id(&self) -> i64 {
        match self.events.first() {
            Some(ChatEvent::Started { conversation, .. }) => conversation.id,
            other => panic!("the turn did not start: {other:?}"),
        }
    }

    /// `(reason, steps)` of the AgentDone event.
    fn done(&self) -> (String, u32) {
        let done: Vec<_> = self
            .events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::AgentDone { reason, steps, .. } => Some((reason.clone(), *steps)),
                _ => None,
            })
            .collect();
        assert_eq!(done.len(), 1, "one AgentDone per turn: {:?}", self.events);
        done[0].clone()
    }

    fn approvals(&self) -> Vec<&ApprovalRequest> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Approval { request } => Some(request),
                _ => None,
            })
            .collect()
    }

    fn count(&self, pick: impl Fn(&ChatEvent) -> bool) -> usize {
        self.events.iter().filter(|e| pick(e)).count()
    }
}

/// Sends `input` and plays the person with `person`, which sees every event as it arrives and
/// may call the app (review, approve, stop) while the turn waits.
async fn drive(app: &App, input: SendInput, person: impl FnMut(&ChatEvent)) -> Turn {
    let (result, events) = crate::api::send_playing(app, input, person).await;
    Turn { result, events }
}

/// A person who accepts whatever waits for review and answers approvals in turn (declining
/// once the answers run out).
fn person<'a>(app: &'a App, answers: &'a [ApprovalAnswer]) -> impl FnMut(&ChatEvent) + 'a {
    let mut conversation = None;
    let mut answers = answers.iter();
    move |e| match e {
        ChatEvent::Started { conversation: c, .. } => conversation = Some(c.id),
        ChatEvent::AwaitingReview { paths, .. } if !paths.is_empty() => {
            let id = conversation.expect("started before review");
            for p in app.review(id).expect("review").into_iter().filter(|p| p.pending > 0) {
                app.set_hunks(p.id, vec![], HunkStateView::Accepted).expect("accept");
            }
        }
        ChatEvent::Approval { request } => {
            let answer = answers.next().copied().unwrap_or(ApprovalAnswer::Decline);
            app.answer_approval(request.id, answer).expect("answer");
        }
        _ => {}
    }
}

/// The `role: tool` messages of a request the server received, as (tool_call_id, content).
fn tool_results(body: &str) -> Vec<(String, String)> {
    let body: Value = serde_json::from_str(body).expect("a JSON body");
    body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            (
                m["tool_call_id"].as_str().unwrap_or_default().to_owned(),
                m["content"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The content of the tool result for `call_id` in request `n`.
fn result_of(server: &ModelServer, n: usize, call_id: &str) -> String {
    let received = server.received();
    let request = received.get(n).unwrap_or_else(|| panic!("no request {n}: {} received", received.len()));
    let results = tool_results(&request.body);
    results
        .iter()
        .find(|(id, _)| id == call_id)
        .map(|(_, content)| content.clone())
        .unwrap_or_else(|| panic!("request {n} has no result for {call_id}: {results:?}"))
}

fn read(dir: &tempfile::TempDir, path: &str) -> String {
    std::fs::read_to_string(dir.path().join(path)).expect("read")
}

#[tokio::test]
async fn an_agent_turn_searches_reads_proposes_runs_the_approved_command_and_fixes_until_it_passes() {
    let wrong = json!({"path": "calc.py", "old_text": "return a - b", "new_text": "return a * b"});
    let right = json!({"path": "calc.py", "old_text": "return a * b", "new_text": "return a + b"});
    let script = vec![
        calls(&[("call_1", "search", json!({"pattern": "def add"}))]),
        calls(&[("call_2", "read_file", json!({"path": "calc.py"}))]),
        calls(&[
            ("call_3", "edit_file", wrong),
            ("call_4", "run_command", json!({"command": "sh test_calc.sh"})),
        ]),
        calls(&[
            ("call_5", "edit_file", right),
            ("call_6", "run_command", json!({"command": "sh test_calc.sh"})),
        ]),
        says("Done."),
    ];
    let s = setup(script, &[("calc.py", CALC), ("test_calc.sh", TEST_CALC)]).await;
    let answers = [ApprovalAnswer::Once, ApprovalAnswer::Once];
    let turn =
        drive(&s.app, ask("Fix add in calc.py until test_calc.sh passes", None), person(&s.app, &answers))
            .await;
    let last = turn.result.as_ref().expect("the turn ran");
    assert_eq!((last.status.as_str(), last.text.as_str()), ("complete", "Done."));
    assert_eq!(turn.done(), ("done".to_owned(), 5));
    assert_eq!(read(&s.project, "calc.py"), CALC_FIXED);

    // Once means once: the same line was asked about again at the next step.
    let asked: Vec<_> =
        turn.approvals().iter().map(|r| (r.command.clone(), r.kind.as_str().to_owned())).collect();
    let line = ("sh test_calc.sh".to_owned(), "command".to_owned());
    assert_eq!(asked, [line.clone(), line]);
    let waited: Vec<&[String]> = turn
        .events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::AwaitingReview { paths, .. } if !paths.is_empty() => Some(paths.as_slice()),
            _ => None,
        })
        .collect();
    assert_eq!(waited, [["calc.py"], ["calc.py"]], "each run waited for its step's edit to be reviewed");
    let steps: Vec<u32> = turn
        .events
        .iter()
        .filter_map(|e| if let ChatEvent::Step { step, .. } = e { Some(*step) } else { None })
        .collect();
    assert_eq!(steps, [2, 3, 4, 5]);
    let streamed: String = turn
        .events
        .iter()
        .filter_map(|e| if let ChatEvent::ToolOutput { chunk, .. } = e { Some(chunk.as_str()) } else { None })
        .collect();
    assert!(streamed.contains("FAIL") && streamed.contains("PASS"), "{streamed:?}");

    // What the model got back, step by step.
    let received = s.server.received();
    assert_eq!(received.len(), 5);
    assert!(received[0].body.contains("\"run_command\"") && received[0].body.contains("\"edit_file\""));
    assert!(result_of(&s.server, 1, "call_1").contains("calc.py:1: def add(a, b):"));
    assert!(result_of(&s.server, 2, "call_2").contains("return a - b"));
    assert!(result_of(&s.server, 3, "call_3").contains("Proposed the change to calc.py"));
    let first_run = result_of(&s.server, 3, "call_4");
    assert!(first_run.starts_with("exit code 1") && first_run.contains("FAIL"), "{first_run}");
    let second_run = result_of(&s.server, 4, "call_6");
    assert!(second_run.starts_with("exit code 0") && second_run.contains("PASS"), "{second_run}");

    // Every step is a saved reply of its own, with its tools and what they gave back.
    let detail = s.app.conversation(turn.conversation_id()).expect("detail");
    let roles: Vec<_> = detail.messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "assistant", "assistant", "assistant", "assistant"]);
    let tools: Vec<Vec<&str>> =
        detail.messages[1..].iter().map(|m| m.tools.iter().map(|t| t.name.as_str()).collect()).collect();
    let expected: [&[&str]; 5] =
        [&["search"], &["read_file"], &["edit_file", "run_command"], &["edit_file", "run_command"], &[]];
    assert_eq!(tools, expected);
    let run_1 = &detail.messages[3].tools[1];
    let run_2 = &detail.messages[4].tools[1];
    assert_eq!((run_1.status.as_str(), run_2.status.as_str()), ("failed", "done"));
    assert!(run_1.summary.starts_with("exit 1") && run_1.output.contains("FAIL"), "{run_1:?}");
    assert!(run_2.summary.starts_with("exit 0") && run_2.output.contains("PASS"), "{run_2:?}");
    assert!(detail.messages[1..5]
        .iter()
        .all(|m| m.status == "complete" && m.tools.iter().all(|t| !t.summary.is_empty())));
    assert_eq!(detail.messages[3].proposals.len(), 1, "each step's edit is its own proposal");
    assert_eq!(detail.messages[4].proposals[0].pending, 0);
    assert!(!detail.running);
}

#[tokio::test]
async fn a_declined_command_is_not_run_and_the_model_is_told() {
    let script = vec![command("call_1", "touch marker.txt"), says("Understood, I left it.")];
    let s = setup(script, &[]).await;
    let turn = drive(&s.app, ask("make a marker", None), person(&s.app, &[ApprovalAnswer::Decline])).await;
    assert_eq!(turn.done(), ("done".to_owned(), 2));
    assert_eq!(turn.approvals().len(), 1);
    assert!(!s.project.path().join("marker.txt").exists(), "a declined command ran");
    let told = result_of(&s.server, 1, "call_1");
    assert!(told.contains("declined") && told.contains("touch marker.txt"), "{told}");
    let detail = s.app.conversation(turn.conversation_id()).expect("detail");
    let call = &detail.messages[1].tools[0];
    assert_eq!(call.status, "declined", "{call:?}");
    assert!(call.output.is_empty());
}

#[tokio::test]
async fn conversation_approval_is_not_asked_again_and_always_is_remembered_for_the_project() {
    let script = vec![
        // Turn 1: "echo one" for the conversation, then again unasked; "echo two" always.
        command("c1", "echo one"),
        command("c2", "echo one"),
        command("c3", "echo two"),
        says("ran them"),
        // Turn 2, same conversation: "echo one" is still allowed.
        command("c4", "echo one"),
        says("again"),
        // Turn 3, a new conversation: "echo two" is allowed, "echo one" is asked about again.
        command("c5", "echo two"),
        command("c6", "echo one"),
        says("elsewhere"),
        // After a restart: "echo two" is still allowed in this project.
        command("c7", "echo two"),
        says("after restart"),
    ];
    let s = setup(script, &[]).await;
    let answers = [ApprovalAnswer::Conversation, ApprovalAnswer::Always];
    let first = drive(&s.app, ask("run things", None), person(&s.app, &answers)).await;
    assert_eq!(first.done(), ("done".to_owned(), 4));
    let asked: Vec<_> = first.approvals().iter().map(|r| r.command.clone()).collect();
    assert_eq!(asked, ["echo one", "echo two"]);
    assert!(result_of(&s.server, 2, "c2").contains("one"), "the unasked command ran");
    let id = first.conversation_id();

    let second = drive(&s.app, ask("once more", Some(id)), person(&s.app, &[])).await;
    assert_eq!(second.done(), ("done".to_owned(), 2));
    assert!(second.approvals().is_empty(), "asked again in the same conversation");
    assert!(result_of(&s.server, 5, "c4").starts_with("exit code 0"));

    let third =
        drive(&s.app, ask("in another conversation", None), person(&s.app, &[ApprovalAnswer::Once])).await;
    assert_eq!(third.done(), ("done".to_owned(), 3));
    let asked: Vec<_> = third.approvals().iter().map(|r| r.command.clone()).collect();
    assert_eq!(asked, ["echo one"], "always is for the project; conversation is for one conversation");
    assert_ne!(third.conversation_id(), id);

    let Setup { app, data, project, server } = s;
    drop(app);
    let again = new_app(data.path(), project.path());
    let fourth = drive(&again, ask("after a restart", None), person(&again, &[])).await;
    assert_eq!(fourth.done(), ("done".to_owned(), 2));
    assert!(fourth.approvals().is_empty(), "always was forgotten by a restart");
    assert!(result_of(&server, 10, "c7").contains("two"));
}

#[tokio::test]
async fn the_command_environment_has_no_api_key() {
    let script = vec![command("call_1", "env"), says("seen")];
    let s = setup(script, &[]).await;
    let turn =
        drive(&s.app, ask("show the environment", None), person(&s.app, &[ApprovalAnswer::Once])).await;
    assert_eq!(turn.done(), ("done".to_owned(), 2));
    let received = s.server.received();
    assert_eq!(
        received[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str()),
        "the key is in use"
    );

    let detail = s.app.conversation(turn.conversation_id()).expect("detail");
    let output = detail.messages[1].tools[0].output.clone();
    assert!(output.contains("PATH="), "{output}");
    assert!(!output.contains(KEY), "the provider key reached the command");
    assert!(!received[1].body.contains(KEY), "the provider key reached the model in a tool result");
    let allowed: Vec<String> = redline_project::command_env().into_iter().map(|(k, _)| k).collect();
    let shell_own = ["PWD", "SHLVL", "_", "OLDPWD"];
    for line in output.lines() {
        let name = line.split('=').next().unwrap_or_default();
        let upper = name.to_ascii_uppercase();
        assert!(!upper.contains("API_KEY") && !upper.contains("TOKEN"), "{name} reached the command");
        assert!(
            allowed.iter().any(|a| a == name) || shell_own.contains(&name),
            "{name} leaked into the command"
        );
    }
    // The test runs under cargo, which sets variables a command must not see.
    let dropped = std::env::vars().find(|(k, _)| !allowed.contains(k) && !shell_own.contains(&k.as_str()));
    let (name, _) = dropped.expect("the test process has no variable that should be dropped");
    assert!(!output.contains(&format!("{name}=")), "{name} reached the command");
}

#[tokio::test]
async fn the_step_limit_stops_a_turn_that_keeps_calling_tools() {
    let script = vec![calls(&[("call_1", "list_files", json!({}))])];
    let s = setup_with(script, &[("a.txt", "a\n")], "[agent]\nmax_steps = 3\n", "").await;
    let turn = drive(&s.app, ask("look around forever", None), person(&s.app, &[])).await;
    assert!(turn.result.is_ok(), "{:?}", turn.result);
    assert_eq!(turn.done(), ("stepLimit".to_owned(), 3));
    assert_eq!(s.server.received().len(), 3, "a step past the limit was requested");
    let detail = s.app.conversation(turn.conversation_id()).expect("detail");
    assert_eq!(detail.messages.len(), 4);
    assert!(detail.messages[1..].iter().all(|m| m.tools.len() == 1 && m.tools[0].status == "done"));
}

#[tokio::test]
async fn stop_during_an_approval_ends_the_turn_as_stopped() {
    let script = vec![command("call_1", "touch marker.txt"), says("never asked for")];
    let s = setup(script, &[]).await;
    let mut waiting = None;
    let mut conversation = None;
    let turn = drive(&s.app, ask("make a marker", None), |e| match e {
        ChatEvent::Started { conversation: c, .. } => conversation = Some(c.id),
        ChatEvent::Approval { request } => {
            waiting = Some(request.id);
            s.app.stop_reply(conversation.expect("started"));
        }
        _ => {}
    })
    .await;
    assert!(turn.result.is_ok(), "{:?}", turn.result);
    assert_eq!(turn.done(), ("stopped".to_owned(), 1));
    assert!(!s.project.path().join("marker.txt").exists(), "the command ran without approval");
    assert_eq!(s.server.received().len(), 1, "the model was asked again after a stop");
    let late = s.app.answer_approval(waiting.expect("asked"), ApprovalAnswer::Once);
    assert_eq!(late.expect_err("nothing waits any more").code, ErrorCode::NotFound);
    let detail = s.app.conversation(turn.conversation_id()).expect("detail");
    let call = &detail.messages[1].tools[0];
    assert_eq!((call.status.as_str(), call.summary.as_str()), ("failed", "stopped by the person"));
    assert!(!detail.running);
}

#[tokio::test]
async fn auto_accept_writes_the_edit_and_checkpoints_it() {
    let fix = json!({"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"});
    let script = vec![calls(&[("call_1", "edit_file", fix)]), says("Fixed.")];
    let s = setup(script, &[("calc.py", CALC)]).await;
    let input = SendInput { auto_accept: true, ..ask("fix add", None) };
    let turn = drive(&s.app, input, person(&s.app, &[])).await;
    assert_eq!(turn.done(), ("done".to_owned(), 2));
    assert_eq!(turn.count(|e| matches!(e, ChatEvent::AwaitingReview { .. })), 0);
    assert_eq!(read(&s.project, "calc.py"), CALC_FIXED, "auto-accept did not write");
    assert!(result_of(&s.server, 1, "call_1").contains("applied"), "the model was not told it was applied");

    let detail = s.app.conversation(turn.conversation_id()).expect("detail");
    let step = &detail.messages[1];
    let proposal = &step.proposals[0];
    assert!(proposal.written && proposal.pending == 0, "{proposal:?}");
    let report = s.app.undo_turn(step.id).expect("undo");
    assert_eq!(report.restored, ["calc.py"]);
    assert_eq!(read(&s.project, "calc.py"), CALC);
}

/// Forty lines of Python, so edits near the top, middle and end are three hunks.
fn python_file() -> String {
    let mut text = String::from("import subprocess\n\n\ndef first(x):\n    return x + 1\n");
    for i in 0..10 {
        text.push_str(&format!("\n\ndef helper_{i}(x):\n    return x * {i}\n"));
    }
    text.push_str("\n\ndef listing(path):\n    return path\n");
    text
}

#[tokio::test]
async fn a_proposal_that_breaks_syntax_adds_an_aws_key_or_shell_true_is_flagged_on_the_right_hunk() {
    let secret = "AKIAZ7Q3KX5LM2PD4W8R";
    let edits = [
        (
            "e1",
            "edit_file",
            json!({"path": "app.py", "old_text": "    return x + 1\n", "new_text": "    return (x + 1\n"}),
        ),
        (
            "e2",
            "edit_file",
            json!({"path": "app.py", "old_text": "def helper_5(x):\n", "new_text": format!("AWS_KEY = \"{secret}\"\n\n\ndef helper_5(x):\n")}),
        ),
        (
            "e3",
            "edit_file",
            json!({"path": "app.py", "old_text": "    return path\n", "new_text": "    subprocess.run(f\"ls {path}\", shell=True)\n    return path\n"}),
        ),
    ];
    let s = setup(vec![calls(&edits)], &[("app.py", &python_file())]).await;
    let input = SendInput { agent: false, ..ask("make some changes", None) };
    let turn = drive(&s.app, input, |_| {}).await;
    let reply = turn.result.expect("sent");
    assert_eq!(reply.proposals.len(), 1, "{:?}", reply.proposals);
    assert!(reply.proposals[0].hunks.is_empty(), "a message carries counts; the Review tab the hunks");
    let kinds = |p: &redline_api::ProposalView| -> Vec<Vec<String>> {
        p.hunks.iter().map(|h| h.findings.iter().map(|f| f.kind.clone()).collect()).collect()
    };
    let id = turn_conversation(&turn.events);
    let reviewed = s.app.review(id).expect("review");
    let proposal = &reviewed[0];
    assert_eq!((proposal.hunks.len(), reply.proposals[0].pending), (3, 3), "{:?}", proposal.hunks);
    assert_eq!(kinds(proposal), [vec!["syntax"], vec!["secret"], vec!["risk"]], "{proposal:#?}");
    assert!(proposal.hunks.iter().flat_map(|h| &h.findings).all(|f| !f.message.contains(secret)));

    // The findings are saved with the proposal: a new app on the same data folder shows them.
    let Setup { app, data, project, .. } = s;
    drop(app);
    let again = new_app(data.path(), project.path());
    let review = again.review(id).expect("review");
    assert_eq!(kinds(&review[0]), kinds(proposal));
    assert_eq!(review[0].hunks, proposal.hunks);
}

fn turn_conversation(events: &[ChatEvent]) -> i64 {
    match events.first() {
        Some(ChatEvent::Started { conversation, .. }) => conversation.id,
        other => panic!("not started: {other:?}"),
    }
}

#[tokio::test]
async fn a_rust_proposal_gets_rustfmt_findings_in_a_cargo_project() {
    let manifest = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    let lib = "pub fn one() -> i32 {\n    1\n}\n";
    let edit = json!({"path": "src/lib.rs", "old_text": lib, "new_text": format!("{lib}\npub fn two()->i32{{   2 }}\n")});
    let s =
        setup(vec![calls(&[("e1", "edit_file", edit)])], &[("Cargo.toml", manifest), ("src/lib.rs", lib)])
            .await;
    let input = SendInput { agent: false, ..ask("add two", None) };
    let turn = drive(&s.app, input, |_| {}).await;
    turn.result.expect("sent");
    let reviewed = s.app.review(turn_conversation(&turn.events)).expect("review");
    let proposal = &reviewed[0];
    assert_eq!(proposal.hunks.len(), 1, "{proposal:?}");
    let findings = &proposal.hunks[0].findings;
    assert!(
        findings.iter().any(|f| f.source == "rustfmt" && f.kind == "lint"),
        "no rustfmt finding on the hunk: {proposal:#?}"
    );
    assert_eq!(read(&s.project, "src/lib.rs"), lib, "a check wrote into the project");
}

const AREA: &str = "def area(w, h):\n    return \n\nprint(area(2, 3))\n";

fn completion(model: &str) -> CompletionInput {
    CompletionInput {
        path: "area.py".into(),
        line: 2,
        column: 11,
        model: Some(model.into()),
        conversation_id: None,
    }
}

#[tokio::test]
async fn completion_at_the_cursor_inserts_only_at_the_cursor() {
    let script = vec![sse(openai_completion_frames("w * h", 2, None))];
    let s = setup_with(script, &[("area.py", AREA)], "", "fim_models = [\"fim-coder\"]").await;
    let view = s.app.complete_here(completion("s/fim-coder")).await.expect("completed");

    let received = s.server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/completions");
    let body: Value = serde_json::from_str(&received[0].body).expect("json");
    let at = "def area(w, h):\n    return ".len();
    assert_eq!(body["prompt"], AREA[..at]);
    assert_eq!(body["suffix"], AREA[at..]);
    assert_eq!(body["model"], "fim-coder");

    let proposal = &view.proposal;
    assert_eq!((proposal.path.as_str(), proposal.hunks.len()), ("area.py", 1), "{proposal:?}");
    assert_eq!(proposal.hunks[0].new_text, "    return w * h\n");
    assert_eq!(read(&s.project, "area.py"), AREA, "nothing is written before a person accepts");
    s.app.set_hunks(proposal.id, vec![], HunkStateView::Accepted).expect("accept");
    assert_eq!(read(&s.project, "area.py"), format!("{}w * h{}", &AREA[..at], &AREA[at..]));
    let detail = s.app.conversation(view.conversation_id).expect("saved as a turn");
    assert_eq!(detail.messages.len(), 2);

    let error = s.app.complete_here(completion("s/gpt-4o")).await.expect_err("gpt-4o does no FIM");
    assert_eq!(error.code, ErrorCode::NoModel);
    assert!(
        error.message.contains("Settings") && error.message.contains("Pick a code model"),
        "{}",
        error.message
    );
    assert_eq!(s.server.received().len(), 1, "a model that cannot complete in the middle was asked");
}

#[tokio::test]
async fn completion_sends_the_whole_name_of_a_model_whose_name_has_a_slash() {
    // vLLM and LM Studio serve models by their Hugging Face name: `org/model`.
    let script = vec![sse(openai_completion_frames("w * h", 2, None))];
    let s = setup_with(script, &[("area.py", AREA)], "", "fim_models = [\"org/fim-coder\"]").await;
    s.app.complete_here(completion("s/org/fim-coder")).await.expect("completed");
    let body: Value = serde_json::from_str(&s.server.received()[0].body).expect("json");
    assert_eq!(body["model"], "org/fim-coder", "the server was asked for another model");
}

/// The MCP test server, built once for this test binary (next to it, in the same target dir).
fn mcp_test_server() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test executable");
            // target/<profile>/deps/integration-<hash>
            let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
            let target_dir = profile_dir.parent().expect("target");
            let status = std::process::Command::new(env!("CARGO"))
                .args([
                    "build",
                    "-p",
                    "redline-mcp",
                    "--features",
                    "test-server",
                    "--bin",
                    "redline-mcp-test-server",
                ])
                .arg("--target-dir")
                .arg(target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building redline-mcp-test-server failed");
            let binary = profile_dir.join("redline-mcp-test-server");
            assert!(binary.is_file(), "{} was not built", binary.display());
            binary
        })
        .clone()
}

#[tokio::test]
async fn a_declined_project_mcp_server_is_never_started() {
    let marker = tempfile::tempdir().expect("marker dir");
    let pid_file = marker.path().join("started");
    let config = json!({"mcpServers": {"test": {"command": "sh", "args": ["-c", format!("touch {}", pid_file.display())]}}}).to_string();
    let s = setup(vec![says("No tools needed.")], &[(".redline/mcp.json", &config)]).await;
    let turn = drive(&s.app, ask("hello", None), person(&s.app, &[ApprovalAnswer::Decline])).await;
    assert_eq!(turn.done(), ("done".to_owned(), 1));
    assert_eq!(turn.approvals()[0].kind.as_str(), "mcpServer");
    assert!(!pid_file.exists(), "a server the person declined must not run");
}

#[tokio::test]
async fn an_mcp_tool_runs_after_approval_and_its_server_gets_no_key() {
    let server_binary = tokio::task::spawn_blocking(mcp_test_server).await.expect("built");
    let config =
        json!({"mcpServers": {"test": {"command": server_binary.display().to_string()}}}).to_string();
    let script = vec![
        calls(&[("m1", "mcp__test__echo", json!({"text": "hello from the model"}))]),
        calls(&[
            ("m2", "mcp__test__env_has", json!({"name": "PATH"})),
            ("m3", "mcp__test__env_has", json!({"name": "CARGO_MANIFEST_DIR"})),
        ]),
        says("The tools answered."),
    ];
    let s = setup(script, &[(".redline/mcp.json", &config)]).await;
    let answers = [ApprovalAnswer::Once; 4];
    let turn = drive(&s.app, ask("use the test tools", None), person(&s.app, &answers)).await;
    assert_eq!(turn.done(), ("done".to_owned(), 3));
    let asked: Vec<_> =
        turn.approvals().iter().map(|r| (r.kind.as_str().to_owned(), r.command.clone())).collect();
    assert_eq!(asked.len(), 4, "{asked:?}");
    // The project's own server is a command the folder asks to run: the person approves it first.
    assert_eq!(asked[0].0, "mcpServer");
    assert!(asked[0].1.contains("redline-mcp-test-server"), "{asked:?}");
    assert!(asked[1..].iter().all(|(kind, _)| kind == "mcp"), "{asked:?}");
    assert!(asked[1].1.starts_with("mcp__test__echo") && asked[1].1.contains("hello from the model"));

    let first = &s.server.received()[0].body;
    assert!(
        first.contains("\"mcp__test__echo\"") && first.contains("\"mcp__test__env_has\""),
        "tools not offered"
    );
    assert_eq!(result_of(&s.server, 1, "m1"), "hello from the model");
    assert_eq!(result_of(&s.server, 2, "m2"), "true", "the server has no PATH");
    // Cargo sets CARGO_MANIFEST_DIR for this test; a scrubbed server environment lacks it.
    assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some(), "run this test under cargo");
    assert_eq!(result_of(&s.server, 2, "m3"), "false", "the test's environment reached the MCP server");
    let detail = s.app.conversation(turn.conversation_id()).expect("detail");
    let statuses: Vec<_> =
        detail.messages[1..3].iter().flat_map(|m| m.tools.iter().map(|t| t.status.clone())).collect();
    assert_eq!(statuses, ["done", "done", "done"]);
}

#[tokio::test]
async fn a_model_without_tool_calling_calls_tools_in_its_text_and_gets_the_results_back() {
    let reply = "Let me look.\n<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"notes.txt\"}}\n</tool_call>";
    let script = vec![says(reply), says("It says hello.")];
    let s = setup(script, &[("notes.txt", "hello from the notes\n")]).await;
    let input = SendInput { model: Some("s/plain-model".into()), ..ask("what do the notes say?", None) };
    let turn = drive(&s.app, input, person(&s.app, &[])).await;
    assert_eq!(turn.done(), ("done".to_owned(), 2));
    let received = s.server.received();
    let first: Value = serde_json::from_str(&received[0].body).expect("json");
    assert!(first.get("tools").is_none(), "no native tools for a model without tool calling");
    let system = first["messages"][0]["content"].as_str().expect("system");
    assert!(system.contains("<tool_call>") && system.contains("read_file"), "the text format is explained");
    let second = &received[1].body;
    assert!(
        second.contains("<tool_result name=\\\"read_file\\\">") && second.contains("hello from the notes"),
        "{second}"
    );
}

#[tokio::test]
async fn naming_the_test_command_lets_fix_until_tests_pass_run_it_without_asking_and_nothing_else() {
    let script = vec![command("t1", "echo tests ran"), command("t2", "echo something else"), says("done")];
    let s = setup(script, &[]).await;
    let mut limits = s.app.agent_limits().expect("limits");
    assert_eq!(limits.test_command, None);
    limits.test_command = Some("echo tests ran".into());
    s.app.set_agent_limits(limits).expect("saved");
    assert_eq!(s.app.agent_limits().expect("limits").test_command.as_deref(), Some("echo tests ran"));
    let turn =
        drive(&s.app, ask("fix until the tests pass", None), person(&s.app, &[ApprovalAnswer::Decline]))
            .await;
    let asked: Vec<_> = turn.approvals().iter().map(|r| r.command.clone()).collect();
    assert_eq!(asked, ["echo something else"], "only the named test command runs unasked");
    assert!(result_of(&s.server, 1, "t1").contains("tests ran"));
    assert!(result_of(&s.server, 2, "t2").contains("declined"));
}
