import { store, useStore } from "../store";

export function Welcome() {
  const recent = useStore((s) => s.recent);
  const error = useStore((s) => s.welcomeError);
  const opening = useStore((s) => s.opening);
  const version = useStore((s) => s.info?.version);
  const project = useStore((s) => s.project);
  return (
    <main class="welcome" data-testid="welcome">
      <div class="welcome-inner">
        <h1>
          <span class="logo-mark" aria-hidden="true" />
          Redline <small>{version}</small>
        </h1>
        <p class="muted">Chat about a project. Review every change before it is written.</p>
        <div class="welcome-actions">
          <button class="primary" data-testid="open-folder" onClick={() => void store.pickAndOpen()}>
            Open folder…
          </button>
          {project && (
            <button onClick={() => store.set({ screen: "project" })}>Back to {project.name}</button>
          )}
          <span class="muted shortcut">Ctrl+O</span>
        </div>
        <div class="drop-zone" aria-label="Drop a folder here to open it">
          Drop a folder anywhere on this window to open it
        </div>
        {error && (
          <div class="banner error" data-testid="banner" role="alert">
            {error}
          </div>
        )}
        {opening && !error && <p class="muted">Opening {opening}…</p>}
        <h2>Recent projects</h2>
        {recent.length === 0 ? (
          <p class="muted">Folders you open appear here.</p>
        ) : (
          <ul class="recent" data-testid="recent-list">
            {recent.map((r) => (
              <li
                key={r.path}
                data-testid="recent-item"
                data-path={r.path}
                data-missing={String(!r.exists)}
                class={r.exists ? "" : "missing"}
              >
                <button
                  class="recent-open"
                  disabled={!r.exists}
                  title={r.exists ? r.path : `${r.path} no longer exists`}
                  onClick={() => void store.openProject(r.path)}
                >
                  <span class="recent-name">{r.name}</span>
                  <span class="recent-path">
                    <bdi>{r.path}</bdi>
                  </span>
                  {!r.exists && <span class="tag">missing</span>}
                </button>
                <button
                  class="icon"
                  data-testid="recent-remove"
                  title="Remove from recent projects"
                  aria-label={`Remove ${r.name} from recent projects`}
                  onClick={() => void store.removeRecent(r.path)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </main>
  );
}
