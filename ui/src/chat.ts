// Chat state and its operations: conversations of the open project, the one shown, the reply
// streaming into it, the model picked, what the next question will carry. The backend saves
// everything; this keeps only what the panel shows.

import { errorMessage } from "./api";
import type {
  AgentLimitsView,
  ApprovalAnswer,
  ApprovalRequest,
  ChatEvent,
  SelectionInput,
  ToolCallView,
  ConversationDetail,
  ConversationView,
  MessageView,
  MeterView,
  ModelsView,
  SendInput,
} from "./bindings";
import type { Store } from "./store";

/** A reply while it streams: closed blocks never change, only `open` is replaced. */
export interface StreamingReply {
  conversationId: number | null;
  assistantId: number | null;
  closed: string[];
  open: string;
  thinking: string;
  retry: string | null;
  user: MessageView | null;
  /** The question as typed, shown until the backend confirms it. */
  question: string;
  /** Agent turns: steps that ended, shown above the one streaming now. */
  steps: MessageView[];
  /** Tool calls of the step streaming now. */
  tools: ToolCallView[];
  /** A command waiting for the person's approval. */
  approval: ApprovalRequest | null;
  /** Files the agent waits for the person to review. */
  awaitingReview: string[];
  /** How the agent turn ended, once it did. */
  agentDone: string | null;
}

export interface ChatState {
  conversations: ConversationView[];
  query: string;
  current: ConversationDetail | null;
  streaming: StreamingReply | null;
  models: ModelsView | null;
  /** The model picked for the next question. */
  model: string | null;
  draft: string;
  chips: string[];
  includeDiff: boolean;
  meter: MeterView | null;
  error: string | null;
  settingsOpen: boolean;
  /** Agent mode: the model may call tools and take several steps. */
  agent: boolean;
  /** Accept the agent's edits of the next turn without review (checkpoints still written). */
  autoAccept: boolean;
  /** The agent's limits and the project's test command. */
  limits: AgentLimitsView | null;
}

export function emptyChat(): ChatState {
  return {
    conversations: [],
    query: "",
    current: null,
    streaming: null,
    models: null,
    model: null,
    draft: "",
    chips: [],
    includeDiff: false,
    meter: null,
    error: null,
    settingsOpen: false,
    agent: false,
    autoAccept: false,
    limits: null,
  };
}

/** A reply about to stream for `question`. */
export function newReply(conversationId: number | null, question: string): StreamingReply {
  return {
    conversationId,
    assistantId: null,
    closed: [],
    open: "",
    thinking: "",
    retry: null,
    user: null,
    question,
    steps: [],
    tools: [],
    approval: null,
    awaitingReview: [],
    agentDone: null,
  };
}

/** The tool calls of `calls` with `call` put in its place (or added). */
function withCall(calls: ToolCallView[], call: ToolCallView): ToolCallView[] {
  return calls.some((c) => c.id === call.id) ? calls.map((c) => (c.id === call.id ? call : c)) : [...calls, call];
}

/** Applies a tool event to the step it belongs to: the streaming one or an ended one. */
function onTool(reply: StreamingReply, messageId: number, change: (calls: ToolCallView[]) => ToolCallView[]): StreamingReply {
  if (messageId === reply.assistantId) return { ...reply, tools: change(reply.tools) };
  return { ...reply, steps: reply.steps.map((m) => (m.id === messageId ? { ...m, tools: change(m.tools) } : m)) };
}

