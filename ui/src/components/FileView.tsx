import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage, isApiError } from "../api";
import type { FileView as FileViewData } from "../bindings";
import { formatSize } from "../format";
import { useStore } from "../store";
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
  const pending = useRef(new Set<string>());

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
    rows.push(
      <div class="line" data-testid="file-line" data-line={i + 1} key={i}>
        <span class="gutter">{i + 1}</span>
        {/* Backend-highlighted: every character is escaped by redline-highlight. */}
        <span class="code" dangerouslySetInnerHTML={{ __html: html ?? "" }} />
      </div>,
    );
  }
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
        <div class="lines" style={{ height: `${lineCount * LINE_HEIGHT}px` }}>
          <div style={{ transform: `translateY(${range.start * LINE_HEIGHT}px)` }}>{rows}</div>
        </div>
      </div>
    </div>
  );
}
