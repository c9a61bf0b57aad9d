import { Component } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { errorMessage, isApiError } from "../api";
import type { DiffLineView, HunkView, ProposalView } from "../bindings";
import { listOf, undecided, type Decision } from "../review";
import { store, useStore } from "../store";
import { Findings, findingsCount, proposalFindings } from "./Findings";

const SIGN = { added: "+", removed: "-", context: " " } as const;

/** An accept of a protected file waiting for the person's second yes. */
type Confirming = { p: ProposalView; hunks: number[]; state: Decision };

/** A place `j`/`k` moves to: a hunk, or a whole file that has none (a pure rename). */
type Stop = { p: ProposalView; h: HunkView | null };

/** Every file a conversation's replies proposed: accept, reject or edit each hunk. Each
 * decision writes the file at once (merged if it changed on disk; nothing on a conflict). The
 * proposals come from the store's review slice, which each decision updates in place. */
export function ReviewView({ conversationId }: { conversationId: number }) {
  // Not the whole slice: the streaming reply's proposals change it many times a second.
  const lists = useStore((s) => s.review.lists);
  const byId = useStore((s) => s.review.byId);
  const reviewSeq = useStore((s) => s.review.seq);
  const proposals = useMemo(() => listOf({ lists, byId }, conversationId), [lists, byId, conversationId]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [focus, setFocus] = useState(0);
  const [split, setSplit] = useState(false);
  // Accept all can ask about several protected files: one dialog at a time, in order.
  const [confirming, setConfirming] = useState<Confirming[]>([]);
  const root = useRef<HTMLDivElement>(null);

  // Replies and agent steps end (new proposals), reviewed files change on disk (stale marks):
  // the slice says so by moving `seq`, and the list is fetched again.
  useEffect(() => {
    store.review.load(conversationId).catch((e) => setMessage({ text: errorMessage(e), error: true }));
  }, [conversationId, reviewSeq]);

  const decide = async (p: ProposalView, hunks: number[], state: Decision, confirmed = false) => {
    try {
      const outcome = await store.review.decide(p, hunks, state, confirmed);
      setMessage(outcome.message ? { text: outcome.message, error: outcome.written === "conflict" } : null);
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

  const all = (proposals ?? []).flatMap((p): Stop[] => (wholeFile(p) ? [{ p, h: null }] : p.hunks.map((h) => ({ p, h }))));
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest("textarea")) return;
    const current = all[focus];
    const hunks = current?.h ? [current.h.index] : [];
    if (e.key === "j" || e.key === "ArrowDown") setFocus(Math.min(all.length - 1, focus + 1));
    else if (e.key === "k" || e.key === "ArrowUp") setFocus(Math.max(0, focus - 1));
    else if (e.key === "a" && current) void decide(current.p, hunks, "accepted");
    else if (e.key === "r" && current) void decide(current.p, hunks, "rejected");
    else if (e.key === "s") setSplit(!split);
    else return;
    e.preventDefault();
  };
  useEffect(() => {
    root.current?.querySelector(`[data-hunk-seq="${focus}"]`)?.scrollIntoView({ block: "nearest" });
  }, [focus]);

  if (!proposals) {
    return (
      <div class="file-message muted" data-testid="review-loading">
        {message?.text ?? "Loading the proposed changes…"}
      </div>
    );
  }
  const pending = proposals.reduce((n, p) => n + undecided(p), 0);
  const open = proposals.filter((p) => undecided(p) > 0);
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
          onClick={() => void Promise.all(open.map((p) => decide(p, [], "accepted")))}
        >
          Accept all
        </button>
        <button
          data-testid="reject-all"
          disabled={pending === 0}
          onClick={() => void Promise.all(open.map((p) => decide(p, [], "rejected")))}
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
      {proposals.map((p) => {
        const first = seq;
        seq += wholeFile(p) ? 1 : p.hunks.length;
        const offset = focus - first;
        return (
          <ReviewFile key={p.id} p={p} first={first} focused={offset >= 0 && offset < Math.max(1, p.hunks.length) ? offset : null} split={split} decide={decide} />
        );
      })}
    </div>
  );
}

