//! Generates one `allow-<command>` permission per app command, so the window's capability
//! grants exactly the commands the UI uses and nothing else.

const COMMANDS: &[&str] = &[
    "app_info",
    "pick_folder",
    "recent_projects",
    "remove_recent",
    "get_ui_state",
    "set_ui_state",
    "highlight_css",
    "open_link",
    "open_project",
    "close_project",
    "list_dir",
    "open_file",
    "file_lines",
    "git_state",
    "file_diff",
    "trust_project",
    "revoke_trust",
    "trusted_projects",
    "conversations",
    "conversation",
    "new_conversation",
    "rename_conversation",
    "delete_conversation",
    "set_conversation_model",
    "send_message",
    "stop_reply",
    "answer_approval",
    "agent_limits",
    "set_agent_limits",
    "complete_here",
    "preview_context",
    "models",
    "set_default_model",
    "presets",
    "providers",
    "save_provider",
    "remove_provider",
    "set_key",
    "remove_key",
    "test_provider",
    "find_files",
    "review",
    "set_hunks",
    "edit_hunk",
    "undo_turn",
    "draft_commit_message",
    "commit_turn",
    "local_models",
    "pick_gguf_file",
    "add_local_model",
    "remove_local_model",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    // Assets are embedded here rather than by `generate_context!`, so a rebuilt UI is picked up
    // without touching the Rust code.
    let attributes =
        tauri_build::Attributes::new().app_manifest(manifest).codegen(tauri_build::CodegenContext::new());
    tauri_build::try_build(attributes).unwrap_or_else(|e| panic!("tauri build script: {e}"));
}
