// Per-token cost of showing a streamed reply in the chat panel (applying the backend's render
// batches and re-rendering), for replies of 1k, 10k and 50k tokens. Prints the ratio 50k/1k:
// flat means near 1. Run with `npm run bench` (scripts/bench runs it too).

import { render } from "preact";
import { bench, describe } from "vitest";
import type { ChatEvent } from "../src/bindings";
import { applyEvent, newReply, type StreamingReply } from "../src/chat";
import { StreamingMessage } from "../src/components/Message";

/** The render batches the backend sends for `tokens` tokens: ~60 tokens a batch, as at 30 fps. */
function batches(tokens: number): ChatEvent[] {
  const events: ChatEvent[] = [];
  let open = "";
  for (let t = 0; t < tokens; t += 60) {
    const closed = t % 240 === 0 && t > 0 ? [`<p>${open}</p>`] : [];
    open = closed.length ? "" : open + " word".repeat(60);
    events.push({ type: "render", closed, open: `<p>${open}</p>`, delta: " word".repeat(60) });
  }
  return events;
}

function stream(tokens: number) {
  const root = document.createElement("div");
  let reply: StreamingReply = newReply(1, "q");
  for (const event of batches(tokens)) {
    reply = applyEvent(reply, event);
    render(<StreamingMessage reply={reply} />, root);
  }
  render(null, root);
}

const perToken: Record<number, number> = {};
let printed = false;

// Warm the JIT first, so the first size measured is not also the coldest.
for (let i = 0; i < 5; i++) stream(10_000);

describe("streamed reply in the chat panel", () => {
  for (const tokens of [1_000, 10_000, 50_000]) {
    bench(
      `${tokens} tokens`,
      () => {
        const start = performance.now();
        stream(tokens);
        const cost = (performance.now() - start) / tokens;
        perToken[tokens] = Math.min(perToken[tokens] ?? Infinity, cost);
      },
      { iterations: 5, time: 0 },
    );
  }
  bench(
    "ratio",
    () => {
      if (perToken[1000] && perToken[50000] && !printed) {
        printed = true;
        console.log(
          `UI per-token cost: 1k ${(perToken[1000] * 1000).toFixed(2)} µs, 50k ${(perToken[50000] * 1000).toFixed(2)} µs, 50k/1k ${(perToken[50000] / perToken[1000]).toFixed(2)} (target ≤ 1.5)`,
        );
      }
    },
    { iterations: 1, time: 0 },
  );
});
