// The proposals on screen, each kept once by id: the Review tab and the chat's messages both read
// them from here, and every answer that carries a proposal (a decision, an edited hunk, a review
// list, a conversation, a streamed event) writes it here. A decision updates its proposal in
// place; the lists are fetched again only when something no single answer tells may have changed.

import { errorMessage } from "./api";
import type { ChatEvent, MessageView, ProjectChanged, ProposalView, ReviewOutcome, UndoReport } from "./bindings";
import type { Store } from "./store";

/** What a person can set hunks to (`set_hunks`' `state`). */
export type Decision = "accepted" | "rejected" | "pending";

/** What a message in the chat shows of a proposal. Hunks are the Review tab's alone, so a
 * conversation's payload may leave them out. */
export type ProposalSummary = Pick<ProposalView, "id" | "path" | "kind" | "status" | "pending" | "written" | "protected" | "error">;

export interface ReviewState {
  /** Every saved proposal on screen, by id, as the latest answer about it had it. */
  byId: Record<number, ProposalView>;
  /** Per conversation whose review was fetched: its proposal ids, oldest first. */
  lists: Record<number, number[]>;
  /** The streaming reply's proposals, not saved yet (id 0), one per path. */
  live: ProposalView[];
  /** Moves when proposals may have changed in a way no single answer tells (a turn or a step
   * ended, the agent waits for a review, a reviewed file changed on disk): an open Review tab
   * fetches its list again. */
  seq: number;
}

export function emptyReview(): ReviewState {
  return { byId: {}, lists: {}, live: [], seq: 0 };
}

/** Decisions a proposal still waits for: its pending hunks, or one for the whole file when it
 * has none to decide hunk by hunk (a pure rename, an empty new file) and is not decided yet. */
export function undecided(p: Pick<ProposalView, "pending" | "status">): number {
  if (p.pending > 0) return p.pending;
  return p.status === "pending" ? 1 : 0;
}

/** The proposal as a message shows it: the fresher copy from the slice when there is one. */
export function current<P extends ProposalSummary>(byId: Record<number, ProposalView>, p: P): P | ProposalView {
  return (p.id > 0 && byId[p.id]) || p;
}

/** `state` with `incoming` written in. `keep(id)`: a local decision made since the answer was
 * asked for, which is newer than it. A summary without hunks keeps the hunks already known. */
export function withProposals(state: ReviewState, incoming: ProposalView[], keep: (id: number) => boolean = () => false): ReviewState {
  const saved = incoming.filter((p) => p.id > 0 && !keep(p.id));
  if (saved.length === 0) return state;
  const byId = { ...state.byId };
  for (const p of saved) {
    const known = byId[p.id];
    byId[p.id] = known && p.hunks.length === 0 && known.hunks.length > 0 ? { ...p, hunks: known.hunks } : p;
  }
  return { ...state, byId };
}

/** `state` with a conversation's review list as `review` returned it. */
export function withList(state: ReviewState, conversationId: number, proposals: ProposalView[], keep?: (id: number) => boolean): ReviewState {
  const next = withProposals(state, proposals, keep);
  return { ...next, lists: { ...next.lists, [conversationId]: proposals.map((p) => p.id) } };
}

/** `state` with a streamed proposal: a saved one in place, an unsaved one replacing its path's. */
export function withStreamed(state: ReviewState, p: ProposalView): ReviewState {
  if (p.id > 0) return withProposals(state, [p]);
  return { ...state, live: [...state.live.filter((q) => q.path !== p.path), p] };
}

/** Only what `conversations` (with a review tab open or shown in the chat) and `ids` need. */
export function retained(state: ReviewState, conversations: number[], ids: number[]): ReviewState {
  const lists: Record<number, number[]> = {};
  for (const c of conversations) if (state.lists[c]) lists[c] = state.lists[c];
  const keep = new Set([...ids, ...Object.values(lists).flat()]);
  const byId: Record<number, ProposalView> = {};
  for (const id of keep) if (state.byId[id]) byId[id] = state.byId[id];
  return { ...state, lists, byId };
}

/** A conversation's proposals in review order; `null` until its list was fetched. */
export function listOf(state: Pick<ReviewState, "lists" | "byId">, conversationId: number): ProposalView[] | null {
  const ids = state.lists[conversationId];
  return ids ? ids.map((id) => state.byId[id]).filter((p): p is ProposalView => !!p) : null;
}

/** Decisions still open per file over `messages`' proposals (for the file tree's badges). */
export function pendingByPath(messages: MessageView[], byId: Record<number, ProposalView>): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of messages) {
    for (const p of m.proposals.map((p) => current(byId, p))) {
      const n = undecided(p);
      if (n > 0) out.set(p.path, (out.get(p.path) ?? 0) + n);
    }
  }
  return out;
}

/** The paths a proposal writes: a rename writes both. */
function pathsOf(p: Pick<ProposalView, "path" | "fromPath">): string[] {
  return p.fromPath ? [p.fromPath, p.path] : [p.path];
}

/** How long after a write the watcher's report of that file is taken to be Redline's own (the
 * watcher delivers within ~100 ms). A person's change in that second shows at the next one. */
const OWN_WRITE_MS = 1000;

