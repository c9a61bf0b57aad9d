//! Workspace trust: trust the open folder, revoke a trusted one, list them.

use redline_api::{ApiError, ProjectInfo, TrustedProject};

use super::{blocking, Api};

#[tauri::command]
pub async fn trust_project(api: Api<'_>) -> Result<ProjectInfo, ApiError> {
    blocking(&api, |app| app.trust_project()).await
}

#[tauri::command]
pub async fn revoke_trust(api: Api<'_>, identity: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.revoke_trust(&identity)).await
}

#[tauri::command]
pub async fn trusted_projects(api: Api<'_>) -> Result<Vec<TrustedProject>, ApiError> {
    blocking(&api, |app| app.trusted_projects()).await
}
