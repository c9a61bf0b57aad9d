// Chat state and its operations: conversations of the open project, the one shown, the reply
// streaming into it, the model picked, what the next question will carry. The backend saves
// everything; this keeps only what the panel shows.

import { errorMessage } from "./api";
import type {
  ChatEvent,
  ConversationDetail,
  ConversationView,
  MessageView,
  MeterView,
  ModelsView,
  ProposalView,
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
  /** Files the reply proposes to change, as they stand so far. */
  proposals: ProposalView[];
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
    proposals: [],
  };
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
      return {
        ...reply,
        proposals: [...reply.proposals.filter((p) => p.path !== event.proposal.path), event.proposal],
      };
    case "retrying":
      return {
        ...reply,
        retry: `Retrying (attempt ${event.attempt + 1}) in ${(event.delayMs / 1000).toFixed(1)} s: ${event.message}`,
      };
    case "finished":
      return reply;
  }
}

/** Pending hunks per file over the conversation's replies (for the file tree's badges). */
export function pendingByPath(detail: ConversationDetail | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of detail?.messages ?? []) {
    for (const p of m.proposals) {
      if (p.pending > 0) out.set(p.path, (out.get(p.path) ?? 0) + p.pending);
    }
  }
  return out;
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
    await Promise.all([this.loadModels(false), this.loadConversations()]);
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

  async loadConversations(query = this.chat.query) {
    try {
      this.patch({ conversations: await this.store.api.conversations(query), query });
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  async open(id: number) {
    try {
      const current = await this.store.api.conversation(id);
      this.patch((c) => ({ current, model: current.conversation.model ?? c.model, error: null }));
    } catch (e) {
      this.patch({ error: errorMessage(e) });
    }
  }

  /** Reloads the conversation shown (pending counts changed in review). */
  async refreshCurrent() {
    const id = this.chat.current?.conversation.id;
    if (id !== undefined) await this.open(id);
  }

  /** Takes back what Redline wrote for a reply; says what was kept and why. */
  async undoTurn(messageId: number) {
    try {
      const report = await this.store.api.undoTurn(messageId);
      const kept = report.kept.length ? ` Left as they are: ${report.kept.join("; ")}.` : "";
      this.store.notify(`Undone: ${report.restored.length} file${report.restored.length === 1 ? "" : "s"} restored.${kept}`);
      this.patch({ error: report.kept.length ? `Some files were left as they are: ${report.kept.join("; ")}` : null });
      await this.refreshCurrent();
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

  input(text: string, replaceFrom: number | null = null): SendInput {
    return {
      conversationId: this.chat.current?.conversation.id ?? null,
      text,
      model: this.chat.model,
      attachments: this.chat.chips,
      selection: null,
      includeDiff: this.chat.includeDiff,
      replaceFrom,
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
  async send(text = this.chat.draft, replaceFrom: number | null = null) {
    if (!text.trim() || this.chat.streaming) return;
    const input = this.input(text, replaceFrom);
    const reply = newReply(input.conversationId, text);
    this.patch((c) => ({
      streaming: reply,
      error: null,
      draft: replaceFrom === null ? "" : c.draft,
      current: c.current && replaceFrom !== null ? truncated(c.current, replaceFrom) : c.current,
    }));
    try {
      await this.store.api.sendMessage(input, (event) => {
        this.patch((c) => (c.streaming ? { streaming: applyEvent(c.streaming, event) } : {}));
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
    const id = (this.store.state.chat.streaming as StreamingReply | null)?.conversationId;
    this.patch({ streaming: null });
    if (id !== null && id !== undefined) await this.open(id);
    await this.loadConversations();
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
