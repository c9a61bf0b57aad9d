import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage, isApiError } from "../api";
import type { FileView as FileViewData } from "../bindings";
import {
  actionPrompt,
  columnIn,
  LANGUAGES,
  languageOf,
  lineElement,
  REFACTOR_PRESETS,
  selectedLines,
  suggestedPath,
  targetLabel,
  targetSelection,
  type ActionOptions,
  type ActionTarget,
  type CodeAction,
  type LineRange,
} from "../codeActions";
import { formatSize } from "../format";
import { store, useStore } from "../store";
import { chunksFor, visibleRange } from "../virtual";

const LINE_HEIGHT = 19;
const CHUNK = 200;

/** A file, highlighted by the backend; only the lines on screen are in the DOM. */
export function FileView({ path }: { path: string }) {
  const reload = useStore((s) => s.reloads[path] ?? 0);
  const [view, setView] = useState<FileViewData | null>(null);
  const [error, setError] = useState<{ message: string; deleted: boolean } | null>(null);
  const [chunks, setChunks] = useState<Map<number, string[]>>(new Map());
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  const scroller = useRef<HTMLDivElement>(null);
  const linesRef = useRef<HTMLDivElement>(null);
  const pending = useRef(new Set<string>());
  /** The lines selected, kept when the native selection scrolls out of the DOM. */
  const [selection, setSelection] = useState<LineRange | null>(null);
  /** Where the person clicked: 1-based line, 0-based column in characters. */
  const [cursor, setCursor] = useState<{ line: number; column: number } | null>(null);
  const anchor = useRef<{ line: number; column: number } | null>(null);

  // Native text selection in the lines: its anchor and focus give the line range.
  useEffect(() => {
    const onChange = () => {
      const root = linesRef.current;
      const sel = document.getSelection();
      if (!root || !sel || sel.rangeCount === 0) return;
      const a = lineElement(sel.anchorNode, root);
      const f = lineElement(sel.focusNode, root);
      if (sel.isCollapsed) {
        // A click in a line clears the selection; a selection moved elsewhere leaves it.
        if (a) {
          anchor.current = null;
          setSelection(null);
        }
        return;
      }
      if (!f) return;
      const focus = { line: Number(f.dataset.line), column: columnIn(f, sel.focusNode!, sel.focusOffset) };
      // The anchor's row may have scrolled out of the DOM during a long drag: keep the last one seen.
      if (a) anchor.current = { line: Number(a.dataset.line), column: columnIn(a, sel.anchorNode!, sel.anchorOffset) };
      if (!anchor.current) return;
      const range = selectedLines(anchor.current, focus);
      setSelection((old) => (old && old.start === range.start && old.end === range.end ? old : range));
    };
    document.addEventListener("selectionchange", onChange);
    return () => document.removeEventListener("selectionchange", onChange);
  }, []);

  /** A click without a drag places the cursor where the caret would go. */
  const onLinesClick = (e: MouseEvent) => {
    const root = linesRef.current;
    const sel = document.getSelection();
    if (!root || (sel && !sel.isCollapsed)) return;
    const point = caretAt(e.clientX, e.clientY) ?? (sel && sel.rangeCount ? { node: sel.focusNode!, offset: sel.focusOffset } : null);
    const line = lineElement(point?.node ?? (e.target as Node), root) ?? lineElement(e.target as Node, root);
    if (!line) return;
    const column = point && line.contains(point.node) ? columnIn(line, point.node, point.offset) : 0;
    setCursor({ line: Number(line.dataset.line), column });
  };

  useEffect(() => {
    let live = true;
    api
      .openFile(path)
      .then((v) => {
        if (!live) return;
        pending.current.clear();
        setChunks(new Map());
        setView(v);
        setError(null);
      })
      .catch((e) => live && setError({ message: errorMessage(e), deleted: isApiError(e) && e.code === "notFound" }));
    return () => {
      live = false;
    };
  }, [path, reload]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [view?.version]);

  const lineCount = view?.summary.kind === "text" ? view.summary.lineCount : 0;
  const range = visibleRange(viewport.top, viewport.height, LINE_HEIGHT, lineCount);

  useEffect(() => {
    if (!view || view.summary.kind !== "text") return;
    for (const chunk of chunksFor(range, CHUNK)) {
      const key = `${view.version}:${chunk}`;
      if (chunks.has(chunk) || pending.current.has(key)) continue;
      pending.current.add(key);
      api
        .fileLines(path, view.version, chunk * CHUNK, CHUNK)
        .then((lines) => setChunks((old) => new Map(old).set(chunk, lines)))
        .catch(() => pending.current.delete(key));
    }
  }, [view, range.start, range.end, chunks]);

  if (error) {
    return (
      <div class="file-message" data-testid="file-view" data-path={path}>
        <div class="banner error" data-testid="banner">
          {error.deleted ? `${path} was deleted on disk.` : error.message}
        </div>
      </div>
    );
  }
  if (!view) return <div class="file-message muted">Opening {path}…</div>;
  const summary = view.summary;
  if (summary.kind === "binary") {
    return (
      <div class="file-message" data-testid="file-view" data-path={path} data-version={view.version}>
        <p>
          <strong>{path}</strong> is a binary file ({formatSize(summary.size)}). It is not shown.
        </p>
      </div>
    );
  }
  if (summary.kind === "tooLarge") {
    return (
      <div class="file-message" data-testid="file-view" data-path={path} data-version={view.version}>
        <p>
          <strong>{path}</strong> is {formatSize(summary.size)}, over the {formatSize(summary.limit)} limit for the
          viewer. It is not loaded.
        </p>
      </div>
    );
  }

  const rows = [];
  for (let i = range.start; i < range.end; i++) {
    const html = chunks.get(Math.floor(i / CHUNK))?.[i % CHUNK];
    const n = i + 1;
    const selected = selection !== null && n >= selection.start && n <= selection.end;
    const here = cursor?.line === n;
    rows.push(
      <div
        class={`line${selected ? " in-selection" : ""}${here ? " cursor-line" : ""}`}
        data-testid="file-line"
        data-line={n}
        key={i}
      >
        <span class="gutter">{n}</span>
        {/* Backend-highlighted: every character is escaped by redline-highlight. */}
        <span class="code" dangerouslySetInnerHTML={{ __html: html ?? "" }} />
        {here && <span class="caret" data-testid="file-cursor" aria-hidden="true" style={{ left: `calc(var(--gutter) + ${cursor.column}ch)` }} />}
      </div>,
    );
  }
  /** What the cursor line holds now (for Generate), when its chunk is loaded. */
  const lineText = (n: number): string | undefined => {
    const html = chunks.get(Math.floor((n - 1) / CHUNK))?.[(n - 1) % CHUNK];
    if (html === undefined) return undefined;
    const el = document.createElement("div");
    el.innerHTML = html;
    return el.textContent ?? "";
  };
  const gutterChars = String(lineCount).length;
  return (
    <div class="file-view" data-testid="file-view" data-path={path} data-version={view.version}>
      <div class="file-info muted">
        <span>{path}</span>
        <span class="spacer" />
        <span>{summary.language}</span>
        <span>{lineCount.toLocaleString()} lines</span>
        <span>{formatSize(summary.size)}</span>
      </div>
      <CodeActions
        path={path}
        lineCount={lineCount}
        selection={selection}
        cursor={cursor}
        lineText={lineText}
        onClearSelection={() => {
          anchor.current = null;
          setSelection(null);
          document.getSelection()?.removeAllRanges();
        }}
      />
      {summary.lossy && (
        <div class="banner warning" data-testid="banner">
          This file is not valid UTF-8; invalid bytes are shown as �.
        </div>
      )}
      <div
        class="scroller code-font"
        ref={scroller}
        tabIndex={0}
        style={{ "--gutter": `${gutterChars + 2}ch` }}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          setViewport({ top: el.scrollTop, height: el.clientHeight });
        }}
      >
        <div class="lines" ref={linesRef} onClick={onLinesClick} style={{ height: `${lineCount * LINE_HEIGHT}px` }}>
          <div style={{ transform: `translateY(${range.start * LINE_HEIGHT}px)` }}>{rows}</div>
        </div>
      </div>
    </div>
  );
}

