// @vitest-environment node
// The UI's boundary to the backend, checked from the source: every backend call goes through
// `api.ts`, and every command name is listed everywhere Tauri needs it (the invoke in api.ts, the
// handler in src-tauri, the generated permissions in build.rs, the window's capability).

/// <reference types="node" />
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const UI = fileURLToPath(new URL("..", import.meta.url));
const REPO = join(UI, "..");
const TAURI = join(REPO, "src-tauri");

const read = (path: string) => readFileSync(path, "utf8");

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : files(path, keep);
    return keep(e.name) ? [path] : [];
  });
}

/** Value imports (not `import type`) of a `@tauri-apps/…` module, re-exports and dynamic
 * imports included, as `line: statement`. */
function tauriImports(source: string): string[] {
  const found: string[] = [];
  const lineOf = (index: number) => source.slice(0, index).split("\n").length;
  const statement = /(^|\n)[ \t]*((?:import|export)\b[^;]*?from[ \t]*["']@tauri-apps\/[^"']+["'])/g;
  for (const m of source.matchAll(statement)) {
    const text = m[2].replace(/\s+/g, " ");
    const clause = text.replace(/^(import|export) /, "").replace(/ ?from .*$/, "").trim();
    // `import type { A }` and `import { type A, type B }` bring in no value.
    const names = /^\{(.*)\}$/.exec(clause)?.[1];
    const typeOnly = clause.startsWith("type ") || (names !== undefined && names.split(",").every((n) => !n.trim() || n.trim().startsWith("type ")));
    if (!typeOnly) found.push(`${lineOf(m.index + m[1].length)}: ${text}`);
  }
  const bare = /(^|\n)[ \t]*(import[ \t]*["']@tauri-apps\/[^"']+["'])|\b(import\(\s*["']@tauri-apps\/[^"']+["']\s*\))/g;
  for (const m of source.matchAll(bare)) found.push(`${lineOf(m.index + (m[1]?.length ?? 0))}: ${m[2] ?? m[3]}`);
  return found.sort((a, b) => parseInt(a) - parseInt(b));
}

describe("backend calls", () => {
  it("are recognised in every form an import can take", () => {
    const source = [
      `import { invoke } from "@tauri-apps/api/core";`,
      `import type { UnlistenFn } from "@tauri-apps/api/event";`,
      `import { type Event, type UnlistenFn } from "@tauri-apps/api/event";`,
      `import {\n  Channel,\n  invoke,\n} from "@tauri-apps/api/core";`,
      `export { listen } from "@tauri-apps/api/event";`,
      `const core = await import("@tauri-apps/api/core");`,
      `import { open } from "@tauri-apps/plugin-dialog";`,
      `import { api } from "./api";`,
      `import "@tauri-apps/api/core";`,
      `export * from "@tauri-apps/api/path";`,
    ].join("\n");
    expect(tauriImports(source).map((s) => s.split(":")[0])).toEqual(["1", "4", "8", "9", "10", "12", "13"]);
  });

  it("go through api.ts only", () => {
    const sources = [...files(join(UI, "src"), (n) => /\.tsx?$/.test(n)), ...files(join(UI, "bench"), (n) => /\.tsx?$/.test(n))];
    const offenders = sources
      .filter((path) => relative(UI, path) !== join("src", "api.ts") && path !== fileURLToPath(import.meta.url))
      .flatMap((path) => tauriImports(read(path)).map((hit) => `${relative(UI, path)}:${hit}`));
    expect(offenders, "call the backend through `api` in src/api.ts, not Tauri directly").toEqual([]);
  });
});

/** What is between the `[` that `start` ends on and the next `]`. */
function bracketed(source: string, start: RegExp, what: string): string {
  const m = start.exec(source);
  if (!m) throw new Error(`${what}: ${start} not found`);
  const open = m.index + m[0].length;
  return source.slice(open, source.indexOf("]", open));
}

const withoutComments = (rust: string) => rust.replace(/\/\/[^\n]*/g, "");

/** Each list of command names, by the file it comes from. */
function commandLists(): Record<string, string[]> {
  const api = read(join(UI, "src", "api.ts"));
  const invoked = [...api.matchAll(/\binvoke\s*(?:<[^(]*?>)?\(\s*["'](\w+)["']/g)].map((m) => m[1]);

  const build = withoutComments(read(join(TAURI, "build.rs")));
  const permitted = [...bracketed(build, /const\s+COMMANDS\s*:[^=]*=\s*&\[/, "build.rs").matchAll(/"(\w+)"/g)].map((m) => m[1]);

  const rust = files(join(TAURI, "src"), (n) => n.endsWith(".rs")).map((path) => ({ path, text: withoutComments(read(path)) }));
  const handlers = rust.filter((f) => /generate_handler!\s*\[/.test(f.text));
  if (handlers.length !== 1) throw new Error(`expected one generate_handler! in src-tauri/src, found ${handlers.length}`);
  const handled = bracketed(handlers[0].text, /generate_handler!\s*\[/, "generate_handler!")
    .split(",")
    .map((path) => path.trim().split("::").pop()!)
    .filter(Boolean);
  const defined = rust.flatMap((f) =>
    [...f.text.matchAll(/#\[tauri::command[^\]]*\]\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+(\w+)/g)].map((m) => m[1]),
  );

  const capability = JSON.parse(read(join(TAURI, "capabilities", "main.json"))) as { permissions: (string | { identifier: string })[] };
  const allowed = capability.permissions
    .map((p) => (typeof p === "string" ? p : p.identifier))
    .filter((p) => !p.includes(":") && p.startsWith("allow-"))
    .map((p) => p.slice("allow-".length).replace(/-/g, "_"));

  return {
    "ui/src/api.ts (invoke)": invoked,
    "src-tauri/build.rs (COMMANDS)": permitted,
    [`${relative(REPO, handlers[0].path)} (generate_handler!)`]: handled,
    "src-tauri/src (#[tauri::command] fns)": defined,
    "src-tauri/capabilities/main.json (allow-…)": allowed,
  };
}

/** One line per command missing from a list, or listed twice in one. */
function disagreements(lists: Record<string, string[]>): string[] {
  const all = new Set(Object.values(lists).flat());
  const problems: string[] = [];
  for (const [where, names] of Object.entries(lists)) {
    const have = new Set(names);
    for (const name of [...all].sort()) if (!have.has(name)) problems.push(`${name}: missing from ${where}`);
    for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`${name}: listed twice in ${where}`);
  }
  return problems;
}

describe("command names", () => {
  it("name what is missing where", () => {
    expect(disagreements({ a: ["x", "y", "y"], b: ["x", "z"] })).toEqual([
      "z: missing from a",
      "y: listed twice in a",
      "y: missing from b",
    ]);
  });

  it("are read from every file that lists them", () => {
    for (const [where, names] of Object.entries(commandLists())) {
      expect(names.length, where).toBeGreaterThan(40);
    }
  });

  it("agree between the UI, the handler, the permissions and the capability", () => {
    expect(disagreements(commandLists())).toEqual([]);
  });
});