/** Applies one streamed event to the reply in progress. */
export function applyEvent(reply: StreamingReply, event: ChatEvent): StreamingReply {
  switch (event.type) {
    case "started":
      return {
        ...reply,
        conversationId: event.conversation.id,
        assistantId: event.assistantId,
        user: event.userMessage,
      };
    case "render":
      return {
        ...reply,
        closed: event.closed.length ? [...reply.closed, ...event.closed] : reply.closed,
        open: event.open,
        retry: null,
      };
    case "thinking":
      return { ...reply, thinking: reply.thinking + event.text };
    case "proposal":
      // Proposals live in the review slice (review.ts), with the saved ones.
      return reply;
    case "retrying":
      return {
        ...reply,
        retry: `Retrying (attempt ${event.attempt + 1}) in ${(event.delayMs / 1000).toFixed(1)} s: ${event.message}`,
      };
    case "finished":
      // An agent step ended: keep it above the next one (a plain reply is reloaded instead).
      return reply.steps.length || event.message.tools.length || reply.tools.length
        ? { ...reply, steps: [...reply.steps, { ...event.message, tools: reply.tools.length ? reply.tools : event.message.tools }], closed: [], open: "", tools: [] }
        : reply;
    case "step":
      return { ...reply, assistantId: event.message.id, closed: [], open: "", thinking: "", tools: [] };
    case "tool":
      return { ...onTool(reply, event.messageId, (calls) => withCall(calls, event.call)), approval: reply.approval?.callId === event.call.id && event.call.status !== "waiting" ? null : reply.approval };
    case "toolOutput":
      return onTool(reply, event.messageId, (calls) =>
        calls.map((c) => (c.id === event.callId ? { ...c, output: (c.output + event.chunk).slice(-64 * 1024) } : c)),
      );
    case "approval":
      return { ...reply, approval: event.request };
    case "awaitingReview":
      return { ...reply, awaitingReview: event.paths };
    case "agentDone":
      return { ...reply, agentDone: event.reason, approval: null, awaitingReview: [] };
  }
}

export function formatCost(cost: number | null): string {
  if (cost === null) return "";
  if (cost === 0) return "$0";
  return cost < 0.01 ? `$${cost.toFixed(4)}` : `$${cost.toFixed(2)}`;
}

export function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : `${n}`;
}

/** The `@word` being typed at `caret`, if any: what @-completion completes. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([^\s@]*)$/.exec(before);
  if (!match) return null;
  return { start: caret - match[2].length - 1, query: match[2] };
}

/** What a person is told when an agent turn ended before it was done. */
const AGENT_ENDINGS: Record<string, string> = {
  done: "The agent is done.",
  stopped: "The agent was stopped.",
  failed: "The agent stopped on an error.",
  stepLimit: "The agent reached its step limit. Send “go on” to continue, or raise the limit in Settings.",
  tokenLimit: "The agent reached its token limit for this turn. Raise it in Settings to go further.",
  costLimit: "The agent reached its cost limit for this turn. Raise it in Settings to go further.",
};

export function agentEnding(reason: string): string {
  return AGENT_ENDINGS[reason] ?? reason;
}

export class ChatOps {
  constructor(private readonly store: Store) {}

  private get chat(): ChatState {
    return this.store.state.chat;
  }

  private patch(patch: Partial<ChatState> | ((c: ChatState) => Partial<ChatState>)) {
    this.store.set((s) => ({ chat: { ...s.chat, ...(typeof patch === "function" ? patch(s.chat) : patch) } }));
  }

  /** On opening a project: models, and the most recent conversation. */
  async start() {
    await Promise.all([this.loadModels(false), this.loadConversations(), this.loadLimits()]);
    const latest = this.chat.conversations[0];
    if (latest) await this.open(latest.id);
  }

