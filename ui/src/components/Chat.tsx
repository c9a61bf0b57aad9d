import { useEffect, useRef, useState } from "preact/hooks";
import { formatCost, formatTokens, mentionAt } from "../chat";
import { store, useStore } from "../store";
import { AttachmentChip, MessageItem, StreamingMessage } from "./Message";

/** The chat panel: the conversation, what the next question carries, and the input. */
export function Chat() {
  const chat = useStore((s) => s.chat);
  const current = chat.current;
  const streaming = chat.streaming;
  const showStreaming = streaming && (streaming.conversationId ?? null) === (current?.conversation.id ?? null);
  return (
    <aside class="chat" data-testid="chat-panel">
      <div class="panel-header chat-header">
        <span class="chat-title" data-testid="chat-title" title={current?.conversation.title}>
          {current?.conversation.title ?? "New conversation"}
        </span>
        <span class="spacer" />
        {current && (
          <span class="muted small" data-testid="conversation-usage" title="Tokens and cost of this conversation">
            {formatTokens(current.usage.input + current.usage.output)} tok {formatCost(current.cost)}
          </span>
        )}
        <button class="ghost" data-testid="new-conversation" title="New conversation" onClick={() => store.chat.newConversation()}>
          New
        </button>
        <button class="ghost" data-testid="open-settings" title="Providers, keys and models" onClick={() => store.chat.openSettings(true)}>
          Settings
        </button>
      </div>
      <Messages>
        {current?.messages
          // A reload while a turn runs (after a review) already holds its saved steps: the
          // streaming view shows those.
          .filter((m) => !showStreaming || !streaming.user || m.id < streaming.user.id)
          .map((m) => <MessageItem key={m.id} m={m} busy={!!streaming} />)}
        {showStreaming && <StreamingMessage reply={streaming} />}
        {!current && !streaming && <EmptyChat />}
      </Messages>
      {chat.error && (
        <div class="banner error" role="alert" data-testid="chat-error">
          {chat.error}
        </div>
      )}
      <Composer />
    </aside>
  );
}

function EmptyChat() {
  const models = useStore((s) => s.chat.models);
  if (models && models.models.length === 0) {
    return (
      <div class="pad muted" data-testid="no-models">
        <p>No model is set up yet.</p>
        <p>
          Add a provider and its key in <a href="#settings" onClick={(e) => (e.preventDefault(), store.chat.openSettings(true))}>Settings</a>, or start
          Ollama, llama.cpp's server or LM Studio on this machine: Redline finds them by itself.
        </p>
        {models.problems.map((p) => (
          <p key={p} class="warn">
            {p}
          </p>
        ))}
      </div>
    );
  }
  return <p class="pad muted">Ask about this project. Type @ to attach a file or folder.</p>;
}

/** Scrolls with the reply while the person is at the bottom; leaves them where they are otherwise. */
function Messages({ children }: { children: preact.ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  });
  return (
    <div
      ref={ref}
      class="chat-body"
      data-testid="messages"
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {children}
    </div>
  );
}

/** Agent mode: the switch, its limits, auto-accept, and "fix until tests pass". */
function AgentBar() {
  const chat = useStore((s) => s.chat);
  const [naming, setNaming] = useState<string | null>(null);
  const limits = chat.limits;
  const fix = () => {
    if (limits?.testCommand && naming === null) return void store.chat.fixUntilTestsPass(limits.testCommand);
    setNaming(naming ?? limits?.testCommand ?? "");
  };
  return (
    <div class="agent-bar small">
      <label class="toggle" title="The model may read, search, propose edits and run approved commands, step by step">
        <input type="checkbox" data-testid="agent-toggle" checked={chat.agent} onChange={(e) => store.chat.setAgent(e.currentTarget.checked)} /> Agent
      </label>
      {chat.agent && (
        <>
          <label class="toggle" title="Write the agent's edits of this turn without review (you can still undo the turn)">
            <input type="checkbox" data-testid="auto-accept" checked={chat.autoAccept} onChange={(e) => store.chat.setAutoAccept(e.currentTarget.checked)} /> auto-accept edits
          </label>
          {limits && (
            <span class="muted" data-testid="agent-limits" title="Change the limits in Settings">
              ≤{limits.maxSteps} steps · ≤{formatTokens(limits.maxTokens)} tok{limits.maxCost !== null ? ` · ≤$${limits.maxCost}` : ""}
            </span>
          )}
        </>
      )}
      <span class="spacer" />
      {naming !== null ? (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setNaming(null);
            void store.chat.fixUntilTestsPass(naming);
          }}
        >
          <input data-testid="test-command" placeholder="test command, e.g. cargo test" value={naming} onInput={(e) => setNaming(e.currentTarget.value)} />
          <button class="primary" data-testid="test-command-go" disabled={!naming.trim() || !!chat.streaming}>
            Go
          </button>
          <button type="button" class="ghost" onClick={() => setNaming(null)}>
            Cancel
          </button>
        </form>
      ) : (
        <button class="ghost" data-testid="fix-tests" disabled={!!chat.streaming || !chat.model} onClick={fix} title={limits?.testCommand ? `Runs ${limits.testCommand}, fixes what fails, runs it again` : "Name the project's test command once"}>
          Fix until tests pass
        </button>
      )}
    </div>
  );
}

