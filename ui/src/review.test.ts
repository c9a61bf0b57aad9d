import { describe, expect, it, vi } from "vitest";
import type { ProposalView } from "./bindings";
import {
  emptyReview,
  listOf,
  pendingByPath,
  retained,
  reviewTouched,
  undecided,
  withList,
  withProposals,
  withStreamed,
} from "./review";
import { Store } from "./store";
import { hunk, message, proposal, rename, reviewApi } from "./testFixtures";

describe("the review slice", () => {
  it("keeps the hunks it knows when a conversation's summary leaves them out", () => {
    let r = withList(emptyReview(), 7, [proposal(1)]);
    r = withProposals(r, [{ ...proposal(1, { hunks: [] }), pending: 1 }]);
    expect(r.byId[1].hunks).toHaveLength(2);
    expect(r.byId[1].pending).toBe(1);
  });

  it("does not let an answer asked for earlier put back an older copy", () => {
    const decided = proposal(1, { hunks: [hunk(0, "accepted"), hunk(1)] });
    let r = withProposals(emptyReview(), [decided]);
    r = withList(r, 7, [proposal(1), proposal(3)], (id) => id === 1);
    expect(r.byId[1]).toBe(decided);
    expect(listOf(r, 7)?.map((p) => p.id)).toEqual([1, 3]);
  });

  it("shows a streamed proposal per path until it is saved", () => {
    let r = withStreamed(emptyReview(), proposal(0, { path: "a.py" }));
    r = withStreamed(r, proposal(0, { path: "a.py", pending: 3 }));
    r = withStreamed(r, proposal(0, { path: "b.py" }));
    expect(r.live.map((p) => [p.path, p.pending])).toEqual([
      ["a.py", 3],
      ["b.py", 2],
    ]);
    r = withStreamed(r, proposal(9));
    expect(r.byId[9]).toBeDefined();
    expect(r.live).toHaveLength(2);
  });

  it("drops what neither the chat nor a review tab shows", () => {
    let r = withList(emptyReview(), 7, [proposal(1)]);
    r = withList(r, 8, [proposal(2)]);
    r = withProposals(r, [proposal(3)]);
    r = retained(r, [8], [3]);
    expect(Object.keys(r.byId).sort()).toEqual(["2", "3"]);
    expect(Object.keys(r.lists)).toEqual(["8"]);
  });

  it("counts a file without hunks as one decision until it is decided", () => {
    expect(undecided(proposal(1))).toBe(2);
    expect(undecided(rename(1))).toBe(1);
    expect(undecided(rename(1, { status: "reviewed", written: true }))).toBe(0);
    expect(undecided(proposal(1, { status: "failed", hunks: [] }))).toBe(0);
  });

  it("gives the file tree the slice's counts, not the conversation's", () => {
    const messages = [message(2, "assistant", [proposal(1, { path: "a.py" }), rename(4)])];
    const byId = { 1: proposal(1, { path: "a.py", hunks: [hunk(0, "accepted"), hunk(1)] }) };
    expect([...pendingByPath(messages, byId)]).toEqual([
      ["a.py", 1],
      ["new/name.py", 1],
    ]);
  });

  it("looks again on a change to a reviewed file, but not on Redline's own write", () => {
    const change = (paths: string[], rescan = false) => ({ paths, rescan, git: null, rootGone: false });
    const reviewed = new Set(["a.py", "b.py"]);
    const own = new Map([["a.py", 2000]]);
    expect(reviewTouched(change(["a.py"]), reviewed, own, 1000)).toBe(false);
    expect(reviewTouched(change(["a.py"]), reviewed, own, 3000)).toBe(true);
    expect(reviewTouched(change(["b.py"]), reviewed, own, 1000)).toBe(true);
    expect(reviewTouched(change(["c.py"]), reviewed, own, 1000)).toBe(false);
    expect(reviewTouched(change([], true), reviewed, own, 1000)).toBe(true);
  });
});

