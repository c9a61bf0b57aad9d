// The app's state in one observable object, and the operations that change it. Components read
// it through `useStore` and call the operations; only operations talk to the backend.

import { useEffect, useState } from "preact/hooks";
import { api as realApi, errorMessage, type Api } from "./api";
import type { AppInfo, ProjectChanged, ProjectInfo, RecentProject, RepoState, UiState } from "./bindings";
import { ChatOps, emptyChat, type ChatState } from "./chat";
import { tabsToReload } from "./events";
import { emptyReview, ReviewOps, type ReviewState } from "./review";
import { dirsToReload, emptyTree, toggled, withChildren, withError, type TreeModel } from "./tree";

export interface Tab {
  /** `review` tabs hold a conversation id in `path`. */
  kind: "file" | "diff" | "review";
  path: string;
}

export type SidebarView = "files" | "changes" | "chats";

export interface State {
  screen: "welcome" | "project";
  info: AppInfo | null;
  recent: RecentProject[];
  welcomeError: string | null;
  opening: string | null;
  project: ProjectInfo | null;
  git: RepoState | null;
  gitLoading: boolean;
  gitError: string | null;
  tree: TreeModel;
  selected: string | null;
  tabs: Tab[];
  active: number;
  /** Bumped per path when its content changed on disk; views refetch when it moves. */
  reloads: Record<string, number>;
  sidebarView: SidebarView;
  sidebarVisible: boolean;
  chatVisible: boolean;
  ui: UiState;
  paletteOpen: boolean;
  progress: Record<string, string>;
  rootGone: boolean;
  notice: string | null;
  chat: ChatState;
  /** The proposals on screen, each once: the Review tab and the chat's messages read them here. */
  review: ReviewState;
  /** The trust banner was closed for this session; the status bar still shows the state. */
  trustBannerDismissed: boolean;
}

export const DEFAULT_UI: UiState = { sidebarWidth: 260, chatWidth: 340, showIgnored: false };

function initialState(): State {
  return {
    screen: "welcome",
    info: null,
    recent: [],
    welcomeError: null,
    opening: null,
    project: null,
    git: null,
    gitLoading: false,
    gitError: null,
    tree: emptyTree(),
    selected: null,
    tabs: [],
    active: -1,
    reloads: {},
    sidebarView: "files",
    sidebarVisible: true,
    chatVisible: true,
    ui: DEFAULT_UI,
    paletteOpen: false,
    progress: {},
    rootGone: false,
    notice: null,
    chat: emptyChat(),
    review: emptyReview(),
    trustBannerDismissed: false,
  };
}

export class Store {
  state: State = initialState();
  private listeners = new Set<() => void>();
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  readonly chat: ChatOps;
  readonly review: ReviewOps;

  constructor(readonly api: Api = realApi) {
    this.chat = new ChatOps(this);
    this.review = new ReviewOps(this);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<State> | ((s: State) => Partial<State>)) {
    const next = typeof patch === "function" ? patch(this.state) : patch;
    this.state = { ...this.state, ...next };
    for (const l of this.listeners) l();
  }

  async start() {
    const [info, ui] = await Promise.all([this.api.appInfo(), this.api.getUiState().catch(() => DEFAULT_UI)]);
    this.set({ info, ui });
    if (info.initialFolder) await this.openProject(info.initialFolder);
    else await this.showWelcome();
  }

  async showWelcome() {
    this.set({ screen: "welcome" });
    try {
      this.set({ recent: await this.api.recentProjects() });
    } catch (e) {
      this.set({ welcomeError: `Recent projects are unavailable: ${errorMessage(e)}` });
    }
  }

  async pickAndOpen() {
    try {
      const folder = await this.api.pickFolder();
      if (folder) await this.openProject(folder);
    } catch (e) {
      this.set({ welcomeError: errorMessage(e) });
    }
  }

  async openProject(path: string) {
    this.set({ opening: path, welcomeError: null });
    try {
      const project = await this.api.openProject(path);
      this.set({
        ...initialState(),
        info: this.state.info,
        ui: this.state.ui,
        recent: this.state.recent,
        screen: "project",
        project,
        sidebarVisible: this.state.sidebarVisible,
        chatVisible: this.state.chatVisible,
      });
      await this.loadDir("");
      if (project.isRepo) void this.loadGit();
      void this.chat.start();
    } catch (e) {
      this.set({ opening: null, welcomeError: errorMessage(e) });
      await this.showWelcome();
    }
  }

  async closeProject() {
    await this.api.closeProject().catch(() => undefined);
    this.set({ ...initialState(), info: this.state.info, ui: this.state.ui });
    await this.showWelcome();
  }

  /** Trusts the open folder; the banner goes and the agent limits (test command) reload. */
  async trustProject() {
    try {
      const project = await this.api.trustProject();
      this.set({ project });
      void this.chat.start();
    } catch (e) {
      this.notify(errorMessage(e));
    }
  }