function Composer() {
  const chat = useStore((s) => s.chat);
  const [completion, setCompletion] = useState<{ start: number; items: string[]; index: number } | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const previewTimer = useRef<ReturnType<typeof setTimeout>>();
  const lookups = useRef(0);

  useEffect(() => {
    clearTimeout(previewTimer.current);
    previewTimer.current = setTimeout(() => void store.chat.preview(), 250);
  }, [chat.draft, chat.chips.join("\n"), chat.includeDiff, chat.model, chat.current?.conversation.id]);

  const complete = async (text: string, caret: number) => {
    const lookup = ++lookups.current;
    const mention = mentionAt(text, caret);
    if (!mention) return setCompletion(null);
    const items = await store.api.findFiles(mention.query).catch(() => [] as string[]);
    // A later keystroke has asked again: this answer is stale.
    if (lookup !== lookups.current) return;
    setCompletion(items.length ? { start: mention.start, items, index: 0 } : null);
  };

  const pick = (path: string) => {
    const el = area.current;
    if (!el || !completion) return;
    const caret = el.selectionStart;
    const text = `${chat.draft.slice(0, completion.start)}@${path} ${chat.draft.slice(caret)}`;
    // Set the text and caret now, not on the next render: the next keystroke may come first.
    const at = completion.start + path.length + 2;
    el.value = text;
    el.setSelectionRange(at, at);
    el.focus();
    store.chat.setDraft(text);
    setCompletion(null);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (completion) {
      const n = completion.items.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        setCompletion({ ...completion, index: (completion.index + step + n) % n });
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(completion.items[completion.index]);
        return;
      }
      if (e.key === "Escape") {
        setCompletion(null);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void store.chat.send();
    }
  };

  const models = chat.models?.models ?? [];
  const meter = chat.meter;
  const share = meter ? Math.min(1, meter.used / Math.max(1, meter.window - meter.reserved)) : 0;
  return (
    <div class="composer">
      <div class="chips" data-testid="composer-chips">
        {chat.chips.map((path) => (
          <AttachmentChip
            key={path}
            a={{ kind: "file", label: path, tokens: 0, truncated: false, redactions: [], note: null }}
            onRemove={() => store.chat.removeChip(path)}
          />
        ))}
        <label class="toggle small" title="Attach the uncommitted changes (git diff)">
          <input type="checkbox" checked={chat.includeDiff} onChange={() => store.chat.toggleDiff()} /> diff
        </label>
      </div>
      <AgentBar />
      <div class="input-wrap">
        {completion && (
          <ul class="completion" role="listbox" data-testid="mention-completion">
            {completion.items.map((item, i) => (
              <li
                key={item}
                role="option"
                aria-selected={i === completion.index}
                onMouseDown={(e) => (e.preventDefault(), pick(item))}
              >
                {item}
              </li>
            ))}
          </ul>
        )}
        <textarea
          ref={area}
          data-testid="chat-input"
          aria-label="Message"
          placeholder="Ask about this project… (@ attaches a file, Enter sends, Shift+Enter for a new line)"
          value={chat.draft}
          onInput={(e) => {
            const el = e.currentTarget;
            store.chat.setDraft(el.value);
            void complete(el.value, el.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setCompletion(null), 150)}
        />
      </div>
      <div class="composer-bar">
        <select
          data-testid="model-picker"
          aria-label="Model"
          value={chat.model ?? ""}
          onChange={(e) => void store.chat.pickModel(e.currentTarget.value)}
        >
          {models.length === 0 && <option value="">No model set up</option>}
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.model} — {m.providerName}
              {m.detected ? " (found)" : ""}
            </option>
          ))}
        </select>
        {meter && (
          <span
            class={`meter${share > 0.9 ? " full" : ""}`}
            data-testid="context-meter"
            title={`≈${meter.used} of ${meter.window - meter.reserved} tokens for context (${meter.reserved} kept for the reply)${
              meter.dropped.length ? `. Dropped to fit: ${meter.dropped.join(", ")}` : ""
            }`}
          >
            <span class="meter-bar">
              <span style={{ width: `${share * 100}%` }} />
            </span>
            {formatTokens(meter.used)}/{formatTokens(meter.window)}
            {meter.dropped.length > 0 && <span class="warn"> · {meter.dropped.length} dropped</span>}
          </span>
        )}
        <span class="spacer" />
        {chat.streaming ? (
          <button class="danger" data-testid="stop" onClick={() => store.chat.stop()} title="Stop the reply">
            Stop
          </button>
        ) : (
          <button class="primary" data-testid="send" disabled={!chat.draft.trim() || !chat.model} onClick={() => void store.chat.send()}>
            Send
          </button>
        )}
      </div>
    </div>
  );
}
