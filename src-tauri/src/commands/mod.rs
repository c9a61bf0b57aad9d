//! Tauri commands: each takes the lock-free `App`, moves the blocking work off the async
//! runtime, and returns the api's result as is.

mod chat;
mod local;
mod project;
mod review;
mod shell;
mod trust;

use std::sync::Arc;

use redline_api::{ApiError, App, ErrorCode};
use tauri::State;

pub type Api<'a> = State<'a, Arc<App>>;

/// Every command the UI may invoke; `build.rs` lists the same names for their permissions.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        shell::app_info,
        shell::pick_folder,
        shell::recent_projects,
        shell::remove_recent,
        shell::get_ui_state,
        shell::set_ui_state,
        shell::highlight_css,
        shell::open_link,
        project::open_project,
        project::close_project,
        project::list_dir,
        project::open_file,
        project::file_lines,
        project::git_state,
        project::file_diff,
        trust::trust_project,
        trust::revoke_trust,
        trust::trusted_projects,
        chat::conversations,
        chat::conversation,
        chat::new_conversation,
        chat::rename_conversation,
        chat::delete_conversation,
        chat::set_conversation_model,
        chat::send_message,
        chat::stop_reply,
        chat::preview_context,
        chat::models,
        chat::set_default_model,
        chat::presets,
        chat::providers,
        chat::save_provider,
        chat::remove_provider,
        chat::set_key,
        chat::remove_key,
        chat::test_provider,
        chat::find_files,
        chat::answer_approval,
        chat::agent_limits,
        chat::set_agent_limits,
        chat::complete_here,
        review::review,
        review::set_hunks,
        review::edit_hunk,
        review::undo_turn,
        review::draft_commit_message,
        review::commit_turn,
        local::local_models,
        local::pick_gguf_file,
        local::add_local_model,
        local::remove_local_model,
    ]
}

/// Runs blocking api work on the blocking pool so the UI's other calls proceed meanwhile.
pub async fn blocking<T: Send + 'static>(
    api: &Api<'_>,
    work: impl FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let app = Arc::clone(api.inner());
    tauri::async_runtime::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
}
