use redline_api::{ApiError, AppInfo, RecentProject, UiState};
use tauri_plugin_dialog::DialogExt;

use super::{blocking, Api};

#[tauri::command]
pub fn app_info(api: Api<'_>) -> AppInfo {
    api.info()
}

/// The native folder dialog, opened from Rust so the webview needs no dialog permission.
#[tauri::command]
pub async fn pick_folder(app: tauri::AppHandle) -> Result<Option<String>, ApiError> {
    let picked = tauri::async_runtime::spawn_blocking(move || app.dialog().file().blocking_pick_folder())
        .await
        .ok()
        .flatten();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

#[tauri::command]
pub async fn recent_projects(api: Api<'_>) -> Result<Vec<RecentProject>, ApiError> {
    blocking(&api, |app| app.recent_projects()).await
}

#[tauri::command]
pub async fn remove_recent(api: Api<'_>, path: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.remove_recent(&path)).await
}

#[tauri::command]
pub async fn get_ui_state(api: Api<'_>) -> Result<UiState, ApiError> {
    blocking(&api, |app| app.ui_state()).await
}

#[tauri::command]
pub async fn set_ui_state(api: Api<'_>, state: UiState) -> Result<(), ApiError> {
    blocking(&api, move |app| app.set_ui_state(&state)).await
}

#[tauri::command]
pub async fn highlight_css(api: Api<'_>) -> Result<String, ApiError> {
    blocking(&api, |app| Ok(app.highlight_css())).await
}
