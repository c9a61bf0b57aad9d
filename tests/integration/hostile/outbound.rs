//! The outbound gate against a hostile repository: a git repository with a secret file next to
//! it (its `AGENTS.md` links there), a `.redlineignore`d file, git-ignored and `.ignore`d
//! untracked files, `.env`, `.envrc` and `.netrc`, and a file holding a PGP private key block and a
//! database URL with a password. Every way text reaches a model is driven through the App API
//! against the scripted model server, and no secret may appear in any request body it received.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use redline_api::{
    App, ApprovalAnswer, ChatEvent, CompletionInput, KeyState, MessageView, SelectionInput, SendInput,
};
use redline_tests::model_server::{
    openai_completion_frames, openai_text_frames, openai_tool_call_frames, Ending, ModelServer, Reply,
};
use serde_json::{json, Value};

use super::traps::Traps;
use crate::api::Events;

const KEY: &str = "sk-outbound-test-7d1e2f3a4b5c6d7e";

const OUTSIDE_SECRET: &str = "KUBE-OUTSIDE-SECRET-9f3a";
const REDLINEIGNORED: &str = "REDLINEIGNORED-SECRET-77ab";
const GITIGNORED: &str = "GITIGNORED-SECRET-1c2d";
const DOT_IGNORED: &str = "DOTIGNORE-SECRET-55ee";
const ENV_VALUE: &str = "ENV-SECRET-hunter2";
const ENVRC_VALUE: &str = "ENVRC-SECRET-8812";
const NETRC_PASSWORD: &str = "NETRC-SECRET-4321";
const PGP_BODY: &str = "lQOYBGXz1xsBCADKj3n8lL1yq0fP8y1Z2m3Xb7n4Kq9V0cW2e5T6u7I8o9P0a1S2d3F4g5H6j7K8";
const URL_PASSWORD: &str = "URLPASS-0a9b";

fn keys_file() -> String {
    format!(
        "# deployment notes\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{PGP_BODY}\n=Zx9q\n-----END PGP PRIVATE KEY BLOCK-----\nDATABASE_URL = \"postgres://u:{URL_PASSWORD}@db.internal/app\"\nregion = \"eu-west-1\"\n"
    )
}

/// The hostile folder: `<base>/.kube/config` outside, `<base>/work/proj` the repository.
struct Hostile {
    base: tempfile::TempDir,
    traps: Traps,
}

impl Hostile {
    fn root(&self) -> std::path::PathBuf {
        self.base.path().join("work/proj")
    }
}

fn write(root: &Path, path: &str, text: &str) {
    let abs = root.join(path);
    std::fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
    std::fs::write(abs, text).expect("write");
}

fn hostile_repo() -> Hostile {
    let base = tempfile::tempdir().expect("base");
    write(
        base.path(),
        ".kube/config",
        &format!("users:\n- name: admin\n  user:\n    token: {OUTSIDE_SECRET}\n"),
    );
    let root = base.path().join("work/proj");
    write(&root, "src/app.py", "def main():\n    return 1\n");
    write(&root, ".gitignore", "build/\n");
    write(&root, ".ignore", "scratch/\n");
    write(&root, ".redlineignore", "private/\n");
    redline_tests::git(&root, &["init", "-q", "-b", "main"]);
    redline_tests::git(&root, &["add", "."]);
    redline_tests::git(&root, &["commit", "-q", "-m", "init"]);
    std::os::unix::fs::symlink("../../.kube/config", root.join("AGENTS.md")).expect("symlink");
    write(&root, "src/app.py", "def main():\n    return 2\n");
    write(&root, "private/notes.txt", &format!("{REDLINEIGNORED}\n"));
    write(&root, "build/out.log", &format!("{GITIGNORED}\n"));
    write(&root, "scratch/todo.txt", &format!("{DOT_IGNORED}\n"));
    write(&root, ".env", &format!("DB_PASSWORD={ENV_VALUE}\nPORT=5432\n"));
    write(&root, ".envrc", &format!("export API_TOKEN={ENVRC_VALUE}\n"));
    write(&root, ".netrc", &format!("machine example.com login me password {NETRC_PASSWORD}\n"));
    write(&root, "keys.txt", &keys_file());
    let mut traps = Traps::new();
    for secret in [
        OUTSIDE_SECRET,
        REDLINEIGNORED,
        GITIGNORED,
        DOT_IGNORED,
        ENV_VALUE,
        ENVRC_VALUE,
        NETRC_PASSWORD,
        PGP_BODY,
        URL_PASSWORD,
    ] {
        traps.secret(secret);
    }
    Hostile { base, traps }
}

