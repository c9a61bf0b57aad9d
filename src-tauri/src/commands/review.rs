use redline_api::{ApiError, HunkStateView, ProposalView, ReviewOutcome};

use super::{blocking, Api};

#[tauri::command]
pub async fn review(api: Api<'_>, conversation_id: i64) -> Result<Vec<ProposalView>, ApiError> {
    blocking(&api, move |app| app.review(conversation_id)).await
}

/// Accepts, rejects or resets hunks (all of them when `hunks` is empty) and writes the file.
/// `confirmed`: the person confirmed writing a protected file (asked after `NeedsConfirmation`).
#[tauri::command]
pub async fn set_hunks(
    api: Api<'_>,
    proposal_id: i64,
    hunks: Vec<u32>,
    state: HunkStateView,
    confirmed: Option<bool>,
) -> Result<ReviewOutcome, ApiError> {
    blocking(&api, move |app| match confirmed {
        Some(true) => app.set_hunks_confirmed(proposal_id, hunks, state),
        _ => app.set_hunks(proposal_id, hunks, state),
    })
    .await
}

#[tauri::command]
pub async fn edit_hunk(
    api: Api<'_>,
    proposal_id: i64,
    hunk: u32,
    text: String,
) -> Result<ProposalView, ApiError> {
    blocking(&api, move |app| app.edit_hunk(proposal_id, hunk, &text)).await
}

/// Takes back what Redline wrote for a reply, keeping what a person changed since.
#[tauri::command]
pub async fn undo_turn(api: Api<'_>, message_id: i64) -> Result<redline_api::UndoReport, ApiError> {
    blocking(&api, move |app| app.undo_turn(message_id)).await
}

#[tauri::command]
pub async fn draft_commit_message(api: Api<'_>, message_id: i64) -> Result<String, ApiError> {
    api.draft_commit_message(message_id).await
}

/// Commits exactly the files a reply changed; returns the commit id.
#[tauri::command]
pub async fn commit_turn(api: Api<'_>, message_id: i64, message: String) -> Result<String, ApiError> {
    blocking(&api, move |app| app.commit_turn(message_id, &message)).await
}
