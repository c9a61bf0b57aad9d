import type { ChangeKind, HeadState, Upstream } from "./bindings";

export function formatSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** What the status bar says about HEAD. */
export function headText(head: HeadState): string {
  switch (head.kind) {
    case "branch":
      return head.name;
    case "unborn":
      return `${head.name} (no commits yet)`;
    case "detached":
      return `detached at ${head.commit}`;
  }
}

export function upstreamText(upstream: Upstream | null): string {
  if (!upstream) return "";
  const parts = [];
  if (upstream.ahead) parts.push(`↑${upstream.ahead}`);
  if (upstream.behind) parts.push(`↓${upstream.behind}`);
  return parts.length ? parts.join(" ") : "up to date";
}

const LETTERS: Record<ChangeKind, string> = {
  modified: "M",
  added: "A",
  deleted: "D",
  renamed: "R",
  typeChanged: "T",
  untracked: "U",
  conflicted: "C",
};

export function changeLetter(kind: ChangeKind): string {
  return LETTERS[kind];
}

export function changeTitle(kind: ChangeKind): string {
  return kind === "typeChanged" ? "type changed" : kind;
}

export function basename(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}