  /** Stops trusting a folder (from Settings); when it is the open one, the banner comes back. */
  async revokeTrust(identity: string) {
    await this.api.revokeTrust(identity);
    const open = this.state.project;
    if (open?.identity === identity) {
      const untrustedReason = open.untrustedReason ?? "Redline runs nothing from this folder until you trust it.";
      this.set({ project: { ...open, trusted: false, untrustedReason }, trustBannerDismissed: false });
    }
  }

  dismissTrustBanner() {
    this.set({ trustBannerDismissed: true });
  }

  async removeRecent(path: string) {
    try {
      await this.api.removeRecent(path);
      this.set((s) => ({ recent: s.recent.filter((r) => r.path !== path) }));
    } catch (e) {
      this.set({ welcomeError: errorMessage(e) });
    }
  }

  async loadDir(dir: string) {
    try {
      const entries = await this.api.listDir(dir, this.state.ui.showIgnored);
      this.set((s) => ({ tree: withChildren(s.tree, dir, entries) }));
    } catch (e) {
      this.set((s) => ({ tree: withError(s.tree, dir, errorMessage(e)) }));
    }
  }

  async toggleDir(dir: string, open?: boolean) {
    const isOpen = this.state.tree.expanded.has(dir);
    const next = open ?? !isOpen;
    this.set((s) => ({ tree: toggled(s.tree, dir, next) }));
    if (next && !this.state.tree.children.has(dir)) await this.loadDir(dir);
  }

  async loadGit() {
    this.set({ gitLoading: true, gitError: null });
    try {
      this.set({ git: await this.api.gitState(), gitLoading: false });
    } catch (e) {
      this.set({ gitLoading: false, gitError: errorMessage(e) });
    }
  }

  openTab(tab: Tab) {
    const index = this.state.tabs.findIndex((t) => t.kind === tab.kind && t.path === tab.path);
    if (index >= 0) this.set({ active: index });
    else this.set((s) => ({ tabs: [...s.tabs, tab], active: s.tabs.length }));
  }

  closeTab(index = this.state.active) {
    if (index < 0 || index >= this.state.tabs.length) return;
    this.set((s) => {
      const tabs = s.tabs.filter((_, i) => i !== index);
      const active = Math.min(tabs.length - 1, s.active > index ? s.active - 1 : s.active);
      return { tabs, active };
    });
  }

  cycleTab(step: number) {
    const n = this.state.tabs.length;
    if (n > 0) this.set((s) => ({ active: (s.active + step + n) % n }));
  }

  async setShowIgnored(showIgnored: boolean) {
    this.updateUi({ showIgnored });
    await Promise.all([...this.state.tree.children.keys()].map((d) => this.loadDir(d)));
  }

  /** Layout changes are saved a moment after the last one, not on every pixel of a drag. */
  updateUi(patch: Partial<UiState>) {
    this.set((s) => ({ ui: { ...s.ui, ...patch } }));
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.api.setUiState(this.state.ui).catch(() => undefined), 300);
  }

  async reload() {
    if (!this.state.project) return this.showWelcome();
    const { tree, tabs } = this.state;
    await Promise.all([...tree.children.keys()].map((d) => this.loadDir(d)));
    this.bump(tabs.map((t) => t.path));
    if (this.state.project.isRepo) await this.loadGit();
  }

  private bump(paths: string[]) {
    if (paths.length === 0) return;
    this.set((s) => {
      const reloads = { ...s.reloads };
      for (const p of paths) reloads[p] = (reloads[p] ?? 0) + 1;
      return { reloads };
    });
  }

  /** A change on disk: reload the folders and tabs it touched, take the new git state. */
  async onProjectChanged(event: ProjectChanged) {
    if (this.state.screen !== "project") return;
    if (event.rootGone) {
      this.set({ rootGone: true });
      return;
    }
    if (event.git) this.set({ git: event.git });
    this.review.onDiskChange(event);
    this.bump(tabsToReload(this.state.tabs, event).map((t) => t.path));
    await Promise.all(dirsToReload(this.state.tree, event).map((d) => this.loadDir(d)));
  }

  /** A one-line message in the status bar that goes away by itself. */
  notify(notice: string) {
    this.set({ notice });
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.set({ notice: null }), 6000);
  }

  onProgress(task: string, message: string, done: boolean) {
    this.set((s) => {
      const progress = { ...s.progress };
      if (done) delete progress[task];
      else progress[task] = message;
      return { progress };
    });
  }
}

export const store = new Store();

/** Re-renders the component when the selected part of the state changes. */
export function useStore<T>(select: (s: State) => T): T {
  const [value, setValue] = useState(() => select(store.state));
  useEffect(() => {
    const update = () => setValue(() => select(store.state));
    update();
    return store.subscribe(update);
  }, []);
  return value;
}
