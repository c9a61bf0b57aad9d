import { Component } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApprovalRequest, AttachmentView, McpServerView, MessageView, ToolCallView } from "../bindings";
import { agentEnding, formatCost, formatTokens, type StreamingReply } from "../chat";
import { errorMessage } from "../api";
import { current, undecided, type ProposalSummary } from "../review";
import { store, useStore } from "../store";

/** Sanitized HTML from the backend (ammonia); the CSP forbids inline script besides. */
function Html({ html, class: cls }: { html: string; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    addCopyButtons(ref.current);
    foldEditBlocks(ref.current);
  }, [html]);
  return <div ref={ref} class={cls} dangerouslySetInnerHTML={{ __html: html }} />;
}

function addCopyButtons(root: HTMLElement | null) {
  root?.querySelectorAll<HTMLElement>(".code-block").forEach((block) => {
    if (block.querySelector(".copy")) return;
    const button = document.createElement("button");
    button.className = "copy ghost";
    button.textContent = "Copy";
    button.title = "Copy this code";
    button.addEventListener("click", () => {
      void copyText(block.querySelector("code")?.textContent ?? "").then(() => {
        button.textContent = "Copied";
        setTimeout(() => (button.textContent = "Copy"), 1200);
      });
    });
    block.prepend(button);
  });
}

/** Marks that make a code block an edit the Review tab already shows. */
const EDIT_MARKERS = /^(<{7} SEARCH|-{7} SEARCH|@@ |--- a\/)/m;

/** Folds SEARCH/REPLACE and diff blocks into a one-line summary: the Review tab shows them as
 * hunks, so the reply reads as prose with the edits one click away. */
function foldEditBlocks(root: HTMLElement | null) {
  root?.querySelectorAll<HTMLElement>(".code-block").forEach((block) => {
    const code = block.querySelector("code")?.textContent ?? "";
    if (block.parentElement?.tagName === "DETAILS" || !EDIT_MARKERS.test(code)) return;
    const details = document.createElement("details");
    details.className = "edit-block";
    details.dataset.testid = "edit-block";
    const summary = document.createElement("summary");
    const lines = code.split("\n").length;
    summary.textContent = `Edit block (${lines} lines), in Review`;
    details.append(summary);
    block.replaceWith(details);
    details.append(block);
  });
}

export async function copyText(text: string) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

export function AttachmentChip({ a, onRemove }: { a: AttachmentView; onRemove?: () => void }) {
  const notes = [
    `≈${formatTokens(a.tokens)} tokens`,
    ...(a.redactions.length ? [`redacted: ${a.redactions.join(", ")}`] : []),
    ...(a.note ? [a.note] : []),
  ];
  const skipped = a.note !== null && a.tokens === 0;
  return (
    <span
      class={`chip ${a.kind}${skipped ? " skipped" : ""}${a.redactions.length ? " redacted" : ""}`}
      title={notes.join(" · ")}
      data-testid="attachment-chip"
    >
      {a.kind === "rules" ? "rules: " : a.kind === "gitDiff" ? "" : "@"}
      {a.label}
      {a.redactions.length > 0 && <span class="badge">{a.redactions.length} redacted</span>}
      {onRemove && (
        <button class="chip-x" aria-label={`Remove ${a.label}`} onClick={onRemove}>
          ×
        </button>
      )}
    </span>
  );
}

function UserMessage({ m, busy }: { m: MessageView; busy: boolean }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(m.text);
  return (
    <div class="msg user" data-testid="message-user">
      {editing ? (
        <div class="edit-box">
          <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} aria-label="Edit message" />
          <div class="row">
            <button
              class="primary"
              onClick={() => {
                setEditing(false);
                void store.chat.resend(m, text);
              }}
            >
              Send
            </button>
            <button onClick={() => setEditing(false)}>Cancel</button>
          </div>
        </div>
      ) : (
        <div class="msg-text">{m.text}</div>
      )}
      {m.attachments.length > 0 && (
        <div class="chips">
          {m.attachments.map((a) => (
            <AttachmentChip key={a.label} a={a} />
          ))}
        </div>
      )}
      {!editing && !busy && (
        <div class="msg-actions">
          <button class="ghost" onClick={() => setEditing(true)} title="Edit and send again">
            Edit
          </button>
        </div>
      )}
    </div>
  );
}

const STATUS_TEXT: Record<string, string> = {
  stopped: "Stopped.",
  interrupted: "Interrupted: Redline closed while this reply was streaming.",
};

