//! Terminal edges: a model reply, a model list or a file name aimed at the terminal of whoever
//! runs the command line. The real `redline` binary runs against the scripted model server;
//! what it prints must carry no escape sequence (OSC 0 retitles the window, OSC 52 writes the
//! clipboard, CSI moves the cursor and recolours) unless `--raw` asks for the bytes.

use std::path::Path;
use std::process::{Command, Output};

use redline_tests::model_server::{openai_text_frames, ModelServer, Reply};
use redline_tests::{redline_apply, redline_binary};

use super::traps::Traps;

/// A reply that opens with a window title, writes the clipboard, clears the screen, recolours,
/// and uses the one-byte C1 CSI and a bidi override.
const HOSTILE_REPLY: &str = "Sure.\x1b]0;rm -rf ~ is safe\x07 Clipboard:\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x1b[31mred\x1b[0m \u{9b}1m \u{202e}txt.exe\n\tdone";

/// The bytes a terminal acts on: ESC, BEL, the other C0 controls but newline and tab, DEL, the C1
/// controls (UTF-8 `C2 80`–`C2 9F`) and the bidi overrides. Fails naming the first and where.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let found =
        text.char_indices().find(|(_, c)| *c != '\n' && *c != '\t' && redline_project::is_unprintable(*c));
    if let Some((at, c)) = found {
        let start = text[..at].char_indices().rev().nth(20).map_or(0, |(i, _)| i);
        panic!("{what} holds U+{:04X} at byte {at}, after {:?}", c as u32, &text[start..at]);
    }
}

/// A data folder with a keyless provider at `url` offering `models` (asked for when empty).
fn data_dir(url: &str, models: &[&str]) -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("data dir");
    let models = models.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ");
    let settings = format!(
        "detect_local_servers = false\n\n[[provider]]\nid = \"scripted\"\nname = \"Scripted\"\nwire = \"openai\"\n\
         base_url = \"{url}/v1\"\nmodels = [{models}]\nneeds_key = false\n"
    );
    std::fs::write(data.path().join("settings.toml"), settings).expect("settings");
    data
}

/// Runs the binary off the async runtime, so the scripted server keeps answering.
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("run redline")).await.expect("join")
}

