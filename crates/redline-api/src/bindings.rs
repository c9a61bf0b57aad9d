//! `ui/src/bindings.ts`, generated from the transport types. The test below fails when the
//! committed file is stale; `UPDATE_BINDINGS=1 cargo test -p redline-api bindings` rewrites it.

use ts_rs::TS;

use crate::chat_types::*;
use crate::local_types::*;
use crate::types::*;

/// The whole bindings file, declarations sorted by name.
pub fn bindings_ts() -> String {
    let mut decls = vec![
        ApiError::decl(),
        AppInfo::decl(),
        Change::decl(),
        ChangeKind::decl(),
        DiffHunkView::decl(),
        DiffLineKind::decl(),
        DiffLineView::decl(),
        DirEntry::decl(),
        EntryKind::decl(),
        ErrorCode::decl(),
        FileDiffView::decl(),
        FileSummary::decl(),
        FileView::decl(),
        HeadState::decl(),
        ProjectChanged::decl(),
        ProjectInfo::decl(),
        Progress::decl(),
        RecentProject::decl(),
        RepoState::decl(),
        TrustedProject::decl(),
        UiState::decl(),
        Upstream::decl(),
        AttachmentView::decl(),
        ChatEvent::decl(),
        ContextPreview::decl(),
        ConversationDetail::decl(),
        ConversationView::decl(),
        KeyState::decl(),
        MessageView::decl(),
        MeterView::decl(),
        ModelChoice::decl(),
        ModelsView::decl(),
        PresetView::decl(),
        ProviderInput::decl(),
        ProviderView::decl(),
        SelectionInput::decl(),
        SendInput::decl(),
        UsageView::decl(),
        HunkView::decl(),
        ProposalView::decl(),
        ReviewOutcome::decl(),
        UndoReport::decl(),
        HunkStateView::decl(),
        ProposalKindView::decl(),
        ProposalStatusView::decl(),
        WrittenView::decl(),
        LocalModelView::decl(),
        LocalModelsView::decl(),
        ToolCallView::decl(),
        ApprovalRequest::decl(),
        ApprovalKind::decl(),
        McpServerView::decl(),
        EnvVarView::decl(),
        ApprovalAnswer::decl(),
        AgentLimitsView::decl(),
        FindingView::decl(),
        CompletionInput::decl(),
        CompletionView::decl(),
    ];
    decls.sort();
    let mut out = String::from(
        "// Generated from the Rust types by `cargo test -p redline-api` (UPDATE_BINDINGS=1 rewrites it). Do not edit.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn ui_bindings_are_up_to_date() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
        let fresh = super::bindings_ts();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p redline-api bindings`"
        );
    }
}