/** A file with nothing to decide hunk by hunk (a pure rename, an empty new file): the whole file
 * is accepted or rejected, and `j`/`k` stop on it. */
function wholeFile(p: ProposalView): boolean {
  return p.hunks.length === 0 && p.status !== "failed";
}

/** What was decided for a whole file without hunks: Redline wrote it when it was accepted. */
function fileState(p: ProposalView): "pending" | "accepted" | "rejected" {
  if (undecided(p) > 0) return "pending";
  return p.written ? "accepted" : "rejected";
}

type ReviewFileProps = {
  p: ProposalView;
  /** Its first stop for `j`/`k`. */
  first: number;
  /** Which of its stops has the focus, if one has. */
  focused: number | null;
  split: boolean;
  decide: (p: ProposalView, hunks: number[], state: Decision) => Promise<void>;
};

/** A decision replaces one proposal in the slice: only that file renders again. */
class ReviewFile extends Component<ReviewFileProps> {
  shouldComponentUpdate(next: ReviewFileProps) {
    const now = this.props;
    return next.p !== now.p || next.first !== now.first || next.focused !== now.focused || next.split !== now.split;
  }
  render() {
    return <ReviewFileBody {...this.props} />;
  }
}

function ReviewFileBody(props: ReviewFileProps) {
  const { p, first, focused, decide } = props;
  const whole = wholeFile(p);
  const state = fileState(p);
  // A rename shows where the file comes from, with or without changed lines.
  const renamed = p.fromPath && p.fromPath !== p.path ? p.fromPath : null;
  return (
    <section
      class={`review-file${whole && focused === 0 ? " focused" : ""}`}
      data-testid="review-file"
      data-path={p.path}
      data-from-path={p.fromPath ?? undefined}
      data-kind={p.kind}
      data-status={p.status}
      data-state={whole ? state : undefined}
      data-stale={p.stale}
      data-hunk-seq={whole ? first : undefined}
    >
      <header class="review-file-header">
        <span class={`tag kind-${p.kind}`}>{p.kind === "create" ? "new file" : p.kind}</span>
        <strong data-testid="review-file-name">{renamed ? `${renamed} → ${p.path}` : p.path || "(no file)"}</strong>
        {undecided(p) > 0 && <span class="count">{undecided(p)}</span>}
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
        {whole && state !== "pending" && (
          <>
            <span class={`tag state-${state}`} data-testid="file-state">
              {state}
            </span>
            {/* Back to undecided: a moved file goes back to its old name, merged like any write. */}
            <button class="ghost" data-testid="file-undo" onClick={() => void decide(p, [], "pending")}>
              Undo
            </button>
          </>
        )}
        {p.status !== "failed" && (
          <>
            <button data-testid="file-accept" disabled={undecided(p) === 0} onClick={() => void decide(p, [], "accepted")}>
              Accept file
            </button>
            <button data-testid="file-reject" disabled={undecided(p) === 0} onClick={() => void decide(p, [], "rejected")}>
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
      {whole && (
        <p class="pad muted small" data-testid="whole-file">
          {renamed
            ? `Renamed from ${renamed}; the content stays as it is.`
            : p.kind === "create"
              ? "A new, empty file."
              : p.kind === "delete"
                ? "The file is deleted."
                : "No line changes."}{" "}
          {state === "pending" ? "Accept or reject the whole file." : ""}
        </p>
      )}
      {p.hunks.map((h, i) => (
        <Hunk key={h.index} p={p} h={h} seq={first + i} focused={i === focused} split={props.split} decide={decide} />
      ))}
    </section>
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
  decide: (p: ProposalView, hunks: number[], state: Decision) => Promise<void>;
}) {
  const { p, h, seq, focused, decide } = props;
  const [editing, setEditing] = useState<string | null>(null);
  const save = async () => {
    try {
      await store.review.editHunk(p, h.index, editing ?? "");
      setEditing(null);
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
