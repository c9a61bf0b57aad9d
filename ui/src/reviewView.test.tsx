// The Review tab and the chat's proposal lists, rendered over one review slice.

import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Api } from "./api";
import { MessageItem } from "./components/Message";
import { ReviewView } from "./components/ReviewView";
import { emptyChat } from "./chat";
import { emptyReview } from "./review";
import { store } from "./store";
import { hunk, message, proposal, rename, reviewApi } from "./testFixtures";

let root: HTMLElement;
let calls: ReturnType<typeof reviewApi>["calls"];

function useBackend(backend: ReturnType<typeof reviewApi>) {
  calls = backend.calls;
  Object.assign(store, { api: backend.api as Api });
}

const $ = (selector: string) => root.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...root.querySelectorAll<HTMLElement>(selector)];

/** Lets the fetches and renders a click started finish. */
async function settle() {
  for (let i = 0; i < 5; i++) await act(async () => await new Promise((r) => setTimeout(r, 0)));
}

async function click(selector: string) {
  const el = $(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  await act(() => el.click());
  await settle();
}

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  store.set({ review: emptyReview(), chat: emptyChat(), tabs: [] });
});

afterEach(() => {
  render(null, root);
  root.remove();
});

describe("the Review tab", () => {
  it("shows a pure rename as from → to and accepts it as a whole file", async () => {
    useBackend(reviewApi([rename(5), proposal(6)]));
    await act(() => render(<ReviewView conversationId={7} />, root));
    await settle();

    const file = '[data-testid="review-file"][data-path="new/name.py"]';
    expect($(`${file} [data-testid="review-file-name"]`)?.textContent).toBe("old/name.py → new/name.py");
    expect($(file)?.dataset.fromPath).toBe("old/name.py");
    expect($(file)?.dataset.state).toBe("pending");
    expect($$(`${file} [data-testid="review-hunk"]`)).toHaveLength(0);
    expect($(`${file} [data-testid="whole-file"]`)?.textContent).toContain("Renamed from old/name.py");
    expect($('[data-testid="review-pending"]')?.textContent).toBe("3 pending");
    expect(($(`${file} [data-testid="file-accept"]`) as HTMLButtonElement).disabled).toBe(false);

    await click(`${file} [data-testid="file-accept"]`);

    expect(calls.setHunks).toHaveBeenCalledWith(5, [], "accepted", false);
    expect($(file)?.dataset.state).toBe("accepted");
    expect($(`${file} [data-testid="file-state"]`)?.textContent).toBe("accepted");
    expect(($(`${file} [data-testid="file-accept"]`) as HTMLButtonElement).disabled).toBe(true);
    expect($('[data-testid="review-pending"]')?.textContent).toBe("2 pending");
    expect(calls.review).toHaveBeenCalledTimes(1);
  });

  it("rejects a pure rename as a whole file", async () => {
    useBackend(reviewApi([rename(5)]));
    await act(() => render(<ReviewView conversationId={7} />, root));
    await settle();
    await click('[data-testid="review-file"][data-path="new/name.py"] [data-testid="file-reject"]');
    expect(calls.setHunks).toHaveBeenCalledWith(5, [], "rejected", false);
    expect($('[data-testid="review-file"][data-path="new/name.py"]')?.dataset.state).toBe("rejected");
    expect($('[data-testid="review-pending"]')?.textContent).toBe("0 pending");
  });

  it("accepts everything, renames included, with Accept all", async () => {
    useBackend(reviewApi([rename(5), proposal(6)]));
    await act(() => render(<ReviewView conversationId={7} />, root));
    await settle();
    await click('[data-testid="accept-all"]');
    expect(calls.setHunks.mock.calls.map((c) => c.slice(0, 3))).toEqual([
      [5, [], "accepted"],
      [6, [], "accepted"],
    ]);
    expect($('[data-testid="review-pending"]')?.textContent).toBe("0 pending");
  });

  it("updates one hunk in place without fetching the review again", async () => {
    useBackend(reviewApi([proposal(6, { path: "a.py" })]));
    await act(() => render(<ReviewView conversationId={7} />, root));
    await settle();
    await click('[data-testid="review-file"][data-path="a.py"] [data-testid="review-hunk"][data-index="1"] [data-testid="hunk-reject"]');
    expect($$('[data-testid="review-hunk"]').map((h) => h.dataset.state)).toEqual(["pending", "rejected"]);
    expect(calls.review).toHaveBeenCalledTimes(1);
    expect(calls.conversation).not.toHaveBeenCalled();
  });

  it("shows the conflict message and marks it as an error", async () => {
    const p = proposal(6, { path: "a.py" });
    const message = "a.py changed on disk in the same lines; nothing was written.";
    useBackend(reviewApi([p], { setHunks: async () => ({ proposal: { ...p, stale: true }, written: "conflict", message }) }));
    await act(() => render(<ReviewView conversationId={7} />, root));
    await settle();
    await click('[data-testid="review-hunk"][data-index="0"] [data-testid="hunk-accept"]');
    expect($('[data-testid="review-message"]')?.textContent).toContain("nothing was written");
    expect($('[data-testid="review-message"]')?.className).toContain("error");
  });
});

describe("a reply's proposal list", () => {
  it("reads counts from the slice, with no hunks in the conversation", async () => {
    useBackend(reviewApi([proposal(6, { path: "a.py" }), rename(5)]));
    const m = message(2, "assistant", [proposal(6, { path: "a.py", hunks: [], pending: 2 }), rename(5)]);
    await act(() => render(<MessageItem m={m} busy={false} />, root));
    expect($('[data-testid="pending-count"]')?.textContent).toBe("3 pending");
    const item = (path: string) => $(`[data-testid="proposal-item"][data-path="${path}"]`);
    expect(item("a.py")?.textContent).toContain("2 pending");
    expect(item("new/name.py")?.textContent).toContain("to review");

    await act(async () => {
      await store.review.decide(rename(5), [], "accepted");
      await store.review.decide(proposal(6, { path: "a.py" }), [0], "rejected");
    });

    expect($('[data-testid="pending-count"]')?.textContent).toBe("1 pending");
    expect(item("a.py")?.dataset.pending).toBe("1");
    expect(item("new/name.py")?.textContent).toContain("written");
    expect($('[data-testid="undo-turn"]')).not.toBeNull();
    expect(calls.conversation).not.toHaveBeenCalled();
  });

  it("shows the streaming reply's proposals from the slice", async () => {
    const { StreamingMessage } = await import("./components/Message");
    const { newReply } = await import("./chat");
    useBackend(reviewApi([]));
    await act(() => render(<StreamingMessage reply={newReply(7, "q")} />, root));
    expect($('[data-testid="proposal-item"]')).toBeNull();
    await act(() => store.review.onChatEvent({ type: "proposal", proposal: proposal(0, { path: "b.py", hunks: [hunk(0)] }) }, false));
    expect($('[data-testid="message-streaming"] [data-testid="proposal-item"][data-path="b.py"]')).not.toBeNull();
  });
});
