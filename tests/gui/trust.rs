//! Workspace trust in the window: opening a folder nobody trusted yet shows the banner (what
//! stays off, and why); "Trust this folder" takes it away, the title bar says so, and the
//! decision survives reloading the window and starting the app again.

use crate::driver::{AppRun, Profile};

const BANNER: &str = r#"[data-testid="trust-banner"]"#;

#[tokio::test]
async fn gui_trust_banner_shows_for_an_untrusted_folder_and_trusting_it_lasts() {
    let project = redline_tests::project_with(&[
        ("README.md", "# Demo\n"),
        (".prettierrc", "{}\n"),
        ("node_modules/.bin/prettier", "#!/bin/sh\ncat\n"),
    ]);
    let root = project.path().canonicalize().expect("canon").display().to_string();
    let profile = Profile::new();
    let mut app = AppRun::start("trust", &profile, &[&root]).await;

    app.wait_text(BANNER, |t| t.contains("This folder is not trusted") && t.contains("node_modules/.bin"))
        .await;
    app.wait(r#"[data-testid="trust-state"][data-trusted="false"]"#).await;
    app.screenshot("untrusted-banner").await;

    app.click(r#"[data-testid="trust-dismiss"]"#).await;
    app.wait_gone(BANNER).await;
    app.click(r#"[data-testid="trust-state"][data-trusted="false"]"#).await;
    app.wait(BANNER).await;

    app.click(r#"[data-testid="trust-folder"]"#).await;
    app.wait_gone(BANNER).await;
    app.wait(r#"[data-testid="trust-state"][data-trusted="true"]"#).await;
    app.screenshot("trusted").await;

    // Reloaded after the script returns: a reload inside it unloads the page under WebDriver's
    // callback ("Callback was not called before the unload event").
    app.eval("setTimeout(() => location.reload(), 50); return true;").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    app.wait(r#"[data-testid="tree-item"][data-path="README.md"]"#).await;
    app.wait(r#"[data-testid="trust-state"][data-trusted="true"]"#).await;
    assert_eq!(app.count(BANNER).await, 0, "the banner came back after a reload");
    app.screenshot("trusted-after-reload").await;
    app.quit().await;

    let app = AppRun::start("trust-restart", &profile, &[&root]).await;
    app.wait(r#"[data-testid="trust-state"][data-trusted="true"]"#).await;
    assert_eq!(app.count(BANNER).await, 0, "the banner came back after a restart");
    app.quit().await;
}
