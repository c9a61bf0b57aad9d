import { useEffect, useRef, useState } from "preact/hooks";
import { errorMessage, isApiError } from "../api";
import type { DiffLineView, HunkView, ProposalView } from "../bindings";
import { store, useStore } from "../store";
import { Findings, findingsCount, proposalFindings } from "./Findings";

const SIGN = { added: "+", removed: "-", context: " " } as const;

/** An accept of a protected file waiting for the person's second yes. */
type Confirming = { p: ProposalView; hunks: number[]; state: string };

/** Every file a conversation's replies proposed: accept, reject or edit each hunk. Each
 * decision writes the file at once (merged if it changed on disk; nothing on a conflict). */
export function ReviewView({ conversationId }: { conversationId: number }) {
  const [proposals, setProposals] = useState<ProposalView[] | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [focus, setFocus] = useState(0);
  const [split, setSplit] = useState(false);
  // Accept all can ask about several protected files: one dialog at a time, in order.
  const [confirming, setConfirming] = useState<Confirming[]>([]);
  const changed = useStore((s) => s.changeSeq);
  const streaming = useStore((s) => s.chat.streaming);
  const root = useRef<HTMLDivElement>(null);

  const reload = async () => {
    try {
      setProposals(await store.api.review(conversationId));
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
    }
  };
  // Files change on disk (stale marks), replies and agent steps finish (new proposals): look again.
  useEffect(() => void reload(), [conversationId, changed, streaming === null, streaming?.steps.length, streaming?.awaitingReview.join("\n")]);

  const decide = async (p: ProposalView, hunks: number[], state: string, confirmed = false) => {
    try {
      const outcome = await store.api.setHunks(p.id, hunks, state, confirmed);
      setMessage(outcome.message ? { text: outcome.message, error: outcome.written === "conflict" } : null);
      await reload();
      void store.chat.refreshCurrent();
    } catch (e) {
      if (isApiError(e) && e.code === "needsConfirmation") {
        setConfirming((queue) => [...queue, { p, hunks, state }]);
        return;
      }
      setMessage({ text: errorMessage(e), error: true });
    }
  };
  const answerConfirmation = (yes: boolean) => {
    const [first, ...rest] = confirming;
    setConfirming(rest);
    if (yes && first) void decide(first.p, first.hunks, first.state, true);
  };

  const all = (proposals ?? []).flatMap((p) => p.hunks.map((h) => ({ p, h })));
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest("textarea")) return;
    const current = all[focus];
    if (e.key === "j" || e.key === "ArrowDown") setFocus(Math.min(all.length - 1, focus + 1));
    else if (e.key === "k" || e.key === "ArrowUp") setFocus(Math.max(0, focus - 1));
    else if (e.key === "a" && current) void decide(current.p, [current.h.index], "accepted");
    else if (e.key === "r" && current) void decide(current.p, [current.h.index], "rejected");
    else if (e.key === "s") setSplit(!split);
    else return;
    e.preventDefault();
  };
  useEffect(() => {
    root.current?.querySelector(`[data-hunk-seq="${focus}"]`)?.scrollIntoView({ block: "nearest" });
  }, [focus]);

  if (!proposals) return <div class="file-message muted">Loading the proposed changes…</div>;
  const pending = proposals.reduce((n, p) => n + p.pending, 0);
  let seq = 0;
  return (
    <div class="review code-font" data-testid="review" tabIndex={0} ref={root} onKeyDown={onKeyDown}>
      <div class="file-info review-bar">
        <strong data-testid="review-pending">{pending} pending</strong>
        <span class="muted">j/k move · a accept · r reject · s side by side</span>
        <span class="spacer" />
        <label class="toggle">
          <input type="checkbox" data-testid="side-by-side" checked={split} onChange={() => setSplit(!split)} /> side by side
        </label>
        <button
          data-testid="accept-all"
          disabled={pending === 0}
          onClick={() => void Promise.all(proposals.filter((p) => p.pending).map((p) => decide(p, [], "accepted")))}
        >
          Accept all
        </button>
        <button
          data-testid="reject-all"
          disabled={pending === 0}
          onClick={() => void Promise.all(proposals.filter((p) => p.pending).map((p) => decide(p, [], "rejected")))}
        >
          Reject all
        </button>
      </div>
      {message && (
        <div class={`banner ${message.error ? "error" : "warning"}`} role="alert" data-testid="review-message">
          {message.text}
        </div>
      )}
      {confirming[0] && <ConfirmProtected confirming={confirming[0]} answer={answerConfirmation} />}
      {proposals.length === 0 && <p class="pad muted">No changes were proposed in this conversation.</p>}
      {proposals.map((p) => (
        <section class="review-file" key={p.id} data-testid="review-file" data-path={p.path} data-stale={p.stale}>
          <header class="review-file-header">
            <span class={`tag kind-${p.kind}`}>{p.kind === "create" ? "new file" : p.kind}</span>
            <strong>{p.fromPath ? `${p.fromPath} → ${p.path}` : p.path || "(no file)"}</strong>
            {p.pending > 0 && <span class="count">{p.pending}</span>}
            {p.protected && (
              <span class="tag protected" data-testid="protected-badge" title={`Protected: ${p.protected}. Accepting asks you to confirm.`}>
                protected · {p.protected}
              </span>
            )}
            {proposalFindings(p).length > 0 && (
              <span class="findings-count" data-testid="findings-count" title="What the checks before review found; nothing here blocks accepting">
                {findingsCount(proposalFindings(p))}
              </span>
            )}
            <span class="spacer" />
            {p.status !== "failed" && (
              <>
                <button disabled={p.pending === 0} onClick={() => void decide(p, [], "accepted")}>
                  Accept file
                </button>
                <button disabled={p.pending === 0} onClick={() => void decide(p, [], "rejected")}>
                  Reject file
                </button>
              </>
            )}
          </header>
          <Findings findings={p.findings} />
          {p.stale && (
            <div class="banner warning" data-testid="stale">
              {p.path} changed on disk since the model saw it. Accepting merges the change onto what is there now.
            </div>
          )}
          {p.error && (
            <div class="banner error" data-testid="proposal-error">
              {p.error}
            </div>
          )}
          {p.hunks.map((h) => {
            const mine = seq++;
            return (
              <Hunk key={h.index} p={p} h={h} seq={mine} focused={mine === focus} split={split} decide={decide} onEdited={reload} />
            );
          })}
        </section>
      ))}
    </div>
  );
}

