import { describe, expect, it, vi } from "vitest";
import type { Api } from "./api";
import type { ChatEvent, ConversationDetail, MessageView, ProposalView, ToolCallView } from "./bindings";
import { applyEvent, formatCost, mentionAt, newReply, type StreamingReply } from "./chat";
import { Store } from "./store";
import { message as fixtureMessage } from "./testFixtures";

const reply = (): StreamingReply => newReply(null, "q");

const message = (id: number, role: MessageView["role"], text: string): MessageView => ({
  ...fixtureMessage(id, role),
  text,
});

describe("streamed events", () => {
  it("append closed blocks and replace the open one", () => {
    let r = applyEvent(reply(), { type: "render", closed: ["<p>a</p>"], open: "<p>b" });
    const first = r.closed;
    r = applyEvent(r, { type: "render", closed: [], open: "<p>bc</p>" });
    expect(r.closed).toBe(first);
    expect(r.open).toBe("<p>bc</p>");
  });

  it("show a retry notice until text arrives again", () => {
    let r = applyEvent(reply(), { type: "retrying", attempt: 1, delayMs: 2000, message: "Rate limited." });
    expect(r.retry).toContain("2.0 s");
    r = applyEvent(r, { type: "render", closed: [], open: "<p>x</p>" });
    expect(r.retry).toBeNull();
  });
});

describe("agent steps", () => {
  const call = (status: ToolCallView["status"]): ToolCallView => ({ id: "c1", name: "run_command", arguments: { command: "sh t.sh" }, status, summary: "", output: "" });

  it("keep an ended step above the next and route tool events to their step", () => {
    let r = applyEvent({ ...reply(), assistantId: 5 }, { type: "tool", messageId: 5, call: call("running") });
    r = applyEvent(r, { type: "finished", message: { ...message(5, "assistant", ""), tools: [] } });
    expect(r.steps.map((m) => m.id)).toEqual([5]);
    expect(r.steps[0].tools[0].status).toBe("running");
    r = applyEvent(r, { type: "step", message: message(6, "assistant", ""), step: 2 });
    expect(r.assistantId).toBe(6);
    r = applyEvent(r, { type: "toolOutput", messageId: 5, callId: "c1", chunk: "FAILED\n" });
    r = applyEvent(r, { type: "tool", messageId: 5, call: { ...call("failed"), output: "FAILED\n", summary: "exit 1" } });
    expect(r.steps[0].tools[0]).toMatchObject({ status: "failed", summary: "exit 1" });
    expect(r.tools).toEqual([]);
  });

  it("show an approval until its call moves on, and how the turn ended", () => {
    const request = { id: 1, messageId: 5, callId: "c1", command: "sh t.sh", kind: "command" as const, server: null, changedSinceReview: [] };
    let r = applyEvent({ ...reply(), assistantId: 5 }, { type: "approval", request });
    expect(r.approval).toEqual(request);
    r = applyEvent(r, { type: "tool", messageId: 5, call: call("running") });
    expect(r.approval).toBeNull();
    r = applyEvent(r, { type: "agentDone", reason: "stepLimit", steps: 3, tokens: 10, cost: null });
    expect(r.agentDone).toBe("stepLimit");
  });

  it("leave a plain reply's end to the reload", () => {
    const r = applyEvent(reply(), { type: "finished", message: message(5, "assistant", "hi") });
    expect(r.steps).toEqual([]);
  });
});

describe("@-mentions", () => {
  it("complete only the word being typed after an @", () => {
    expect(mentionAt("see @src/ma", 11)).toEqual({ start: 4, query: "src/ma" });
    expect(mentionAt("mail me@x", 9)).toBeNull();
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
  });
});

it("formats costs for people", () => {
  expect(formatCost(null)).toBe("");
  expect(formatCost(0.0012)).toBe("$0.0012");
  expect(formatCost(1.5)).toBe("$1.50");
});

describe("sending", () => {
  function api(send: Api["sendMessage"]): Api {
    const detail: ConversationDetail = {
      conversation: { id: 7, title: "t", model: "p/m", updatedAt: 1 },
      messages: [message(1, "user", "hi"), message(2, "assistant", "hello")],
      usage: { input: 0, output: 0, cached: 0 },
      cost: null,
      running: false,
    };
    return {
      sendMessage: send,
      conversation: vi.fn(async () => detail),
      conversations: vi.fn(async () => [detail.conversation]),
      models: vi.fn(async () => ({ models: [], defaultModel: null, problems: [] })),
    } as unknown as Api;
  }

  it("streams into the panel, then shows the saved conversation", async () => {
    const seen: StreamingReply[] = [];
    const store = new Store(
      api(async (_input, onEvent) => {
        const started: ChatEvent = {
          type: "started",
          conversation: { id: 7, title: "t", model: "p/m", updatedAt: 1 },
          userMessage: message(1, "user", "hi"),
          assistantId: 2,
          model: "p/m",
          meter: { used: 10, window: 100, reserved: 20, dropped: [] },
        };
        onEvent(started);
        onEvent({ type: "render", closed: [], open: "<p>hel</p>" });
        seen.push(store.state.chat.streaming!);
        return message(2, "assistant", "hello");
      }),
    );
    store.set((s) => ({ chat: { ...s.chat, model: "p/m", draft: "hi" } }));
    await store.chat.send();
    expect(seen[0].open).toBe("<p>hel</p>");
    expect(seen[0].conversationId).toBe(7);
    expect(store.state.chat.streaming).toBeNull();
    expect(store.state.chat.current?.messages.map((m) => m.text)).toEqual(["hi", "hello"]);
    expect(store.state.chat.draft).toBe("");
  });

  it("gives the question back when nothing could be sent", async () => {
    const store = new Store(
      api(async () => {
        throw { code: "noModel", message: "No model is set up." };
      }),
    );
    store.set((s) => ({ chat: { ...s.chat, model: "p/m", draft: "keep me" } }));
    await store.chat.send();
    expect(store.state.chat.error).toBe("No model is set up.");
    expect(store.state.chat.draft).toBe("keep me");
  });
});

describe("failed edits", () => {
  it("go back to the model with the file and the reason", async () => {
    const { fixRequest } = await import("./components/Message");
    const failed: ProposalView = {
      id: 1,
      messageId: 2,
      path: "src/a.rs",
      kind: "modify",
      fromPath: null,
      status: "failed",
      error: "src/a.rs: block 2: no match; closest candidate is lines 10-14 (82% similar, 90% needed)",
      stale: false,
      pending: 0,
      written: false,
      hunks: [],
      findings: [],
      protected: null,
    };
    const text = fixRequest([failed]);
    expect(text).toContain("- src/a.rs: src/a.rs: block 2: no match; closest candidate is lines 10-14");
    expect(text).toContain("the others stand");
  });
});