  async loadModels(refresh: boolean) {
    try {
      const models = await this.store.api.models(refresh);
      this.patch((c) => ({
        models,
        model:
          c.model && models.models.some((m) => m.id === c.model)
            ? c.model
            : (models.defaultModel ?? models.models[0]?.id ?? null),
      }));
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  async loadLimits() {
    try {
      this.patch({ limits: await this.store.api.agentLimits() });
    } catch {
      // Without a project or a database there are no limits to show; the agent still runs.
      this.patch({ limits: null });
    }
  }

  /** Names the project's test command (which allows it to run) and starts fixing until it passes. */
  async fixUntilTestsPass(command: string) {
    const limits = this.chat.limits;
    if (!limits || !command.trim()) return;
    try {
      await this.store.api.setAgentLimits({ ...limits, testCommand: command.trim() });
      this.patch({ limits: { ...limits, testCommand: command.trim() }, agent: true });
    } catch (e) {
      this.patch({ error: errorMessage(e) });
      return;
    }
    await this.send(
      `Run the tests with \`${command.trim()}\` (run_command), read what fails, and fix it. After I have reviewed your edits, run the tests again. Stop when they pass, and say what you changed.`,
    );
  }

  async loadConversations(query = this.chat.query) {
    try {
      this.patch({ conversations: await this.store.api.conversations(query), query });
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  async open(id: number) {
    try {
      const mark = this.store.review.mark();
      const current = await this.store.api.conversation(id);
      this.store.review.fromMessages(current.messages, mark);
      this.store.review.showing(id, current.messages);
      this.patch((c) => ({ current, model: current.conversation.model ?? c.model, error: null }));
      // Replies may have ended or been replaced since the review was fetched.
      this.store.review.changed();
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  /** Takes back what Redline wrote for a reply; says what was kept and why. */
  async undoTurn(messageId: number) {
    try {
      const report = await this.store.review.undoTurn(messageId, this.chat.current?.conversation.id ?? null);
      const kept = report.kept.length ? ` Left as they are: ${report.kept.join("; ")}.` : "";
      this.store.notify(`Undone: ${report.restored.length} file${report.restored.length === 1 ? "" : "s"} restored.${kept}`);
      this.patch({ error: report.kept.length ? `Some files were left as they are: ${report.kept.join("; ")}` : null });
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  /** Opens the review of the conversation shown. */
  openReview() {
    const id = this.chat.current?.conversation.id;
    if (id !== undefined) this.store.openTab({ kind: "review", path: String(id) });
  }

  newConversation() {
    this.patch({ current: null, error: null, meter: null, chips: [], draft: "" });
  }

  async rename(id: number, title: string) {
    try {
      await this.store.api.renameConversation(id, title);
      await this.loadConversations();
      if (this.chat.current?.conversation.id === id) await this.open(id);
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  async remove(id: number) {
    try {
      await this.store.api.deleteConversation(id);
      if (this.chat.current?.conversation.id === id) this.newConversation();
      await this.loadConversations();
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  async pickModel(model: string) {
    this.patch({ model });
    const id = this.chat.current?.conversation.id;
    if (id !== undefined) await this.store.api.setConversationModel(id, model).catch(() => undefined);
  }

  input(text: string, replaceFrom: number | null = null, selection: SelectionInput | null = null): SendInput {
    return {
      conversationId: this.chat.current?.conversation.id ?? null,
      text,
      model: this.chat.model,
      attachments: this.chat.chips,
      selection,
      includeDiff: this.chat.includeDiff,
      replaceFrom,
      agent: this.chat.agent,
      autoAccept: this.chat.agent && this.chat.autoAccept,
    };
  }

  /** Updates the context meter for the draft (called a moment after typing stops). */
  async preview() {
    if (!this.chat.model) return;
    try {
      const preview = await this.store.api.previewContext(this.input(this.chat.draft || " "));
      this.patch({ meter: preview.meter });
    } catch {
      this.patch({ meter: null });
    }
  }

  /** Sends the draft, or `text` replacing the conversation from `replaceFrom` on. */
  async send(text = this.chat.draft, replaceFrom: number | null = null, selection: SelectionInput | null = null) {
    if (!text.trim() || this.chat.streaming) return;
    const input = this.input(text, replaceFrom, selection);
    const reply = newReply(input.conversationId, text);
    this.patch((c) => ({
      streaming: reply,
      error: null,
      draft: replaceFrom === null ? "" : c.draft,
      current: c.current && replaceFrom !== null ? truncated(c.current, replaceFrom) : c.current,
    }));
    try {
      await this.store.api.sendMessage(input, (event) => {
        const before = this.chat.streaming;
        this.patch((c) => (c.streaming ? { streaming: applyEvent(c.streaming, event) } : {}));
        const after = this.chat.streaming;
        this.store.review.onChatEvent(event, !!before && !!after && after.steps.length > before.steps.length);
        if (event.type === "started") {
          // A new conversation exists from now on: show it (title, streaming reply) at once.
          this.patch((c) => ({
            meter: event.meter,
            chips: [],
            current:
              c.current?.conversation.id === event.conversation.id
                ? { ...c.current, conversation: event.conversation }
                : { conversation: event.conversation, messages: [], usage: { input: 0, output: 0, cached: 0 }, cost: null, running: true },
          }));
        }
      });
    } catch (e) {
      // Nothing was sent: give the question back so it is not lost.
      this.patch((c) => ({ error: errorMessage(e), draft: c.draft || text }));
    }
    // Read again: events changed it while awaiting.
    const ended = this.store.state.chat.streaming as StreamingReply | null;
    const id = ended?.conversationId;
    if (ended?.agentDone && ended.agentDone !== "done") this.store.notify(agentEnding(ended.agentDone));
    this.patch({ streaming: null });
    this.store.review.clearLive();
    if (id !== null && id !== undefined) await this.open(id);
    await this.loadConversations();
  }

  /** A code action on a file or a selection: a turn of the conversation shown (or a new one). */
  async sendAction(text: string, selection: SelectionInput | null) {
    await this.send(text, null, selection);
  }

  /** The person's answer to the command waiting for approval. */
  async answer(answer: ApprovalAnswer) {
    const request = this.chat.streaming?.approval;
    if (!request) return;
    try {
      await this.store.api.answerApproval(request.id, answer);
      this.patch((c) => (c.streaming ? { streaming: { ...c.streaming, approval: null } } : {}));
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  setAgent(agent: boolean) {
    this.patch({ agent, autoAccept: agent && this.chat.autoAccept });
  }

  setAutoAccept(autoAccept: boolean) {
    this.patch({ autoAccept });
  }

  stop() {
    const id = this.chat.streaming?.conversationId;
    if (id !== null && id !== undefined) void this.store.api.stopReply(id);
  }

  /** Sends the question before `assistantId` again, replacing that reply. */
  async regenerate(assistantId: number) {
    const messages = this.chat.current?.messages ?? [];
    const index = messages.findIndex((m) => m.id === assistantId);
    const question = messages.slice(0, index).reverse().find((m) => m.role === "user");
    if (question) await this.resend(question, question.text);
  }

  /** Edit-and-resend: replaces `message` and everything after it. */
  async resend(message: MessageView, text: string) {
    const chips = message.attachments
      .filter((a) => (a.kind === "file" || a.kind === "folder") && !text.includes(`@${a.label}`))
      .map((a) => a.label);
    this.patch({ chips, includeDiff: message.attachments.some((a) => a.kind === "gitDiff") });
    await this.send(text, message.id);
  }

  setDraft(draft: string) {
    this.patch({ draft });
  }

  addChip(path: string) {
    this.patch((c) => ({ chips: c.chips.includes(path) ? c.chips : [...c.chips, path] }));
  }

  removeChip(path: string) {
    this.patch((c) => ({ chips: c.chips.filter((p) => p !== path) }));
  }

  toggleDiff() {
    this.patch((c) => ({ includeDiff: !c.includeDiff }));
  }

  openSettings(open: boolean) {
    this.patch({ settingsOpen: open });
    if (!open) void this.loadModels(true);
  }
}

function truncated(detail: ConversationDetail, fromId: number): ConversationDetail {
  return { ...detail, messages: detail.messages.filter((m) => m.id < fromId) };
}
