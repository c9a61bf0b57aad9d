// Proposals, messages and a review backend for tests.

import { vi } from "vitest";
import type { Api } from "./api";
import type { ConversationDetail, HunkView, MessageView, ProposalView, ReviewOutcome } from "./bindings";

export const hunk = (index: number, state: HunkView["state"] = "pending"): HunkView => ({
  index,
  state,
  header: `@@ -${index + 1} +${index + 1} @@`,
  lines: [],
  newText: "x\n",
  findings: [],
});

export function proposal(id: number, patch: Partial<ProposalView> = {}): ProposalView {
  const hunks = patch.hunks ?? [hunk(0), hunk(1)];
  return {
    id,
    messageId: 2,
    path: `f${id}.txt`,
    kind: "modify",
    fromPath: null,
    status: "pending",
    error: null,
    stale: false,
    pending: hunks.filter((h) => h.state === "pending").length,
    written: false,
    hunks,
    findings: [],
    protected: null,
    ...patch,
  };
}

export const message = (id: number, role: MessageView["role"], proposals: ProposalView[] = []): MessageView => ({
  id,
  role,
  text: "",
  html: "",
  attachments: [],
  model: null,
  status: "complete",
  error: null,
  usage: { input: 0, output: 0, cached: 0 },
  cost: null,
  firstTokenMs: null,
  durationMs: null,
  proposals,
  tools: [],
});

/** A rename that changes no line: nothing to decide hunk by hunk. */
export const rename = (id: number, patch: Partial<ProposalView> = {}) =>
  proposal(id, { kind: "rename", fromPath: "old/name.py", path: "new/name.py", hunks: [], pending: 0, ...patch });

/** A backend that answers from a proposal table and counts what it was asked. */
export function reviewApi(initial: ProposalView[], overrides: Partial<Api> = {}) {
  const table = new Map(initial.map((p) => [p.id, p]));
  const detail = (): ConversationDetail => ({
    conversation: { id: 7, title: "t", model: "p/m", updatedAt: 1 },
    messages: [message(1, "user"), message(2, "assistant", [...table.values()].map((p) => ({ ...p, hunks: [] })))],
    usage: { input: 0, output: 0, cached: 0 },
    cost: null,
    running: false,
  });
  const calls = {
    review: vi.fn(async () => [...table.values()]),
    conversation: vi.fn(async () => detail()),
    conversations: vi.fn(async () => [detail().conversation]),
    setHunks: vi.fn(async (id: number, hunks: number[], state: string): Promise<ReviewOutcome> => {
      const p = table.get(id)!;
      const next: ProposalView = {
        ...p,
        hunks: p.hunks.map((h) => (hunks.length === 0 || hunks.includes(h.index) ? { ...h, state: state as HunkView["state"] } : h)),
      };
      const pending = next.hunks.filter((h) => h.state === "pending").length;
      const decidedFile = next.hunks.length === 0 && state !== "pending";
      const updated: ProposalView = {
        ...next,
        pending,
        status: pending > 0 || (next.hunks.length === 0 && !decidedFile) ? "pending" : "reviewed",
        written: next.hunks.some((h) => h.state === "accepted") || (decidedFile && state === "accepted"),
      };
      table.set(id, updated);
      return { proposal: updated, written: "written", message: null };
    }),
    editHunk: vi.fn(async (id: number, index: number, text: string) => {
      const p = table.get(id)!;
      const updated = { ...p, hunks: p.hunks.map((h) => (h.index === index ? { ...h, newText: text } : h)) };
      table.set(id, updated);
      return updated;
    }),
    undoTurn: vi.fn(async () => {
      for (const [id, p] of table) table.set(id, { ...p, written: false, status: "reviewed", pending: 0, hunks: p.hunks.map((h) => ({ ...h, state: "rejected" as const })) });
      return { restored: initial.map((p) => p.path), kept: [] };
    }),
  };
  return { api: { ...calls, ...overrides } as unknown as Api, calls, table };
}