/** Whether a change on disk can change what the review shows: a file a proposal is about
 * changed (its stale mark may have moved), or everything may have. A file in `ownWrites` (path →
 * until when, in ms) was written by a decision whose answer already holds the proposal after it. */
export function reviewTouched(event: ProjectChanged, reviewed: Set<string>, ownWrites: Map<string, number>, now: number): boolean {
  if (event.rescan) return true;
  return event.paths.some((path) => reviewed.has(path) && !((ownWrites.get(path) ?? 0) > now));
}

export class ReviewOps {
  /** Counts local writes into the slice; an answer asked for before the last write of a
   * proposal must not put back an older copy of it. */
  private writes = 0;
  private lastWrite = new Map<number, number>();
  private ownWrites = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private get state(): ReviewState {
    return this.store.state.review;
  }

  private patch(change: (r: ReviewState) => ReviewState) {
    this.store.set((s) => ({ review: change(s.review) }));
  }

  /** Taken before asking the backend; pass it back with the answer. */
  mark(): number {
    return this.writes;
  }

  private newerThan(mark: number): (id: number) => boolean {
    return (id) => (this.lastWrite.get(id) ?? -1) >= mark;
  }

  /** A proposal as a decision or an edit returned it: the newest there is. */
  private put(p: ProposalView) {
    this.lastWrite.set(p.id, this.writes++);
    this.patch((r) => withProposals(r, [p]));
  }

  /** Fetches a conversation's review list (the Review tab's). */
  async load(conversationId: number) {
    const mark = this.mark();
    const proposals = await this.store.api.review(conversationId);
    this.patch((r) => withList(r, conversationId, proposals, this.newerThan(mark)));
  }

  /** Messages as the backend sent them, asked for at `mark`: their proposals' newest state. */
  fromMessages(messages: MessageView[], mark = this.mark()) {
    this.patch((r) => withProposals(r, messages.flatMap((m) => m.proposals), this.newerThan(mark)));
  }

  /** The chat shows `conversationId`: keep its proposals and the open review tabs', drop the rest. */
  showing(conversationId: number | null, messages: MessageView[]) {
    const tabs = this.store.state.tabs.filter((t) => t.kind === "review").map((t) => Number(t.path));
    const conversations = conversationId === null ? tabs : [...tabs, conversationId];
    this.patch((r) => retained(r, conversations, messages.flatMap((m) => m.proposals.map((p) => p.id))));
  }

  /** Something no single answer tells may have changed: open review tabs fetch again. */
  changed() {
    this.patch((r) => ({ ...r, seq: r.seq + 1 }));
  }

  /** Sets hunks of `p` (every hunk, or the whole file when it has none, for `[]`) and writes the
   * file; the proposal it returns replaces the one shown. Rejects as `set_hunks` does
   * (`needsConfirmation` for a protected file not yet `confirmed`). */
  async decide(p: ProposalView, hunks: number[], state: Decision, confirmed = false): Promise<ReviewOutcome> {
    // Before the write (the watcher may report it before the answer arrives) and after it.
    this.expectWrites(pathsOf(p));
    const outcome = await this.store.api.setHunks(p.id, hunks, state, confirmed);
    if (outcome.written === "written" || outcome.written === "merged") this.expectWrites(pathsOf(p));
    if (outcome.proposal) this.put(outcome.proposal);
    else this.changed();
    return outcome;
  }

  private expectWrites(paths: string[]) {
    for (const path of paths) this.ownWrites.set(path, this.now() + OWN_WRITE_MS);
  }

  /** Replaces the proposed text of a hunk before it is accepted. */
  async editHunk(p: ProposalView, hunk: number, text: string) {
    this.put(await this.store.api.editHunk(p.id, hunk, text));
  }

  /** Takes back what Redline wrote for a reply of `conversationId`. It can change every
   * proposal of the reply and answers with paths only, so the conversation's list is fetched
   * again (not the conversation: its messages did not change). */
  async undoTurn(messageId: number, conversationId: number | null): Promise<UndoReport> {
    const report = await this.store.api.undoTurn(messageId);
    this.expectWrites(report.restored);
    if (conversationId === null) this.changed();
    else await this.load(conversationId).catch((e) => this.store.notify(errorMessage(e)));
    return report;
  }

  /** A streamed event: proposals as they stand, saved ones as a reply or a step ends.
   * `stepEnded`: an agent step ended, so its proposals now show with it instead of with the
   * reply streaming, and an open Review tab lists them (a plain reply's are listed when the
   * conversation is read again at its end). */
  onChatEvent(event: ChatEvent, stepEnded: boolean) {
    if (event.type === "proposal") this.patch((r) => withStreamed(r, event.proposal));
    if (event.type === "finished") this.fromMessages([event.message]);
    if (event.type === "step" || stepEnded) this.clearLive();
    if (stepEnded || event.type === "awaitingReview") this.changed();
  }

  clearLive() {
    if (this.state.live.length) this.patch((r) => ({ ...r, live: [] }));
  }

  /** A change on disk that can move a stale mark: open review tabs fetch again. */
  onDiskChange(event: ProjectChanged) {
    const now = this.now();
    for (const [path, until] of this.ownWrites) if (until <= now) this.ownWrites.delete(path);
    const reviewed = new Set(Object.values(this.state.byId).flatMap(pathsOf));
    if (reviewTouched(event, reviewed, this.ownWrites, now)) this.changed();
  }
}
