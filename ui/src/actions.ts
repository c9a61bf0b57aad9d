// Every action a person can take, in one table: the command palette lists it, and global
// keyboard dispatch uses the same shortcuts.

import type { Store } from "./store";

export interface Action {
  id: string;
  title: string;
  /** e.g. "Ctrl+Shift+P"; matched by `shortcutOf`. */
  shortcut?: string;
  /** Hidden from the palette and ignored by shortcuts when false. */
  when?: (store: Store) => boolean;
  run: (store: Store) => void | Promise<void>;
}

const inProject = (s: Store) => s.state.screen === "project";

function focus(selector: string) {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());
}

export const ACTIONS: Action[] = [
  { id: "palette", title: "Show all commands", shortcut: "Ctrl+Shift+P", run: (s) => s.set({ paletteOpen: true }) },
  { id: "open-folder", title: "Open folder…", shortcut: "Ctrl+O", run: (s) => s.pickAndOpen() },
  { id: "recent", title: "Show welcome and recent projects", run: (s) => s.showWelcome() },
  { id: "close-project", title: "Close project", shortcut: "Ctrl+Shift+W", when: inProject, run: (s) => s.closeProject() },
  {
    id: "toggle-ignored",
    title: "Toggle ignored files in the tree",
    shortcut: "Ctrl+Alt+I",
    when: inProject,
    run: (s) => s.setShowIgnored(!s.state.ui.showIgnored),
  },
  {
    id: "focus-files",
    title: "Focus file tree",
    shortcut: "Ctrl+Shift+E",
    when: inProject,
    run: (s) => {
      s.set({ sidebarVisible: true, sidebarView: "files" });
      focus('[data-testid="file-tree"]');
    },
  },
  {
    id: "focus-changes",
    title: "Focus changes",
    shortcut: "Ctrl+Shift+G",
    when: (s) => inProject(s) && !!s.state.project?.isRepo,
    run: (s) => {
      s.set({ sidebarVisible: true, sidebarView: "changes" });
      focus('[data-testid="changes-panel"] [role="listbox"]');
    },
  },
  {
    id: "focus-chat",
    title: "Focus chat",
    shortcut: "Ctrl+L",
    when: inProject,
    run: (s) => {
      s.set({ chatVisible: true });
      focus('[data-testid="chat-panel"] textarea');
    },
  },
  {
    id: "new-conversation",
    title: "New conversation",
    shortcut: "Ctrl+Shift+N",
    when: inProject,
    run: (s) => {
      s.chat.newConversation();
      s.set({ chatVisible: true });
      focus('[data-testid="chat-input"]');
    },
  },
  {
    id: "conversations",
    title: "Show conversations",
    shortcut: "Ctrl+Shift+H",
    when: inProject,
    run: (s) => s.set({ sidebarVisible: true, sidebarView: "chats" }),
  },
  {
    id: "review",
    title: "Review proposed changes",
    shortcut: "Ctrl+Shift+R",
    when: (s) => inProject(s) && !!s.state.chat.current,
    run: (s) => {
      s.chat.openReview();
      focus('[data-testid="review"]');
    },
  },
  { id: "settings", title: "Settings: models, providers and keys", shortcut: "Ctrl+,", run: (s) => s.chat.openSettings(true) },
  {
    id: "stop-reply",
    title: "Stop the reply",
    shortcut: "Ctrl+Shift+X",
    when: (s) => !!s.state.chat.streaming,
    run: (s) => s.chat.stop(),
  },
  { id: "close-tab", title: "Close tab", shortcut: "Ctrl+W", when: inProject, run: (s) => s.closeTab() },
  { id: "next-tab", title: "Next tab", shortcut: "Ctrl+PageDown", when: inProject, run: (s) => s.cycleTab(1) },
  { id: "previous-tab", title: "Previous tab", shortcut: "Ctrl+PageUp", when: inProject, run: (s) => s.cycleTab(-1) },
  { id: "reload", title: "Reload tree, files and git status", shortcut: "F5", when: inProject, run: (s) => s.reload() },
  {
    id: "toggle-sidebar",
    title: "Toggle sidebar",
    shortcut: "Ctrl+B",
    when: inProject,
    run: (s) => s.set({ sidebarVisible: !s.state.sidebarVisible }),
  },
  {
    id: "toggle-chat",
    title: "Toggle chat panel",
    shortcut: "Ctrl+Alt+B",
    when: inProject,
    run: (s) => s.set({ chatVisible: !s.state.chatVisible }),
  },
];

/** The shortcut string of a key event, in the same spelling as the table. */
export function shortcutOf(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey">): string {
  const parts = [];
  if (e.ctrlKey || e.metaKey) parts.push("Ctrl");
  if (e.altKey) parts.push("Alt");
  if (e.shiftKey) parts.push("Shift");
  const key = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  parts.push(key);
  return parts.join("+");
}

export function available(store: Store): Action[] {
  return ACTIONS.filter((a) => !a.when || a.when(store));
}

/** Runs the action bound to this key event; true when one ran. */
export function dispatchShortcut(store: Store, e: KeyboardEvent): boolean {
  const shortcut = shortcutOf(e);
  const action = available(store).find((a) => a.shortcut === shortcut);
  if (!action) return false;
  e.preventDefault();
  void action.run(store);
  return true;
}
