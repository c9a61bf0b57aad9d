import { useState } from "preact/hooks";
import { changeLetter, changeTitle, headText, upstreamText } from "../format";
import { store, useStore } from "../store";

export function ChangesPanel() {
  const git = useStore((s) => s.git);
  const loading = useStore((s) => s.gitLoading);
  const error = useStore((s) => s.gitError);
  const [cursor, setCursor] = useState(0);
  const changes = git?.changes ?? [];
  const open = (path: string) => store.openTab({ kind: "diff", path });
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") setCursor((c) => Math.min(changes.length - 1, c + 1));
    else if (e.key === "ArrowUp") setCursor((c) => Math.max(0, c - 1));
    else if (e.key === "Enter" && changes[cursor]) open(changes[cursor].path);
    else return;
    e.preventDefault();
  };
  return (
    <section class="panel" data-testid="changes-panel">
      <div class="panel-header">
        <span>Changes</span>
        <span class="spacer" />
        {git && (
          <span class="muted" title={git.upstream ? `tracking ${git.upstream.name}` : "no upstream"}>
            {upstreamText(git.upstream)}
          </span>
        )}
      </div>
      {git && <div class="branch-line">⎇ {headText(git.head)}</div>}
      {loading && <p class="muted pad progress-text">Reading git status…</p>}
      {error && (
        <div class="banner error" data-testid="banner">
          {error}
        </div>
      )}
      {git && changes.length === 0 && <p class="muted pad">No changes. The work tree matches HEAD.</p>}
      <div class="list" role="listbox" tabIndex={0} onKeyDown={onKeyDown} aria-label="Changed files">
        {changes.map((c, i) => (
          <div
            key={c.path}
            role="option"
            aria-selected={i === cursor}
            class="change-row"
            data-testid="change-item"
            data-path={c.path}
            data-kind={c.kind}
            title={`${c.path} — ${changeTitle(c.kind)}${c.staged ? " (staged)" : ""}`}
            onClick={() => {
              setCursor(i);
              open(c.path);
            }}
          >
            <span class={`git-letter git-${c.kind}`}>{changeLetter(c.kind)}</span>
            <span class="name">{c.origPath ? `${c.origPath} → ${c.path}` : c.path}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
