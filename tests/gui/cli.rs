//! The binary's own command line, which needs no window.

use std::process::Command;

use crate::driver::app_binary;

#[test]
fn cli_prints_version_and_help() {
    let version = Command::new(app_binary()).arg("--version").output().expect("run redline");
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("redline {}", env!("CARGO_PKG_VERSION"))
    );
    let help = Command::new(app_binary()).arg("--help").output().expect("run redline");
    assert!(String::from_utf8_lossy(&help.stdout).contains("The folder to open"));
}

#[test]
fn cli_refuses_a_missing_folder_with_exit_code_2() {
    let out = Command::new(app_binary()).arg("/nonexistent/redline-test").output().expect("run redline");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /nonexistent/redline-test"));
}

/// A data folder whose settings point a keyless provider at `url`.
fn data_dir_for(url: &str) -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("data");
    let settings = format!(
        "detect_local_servers = false\n\n[[provider]]\nid = \"scripted\"\nname = \"Scripted\"\nwire = \"openai\"\nbase_url = \"{url}/v1\"\nmodels = [\"test-model\"]\nneeds_key = false\n"
    );
    std::fs::write(data.path().join("settings.toml"), settings).expect("settings");
    data
}

#[test]
fn cli_models_json_lists_the_configured_models() {
    let data = data_dir_for("http://127.0.0.1:9");
    let out = Command::new(app_binary())
        .args(["models", "--json"])
        .env("REDLINE_DATA_DIR", data.path())
        .output()
        .expect("run redline");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["models"][0]["id"], "scripted/test-model");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_ask_streams_the_answer_and_sends_the_attachment() {
    use redline_tests::model_server::{ModelServer, Reply};
    let frames = [
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"It prints \"}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello.\"}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: [DONE]\n\n",
    ];
    let unauthorized = Reply::status(401, r#"{"error":{"message":"Incorrect API key provided"}}"#);
    let server = ModelServer::start(vec![Reply::sse(&frames), unauthorized]).await;
    let data = data_dir_for(&server.url);
    let project = tempfile::tempdir().expect("project");
    std::fs::write(project.path().join("main.py"), "print('hello')\n").expect("write");
    let run = |question: &'static str| {
        let (data, root) = (data.path().to_owned(), project.path().to_owned());
        tokio::task::spawn_blocking(move || {
            Command::new(app_binary())
                .arg("ask")
                .arg("--root")
                .arg(&root)
                .args(["--attach", "main.py", question])
                .env("REDLINE_DATA_DIR", &data)
                .output()
                .expect("run redline")
        })
    };
    let out = run("What does it print?").await.expect("join");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "It prints hello.");
    assert!(server.received()[0].body.contains("print('hello')"));

    let out = run("Again?").await.expect("join");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ModelAuthentication") && stderr.contains("Incorrect API key"), "{stderr}");
}
