// Every backend call in one place, typed by the generated bindings. Commands reject with an
// ApiError; `errorMessage` turns anything thrown into a sentence for the person.

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type {
  AgentLimitsView,
  ApprovalAnswer,
  CompletionInput,
  CompletionView,
  ApiError,
  AppInfo,
  ChatEvent,
  ContextPreview,
  ConversationDetail,
  ConversationView,
  KeyState,
  LocalModelView,
  LocalModelsView,
  MessageView,
  ModelsView,
  PresetView,
  ProviderInput,
  ProposalView,
  ProviderView,
  ReviewOutcome,
  SendInput,
  UndoReport,
  DirEntry,
  FileDiffView,
  FileView,
  ProjectChanged,
  ProjectInfo,
  Progress,
  RecentProject,
  RepoState,
  TrustedProject,
  UiState,
} from "./bindings";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  pickFolder: () => invoke<string | null>("pick_folder"),
  recentProjects: () => invoke<RecentProject[]>("recent_projects"),
  removeRecent: (path: string) => invoke<void>("remove_recent", { path }),
  getUiState: () => invoke<UiState>("get_ui_state"),
  setUiState: (state: UiState) => invoke<void>("set_ui_state", { state }),
  highlightCss: () => invoke<string>("highlight_css"),
  /** Opens a link in the system browser; Rust refuses anything but http, https and mailto. */
  openLink: (url: string) => invoke<void>("open_link", { url }),
  openProject: (path: string) => invoke<ProjectInfo>("open_project", { path }),
  closeProject: () => invoke<void>("close_project"),
  /** Trusts the open folder: its own tools, MCP servers and test command may run. */
  trustProject: () => invoke<ProjectInfo>("trust_project"),
  revokeTrust: (identity: string) => invoke<void>("revoke_trust", { identity }),
  trustedProjects: () => invoke<TrustedProject[]>("trusted_projects"),
  listDir: (path: string, showIgnored: boolean) => invoke<DirEntry[]>("list_dir", { path, showIgnored }),
  openFile: (path: string) => invoke<FileView>("open_file", { path }),
  fileLines: (path: string, version: number, start: number, count: number) =>
    invoke<string[]>("file_lines", { path, version, start, count }),
  gitState: () => invoke<RepoState | null>("git_state"),
  fileDiff: (path: string) => invoke<FileDiffView>("file_diff", { path }),
  conversations: (query: string) => invoke<ConversationView[]>("conversations", { query }),
  conversation: (id: number) => invoke<ConversationDetail>("conversation", { id }),
  newConversation: (model: string | null) => invoke<ConversationView>("new_conversation", { model }),
  renameConversation: (id: number, title: string) => invoke<void>("rename_conversation", { id, title }),
  deleteConversation: (id: number) => invoke<void>("delete_conversation", { id }),
  setConversationModel: (id: number, model: string) => invoke<void>("set_conversation_model", { id, model }),
  sendMessage: (input: SendInput, onEvent: (event: ChatEvent) => void) => {
    const events = new Channel<ChatEvent>();
    events.onmessage = onEvent;
    return invoke<MessageView>("send_message", { input, events });
  },
  stopReply: (conversationId: number) => invoke<void>("stop_reply", { conversationId }),
  answerApproval: (id: number, answer: ApprovalAnswer) => invoke<void>("answer_approval", { id, answer }),
  agentLimits: () => invoke<AgentLimitsView>("agent_limits"),
  setAgentLimits: (limits: AgentLimitsView) => invoke<void>("set_agent_limits", { limits }),
  completeHere: (input: CompletionInput) => invoke<CompletionView>("complete_here", { input }),
  previewContext: (input: SendInput) => invoke<ContextPreview>("preview_context", { input }),
  findFiles: (query: string) => invoke<string[]>("find_files", { query }),
  models: (refresh: boolean) => invoke<ModelsView>("models", { refresh }),
  setDefaultModel: (model: string) => invoke<void>("set_default_model", { model }),
  presets: () => invoke<PresetView[]>("presets"),
  providers: () => invoke<ProviderView[]>("providers"),
  saveProvider: (input: ProviderInput) => invoke<ProviderView>("save_provider", { input }),
  removeProvider: (id: string) => invoke<void>("remove_provider", { id }),
  setKey: (provider: string, key: string, sessionOnly: boolean) =>
    invoke<KeyState>("set_key", { provider, key, sessionOnly }),
  removeKey: (provider: string) => invoke<void>("remove_key", { provider }),
  testProvider: (provider: string) => invoke<string[]>("test_provider", { provider }),
  review: (conversationId: number) => invoke<ProposalView[]>("review", { conversationId }),
  /** `confirmed`: the person confirmed writing a protected file (after `needsConfirmation`). */
  setHunks: (proposalId: number, hunks: number[], state: string, confirmed = false) =>
    invoke<ReviewOutcome>("set_hunks", { proposalId, hunks, state, confirmed }),
  draftCommitMessage: (messageId: number) => invoke<string>("draft_commit_message", { messageId }),
  commitTurn: (messageId: number, message: string) => invoke<string>("commit_turn", { messageId, message }),
  undoTurn: (messageId: number) => invoke<UndoReport>("undo_turn", { messageId }),
  editHunk: (proposalId: number, hunk: number, text: string) =>
    invoke<ProposalView>("edit_hunk", { proposalId, hunk, text }),
  /** The built-in engine's GGUF models (src-tauri/src/commands/local.rs). */
  localModels: () => invoke<LocalModelsView>("local_models"),
  /** The native file dialog for a `.gguf` file; `null` when the person cancels. */
  pickGgufFile: () => invoke<string | null>("pick_gguf_file"),
  addLocalModel: (path: string) => invoke<LocalModelView>("add_local_model", { path }),
  removeLocalModel: (id: string) => invoke<void>("remove_local_model", { id }),
};

export type Api = typeof api;

export function onProjectChanged(handler: (event: ProjectChanged) => void): Promise<UnlistenFn> {
  return listen<ProjectChanged>("project-changed", (e) => handler(e.payload));
}

export function onProgress(handler: (progress: Progress) => void): Promise<UnlistenFn> {
  return listen<Progress>("progress", (e) => handler(e.payload));
}

/** Folders dropped on the window. */
export function onFolderDropped(handler: (paths: string[]) => void): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((event) => {
    if (event.payload.type === "drop" && event.payload.paths.length > 0) handler(event.payload.paths);
  });
}

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export function errorMessage(e: unknown): string {
  if (isApiError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
