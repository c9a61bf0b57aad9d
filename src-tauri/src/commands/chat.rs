use redline_api::{
    AgentLimitsView, ApiError, ApprovalAnswer, ChatEvent, CompletionInput, CompletionView, ContextPreview,
    ConversationDetail, ConversationView, KeyState, MessageView, ModelsView, PresetView, ProviderInput,
    ProviderView, SendInput,
};
use tauri::ipc::Channel;

use super::{blocking, Api};

#[tauri::command]
pub async fn conversations(api: Api<'_>, query: String) -> Result<Vec<ConversationView>, ApiError> {
    blocking(&api, move |app| app.conversations(&query)).await
}

#[tauri::command]
pub async fn conversation(api: Api<'_>, id: i64) -> Result<ConversationDetail, ApiError> {
    blocking(&api, move |app| app.conversation(id)).await
}

#[tauri::command]
pub async fn new_conversation(api: Api<'_>, model: Option<String>) -> Result<ConversationView, ApiError> {
    blocking(&api, move |app| app.new_conversation(model)).await
}

#[tauri::command]
pub async fn rename_conversation(api: Api<'_>, id: i64, title: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.rename_conversation(id, &title)).await
}

#[tauri::command]
pub async fn delete_conversation(api: Api<'_>, id: i64) -> Result<(), ApiError> {
    blocking(&api, move |app| app.delete_conversation(id)).await
}

#[tauri::command]
pub async fn set_conversation_model(api: Api<'_>, id: i64, model: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.set_conversation_model(id, &model)).await
}

/// Streams the reply over `events`; resolves with the saved reply when it ends.
#[tauri::command]
pub async fn send_message(
    api: Api<'_>,
    input: SendInput,
    events: Channel<ChatEvent>,
) -> Result<MessageView, ApiError> {
    let emit = move |event: ChatEvent| {
        if let Err(e) = events.send(event) {
            tracing::warn!("chat event not delivered: {e}");
        }
    };
    api.send_message(input, &emit).await
}

#[tauri::command]
pub fn stop_reply(api: Api<'_>, conversation_id: i64) {
    api.stop_reply(conversation_id);
}

#[tauri::command]
pub async fn preview_context(api: Api<'_>, input: SendInput) -> Result<ContextPreview, ApiError> {
    api.preview_context(input).await
}

#[tauri::command]
pub async fn models(api: Api<'_>, refresh: bool) -> Result<ModelsView, ApiError> {
    Ok(api.models(refresh).await)
}

#[tauri::command]
pub async fn set_default_model(api: Api<'_>, model: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.set_default_model(&model)).await
}

#[tauri::command]
pub fn presets(api: Api<'_>) -> Vec<PresetView> {
    api.presets()
}

#[tauri::command]
pub async fn providers(api: Api<'_>) -> Result<Vec<ProviderView>, ApiError> {
    blocking(&api, |app| Ok(app.providers())).await
}

#[tauri::command]
pub async fn save_provider(api: Api<'_>, input: ProviderInput) -> Result<ProviderView, ApiError> {
    blocking(&api, move |app| app.save_provider(input)).await
}

#[tauri::command]
pub async fn remove_provider(api: Api<'_>, id: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.remove_provider(&id)).await
}

/// The key arrives here and goes to the keyring; no command ever sends one back.
#[tauri::command]
pub async fn set_key(
    api: Api<'_>,
    provider: String,
    key: String,
    session_only: bool,
) -> Result<KeyState, ApiError> {
    blocking(&api, move |app| app.set_key(&provider, &key, session_only)).await
}

#[tauri::command]
pub async fn remove_key(api: Api<'_>, provider: String) -> Result<(), ApiError> {
    blocking(&api, move |app| app.remove_key(&provider)).await
}

#[tauri::command]
pub async fn test_provider(api: Api<'_>, provider: String) -> Result<Vec<String>, ApiError> {
    api.test_provider(&provider).await
}

#[tauri::command]
pub async fn find_files(api: Api<'_>, query: String) -> Result<Vec<String>, ApiError> {
    blocking(&api, move |app| app.find_files(&query)).await
}

#[tauri::command]
pub fn answer_approval(api: Api<'_>, id: i64, answer: ApprovalAnswer) -> Result<(), ApiError> {
    api.answer_approval(id, answer)
}

#[tauri::command]
pub async fn agent_limits(api: Api<'_>) -> Result<AgentLimitsView, ApiError> {
    blocking(&api, move |app| app.agent_limits()).await
}

#[tauri::command]
pub async fn set_agent_limits(api: Api<'_>, limits: AgentLimitsView) -> Result<(), ApiError> {
    blocking(&api, move |app| app.set_agent_limits(limits)).await
}

/// Completes the file at the cursor; the middle comes back as a proposal.
#[tauri::command]
pub async fn complete_here(api: Api<'_>, input: CompletionInput) -> Result<CompletionView, ApiError> {
    api.complete_here(input).await
}
