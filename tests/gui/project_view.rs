//! Opening a project by command-line argument and following it live.

use std::fs;

use redline_tests::{fixture, git};

use crate::driver::{AppRun, Profile};

#[tokio::test]
async fn gui_repository_tree_file_view_and_live_git_state() {
    let repo = fixture("basic");
    let root = repo.path().canonicalize().expect("canon");
    let profile = Profile::new();
    let mut app = AppRun::start("repo", &profile, &[&root.display().to_string()]).await;

    app.wait(r#"[data-testid="tree-item"][data-path="src"]"#).await;
    app.wait(r#"[data-testid="tree-item"][data-path="README.md"]"#).await;
    assert_eq!(
        app.count(r#"[data-testid="tree-item"][data-path="target"]"#).await,
        0,
        "ignored folder shown"
    );
    assert_eq!(
        app.count(r#"[data-testid="tree-item"][data-path="build.log"]"#).await,
        0,
        "ignored file shown"
    );
    app.wait_text(r#"[data-testid="branch-name"]"#, |t| t == "main").await;
    app.screenshot("tree").await;

    app.click(r#"[data-testid="tree-item"][data-path="src"]"#).await;
    app.click(r#"[data-testid="tree-item"][data-path="src/main.rs"]"#).await;
    app.wait(
        r#"[data-testid="file-view"][data-path="src/main.rs"] [data-testid="file-line"] span[class*="hl-"]"#,
    )
    .await;
    app.screenshot("highlighted-file").await;

    let main_rs = root.join("src/main.rs");
    let mut text = fs::read_to_string(&main_rs).expect("read");
    text.insert_str(0, "// changed on disk by the test\n");
    fs::write(&main_rs, text).expect("write");
    app.wait(r#"[data-testid="tree-item"][data-path="src/main.rs"][data-git="modified"]"#).await;
    app.wait_text(r#"[data-testid="file-view"] [data-testid="file-line"][data-line="1"]"#, |t| {
        t.contains("changed on disk by the test")
    })
    .await;
    app.screenshot("modified-on-disk").await;
    app.click(r#"[data-testid="sidebar-changes"]"#).await;
    app.wait(r#"[data-testid="change-item"][data-path="src/main.rs"][data-kind="modified"]"#).await;
    app.screenshot("changes-panel").await;

    git(&root, &["checkout", "-q", "-b", "topic"]);
    app.wait_text(r#"[data-testid="branch-name"]"#, |t| t == "topic").await;
    app.screenshot("branch-switched").await;

    app.click(r#"[data-testid="change-item"][data-path="src/main.rs"]"#).await;
    app.wait(r#"[data-testid="diff-view"]"#).await;
    app.wait_text(r#"[data-testid="diff-view"]"#, |t| t.contains("changed on disk by the test")).await;
    app.screenshot("diff").await;
    app.quit().await;
}

#[tokio::test]
async fn gui_folder_that_is_not_a_repository_has_no_git_panel() {
    let plain = fixture("plain");
    let root = plain.path().canonicalize().expect("canon");
    let profile = Profile::new();
    let mut app = AppRun::start("plain", &profile, &[&root.display().to_string()]).await;
    app.wait(r#"[data-testid="tree-item"][data-path="notes.txt"]"#).await;
    app.wait_text(r#"[data-testid="status-bar"]"#, |t| t.contains("Not a git repository")).await;
    assert_eq!(app.count(r#"[data-testid="changes-panel"]"#).await, 0);
    app.click(r#"[data-testid="tree-item"][data-path="script.py"]"#).await;
    app.wait(r#"[data-testid="file-view"][data-path="script.py"] [data-testid="file-line"]"#).await;
    fs::write(root.join("added-later.txt"), "hello").expect("write");
    app.wait(r#"[data-testid="tree-item"][data-path="added-later.txt"]"#).await;
    app.screenshot("plain-folder").await;
    app.quit().await;
}

#[tokio::test]
async fn gui_theme_follows_a_dark_system_theme() {
    let repo = fixture("basic");
    let root = repo.path().canonicalize().expect("canon");
    let profile = Profile::new();
    let dark = [("GTK_THEME", "Adwaita:dark")];
    let mut app = AppRun::start_with_env("dark", &profile, &[&root.display().to_string()], &dark).await;
    app.click(r#"[data-testid="tree-item"][data-path="README.md"]"#).await;
    app.wait(r#"[data-testid="file-view"][data-path="README.md"] [data-testid="file-line"]"#).await;
    let prefers_dark = app.eval("return matchMedia('(prefers-color-scheme: dark)').matches").await;
    assert_eq!(prefers_dark, serde_json::json!(true));
    let background = app.eval("return getComputedStyle(document.body).backgroundColor").await;
    assert_eq!(background, serde_json::json!("rgb(30, 31, 36)"), "dark background");
    app.screenshot("dark-theme").await;
    app.quit().await;
}

#[tokio::test]
async fn gui_command_palette_runs_an_action_from_the_keyboard() {
    let repo = fixture("basic");
    let root = repo.path().canonicalize().expect("canon");
    let profile = Profile::new();
    let mut app = AppRun::start("palette", &profile, &[&root.display().to_string()]).await;
    app.wait(r#"[data-testid="tree-item"][data-path="src"]"#).await;
    // Ctrl+Shift+P, then release the modifiers (WebDriver's NULL key).
    app.wait("body").await.send_keys("\u{E009}\u{E008}p\u{E000}").await.expect("keys");
    let input = app.wait(r#"[data-testid="palette-input"]"#).await;
    input.send_keys("ignored").await.expect("type");
    app.wait_text(r#"[data-testid="palette-item"]"#, |t| t.contains("Toggle ignored files")).await;
    app.screenshot("palette").await;
    input.send_keys("\u{E007}").await.expect("enter");
    app.wait(r#"[data-testid="tree-item"][data-path="target"]"#).await;
    app.wait(r#"[data-testid="tree-item"][data-path="build.log"]"#).await;
    assert_eq!(app.count(r#"[data-testid="palette"]"#).await, 0, "palette closes after running");
    app.screenshot("ignored-shown").await;
    app.quit().await;
}