/** The caret position under a point: `caretPositionFromPoint` where there is one, else WebKit's
 * `caretRangeFromPoint`. */
function caretAt(x: number, y: number): { node: Node; offset: number } | null {
  const doc = document as Document & {
    caretPositionFromPoint?: (x: number, y: number) => { offsetNode: Node; offset: number } | null;
    caretRangeFromPoint?: (x: number, y: number) => Range | null;
  };
  if (typeof doc.caretPositionFromPoint === "function") {
    const p = doc.caretPositionFromPoint(x, y);
    if (p) return { node: p.offsetNode, offset: p.offset };
  }
  if (typeof doc.caretRangeFromPoint === "function") {
    const r = doc.caretRangeFromPoint(x, y);
    if (r) return { node: r.startContainer, offset: r.startOffset };
  }
  return null;
}

type Form = "refactor" | "translate" | "generate" | null;

/** The toolbar above a text file: code actions on the selection (or the whole file) and
 * fill-in-the-middle at the cursor. Actions are turns of the conversation shown. */
function CodeActions(props: {
  path: string;
  lineCount: number;
  selection: LineRange | null;
  cursor: { line: number; column: number } | null;
  lineText: (line: number) => string | undefined;
  onClearSelection: () => void;
}) {
  const { path, lineCount, selection, cursor } = props;
  const streaming = useStore((s) => s.chat.streaming !== null);
  const [form, setForm] = useState<Form>(null);
  const [goal, setGoal] = useState("");
  const own = languageOf(path);
  const [language, setLanguage] = useState(() => LANGUAGES.find((l) => l.name !== own)?.name ?? "TypeScript");
  const [description, setDescription] = useState("");
  const [completing, setCompleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const focusRef = useRef<HTMLInputElement>(null);
  useEffect(() => focusRef.current?.focus(), [form]);

  const target: ActionTarget = selection
    ? { kind: "selection", path, startLine: selection.start, endLine: selection.end }
    : { kind: "file", path, lineCount };
  const insertLine = cursor?.line ?? selection?.start ?? 1;

  const run = (action: CodeAction, options: ActionOptions = {}, on: ActionTarget = target) => {
    setError(null);
    setForm(null);
    store.set({ chatVisible: true });
    void store.chat.sendAction(actionPrompt(action, on, options), targetSelection(on));
  };

  const completeHere = async () => {
    if (!cursor) return;
    setCompleting(true);
    setError(null);
    try {
      const done = await store.api.completeHere({
        path,
        line: cursor.line,
        column: cursor.column,
        model: store.state.chat.model,
        conversationId: store.state.chat.current?.conversation.id ?? null,
      });
      await store.chat.open(done.conversationId);
      store.openTab({ kind: "review", path: String(done.conversationId) });
      void store.chat.loadConversations();
    } catch (e) {
      setError(errorMessage(e));
    }
    setCompleting(false);
  };

  const toggle = (f: Form) => {
    setError(null);
    setForm(form === f ? null : f);
  };
  const busy = streaming || completing;
  const why = streaming ? "Wait for the reply that is streaming" : undefined;

  return (
    <div class="code-actions-wrap">
      <div class="code-actions" data-testid="code-actions" role="toolbar" aria-label="Code actions">
        <span class="selection-label" data-testid="selection-label" data-kind={target.kind}>
          {targetLabel(target)}
        </span>
        <button
          class="icon clear-selection"
          style={{ visibility: selection ? "visible" : "hidden" }}
          title="Clear the selection (act on the whole file)"
          aria-label="Clear the selection"
          onClick={props.onClearSelection}
        >
          ×
        </button>
        <span class="muted cursor-label" data-testid="cursor-label" title="Click in the file to place the cursor (Generate and Complete here use it)">
          {cursor ? `Cursor ${cursor.line}:${cursor.column + 1}` : "No cursor"}
        </span>
        <span class="spacer" />
        <button data-testid="action-explain" disabled={busy} title={why} onClick={() => run("explain")}>
          Explain
        </button>
        <button data-testid="action-refactor" class={form === "refactor" ? "on" : ""} aria-expanded={form === "refactor"} disabled={busy} title={why} onClick={() => toggle("refactor")}>
          Refactor…
        </button>
        <button data-testid="action-translate" class={form === "translate" ? "on" : ""} aria-expanded={form === "translate"} disabled={busy} title={why} onClick={() => toggle("translate")}>
          Translate…
        </button>
        <button data-testid="action-tests" disabled={busy} title={why} onClick={() => run("tests")}>
          Write tests
        </button>
        <button data-testid="action-docs" disabled={busy} title={why} onClick={() => run("docs")}>
          Add docs
        </button>
        <button data-testid="action-generate" class={form === "generate" ? "on" : ""} aria-expanded={form === "generate"} disabled={busy} title={why} onClick={() => toggle("generate")}>
          Generate…
        </button>
        <button
          data-testid="complete-here"
          data-busy={completing}
          disabled={!cursor || busy}
          title={cursor ? `Fill in the middle at line ${cursor.line}, column ${cursor.column + 1}` : "Click in the file to place the cursor first"}
          onClick={() => void completeHere()}
        >
          {completing ? (
            <>
              <span class="spinner" /> Completing…
            </>
          ) : (
            "Complete here"
          )}
        </button>
      </div>
      {form === "refactor" && (
        <form
          class="action-form"
          data-testid="refactor-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (goal.trim()) run("refactor", { goal });
          }}
        >
          <span class="muted">Refactor {target.kind === "selection" ? "the selection" : "the file"} to make it</span>
          {REFACTOR_PRESETS.map((p) => (
            <button type="button" key={p} data-testid={`refactor-${p.replace(/\s+/g, "-")}`} onClick={() => run("refactor", { goal: p })}>
              {p}
            </button>
          ))}
          <span class="muted">or</span>
          <input
            data-testid="refactor-goal"
            placeholder="your own goal: use a dataclass, no globals…"
            value={goal}
            onInput={(e) => setGoal(e.currentTarget.value)}
            ref={focusRef}
          />
          <button type="submit" class="primary" data-testid="refactor-go" disabled={!goal.trim()}>
            Refactor
          </button>
        </form>
      )}
      {form === "translate" && (
        <form
          class="action-form"
          data-testid="translate-form"
          onSubmit={(e) => {
            e.preventDefault();
            run("translate", { language });
          }}
        >
          <span class="muted">Translate {target.kind === "selection" ? "the selection" : "the file"} into</span>
          <select data-testid="translate-language" value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            {LANGUAGES.filter((l) => l.name !== own).map((l) => (
              <option key={l.name} value={l.name}>
                {l.name}
              </option>
            ))}
          </select>
          <span class="muted" data-testid="translate-path">
            as a new file {suggestedPath(path, language)}; {path} stays as it is
          </span>
          <button type="submit" class="primary" data-testid="translate-go">
            Translate
          </button>
        </form>
      )}
      {form === "generate" && (
        <form
          class="action-form"
          data-testid="generate-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!description.trim()) return;
            // The whole file goes along: the model must see where line N is.
            run("generate", { description, line: insertLine, lineText: props.lineText(insertLine) }, { kind: "file", path, lineCount });
            setDescription("");
          }}
        >
          <span class="muted" data-testid="generate-line">
            At line {insertLine}
            {cursor ? "" : " (click a line to choose)"}, write
          </span>
          <input
            data-testid="generate-text"
            placeholder="what to write: a function that…"
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
            ref={focusRef}
          />
          <button type="submit" class="primary" data-testid="generate-go" disabled={!description.trim()}>
            Generate
          </button>
        </form>
      )}
      {error && (
        <div class="banner error" role="alert" data-testid="action-error">
          {error}
        </div>
      )}
    </div>
  );
}