function AssistantMessage({ m, busy }: { m: MessageView; busy: boolean }) {
  const meta = [
    m.model,
    m.usage.input + m.usage.output > 0 ? `${formatTokens(m.usage.input)} in · ${formatTokens(m.usage.output)} out` : "",
    formatCost(m.cost),
    m.firstTokenMs !== null ? `first token ${(m.firstTokenMs / 1000).toFixed(1)} s` : "",
  ].filter(Boolean);
  return (
    <div class={`msg assistant ${m.status}`} data-testid="message-assistant" data-status={m.status}>
      <Html class="markdown" html={m.html} />
      {m.error && (
        <div class="banner error inline" role="alert" data-testid="message-error" data-code={m.error.code}>
          {m.error.message}
        </div>
      )}
      {STATUS_TEXT[m.status] && <div class="muted small">{STATUS_TEXT[m.status]}</div>}
      {m.tools.length > 0 && <ToolSteps tools={m.tools} />}
      {m.proposals.length > 0 && <SavedProposals m={m} />}
      <div class="msg-actions">
        <span class="muted small" data-testid="message-meta">
          {meta.join(" · ")}
        </span>
        <span class="spacer" />
        {!busy && m.tools.length === 0 && (
          <button class="ghost" data-testid="regenerate" onClick={() => void store.chat.regenerate(m.id)}>
            {m.status === "failed" ? "Retry" : "Regenerate"}
          </button>
        )}
        {!busy && m.text && (
          <button class="ghost" onClick={() => void copyText(m.text)} title="Copy the reply's markdown">
            Copy
          </button>
        )}
      </div>
    </div>
  );
}

/** The follow-up that sends failed edits back to the model: each says which file, which block,
 * and where the closest text was, so the model can quote it exactly next time. */
export function fixRequest(failed: Pick<ProposalSummary, "path" | "error">[]): string {
  const reasons = failed.map((p) => `- ${p.path || "(no file)"}: ${p.error ?? "could not be placed"}`).join("\n");
  return `These edits could not be applied (the others stand):\n${reasons}\n\nPlease send corrected edits for just these, quoting the current file text exactly.`;
}

/** A saved reply's proposals, as the review slice has them now (a decision in the Review tab
 * shows here without reloading the conversation). */
function SavedProposals({ m }: { m: MessageView }) {
  const byId = useStore((s) => s.review.byId);
  return <ProposalList messageId={m.id} proposals={m.proposals.map((p) => current(byId, p))} />;
}

/** What the list says of a file besides its name. */
function proposalState(p: ProposalSummary): string {
  const open = undecided(p);
  if (open > 0) return p.pending > 0 ? `${p.pending} pending` : "to review";
  return p.written ? "written" : "reviewed";
}

/** The files a reply proposes to change, with what is left to review. Only summary fields: the
 * hunks are the Review tab's. `messageId` is 0 while the reply streams (nothing saved yet). */