/** The second confirmation before Redline writes a file that makes another tool run code. */
function ConfirmProtected({ confirming, answer }: { confirming: Confirming; answer: (yes: boolean) => void }) {
  const { p } = confirming;
  return (
    <div class="modal-backdrop">
      <div class="modal confirm-protected" role="alertdialog" aria-label={`Write the protected file ${p.path}?`} data-testid="confirm-protected">
        <header class="modal-header">
          <strong>Write the protected file {p.path}?</strong>
        </header>
        <section>
          <p data-testid="confirm-protected-why">
            <strong>{p.path}</strong> is protected: {p.protected ?? "it makes another tool run code"}.
          </p>
          <p class="muted">Accepting writes it to disk now. Check the change first: the agent never writes such a file by itself.</p>
          <div class="row">
            <button class="danger" data-testid="confirm-protected-yes" onClick={() => answer(true)}>
              Write {p.path}
            </button>
            <button data-testid="confirm-protected-no" onClick={() => answer(false)}>
              Cancel
            </button>
          </div>
        </section>
      </div>
    </div>
  );
}

function Hunk(props: {
  p: ProposalView;
  h: HunkView;
  seq: number;
  focused: boolean;
  split: boolean;
  decide: (p: ProposalView, hunks: number[], state: string) => Promise<void>;
  onEdited: () => Promise<void>;
}) {
  const { p, h, seq, focused, decide } = props;
  const [editing, setEditing] = useState<string | null>(null);
  const save = async () => {
    try {
      await store.api.editHunk(p.id, h.index, editing ?? "");
      setEditing(null);
      await props.onEdited();
    } catch (e) {
      store.notify(errorMessage(e));
    }
  };
  return (
    <div
      class={`hunk review-hunk ${h.state}${focused ? " focused" : ""}`}
      data-testid="review-hunk"
      data-state={h.state}
      data-index={h.index}
      data-hunk-seq={seq}
    >
      <div class="hunk-header review-hunk-header">
        <span>{h.header}</span>
        <span class="spacer" />
        {h.state !== "pending" && <span class={`tag state-${h.state}`}>{h.state}</span>}
        {h.state === "pending" && editing === null && (
          <>
            <button data-testid="hunk-accept" onClick={() => void decide(p, [h.index], "accepted")}>
              Accept
            </button>
            <button data-testid="hunk-reject" onClick={() => void decide(p, [h.index], "rejected")}>
              Reject
            </button>
            <button data-testid="hunk-edit" class="ghost" onClick={() => setEditing(h.newText)}>
              Edit
            </button>
          </>
        )}
        {h.state !== "pending" && (
          <button class="ghost" data-testid="hunk-undo" onClick={() => void decide(p, [h.index], "pending")}>
            Undo
          </button>
        )}
      </div>
      <Findings findings={h.findings} />
      {editing !== null ? (
        <div class="edit-box pad">
          <textarea data-testid="hunk-editor" value={editing} onInput={(e) => setEditing(e.currentTarget.value)} />
          <div class="row">
            <button class="primary" data-testid="hunk-editor-save" onClick={() => void save()}>
              Use this text
            </button>
            <button onClick={() => setEditing(null)}>Cancel</button>
          </div>
        </div>
      ) : props.split ? (
        <SideBySide h={h} />
      ) : (
        h.lines.map((line, i) => <Line key={i} line={line} />)
      )}
    </div>
  );
}

function Line({ line }: { line: DiffLineView }) {
  return (
    <div class={`diff-line ${line.kind}`}>
      <span class="gutter">{line.oldLine ?? ""}</span>
      <span class="gutter">{line.newLine ?? ""}</span>
      <span class="sign">{SIGN[line.kind]}</span>
      {/* Backend-highlighted, escaped, words marked. */}
      <span class="code" dangerouslySetInnerHTML={{ __html: line.html }} />
    </div>
  );
}

/** Removed lines on the left, added lines on the right, row by row. */
function SideBySide({ h }: { h: HunkView }) {
  const removed = h.lines.filter((l) => l.kind === "removed");
  const added = h.lines.filter((l) => l.kind === "added");
  const rows = Math.max(removed.length, added.length);
  return (
    <div class="split-hunk" data-testid="split-hunk">
      {Array.from({ length: rows }, (_, i) => (
        <div class="split-row" key={i}>
          <SideCell line={removed[i]} gutter={removed[i]?.oldLine} />
          <SideCell line={added[i]} gutter={added[i]?.newLine} />
        </div>
      ))}
    </div>
  );
}

function SideCell({ line, gutter }: { line?: DiffLineView; gutter?: number | null }) {
  if (!line) return <div class="diff-line empty" />;
  return (
    <div class={`diff-line ${line.kind}`}>
      <span class="gutter">{gutter ?? ""}</span>
      <span class="sign">{SIGN[line.kind]}</span>
      <span class="code" dangerouslySetInnerHTML={{ __html: line.html }} />
    </div>
  );
}
