import { store, useStore } from "../store";
import { Chat } from "./Chat";
import { ChangesPanel } from "./ChangesPanel";
import { Conversations } from "./Conversations";
import { FileTree } from "./FileTree";
import { MainArea } from "./MainArea";
import { Resizer } from "./Resizer";
import { StatusBar } from "./StatusBar";
import { TrustBanner, TrustShield } from "./TrustBanner";

export function ProjectView() {
  const project = useStore((s) => s.project);
  const ui = useStore((s) => s.ui);
  const view = useStore((s) => s.sidebarView);
  const sidebarVisible = useStore((s) => s.sidebarVisible);
  const chatVisible = useStore((s) => s.chatVisible);
  const rootGone = useStore((s) => s.rootGone);
  if (!project) return null;
  const columns = [
    sidebarVisible ? `${ui.sidebarWidth}px 4px` : "",
    "minmax(240px, 1fr)",
    chatVisible ? `4px ${ui.chatWidth}px` : "",
  ].join(" ");
  return (
    <div class="project">
      <header class="titlebar">
        <span class="logo-mark" aria-hidden="true" />
        <strong data-testid="project-name">{project.name}</strong>
        <span class="muted path" title={project.root}>
          {project.root}
        </span>
        <span class="spacer" />
        <TrustShield />
        <button class="ghost" onClick={() => store.set({ paletteOpen: true })} title="Show all commands (Ctrl+Shift+P)">
          Commands <kbd>Ctrl+Shift+P</kbd>
        </button>
      </header>
      {rootGone && (
        <div class="banner error" data-testid="banner" role="alert">
          The folder {project.root} no longer exists (deleted or moved). Nothing else is affected.
          <button onClick={() => void store.closeProject()}>Close project</button>
        </div>
      )}
      <TrustBanner />
      <div class="workspace" style={{ gridTemplateColumns: columns }}>
        {sidebarVisible && (
          <>
            <aside class="sidebar">
              <nav class="sidebar-tabs" role="tablist">
                <button
                  role="tab"
                  data-testid="sidebar-files"
                  aria-selected={view === "files"}
                  onClick={() => store.set({ sidebarView: "files" })}>
                  Files
                </button>
                {project.isRepo && (
                  <button
                    role="tab"
                    data-testid="sidebar-changes"
                    aria-selected={view === "changes"}
                    onClick={() => store.set({ sidebarView: "changes" })}
                  >
                    Changes <ChangeCount />
                  </button>
                )}
                <button
                  role="tab"
                  data-testid="sidebar-chats"
                  aria-selected={view === "chats"}
                  onClick={() => store.set({ sidebarView: "chats" })}
                >
                  Chats
                </button>
              </nav>
              {view === "changes" && project.isRepo ? <ChangesPanel /> : view === "chats" ? <Conversations /> : <FileTree />}
            </aside>
            <Resizer
              label="Resize sidebar"
              width={ui.sidebarWidth}
              min={160}
              max={600}
              direction={1}
              onResize={(w) => store.updateUi({ sidebarWidth: w })}
            />
          </>
        )}
        <MainArea />
        {chatVisible && (
          <>
            <Resizer
              label="Resize chat panel"
              width={ui.chatWidth}
              min={240}
              max={720}
              direction={-1}
              onResize={(w) => store.updateUi({ chatWidth: w })}
            />
            <Chat />
          </>
        )}
      </div>
      <StatusBar />
    </div>
  );
}

function ChangeCount() {
  const count = useStore((s) => s.git?.changes.length ?? 0);
  return count > 0 ? <span class="count">{count}</span> : null;
}