fn ask(data: &Path, root: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(redline_binary());
    command.arg("ask").arg("--root").arg(root).args(extra).arg("Say something").env("REDLINE_DATA_DIR", data);
    command
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_ask_shows_escape_sequences_split_across_chunks_instead_of_sending_them() {
    // Three characters a frame: every sequence is cut between chunks somewhere.
    let frames = openai_text_frames(HOSTILE_REPLY, 3, None);
    let frames: Vec<&str> = frames.iter().map(String::as_str).collect();
    let server = ModelServer::start(vec![Reply::sse(&frames)]).await;
    let data = data_dir(&server.url, &["test-model"]);
    let project = tempfile::tempdir().expect("project");

    let out = run(ask(data.path(), project.path(), &[])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_inert("stdout of `redline ask`", &out.stdout);
    assert_inert("stderr of `redline ask`", &out.stderr);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("Sure.\\x1b]0;rm -rf ~ is safe\\x07"), "the title sequence is not shown: {shown}");
    assert!(
        shown.contains("\\x1b]52;c;") && shown.contains("\\u{9b}1m") && shown.contains("\\u{202e}txt"),
        "{shown}"
    );
    assert!(shown.contains("\n\tdone"), "newlines and tabs are kept: {shown:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_ask_raw_writes_the_reply_byte_for_byte() {
    let frames = openai_text_frames(HOSTILE_REPLY, 3, None);
    let frames: Vec<&str> = frames.iter().map(String::as_str).collect();
    let server = ModelServer::start(vec![Reply::sse(&frames)]).await;
    let data = data_dir(&server.url, &["test-model"]);
    let project = tempfile::tempdir().expect("project");

    let out = run(ask(data.path(), project.path(), &["--raw"])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{HOSTILE_REPLY}\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_ask_shows_escape_sequences_in_a_server_error_instead_of_sending_them() {
    let error = r#"{"error":{"message":"bad request \u001b]0;owned\u0007\u001b]52;c;cm0gLXJmIH4=\u0007"}}"#;
    let server = ModelServer::start(vec![Reply::status(400, error)]).await;
    let data = data_dir(&server.url, &["test-model"]);
    let project = tempfile::tempdir().expect("project");

    let out = run(ask(data.path(), project.path(), &["--raw"])).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_inert("stderr of a failed `redline ask --raw`", &out.stderr);
    assert!(stderr(&out).contains("bad request \\x1b]0;owned\\x07"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_models_shows_hostile_model_names_escaped_in_text_and_json() {
    let list = r#"{"data":[{"id":"evil\u001b]0;owned\u0007"},{"id":"spoof\u202etxt.exe\u009b2J"}]}"#;
    let server = ModelServer::start(vec![Reply::sse(&[list])]).await;
    let data = data_dir(&server.url, &[]);

    let mut plain = Command::new(redline_binary());
    plain.arg("models").env("REDLINE_DATA_DIR", data.path());
    let out = run(plain).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_inert("stdout of `redline models`", &out.stdout);
    assert!(String::from_utf8_lossy(&out.stdout).contains("scripted/evil\\x1b]0;owned\\x07"));

    let mut json = Command::new(redline_binary());
    json.args(["models", "--json"]).env("REDLINE_DATA_DIR", data.path());
    let out = run(json).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_inert("stdout of `redline models --json`", &out.stdout);
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).expect("still JSON");
    let ids: Vec<&str> =
        view["models"].as_array().expect("models").iter().filter_map(|m| m["id"].as_str()).collect();
    assert_eq!(
        ids,
        ["scripted/evil\x1b]0;owned\x07", "scripted/spoof\u{202e}txt.exe\u{9b}2J"],
        "the JSON value changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_models_warns_about_a_plain_http_provider_off_this_machine() {
    // Models are listed, so nothing is sent to the documentation-only address 192.0.2.1.
    let data = data_dir("http://192.0.2.1:8080", &["remote-model"]);
    let mut models = Command::new(redline_binary());
    models.arg("models").env("REDLINE_DATA_DIR", data.path());
    let out = run(models).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("redline: warning: http://192.0.2.1:8080 is not encrypted and not on this machine"),
        "no warning: {}",
        stderr(&out)
    );

    let local = data_dir("http://127.0.0.1:9", &["local-model"]);
    let mut models = Command::new(redline_binary());
    models.arg("models").env("REDLINE_DATA_DIR", local.path());
    let out = run(models).await;
    assert!(!stderr(&out).contains("warning"), "a loopback server was warned about: {}", stderr(&out));
}

/// Tool calls that put escape sequences into a file and try to create a file named with one.
fn hostile_edits() -> String {
    serde_json::json!([
        {"name": "edit_file", "arguments": {"path": "notes.txt", "old_text": "Things to remember.\n",
            "new_text": "Things to remember.\n\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\n"}},
        {"name": "create_file", "arguments": {"path": "evil\x1b]0;owned\x07.txt", "content": "x\n"}},
    ])
    .to_string()
}

#[test]
fn cli_apply_dry_run_shows_escapes_in_diffs_and_quotes_odd_file_names() {
    let project = tempfile::tempdir().expect("project");
    std::fs::write(project.path().join("notes.txt"), "Things to remember.\n").expect("write notes");
    let mut traps = Traps::new();
    traps.freeze(&project.path().join("notes.txt"));
    traps.freeze(&project.path().join("evil\x1b]0;owned\x07.txt"));

    let out = redline_apply(project.path(), &["--dry-run", "--format", "tool"], &hostile_edits());
    assert_inert("stdout of `redline apply --dry-run`", &out.stdout);
    assert_inert("stderr of `redline apply --dry-run`", &out.stderr);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("+\\x1b]0;owned\\x07\\x1b]52;c;"), "the diff does not show the sequence: {shown}");
    assert!(shown.contains("\"evil\\x1b]0;owned\\x07.txt\""), "the odd name is not quoted like git: {shown}");

    let raw = redline_apply(project.path(), &["--dry-run", "--raw", "--format", "tool"], &hostile_edits());
    assert!(String::from_utf8_lossy(&raw.stdout).contains("+\x1b]0;owned\x07"), "--raw changed the diff");
    traps.assert_quiet(&[]);
}

#[test]
fn cli_apply_reports_and_json_carry_no_escape_sequences() {
    let project = tempfile::tempdir().expect("project");
    std::fs::write(project.path().join("notes.txt"), "Things to remember.\n").expect("write notes");
    let mut traps = Traps::new();
    traps.freeze(&project.path().join("evil\x1b]0;owned\x07.txt"));

    let json = redline_apply(project.path(), &["--json", "--dry-run", "--format", "tool"], &hostile_edits());
    assert_inert("stdout of `redline apply --json`", &json.stdout);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(
        lines.iter().any(|l| l["path"] == "evil\x1b]0;owned\x07.txt"),
        "the JSON value changed: {lines:?}"
    );

    let out = redline_apply(project.path(), &["--format", "tool"], &hostile_edits());
    assert_inert("stdout of `redline apply`", &out.stdout);
    assert_inert("stderr of `redline apply`", &out.stderr);
    traps.assert_quiet(&[]);
}
