use redline_api::{ApiError, AppInfo, ErrorCode, RecentProject, UiState};
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

/// Opens a link from the window in the person's browser or mail program, once
/// [`crate::links::link_to_open`] has allowed it.
#[tauri::command]
pub async fn open_link(url: String) -> Result<(), ApiError> {
    let url = crate::links::link_to_open(&url)?;
    let opened = tauri::async_runtime::spawn_blocking(move || {
        tauri_plugin_opener::open_url(url.as_str(), None::<&str>)
            .map_err(|e| format!("Could not open {url}: {e}. Copy the link and open it yourself."))
    })
    .await;
    match opened {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err(ApiError::new(ErrorCode::Internal, message)),
        Err(e) => Err(ApiError::new(ErrorCode::Internal, format!("background task failed: {e}"))),
    }
}

#[tauri::command]
pub async fn highlight_css(api: Api<'_>) -> Result<String, ApiError> {
    blocking(&api, |app| Ok(app.highlight_css())).await
}
