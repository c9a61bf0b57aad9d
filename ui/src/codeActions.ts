// Code actions on a file or a selection in the file view: the question each one asks. Pure, so
// the wording is tested; FileView sends the text with `ChatOps.sendAction`.

import type { SelectionInput } from "./bindings";

export type CodeAction = "explain" | "refactor" | "translate" | "tests" | "docs" | "generate";

/** What an action applies to: the whole file (mentioned as `@path`) or lines of it (attached). */
export type ActionTarget =
  | { kind: "file"; path: string; lineCount?: number }
  | { kind: "selection"; path: string; startLine: number; endLine: number };

export interface ActionOptions {
  /** Refactor: "more readable", "faster", or the person's own words. */
  goal?: string;
  /** Translate: one of `LANGUAGES`' names. */
  language?: string;
  /** Generate: what to write. */
  description?: string;
  /** Generate: the 1-based line the new code goes at (the cursor's). */
  line?: number;
  /** Generate: what that line holds now, to find it by. */
  lineText?: string;
}

export const REFACTOR_PRESETS = ["more readable", "faster"] as const;

/** Languages Translate offers, with the extension a new file gets and how its name is spelled. */
export const LANGUAGES: { name: string; ext: string; naming: "keep" | "snake" | "pascal" }[] = [
  { name: "Python", ext: "py", naming: "snake" },
  { name: "TypeScript", ext: "ts", naming: "keep" },
  { name: "JavaScript", ext: "js", naming: "keep" },
  { name: "Rust", ext: "rs", naming: "snake" },
  { name: "Go", ext: "go", naming: "snake" },
  { name: "Java", ext: "java", naming: "pascal" },
  { name: "C", ext: "c", naming: "keep" },
  { name: "C++", ext: "cpp", naming: "keep" },
  { name: "C#", ext: "cs", naming: "pascal" },
  { name: "Kotlin", ext: "kt", naming: "pascal" },
  { name: "Swift", ext: "swift", naming: "pascal" },
  { name: "Ruby", ext: "rb", naming: "snake" },
  { name: "PHP", ext: "php", naming: "keep" },
];

/** Extensions that mean the same language as a table entry. */
const ALIASES: Record<string, string> = {
  pyi: "py",
  tsx: "ts",
  mts: "ts",
  cts: "ts",
  jsx: "js",
  mjs: "js",
  cjs: "js",
  h: "c",
  cc: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  hh: "cpp",
  kts: "kt",
};

function splitPath(path: string): { dir: string; stem: string; ext: string } {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf(".");
  // A dot-file without another dot (".env") has no extension.
  if (dot <= 0) return { dir, stem: base, ext: "" };
  return { dir, stem: base.slice(0, dot), ext: base.slice(dot + 1) };
}

function words(stem: string): string[] {
  return stem
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_\-.]+/)
    .filter(Boolean);
}