fn sse(frames: Vec<String>) -> Reply {
    Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete }
}

fn says(text: &str) -> Reply {
    sse(openai_text_frames(text, 8, Some((50, 5))))
}

struct Setup {
    app: App,
    server: ModelServer,
    hostile: Hostile,
    _data: tempfile::TempDir,
}

async fn setup(script: Vec<Reply>) -> Setup {
    let server = ModelServer::start(script).await;
    let data = tempfile::tempdir().expect("data");
    let settings = format!(
        "default_model = \"s/gpt-4o\"\ndetect_local_servers = false\n\n[[provider]]\nid = \"s\"\nname = \"S\"\nwire = \"openai\"\nbase_url = \"{}/v1\"\nmodels = [\"gpt-4o\"]\nneeds_key = true\nfim_models = [\"fim-coder\"]\n",
        server.url
    );
    std::fs::write(data.path().join("settings.toml"), settings).expect("settings");
    let hostile = hostile_repo();
    let app = App::with_memory_keys(data.path(), Arc::new(Events::default()));
    assert_eq!(app.set_key("s", KEY, false).expect("key"), KeyState::Keyring);
    app.open_project(&hostile.root().display().to_string()).expect("open");
    Setup { app, server, hostile, _data: data }
}

/// Every request body the scripted server received.
fn bodies(server: &ModelServer) -> Vec<String> {
    server.received().into_iter().map(|r| r.body).collect()
}

/// Sends `input`, approving every command once and accepting whatever waits for review.
async fn drive(app: &App, input: SendInput) -> (MessageView, Vec<ChatEvent>) {
    let person = |e: &ChatEvent| {
        if let ChatEvent::Approval { request } = e {
            app.answer_approval(request.id, ApprovalAnswer::Once).expect("answer");
        }
    };
    let (result, events) = crate::api::send_playing(app, input, person).await;
    (result.expect("sent"), events)
}

#[tokio::test]
async fn a_question_with_the_diff_mentions_and_an_env_selection_sends_no_secret() {
    let s = setup(vec![says("ok")]).await;
    let input = SendInput {
        include_diff: true,
        selection: Some(SelectionInput { path: ".env".into(), start_line: 1, end_line: 2 }),
        ..SendInput::new(
            "Look at @keys.txt @.env @.envrc @.netrc @private/notes.txt @build/out.log @scratch/todo.txt @src/",
        )
    };
    let (reply, events) = drive(&s.app, input).await;
    assert_eq!(reply.status, "complete", "{:?}", reply.error);
    let body = &bodies(&s.server)[0];
    assert!(body.contains("region = \\\"eu-west-1\\\"") && body.contains("return 2"), "{body}");
    s.hostile.traps.assert_quiet(&bodies(&s.server));

    let Some(ChatEvent::Started { user_message, .. }) = events.first() else { panic!("no Started") };
    let chip = |label: &str| user_message.attachments.iter().find(|a| a.label == label);
    let agents = chip("AGENTS.md").expect("a chip for the rules file that links out");
    assert!(agents.note.as_deref().is_some_and(|n| n.contains("outside the project")), "{agents:?}");
    let keys = chip("keys.txt").expect("keys chip");
    assert!(keys.redactions.iter().any(|r| r.starts_with("private key")), "{keys:?}");
    assert!(keys.redactions.iter().any(|r| r.starts_with("password in a URL")), "{keys:?}");
    let netrc = chip(".netrc").expect("netrc chip");
    assert!(netrc.note.as_deref().is_some_and(|n| n.contains("credentials file")), "{netrc:?}");
}

