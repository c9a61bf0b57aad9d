import { basename } from "../format";
import { store, useStore } from "../store";
import { DiffView } from "./DiffView";
import { FileView } from "./FileView";
import { ReviewView } from "./ReviewView";

export function MainArea() {
  const tabs = useStore((s) => s.tabs);
  const active = useStore((s) => s.active);
  const tab = tabs[active];
  return (
    <main class="main">
      <div class="tabs" role="tablist">
        {tabs.map((t, i) => (
          <div
            key={`${t.kind}:${t.path}`}
            role="tab"
            aria-selected={i === active}
            class="tab"
            title={t.path}
            onClick={() => store.set({ active: i })}
            onAuxClick={(e) => e.button === 1 && store.closeTab(i)}
          >
            <span>{t.kind === "review" ? "Review" : basename(t.path)}</span>
            {t.kind === "diff" && <span class="tag">diff</span>}
            <button
              class="icon close"
              aria-label={`Close ${basename(t.path)}`}
              onClick={(e) => {
                e.stopPropagation();
                store.closeTab(i);
              }}
            >
              ×
            </button>
          </div>
        ))}
      </div>
      <div class="tab-body">
        {!tab && (
          <div class="empty">
            <p>Open a file from the tree, or a change to see its diff.</p>
            <p class="muted">
              <kbd>Ctrl+Shift+P</kbd> lists every command.
            </p>
          </div>
        )}
        {tab?.kind === "file" && <FileView key={`f:${tab.path}`} path={tab.path} />}
        {tab?.kind === "diff" && <DiffView key={`d:${tab.path}`} path={tab.path} />}
        {tab?.kind === "review" && <ReviewView key={`r:${tab.path}`} conversationId={Number(tab.path)} />}
      </div>
    </main>
  );
}