function respell(stem: string, naming: "keep" | "snake" | "pascal"): string {
  const parts = words(stem);
  if (naming === "keep" || parts.length === 0) return stem;
  if (naming === "snake") return parts.map((w) => w.toLowerCase()).join("_");
  return parts.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/** The table entry for a language name ("typescript", "C++") or an extension ("ts", "tsx"). */
export function findLanguage(nameOrExt: string) {
  const key = nameOrExt.trim().toLowerCase().replace(/^\./, "");
  const ext = ALIASES[key] ?? key;
  return LANGUAGES.find((l) => l.name.toLowerCase() === key || l.ext === ext);
}

/** The language of a file by its extension, if it is one Translate knows. */
export function languageOf(path: string): string | null {
  const { ext } = splitPath(path);
  return ext ? (findLanguage(ext)?.name ?? null) : null;
}

/** Where a translation of `path` into `language` goes: same folder, the language's extension
 * and file-name convention (`src/util.py` → `src/util.ts`, `src/string_utils.py` →
 * `src/StringUtils.java`). Never the original path itself. */
export function suggestedPath(path: string, language: string): string {
  const lang = findLanguage(language);
  const { dir, stem, ext } = splitPath(path);
  if (!lang) return path;
  const name = respell(stem, lang.naming) || stem;
  const out = `${dir}${name}.${lang.ext}`;
  if (out !== path) return out;
  // Already in that language (or spelled so): keep the original untouched beside it.
  return `${dir}${name}${lang.naming === "pascal" ? "Translated" : "_translated"}.${ext || lang.ext}`;
}

/** Whether the backend can read a `@path` mention of this path (mentions end at whitespace). */
function mentionable(path: string): boolean {
  return !/\s/.test(path);
}

/** What to attach for a target: the selection's lines, or for a whole file nothing (the
 * `@path` in the text attaches it), unless its path can't be mentioned: then all its lines. */
export function targetSelection(target: ActionTarget): SelectionInput | null {
  if (target.kind === "selection") return { path: target.path, startLine: target.startLine, endLine: target.endLine };
  if (!mentionable(target.path) && target.lineCount) return { path: target.path, startLine: 1, endLine: target.lineCount };
  return null;
}

/** "Selection: lines 3–9" or "Whole file", as the toolbar shows it. */
export function targetLabel(target: ActionTarget): string {
  if (target.kind === "file") return "Whole file";
  return target.startLine === target.endLine ? `Selection: line ${target.startLine}` : `Selection: lines ${target.startLine}–${target.endLine}`;
}

/** The target named in a sentence: "@src/a.py" or "lines 3–9 of src/a.py (attached)". */
export function targetPhrase(target: ActionTarget): string {
  if (target.kind === "selection") {
    const lines = target.startLine === target.endLine ? `line ${target.startLine}` : `lines ${target.startLine}–${target.endLine}`;
    return `${lines} of ${target.path} (attached)`;
  }
  return mentionable(target.path) ? `@${target.path}` : `${target.path} (attached)`;
}

function here(line: number, text: string | undefined): string {
  if (text === undefined) return `before what is on line ${line} now`;
  const shown = text.trim().replace(/`/g, "'").slice(0, 120);
  return shown ? `before line ${line}, which now reads \`${shown}\`` : `line ${line} is empty now`;
}

/** The question an action asks about its target. */
export function actionPrompt(action: CodeAction, target: ActionTarget, options: ActionOptions = {}): string {
  const t = targetPhrase(target);
  const path = target.path;
  switch (action) {
    case "explain":
      return `Explain ${t}: what it does, how it does it, and anything surprising or risky in it. Do not change any file.`;
    case "refactor": {
      const goal = options.goal?.trim() || REFACTOR_PRESETS[0];
      const sentence = (REFACTOR_PRESETS as readonly string[]).includes(goal) ? `make it ${goal}` : goal;
      return (
        `Refactor ${t}. Goal: ${sentence}. ` +
        `Keep its behaviour the same, change only ${target.kind === "selection" ? "those lines" : "what the goal needs"}, ` +
        `and propose the change as an edit of ${path}.`
      );
    }
    case "translate": {
      const known = findLanguage(options.language ?? "");
      const lang = known?.name ?? (options.language?.trim() || "another language");
      const where = known
        ? `at ${suggestedPath(path, lang)} (create it; pick another name only if that one does not suit the project)`
        : `beside ${path}, named with ${lang}'s file extension`;
      return (
        `Translate ${t} into ${lang}. ` +
        `Write the translation as a NEW file ${where}. ` +
        `Do not change ${path}: leave the original as it is. ` +
        `Use ${lang}'s idioms and standard library rather than copying line by line, and keep the same behaviour.`
      );
    }
    case "tests":
      return (
        `Write tests for ${t}. ` +
        `Use the project's existing test framework and layout if it has one (otherwise the usual one for the language), ` +
        `cover the normal cases, edge cases and errors, and propose them as edits or new files. ` +
        `Do not change the code under test.`
      );
    case "docs":
      return (
        `Add documentation to ${t}: doc comments in the language's usual style for each function, type and module that lacks one, ` +
        `saying what it does, its parameters, what it returns and its errors. ` +
        `Change only comments; leave the code itself as it is.`
      );
    case "generate": {
      const line = options.line ?? (target.kind === "selection" ? target.startLine : 1);
      const what = options.description?.trim().replace(/[.\s]+$/, "") || "the code that belongs here";
      const where =
        target.kind === "selection"
          ? `${path} (${target.startLine === target.endLine ? `line ${target.startLine} is` : `lines ${target.startLine}–${target.endLine} are`} attached for context)`
          : t;
      return (
        `In ${where}, write: ${what}. ` +
        `Insert the new code exactly at line ${line} of ${path} (${here(line, options.lineText)}), ` +
        `fitting the surrounding indentation, and change nothing else in the file.`
      );
    }
  }
}

// Where the person pointed in the file view. Each rendered line carries `data-line="N"` and its
// text in a `.code` span; the gutter is outside it.

/** A line range, 1-based and inclusive. */
export interface LineRange {
  start: number;
  end: number;
}

/** The rendered line element holding `node`, if it is inside `root`. */
export function lineElement(node: Node | null, root: Element): HTMLElement | null {
  const el = node instanceof Element ? node : (node?.parentElement ?? null);
  const line = el?.closest<HTMLElement>("[data-line]") ?? null;
  return line && root.contains(line) ? line : null;
}

/** Characters (code points) of the line's text before the point (`node`, `offset`). */
export function columnIn(line: Element, node: Node, offset: number): number {
  const code = line.querySelector(".code") ?? line;
  const text = code.textContent ?? "";
  if (!code.contains(node)) {
    // The gutter, or the row around the text: before or after all of it.
    if (node === line) return offset > Array.prototype.indexOf.call(line.childNodes, code) ? [...text].length : 0;
    return code.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING ? [...text].length : 0;
  }
  const range = document.createRange();
  range.setStart(code, 0);
  range.setEnd(node, offset);
  return [...range.toString()].length;
}

/** The lines a (non-empty) selection covers; a selection ending at the very start of a line
 * does not take that line (as a triple click or a drag to the next line's start does). */
export function selectedLines(
  anchor: { line: number; column: number },
  focus: { line: number; column: number },
): LineRange {
  const [a, b] =
    anchor.line < focus.line || (anchor.line === focus.line && anchor.column <= focus.column) ? [anchor, focus] : [focus, anchor];
  const end = b.column === 0 && b.line > a.line ? b.line - 1 : b.line;
  return { start: a.line, end };
}
