//! The welcome screen: recent projects persisted across runs.

use redline_tests::fixture;

use crate::driver::{AppRun, Profile};

#[tokio::test]
async fn gui_recent_project_reopens_from_welcome_screen() {
    let repo = fixture("basic");
    let root = repo.path().canonicalize().expect("canon").display().to_string();
    let gone = tempfile::tempdir().expect("tmp");
    let gone_path = gone.path().canonicalize().expect("canon").display().to_string();
    let profile = Profile::new();

    for folder in [&gone_path, &root] {
        let app = AppRun::start("recent-seed", &profile, &[folder]).await;
        app.wait(r#"[data-testid="file-tree"]"#).await;
        app.quit().await;
    }
    drop(gone);

    let mut app = AppRun::start("welcome", &profile, &[]).await;
    app.wait(r#"[data-testid="welcome"]"#).await;
    let item = format!(r#"[data-testid="recent-item"][data-path="{root}"]"#);
    app.wait(&item).await;
    app.wait(&format!(r#"[data-testid="recent-item"][data-path="{gone_path}"][data-missing="true"]"#)).await;
    app.screenshot("welcome-recent").await;

    let missing = format!(r#"[data-testid="recent-item"][data-path="{gone_path}"]"#);
    app.click(&format!(r#"{missing} [data-testid="recent-remove"]"#)).await;
    app.wait_gone(&missing).await;

    app.click(&item).await;
    app.wait(r#"[data-testid="tree-item"][data-path="src"]"#).await;
    app.wait_text(r#"[data-testid="project-name"]"#, |t| !t.is_empty()).await;
    app.screenshot("reopened").await;
    app.quit().await;
}
