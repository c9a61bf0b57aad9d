// Generated from the Rust types by `cargo test -p redline-api` (UPDATE_BINDINGS=1 rewrites it). Do not edit.

export type AgentLimitsView = { maxSteps: number, maxTokens: number, maxCost: number | null, commandTimeoutSecs: number, 
/**
 * The project's test command for "fix until tests pass", once named.
 */
testCommand: string | null, };
export type ApiError = { code: ErrorCode, 
/**
 * A sentence for a person: what happened and what to do.
 */
message: string, };
export type AppInfo = { version: string, 
/**
 * The folder given on the command line, if any; the UI opens it at start.
 */
initialFolder: string | null, };
export type ApprovalAnswer = "once" | "conversation" | "always" | "decline";
export type ApprovalKind = "command" | "mcp" | "mcpServer";
export type ApprovalRequest = { id: number, messageId: number, callId: string, 
/**
 * The exact command line, or `server: tool {arguments}` for an MCP tool.
 */
command: string, kind: ApprovalKind, 
/**
 * For `mcpServer`: everything that will run, as the server is started.
 */
server: McpServerView | null, 
/**
 * Files auto-accepted since the person last reviewed. When not empty the card asks even
 * for a line approved before: those edits (a `conftest.py`, `build.rs`, `package.json`
 * script) can change what the line runs.
 */
changedSinceReview: Array<string>, };
export type AttachmentView = { 
/**
 * `file`, `folder`, `selection`, `gitDiff` or `rules`.
 */
kind: string, label: string, tokens: number, truncated: boolean, 
/**
 * "AWS access key on line 3", one per redacted secret.
 */
redactions: Array<string>, 
/**
 * Why it was not sent or was shortened.
 */
note: string | null, };
export type Change = { path: string, 
/**
 * The path before a rename.
 */
origPath: string | null, kind: ChangeKind, 
/**
 * The change is (at least partly) in the index.
 */
staged: boolean, 
/**
 * The change is (at least partly) in the work tree, not yet staged.
 */
unstaged: boolean, };
export type ChangeKind = "modified" | "added" | "deleted" | "renamed" | "typeChanged" | "untracked" | "conflicted";
export type ChatEvent = { "type": "started", conversation: ConversationView, userMessage: MessageView, assistantId: number, model: string, meter: MeterView, } | { "type": "render", closed: Array<string>, open: string, } | { "type": "thinking", text: string, } | { "type": "proposal", proposal: ProposalView, } | { "type": "retrying", attempt: number, delayMs: number, message: string, } | { "type": "finished", message: MessageView, } | { "type": "step", message: MessageView, step: number, } | { "type": "tool", messageId: number, call: ToolCallView, } | { "type": "toolOutput", messageId: number, callId: string, chunk: string, } | { "type": "approval", request: ApprovalRequest, } | { "type": "awaitingReview", messageId: number, paths: Array<string>, } | { "type": "agentDone", reason: string, steps: number, tokens: number, cost: number | null, };
export type CompletionInput = { path: string, 
/**
 * 1-based line and 0-based column (in characters) of the cursor.
 */
line: number, column: number, 
/**
 * `provider/model`; the default model when absent.
 */
model: string | null, 
/**
 * The conversation to add the turn to; a new one when absent.
 */
conversationId: number | null, };
export type CompletionView = { conversationId: number, messageId: number, proposal: ProposalView, };
export type ContextPreview = { attachments: Array<AttachmentView>, meter: MeterView, };
export type ConversationDetail = { conversation: ConversationView, messages: Array<MessageView>, usage: UsageView, cost: number | null, 
/**
 * True while a reply is streaming (in this window or from before a reload).
 */
running: boolean, };
export type ConversationView = { id: number, title: string, model: string | null, updatedAt: number, };
export type DiffHunkView = { header: string, lines: Array<DiffLineView>, };
export type DiffLineKind = "context" | "added" | "removed";
export type DiffLineView = { kind: DiffLineKind, oldLine: number | null, newLine: number | null, html: string, };
export type DirEntry = { name: string, 
/**
 * Relative to the project root, `/`-separated.
 */
path: string, kind: EntryKind, 
/**
 * Excluded by .gitignore, .ignore, .git/info/exclude or the global excludes file.
 */
ignored: boolean, 
/**
 * A dot-file.
 */
hidden: boolean, 
/**
 * The entry is a symlink (followed when it stays inside the project).
 */
symlink: boolean, };
export type EntryKind = "file" | "dir" | "brokenLink";
export type EnvVarView = { name: string, value: string, 
/**
 * It changes which programs or libraries load (`PATH`, `LD_PRELOAD`, `NODE_OPTIONS`, …):
 * highlighted on the card.
 */
changesLoading: boolean, };
export type ErrorCode = "notFound" | "notADirectory" | "outsideProject" | "unreadable" | "noProject" | "git" | "database" | "internal" | "modelAuthentication" | "modelRateLimit" | "modelOverloaded" | "modelContextTooLong" | "modelBadRequest" | "modelNetwork" | "modelTimeout" | "modelProtocol" | "noModel" | "keyringUnavailable" | "keyring" | "settings" | "invalidInput" | "busy" | "needsConfirmation" | "stale" | "refused" | "tooLarge" | "notText" | "corrupt";
export type FileDiffView = { path: string, origPath: string | null, binary: boolean, hunks: Array<DiffHunkView>, };
export type FileSummary = { "kind": "text", size: number, lineCount: number, lossy: boolean, language: string, } | { "kind": "binary", size: number, } | { "kind": "tooLarge", size: number, limit: number, };
export type FileView = { path: string, summary: FileSummary, 
/**
 * Changes whenever the content on disk changes; pass it back to `file_lines`.
 */
version: number, };
export type FindingView = { 
/**
 * `syntax`, `secret`, `risk` or `lint`.
 */
kind: string, 
/**
 * Line in the proposed file.
 */
line: number, message: string, 
/**
 * Who said so: `tree-sitter`, `secrets`, `risky-patterns`, `rustfmt`, ...
 */
source: string, };
export type HeadState = { "kind": "branch", name: string, } | { "kind": "unborn", name: string, } | { "kind": "detached", commit: string, };
export type HunkStateView = "pending" | "accepted" | "rejected";
export type HunkView = { index: number, state: HunkStateView, header: string, lines: Array<DiffLineView>, 
/**
 * The proposed text of the hunk, for editing it before accepting.
 */
newText: string, 
/**
 * What the checks before review found in this hunk's lines.
 */
findings: Array<FindingView>, };
export type KeyState = "none" | "keyring" | "session" | "unavailable";
export type LocalModelView = { 
/**
 * `builtin/<file name without .gguf>`: the id the model picker and the default use.
 */
id: string, path: string, 
/**
 * From the file's metadata (`general.name`), else the file name.
 */
name: string, sizeBytes: number, 
/**
 * Number of weights, e.g. 134515008 for a "135M" model.
 */
parameters: number, 
/**
 * `Q4_1`, `Q4_K_M`, `F16`…
 */
quantization: string, 
/**
 * Tokens the model was trained to attend to; 0 when the file does not say.
 */
contextLength: number, 
/**
 * In the app's model folder (or `$REDLINE_MODELS_DIR`), as opposed to added by path.
 */
inModelsFolder: boolean, isDefault: boolean, 
/**
 * Why the file cannot be used (damaged, truncated, missing), when it cannot.
 */
problem: string | null, };
export type LocalModelsView = { 
/**
 * False when Redline was built without the built-in engine.
 */
engineAvailable: boolean, 
/**
 * `<data dir>/models`: GGUF files put here are found at start.
 */
modelsFolder: string, 
/**
 * Threads a reply uses (the physical cores unless set).
 */
threads: number, models: Array<LocalModelView>, };
export type McpServerView = { name: string, command: string, args: Array<string>, 
/**
 * The folder it runs in.
 */
cwd: string, 
/**
 * Every variable the entry sets, in name order.
 */
env: Array<EnvVarView>, };
export type MessageView = { id: number, 
/**
 * `user` or `assistant`.
 */
role: string, 
/**
 * What was typed, or the reply's markdown.
 */
text: string, 
/**
 * The reply rendered and sanitized; empty for the person's own messages.
 */
html: string, attachments: Array<AttachmentView>, model: string | null, 
/**
 * `complete`, `streaming`, `stopped`, `failed` or `interrupted`.
 */
status: string, error: ApiError | null, usage: UsageView, 
/**
 * US dollars; `None` when the model has no price (local models).
 */
cost: number | null, firstTokenMs: number | null, durationMs: number | null, 
/**
 * The edits this reply proposed, one per file.
 */
proposals: Array<ProposalView>, 
/**
 * Tools the reply called (agent steps), with what each gave back.
 */
tools: Array<ToolCallView>, };
export type MeterView = { used: number, window: number, reserved: number, 
/**
 * What did not fit: "4 earlier messages", "src/big.rs".
 */
dropped: Array<string>, };
export type ModelChoice = { 
/**
 * `provider/model`.
 */
id: string, providerName: string, model: string, 
/**
 * Found on this machine without any setup.
 */
detected: boolean, window: number, };
export type ModelsView = { models: Array<ModelChoice>, defaultModel: string | null, 
/**
 * Providers that could not be asked for their models, and why.
 */
problems: Array<string>, };
export type PresetView = { id: string, name: string, wire: string, baseUrl: string, needsKey: boolean, local: boolean, };
export type Progress = { task: string, message: string, done: boolean, };
export type ProjectChanged = { 
/**
 * Paths created, changed, deleted or renamed, relative to the root.
 */
paths: Array<string>, 
/**
 * Everything may have changed (the watcher overflowed): reload the tree and the open file.
 */
rescan: boolean, 
/**
 * The new git state when it changed.
 */
git: RepoState | null, 
/**
 * The project folder was deleted or moved away.
 */
rootGone: boolean, };
export type ProjectInfo = { 
/**
 * Absolute, canonical.
 */
root: string, name: string, 
/**
 * False for a folder that is not inside a git work tree: the UI hides the git panel.
 */
isRepo: boolean, 
/**
 * Who the folder is for trust and approvals: its repository's root commit and path, or
 * the folder's device, inode and path.
 */
identity: string, 
/**
 * Whether the person trusts the folder; untrusted, nothing from inside it runs.
 */
trusted: boolean, 
/**
 * For an untrusted folder: what stays off and why, for the banner.
 */
untrustedReason: string | null, };
export type ProposalKindView = "modify" | "create" | "delete" | "rename";
export type ProposalStatusView = "pending" | "reviewed" | "failed";
export type ProposalView = { id: number, messageId: number, path: string, kind: ProposalKindView, fromPath: string | null, status: ProposalStatusView, error: string | null, 
/**
 * The file changed on disk since the model saw it: accepting will merge.
 */
stale: boolean, pending: number, 
/**
 * Redline has written accepted hunks of it ("undo this turn" can take them back).
 */
written: boolean, 
/**
 * Highlighted hunks: filled for the Review tab, empty in conversation payloads (the chat
 * shows counts only).
 */
hunks: Array<HunkView>, 
/**
 * Findings outside every hunk (a formatter's view of the whole file, say).
 */
findings: Array<FindingView>, 
/**
 * Why the file is protected ("direnv runs it when a shell enters the folder"): never
 * auto-accepted, and accepting it needs the person's second confirmation.
 */
protected: string | null, };
export type ProviderInput = { 
/**
 * Set when editing an existing provider.
 */
id: string | null, name: string, wire: string, baseUrl: string, needsKey: boolean, models: Array<string>, fimModels: Array<string>, };
export type ProviderView = { id: string, name: string, 
/**
 * `openai`, `anthropic` or `gemini`.
 */
wire: string, baseUrl: string, needsKey: boolean, key: KeyState, 
/**
 * Models the person listed; empty means "ask the server".
 */
models: Array<string>, 
/**
 * Models declared to complete in the middle (fill-in-the-middle).
 */
fimModels: Array<string>, 
/**
 * Why this address is risky (plain `http://` to another machine), shown on the provider.
 */
warning: string | null, };
export type RecentProject = { path: string, name: string, 
/**
 * Unix time in milliseconds.
 */
openedAt: number, 
/**
 * False when the folder no longer exists.
 */
exists: boolean, };
export type RepoState = { head: HeadState, upstream: Upstream | null, 
/**
 * Sorted by path.
 */
changes: Array<Change>, };
export type ReviewOutcome = { proposal: ProposalView | null, written: WrittenView, message: string | null, };
export type SelectionInput = { path: string, startLine: number, endLine: number, };
export type SendInput = { 
/**
 * `None` starts a new conversation.
 */
conversationId: number | null, text: string, 
/**
 * `provider/model`; the conversation's or the default one when absent.
 */
model: string | null, 
/**
 * Paths attached as chips.
 */
attachments: Array<string>, selection: SelectionInput | null, includeDiff: boolean, 
/**
 * Edit-and-resend, regenerate: this message and every later one are replaced.
 */
replaceFrom: number | null, 
/**
 * Agent mode: the model may call tools and take several steps.
 */
agent: boolean, 
/**
 * Accept the agent's edits of this turn without review (checkpoints are still written).
 */
autoAccept: boolean, };
export type ToolCallView = { id: string, name: string, arguments: unknown, 
/**
 * `running`, `waiting` (for the person's approval or review), `done`, `failed` or `declined`.
 */
status: string, 
/**
 * One line for the person: "read src/lib.rs lines 1–80", "exit 1 after 2.3 s".
 */
summary: string, 
/**
 * A command's output (capped), streamed while it runs; empty for other tools.
 */
output: string, };
export type TrustedProject = { identity: string, 
/**
 * Where it was when trusted.
 */
path: string, 
/**
 * Unix time in milliseconds.
 */
trustedAt: number, 
/**
 * False when nothing is at that path any more.
 */
exists: boolean, };
export type UiState = { sidebarWidth: number, chatWidth: number, showIgnored: boolean, };
export type UndoReport = { restored: Array<string>, 
/**
 * Files left as they are, each with the reason.
 */
kept: Array<string>, };
export type Upstream = { name: string, ahead: number, behind: number, };
export type UsageView = { input: number, output: number, cached: number, };
export type WrittenView = "written" | "merged" | "unchanged" | "conflict";