function ProposalList({ messageId, proposals }: { messageId: number; proposals: ProposalSummary[] }) {
  const pending = proposals.reduce((n, p) => n + undecided(p), 0);
  const isRepo = useStore((s) => !!s.project?.isRepo);
  const [commit, setCommit] = useState<string | null>(null);
  const written = proposals.some((p) => p.written) && messageId > 0;
  const failed = proposals.filter((p) => p.status === "failed" || p.error);
  const startCommit = async () => {
    setCommit("");
    try {
      setCommit(await store.api.draftCommitMessage(messageId));
    } catch (e) {
      store.notify(errorMessage(e));
      setCommit(null);
    }
  };
  const doCommit = async () => {
    try {
      const id = await store.api.commitTurn(messageId, commit ?? "");
      store.notify(`Committed ${id.slice(0, 8)}.`);
      setCommit(null);
    } catch (e) {
      store.notify(errorMessage(e));
    }
  };
  return (
    <div class="proposals" data-testid="proposals">
      <div class="row">
        <strong>Proposed changes</strong>
        {pending > 0 && (
          <span class="count" data-testid="pending-count">
            {pending} pending
          </span>
        )}
        <span class="spacer" />
        {written && isRepo && commit === null && (
          <button class="ghost" data-testid="commit-turn" title="Commit the accepted changes of this reply" onClick={() => void startCommit()}>
            Commit…
          </button>
        )}
        {written && (
          <button
            class="ghost"
            data-testid="undo-turn"
            title="Put back the files as they were before this reply's changes (your own later edits stay)"
            onClick={() => void store.chat.undoTurn(messageId)}
          >
            Undo this turn
          </button>
        )}
        {failed.length > 0 && messageId > 0 && (
          <button
            class="ghost"
            data-testid="send-errors"
            title="Send the reasons back to the model so it can correct those edits"
            onClick={() => void store.chat.send(fixRequest(failed))}
          >
            Ask to fix
          </button>
        )}
        <button data-testid="open-review" onClick={() => store.chat.openReview()}>
          Review
        </button>
      </div>
      {commit !== null && (
        <div class="edit-box" data-testid="commit-box">
          <textarea
            aria-label="Commit message"
            data-testid="commit-message"
            placeholder="Drafting a message…"
            value={commit}
            onInput={(e) => setCommit(e.currentTarget.value)}
          />
          <div class="row">
            <button class="primary" data-testid="commit-confirm" disabled={!commit.trim()} onClick={() => void doCommit()}>
              Commit
            </button>
            <button onClick={() => setCommit(null)}>Cancel</button>
          </div>
        </div>
      )}
      <ul>
        {proposals.map((p) => (
          <li key={p.id || p.path} data-testid="proposal-item" data-path={p.path} data-status={p.status} data-pending={undecided(p)} class={p.status}>
            <span class={`tag kind-${p.kind}`}>{p.kind === "create" ? "new" : p.kind}</span> {p.path || "(unplaced edit)"}
            {p.protected && (
              <span class="tag protected" data-testid="proposal-protected" title={`Protected: ${p.protected}. Accepting asks you to confirm.`}>
                protected
              </span>
            )}
            {p.status === "failed" ? (
              <span class="warn small" title={p.error ?? ""}>
                {" "}
                could not be placed
              </span>
            ) : (
              <span class="muted small" data-testid="proposal-state">
                {" "}
                {proposalState(p)}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

const TOOL_LABEL: Record<string, string> = {
  read_file: "Read",
  list_files: "List",
  search: "Search",
  git_status: "Git status",
  git_diff: "Git diff",
  run_command: "Run",
  edit_file: "Edit",
  create_file: "Create",
  delete_file: "Delete",
  rename_file: "Rename",
};

/** The one-line gist of a call's arguments: the path, the pattern, the command line. */
function callGist(call: ToolCallView): string {
  const args = (call.arguments ?? {}) as Record<string, unknown>;
  const pick = args.command ?? args.pattern ?? args.path ?? args.to ?? "";
  if (typeof pick === "string" && pick) return pick;
  const text = JSON.stringify(call.arguments);
  return text === "{}" || text === undefined ? "" : text.slice(0, 120);
}

/** An agent step's tool calls: what was asked, its state, and what came back. */
export function ToolSteps({ tools }: { tools: ToolCallView[] }) {
  return (
    <ol class="tool-steps" data-testid="tool-steps">
      {tools.map((t) => (
        <li key={t.id} class={`tool-step ${t.status}`} data-testid="tool-step" data-tool={t.name} data-status={t.status}>
          <div class="tool-line">
            <span class="tag">{TOOL_LABEL[t.name] ?? t.name.replace(/^mcp__/, "MCP ")}</span>{" "}
            <code class="tool-gist">{callGist(t)}</code>
            <span class="muted small" data-testid="tool-summary">
              {" "}
              {t.status === "running" ? "running…" : t.status === "waiting" ? "waiting for you" : t.summary}
            </span>
          </div>
          {t.output && (
            <details class="tool-output" open={t.status === "running" || t.status === "failed"}>
              <summary>Output</summary>
              <pre data-testid="tool-output">{t.output}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}

/** A command the agent wants to run: nothing runs until the person says so. */
export function ApprovalCard({ request }: { request: ApprovalRequest }) {
  const what =
    request.kind === "mcp"
      ? "use this tool"
      : request.kind === "mcpServer"
        ? "start this tool server, listed in the project's .redline/mcp.json,"
        : "run this command";
  return (
    <div class="approval" role="alertdialog" data-testid="approval" aria-label={`The agent wants to ${what}`}>
      <div class="small">The agent wants to {what} in the project folder:</div>
      <pre data-testid="approval-command">{request.command}</pre>
      {request.server && <ServerEntry server={request.server} />}
      {request.changedSinceReview.length > 0 && (
        <div class="banner warning inline" data-testid="approval-changed">
          Asking again: since you last approved, auto-accepted edits changed{" "}
          <strong>{request.changedSinceReview.join(", ")}</strong>. They can change what this runs (a test setup, a build
          script), so an earlier approval does not cover it.
        </div>
      )}
      <div class="approval-actions">
        <button class="primary" data-testid="approve-once" onClick={() => void store.chat.answer("once")}>
          Run once
        </button>
        <button data-testid="approve-conversation" onClick={() => void store.chat.answer("conversation")} title="Allow this exact line for the rest of this conversation">
          Allow in this chat
        </button>
        <button data-testid="approve-always" onClick={() => void store.chat.answer("always")} title="Allow this exact line in this project from now on">
          Always allow here
        </button>
        <button class="danger" data-testid="decline" onClick={() => void store.chat.answer("decline")}>
          Decline
        </button>
      </div>
    </div>
  );
}

/** Everything a project MCP server entry runs: approving it approves exactly this. */
function ServerEntry({ server }: { server: McpServerView }) {
  return (
    <table class="server-entry small" data-testid="approval-server">
      <tbody>
        <tr>
          <th>command</th>
          <td>
            <code>{server.command}</code>
          </td>
        </tr>
        <tr>
          <th>arguments</th>
          <td>{server.args.length ? server.args.map((a, i) => <code key={i}>{a}</code>) : <span class="muted">none</span>}</td>
        </tr>
        <tr>
          <th>folder</th>
          <td>
            <code>{server.cwd}</code>
          </td>
        </tr>
        <tr>
          <th>environment</th>
          <td>{server.env.length === 0 && <span class="muted">nothing added</span>}</td>
        </tr>
        {server.env.map((v) => (
          <tr
            key={v.name}
            class={v.changesLoading ? "env-loading" : ""}
            data-testid="approval-env"
            data-name={v.name}
            data-loading={v.changesLoading}
            title={v.changesLoading ? "This variable changes which programs or libraries load" : undefined}
          >
            <th>
              <code>{v.name}</code>
            </th>
            <td>
              <code>{v.value}</code>
              {v.changesLoading && <span class="tag warn-tag"> changes what loads</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MessageItem({ m, busy }: { m: MessageView; busy: boolean }) {
  return m.role === "user" ? <UserMessage m={m} busy={busy} /> : <AssistantMessage m={m} busy={busy} />;
}

/** Blocks that will not change again, in chunks of `CHUNK`: when a block closes only the last
 * chunk re-renders, and a batch that only grows the open block re-renders none, so the cost of
 * a batch does not grow with the length of the reply. */
const CHUNK = 32;

class ClosedBlocks extends Component<{ blocks: string[] }> {
  shouldComponentUpdate(next: { blocks: string[] }) {
    return next.blocks !== this.props.blocks;
  }
  render() {
    const { blocks } = this.props;
    const chunks = [];
    for (let start = 0; start < blocks.length; start += CHUNK) {
      chunks.push(<BlockChunk key={start} blocks={blocks} start={start} end={Math.min(start + CHUNK, blocks.length)} />);
    }
    return chunks;
  }
}

class BlockChunk extends Component<{ blocks: string[]; start: number; end: number }> {
  shouldComponentUpdate(next: { end: number }) {
    return next.end !== this.props.end;
  }
  render() {
    const { blocks, start, end } = this.props;
    const out = [];
    for (let i = start; i < end; i++) out.push(<Html key={i} html={blocks[i]} />);
    return <div class="block-chunk">{out}</div>;
  }
}

/** The streaming reply's proposals as they stand (not saved yet). */
function LiveProposals() {
  const live = useStore((s) => s.review.live);
  return live.length > 0 ? <ProposalList messageId={0} proposals={live} /> : null;
}

/** The reply in progress: closed blocks render once, the open one on every batch. */
export function StreamingMessage({ reply }: { reply: StreamingReply }) {
  return (
    <>
      {reply.user ? (
        <MessageItem m={reply.user} busy />
      ) : (
        <div class="msg user pending" data-testid="message-user">
          <div class="msg-text">{reply.question}</div>
        </div>
      )}
      {reply.steps.map((m) => (
        <MessageItem key={m.id} m={m} busy />
      ))}
      <div class="msg assistant streaming" data-testid="message-streaming">
        {reply.thinking && (
          <details class="thinking">
            <summary>Thinking…</summary>
            <pre>{reply.thinking}</pre>
          </details>
        )}
        <div class="markdown">
          <ClosedBlocks blocks={reply.closed} />
          <Html html={reply.open} />
        </div>
        {reply.tools.length > 0 && <ToolSteps tools={reply.tools} />}
        <LiveProposals />
        {reply.approval && <ApprovalCard request={reply.approval} />}
        {reply.awaitingReview.length > 0 && !reply.approval && (
          <div class="banner warning inline" data-testid="awaiting-review">
            Waiting for your review of {reply.awaitingReview.join(", ")} before going on.{" "}
            <button class="ghost" data-testid="awaiting-review-open" onClick={() => store.chat.openReview()}>
              Review
            </button>
          </div>
        )}
        {reply.agentDone && (
          <div class="muted small" data-testid="agent-done" data-reason={reply.agentDone}>
            {agentEnding(reply.agentDone)}
          </div>
        )}
        {reply.retry && (
          <div class="banner warning inline" data-testid="retry-notice">
            {reply.retry}
          </div>
        )}
        {!reply.closed.length && !reply.open && !reply.retry && !reply.tools.length && !reply.agentDone && (
          <div class="muted small typing">Waiting for the model…</div>
        )}
      </div>
    </>
  );
}
