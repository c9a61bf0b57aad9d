use redline_api::{ApiError, DirEntry, FileDiffView, FileView, ProjectInfo, RepoState};

use tauri::WebviewWindow;

use super::{blocking, Api};

#[tauri::command]
pub async fn open_project(
    window: WebviewWindow,
    api: Api<'_>,
    path: String,
) -> Result<ProjectInfo, ApiError> {
    let info = blocking(&api, move |app| app.open_project(&path)).await?;
    let _ = window.set_title(&format!("{} — Redline", info.name));
    Ok(info)
}

#[tauri::command]
pub async fn close_project(window: WebviewWindow, api: Api<'_>) -> Result<(), ApiError> {
    blocking(&api, |app| {
        app.close_project();
        Ok(())
    })
    .await?;
    let _ = window.set_title("Redline");
    Ok(())
}

#[tauri::command]
pub async fn list_dir(api: Api<'_>, path: String, show_ignored: bool) -> Result<Vec<DirEntry>, ApiError> {
    blocking(&api, move |app| app.list_dir(&path, show_ignored)).await
}

#[tauri::command]
pub async fn open_file(api: Api<'_>, path: String) -> Result<FileView, ApiError> {
    blocking(&api, move |app| app.open_file(&path)).await
}

#[tauri::command]
pub async fn file_lines(
    api: Api<'_>,
    path: String,
    version: u32,
    start: u32,
    count: u32,
) -> Result<Vec<String>, ApiError> {
    blocking(&api, move |app| app.file_lines(&path, version, start, count)).await
}

#[tauri::command]
pub async fn git_state(api: Api<'_>) -> Result<Option<RepoState>, ApiError> {
    blocking(&api, |app| app.git_state()).await
}

#[tauri::command]
pub async fn file_diff(api: Api<'_>, path: String) -> Result<FileDiffView, ApiError> {
    blocking(&api, move |app| app.file_diff(&path)).await
}