#[tokio::test]
async fn complete_here_sends_the_prefix_without_its_secrets() {
    let s = setup(vec![sse(openai_completion_frames("\"eu\"", 2, None))]).await;
    let lines = keys_file().lines().count() as u32;
    let input = CompletionInput {
        path: "keys.txt".into(),
        line: lines + 1,
        column: 0,
        model: Some("s/fim-coder".into()),
        conversation_id: None,
    };
    s.app.complete_here(input).await.expect("completed");
    let received = bodies(&s.server);
    let body: Value = serde_json::from_str(&received[0]).expect("json");
    assert!(body["prompt"].as_str().is_some_and(|p| p.contains("region = \"eu-west-1\"")), "{body}");
    s.hostile.traps.assert_quiet(&received);

    let hidden = CompletionInput {
        path: "private/notes.txt".into(),
        line: 1,
        column: 0,
        model: Some("s/fim-coder".into()),
        conversation_id: None,
    };
    let error = s.app.complete_here(hidden).await.expect_err("a .redlineignored file is not completed");
    assert!(error.message.contains(".redlineignore"), "{}", error.message);
    assert_eq!(s.server.received().len(), 1, "the hidden file went to the model");
}

#[tokio::test]
async fn agent_tools_and_command_output_send_no_secret() {
    let step = |calls: &[(&str, &str, Value)]| sse(openai_tool_call_frames(calls, None));
    let script = vec![
        step(&[
            (
                "c1",
                "search",
                json!({"pattern": "SECRET|postgres|BEGIN|lQOY|password", "case_sensitive": false}),
            ),
            ("c2", "read_file", json!({"path": "keys.txt", "start_line": 3})),
            ("c3", "read_file", json!({"path": ".envrc"})),
            ("c4", "list_files", json!({"depth": 5})),
            ("c5", "git_diff", json!({})),
            ("c6", "read_file", json!({"path": "AGENTS.md"})),
        ]),
        step(&[("c7", "run_command", json!({"command": "cat keys.txt .netrc .envrc"}))]),
        says("done"),
    ];
    let s = setup(script).await;
    s.app.trust_project().expect("trust the folder so the approved command runs");
    let input = SendInput { agent: true, ..SendInput::new("Find the database settings.") };
    let (reply, events) = drive(&s.app, input).await;
    assert_eq!(reply.status, "complete", "{:?}", reply.error);
    let received = bodies(&s.server);
    assert_eq!(received.len(), 3, "{events:?}");
    let results = &received[2];
    assert!(results.contains("region = \\\"eu-west-1\\\""), "the command's output came back: {results}");
    assert!(received[1].contains("src/app.py"), "the listing came back: {}", received[1]);
    s.hostile.traps.assert_quiet(&received);
}

/// A project opened at a folder inside a bigger repository: the diff it sends holds its own
/// changes, never a changed file elsewhere in the repository.
#[tokio::test]
async fn the_diff_of_a_project_inside_a_repository_holds_only_that_folders_changes() {
    let s = setup(vec![says("ok")]).await;
    let repo = s.hostile.base.path().join("mono");
    write(&repo, "app/main.py", "x = 1\n");
    write(&repo, "ops/deploy.sh", "echo deploy\n");
    redline_tests::git(&repo, &["init", "-q", "-b", "main"]);
    redline_tests::git(&repo, &["add", "."]);
    redline_tests::git(&repo, &["commit", "-q", "-m", "init"]);
    write(&repo, "app/main.py", "x = 2\n");
    write(&repo, "ops/deploy.sh", "echo OPS-ONLY-CHANGE-5e1f\n");
    write(&repo, "ops/untracked.txt", "OPS-UNTRACKED-77c2\n");
    s.app.open_project(&repo.join("app").display().to_string()).expect("open the subfolder");

    let input = SendInput { include_diff: true, ..SendInput::new("What changed?") };
    let (reply, _) = drive(&s.app, input).await;
    assert_eq!(reply.status, "complete", "{:?}", reply.error);
    let body = &bodies(&s.server)[0];
    assert!(body.contains("x = 2"), "the folder's own change is sent: {body}");
    let mut traps = Traps::new();
    traps.secret("OPS-ONLY-CHANGE-5e1f");
    traps.secret("OPS-UNTRACKED-77c2");
    traps.assert_quiet(&bodies(&s.server));
}
