import { useMemo } from "preact/hooks";
import type { DirEntry } from "../bindings";
import { changeLetter, changeTitle } from "../format";
import { pendingByPath } from "../review";
import { store, useStore } from "../store";
import { gitDecorations, move, visibleRows, type Key } from "../tree";

const KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"]);

function activate(entry: DirEntry) {
  store.set({ selected: entry.path });
  if (entry.kind === "dir") void store.toggleDir(entry.path);
  else if (entry.kind === "file") store.openTab({ kind: "file", path: entry.path });
}

export function FileTree() {
  const tree = useStore((s) => s.tree);
  const selected = useStore((s) => s.selected);
  const showIgnored = useStore((s) => s.ui.showIgnored);
  const changes = useStore((s) => s.git?.changes);
  const rows = useMemo(() => visibleRows(tree), [tree]);
  const decorations = useMemo(() => gitDecorations(changes ?? []), [changes]);
  const rootError = tree.errors.get("");
  const messages = useStore((s) => s.chat.current?.messages);
  const proposals = useStore((s) => s.review.byId);
  const pending = useMemo(() => pendingByPath(messages ?? [], proposals), [messages, proposals]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (KEYS.has(e.key)) {
      e.preventDefault();
      const next = move(tree, selected, e.key as Key);
      store.set({ selected: next.selected });
      if (next.toggle) void store.toggleDir(next.toggle.path, next.toggle.open);
      requestAnimationFrame(() =>
        document.querySelector(`[data-testid="tree-item"][aria-selected="true"]`)?.scrollIntoView({ block: "nearest" }),
      );
    } else if (e.key === "Enter" || e.key === " ") {
      const row = rows.find((r) => r.entry.path === selected);
      if (row) {
        e.preventDefault();
        activate(row.entry);
      }
    }
  };

  return (
    <section class="panel">
      <div class="panel-header">
        <span>Files</span>
        <span class="spacer" />
        <button
          class={`icon toggle ${showIgnored ? "on" : ""}`}
          data-testid="toggle-ignored"
          aria-pressed={showIgnored}
          title="Show ignored files (Ctrl+Alt+I)"
          onClick={() => void store.setShowIgnored(!showIgnored)}
        >
          {showIgnored ? "Hide ignored" : "Show ignored"}
        </button>
      </div>
      {rootError && (
        <div class="banner error" data-testid="banner">
          {rootError}
        </div>
      )}
      <div class="tree" role="tree" tabIndex={0} data-testid="file-tree" onKeyDown={onKeyDown}>
        {rows.map(({ entry, depth }) => {
          const git = decorations.files.get(entry.path);
          const hasChanges = entry.kind === "dir" && decorations.dirs.has(entry.path);
          const open = tree.expanded.has(entry.path);
          const pendingHunks = pending.get(entry.path) ?? 0;
          const error = tree.errors.get(entry.path);
          return (
            <div
              key={entry.path}
              role="treeitem"
              aria-selected={selected === entry.path}
              aria-expanded={entry.kind === "dir" ? open : undefined}
              data-testid="tree-item"
              data-path={entry.path}
              data-kind={entry.kind}
              data-git={git}
              class={`tree-row ${entry.ignored ? "ignored" : ""} ${git ? `git-${git}` : ""}`}
              style={{ paddingLeft: `${8 + depth * 14}px` }}
              title={
                entry.kind === "brokenLink"
                  ? "Symlink is broken or leads outside the project"
                  : error ?? (git ? `${entry.path} — ${changeTitle(git)}` : entry.path)
              }
              onClick={() => activate(entry)}
            >
              <span class={`twisty ${entry.kind === "dir" ? (open ? "open" : "closed") : ""}`} aria-hidden="true" />
              <span class={`file-icon ${entry.kind}`} aria-hidden="true" />
              <span class="name">{entry.name}</span>
              {entry.kind === "brokenLink" && <span class="warn" aria-label="broken link">⚠</span>}
              {entry.symlink && entry.kind !== "brokenLink" && <span class="muted">↪</span>}
              <span class="spacer" />
              {git && <span class={`git-letter git-${git}`}>{changeLetter(git)}</span>}
              {hasChanges && <span class="dot" aria-label="contains changes" />}
              {pendingHunks > 0 && (
                <span class="count pending" data-testid="tree-pending" title={`${pendingHunks} proposed ${pendingHunks === 1 ? "change" : "changes"} to review`}>
                  {pendingHunks}
                </span>
              )}
            </div>
          );
        })}
        {rows.length === 0 && !rootError && <p class="muted pad">This folder is empty.</p>}
      </div>
    </section>
  );
}