describe("a decision", () => {
  it("updates its proposal in place: no review list, no conversation fetched again", async () => {
    const { api, calls } = reviewApi([proposal(1), proposal(3)]);
    const store = new Store(api);
    await store.chat.open(7);
    await store.review.load(7);
    const [reviews, conversations] = [calls.review.mock.calls.length, calls.conversation.mock.calls.length];
    const seq = store.state.review.seq;

    const outcome = await store.review.decide(store.state.review.byId[1], [0], "accepted");

    expect(outcome.written).toBe("written");
    expect(calls.setHunks).toHaveBeenCalledWith(1, [0], "accepted", false);
    expect(store.state.review.byId[1].hunks.map((h) => h.state)).toEqual(["accepted", "pending"]);
    expect(store.state.review.byId[1].pending).toBe(1);
    expect(calls.review.mock.calls.length).toBe(reviews);
    expect(calls.conversation.mock.calls.length).toBe(conversations);
    expect(store.state.review.seq).toBe(seq);
    // The chat's copy is the slice's.
    expect(pendingByPath(store.state.chat.current!.messages, store.state.review.byId).get("f1.txt")).toBe(1);
  });

  it("edits a hunk in place", async () => {
    const { api, calls } = reviewApi([proposal(1)]);
    const store = new Store(api);
    await store.review.load(7);
    await store.review.editHunk(store.state.review.byId[1], 1, "mine\n");
    expect(store.state.review.byId[1].hunks[1].newText).toBe("mine\n");
    expect(calls.review).toHaveBeenCalledTimes(1);
  });

  it("accepts a pure rename as a whole file", async () => {
    const { api, calls } = reviewApi([rename(5)]);
    const store = new Store(api);
    await store.review.load(7);
    expect(undecided(store.state.review.byId[5])).toBe(1);
    await store.review.decide(store.state.review.byId[5], [], "accepted");
    expect(calls.setHunks).toHaveBeenCalledWith(5, [], "accepted", false);
    expect(store.state.review.byId[5]).toMatchObject({ status: "reviewed", written: true });
    expect(undecided(store.state.review.byId[5])).toBe(0);
  });

  it("keeps a decision made while a review list was on its way", async () => {
    let answer: (list: ProposalView[]) => void = () => undefined;
    const { api } = reviewApi([proposal(1)]);
    const store = new Store(api);
    await store.review.load(7);
    api.review = () => new Promise((resolve) => (answer = resolve));
    const loading = store.review.load(7);
    await store.review.decide(store.state.review.byId[1], [], "accepted");
    answer([proposal(1)]);
    await loading;
    expect(store.state.review.byId[1].pending).toBe(0);
  });

  it("has a protected file confirmed before it is written", async () => {
    const { api } = reviewApi([proposal(1)], {
      setHunks: vi.fn(async () => Promise.reject({ code: "needsConfirmation", message: "Confirm .envrc" })),
    });
    const store = new Store(api);
    await store.review.load(7);
    await expect(store.review.decide(store.state.review.byId[1], [], "accepted")).rejects.toMatchObject({ code: "needsConfirmation" });
    expect(store.state.review.byId[1].pending).toBe(2);
  });
});

describe("a change on disk", () => {
  it("has the review fetched again for a reviewed file, not for one Redline just wrote", async () => {
    const store = new Store(reviewApi([proposal(1), proposal(3)]).api);
    store.set({ screen: "project" });
    await store.review.load(7);
    await store.review.decide(store.state.review.byId[1], [], "accepted");
    const seq = store.state.review.seq;
    const change = (paths: string[]) => store.onProjectChanged({ paths, rescan: false, git: null, rootGone: false });
    await change(["f1.txt"]);
    await change(["elsewhere.txt"]);
    expect(store.state.review.seq).toBe(seq);
    await change(["f3.txt"]);
    expect(store.state.review.seq).toBe(seq + 1);
  });
});

describe("undoing a turn", () => {
  it("fetches the conversation's review list once, not the conversation", async () => {
    const { api, calls } = reviewApi([proposal(1, { written: true, hunks: [hunk(0, "accepted")] })]);
    const store = new Store(api);
    await store.chat.open(7);
    const conversations = calls.conversation.mock.calls.length;
    await store.chat.undoTurn(2);
    expect(calls.undoTurn).toHaveBeenCalledWith(2);
    expect(calls.review).toHaveBeenCalledTimes(1);
    expect(calls.conversation.mock.calls.length).toBe(conversations);
    expect(store.state.review.byId[1]).toMatchObject({ written: false, status: "reviewed" });
  });
});

describe("streamed proposals", () => {
  it("show while the reply streams, then as saved with their message", async () => {
    const saved = proposal(11, { path: "a.py", messageId: 2 });
    const seen: number[] = [];
    const { api } = reviewApi([saved], {
      sendMessage: vi.fn(async (_input, onEvent) => {
        onEvent({
          type: "started",
          conversation: { id: 7, title: "t", model: "p/m", updatedAt: 1 },
          userMessage: message(1, "user"),
          assistantId: 2,
          model: "p/m",
          meter: { used: 1, window: 100, reserved: 10, dropped: [] },
        });
        onEvent({ type: "proposal", proposal: proposal(0, { path: "a.py", messageId: 0 }) });
        seen.push(store.state.review.live.length);
        onEvent({ type: "finished", message: message(2, "assistant", [saved]) });
        seen.push(store.state.review.byId[11] ? 1 : 0);
        return message(2, "assistant", [saved]);
      }),
    });
    const store = new Store(api);
    store.set((s) => ({ chat: { ...s.chat, model: "p/m", draft: "go" } }));
    await store.chat.send();
    expect(seen).toEqual([1, 1]);
    expect(store.state.review.live).toEqual([]);
    expect(store.state.review.byId[11].path).toBe("a.py");
  });

  it("of an agent step move to the step when it ends", () => {
    const store = new Store(reviewApi([]).api);
    store.review.onChatEvent({ type: "proposal", proposal: proposal(0) }, false);
    expect(store.state.review.live).toHaveLength(1);
    const seq = store.state.review.seq;
    store.review.onChatEvent({ type: "finished", message: message(5, "assistant", [proposal(12)]) }, true);
    expect(store.state.review.live).toEqual([]);
    expect(store.state.review.seq).toBe(seq + 1);
    expect(store.state.review.byId[12]).toBeDefined();
  });
});
