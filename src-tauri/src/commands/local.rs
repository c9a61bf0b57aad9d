//! The built-in model engine's Models page: list the GGUF models, add one through the native
//! file dialog or by path, forget one added by path.

use redline_api::{ApiError, LocalModelView, LocalModelsView};
use tauri_plugin_dialog::DialogExt;

use super::{blocking, Api};

#[tauri::command]
pub async fn local_models(api: Api<'_>) -> Result<LocalModelsView, ApiError> {
    blocking(&api, |app| Ok(app.local_models())).await
}

/// The native file dialog for a `.gguf` file, opened from Rust so the webview needs no dialog
/// permission; `None` when the person cancels.
#[tauri::command]
pub async fn pick_gguf_file(app: tauri::AppHandle) -> Result<Option<String>, ApiError> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog().file().add_filter("GGUF model", &["gguf"]).blocking_pick_file()
    })
    .await
    .ok()
    .flatten();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

#[tauri::command]
pub async fn add_local_model(api: Api<'_>, path: String) -> Result<LocalModelView, ApiError> {
    blocking(&api, move |app| app.add_local_model(&path)).await
}

#[tauri::command]
pub async fn remove_local_model(api: Api<'_>, id: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.remove_local_model(&id)).await
}
