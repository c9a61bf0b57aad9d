import { describe, expect, it, vi } from "vitest";
import type { Api } from "./api";
import type { DirEntry, RepoState } from "./bindings";
import { Store } from "./store";

const entry = (path: string, kind: DirEntry["kind"] = "file"): DirEntry => ({
  name: path.split("/").pop()!,
  path,
  kind,
  ignored: false,
  hidden: false,
  symlink: false,
});

const clean: RepoState = { head: { kind: "branch", name: "main" }, upstream: null, changes: [] };

function fakeApi(overrides: Partial<Api> = {}): Api {
  return {
    appInfo: vi.fn(async () => ({ version: "0.1.0", initialFolder: null })),
    pickFolder: vi.fn(async () => null),
    recentProjects: vi.fn(async () => []),
    removeRecent: vi.fn(async () => undefined),
    getUiState: vi.fn(async () => ({ sidebarWidth: 260, chatWidth: 340, showIgnored: false })),
    setUiState: vi.fn(async () => undefined),
    highlightCss: vi.fn(async () => ""),
    openProject: vi.fn(async (path: string) => ({ root: path, name: "p", isRepo: true })),
    closeProject: vi.fn(async () => undefined),
    listDir: vi.fn(async (path: string) => (path === "" ? [entry("src", "dir"), entry("a.txt")] : [entry("src/x.rs")])),
    openFile: vi.fn(),
    fileLines: vi.fn(),
    gitState: vi.fn(async () => clean),
    fileDiff: vi.fn(),
    ...overrides,
  } as Api;
}

describe("store", () => {
  it("opens the folder given on the command line", async () => {
    const api = fakeApi({ appInfo: vi.fn(async () => ({ version: "0.1.0", initialFolder: "/p" })) });
    const store = new Store(api);
    await store.start();
    expect(store.state.screen).toBe("project");
    expect(store.state.tree.children.get("")?.map((e) => e.path)).toEqual(["src", "a.txt"]);
  });

  it("reports a folder that cannot be opened on the welcome screen", async () => {
    const api = fakeApi({
      openProject: vi.fn(async () => Promise.reject({ code: "notFound", message: "/gone does not exist" })),
    });
    const store = new Store(api);
    await store.openProject("/gone");
    expect(store.state.screen).toBe("welcome");
    expect(store.state.welcomeError).toBe("/gone does not exist");
  });

  it("applies a change event: new git state, parent folder relisted, open file reloaded", async () => {
    const api = fakeApi();
    const store = new Store(api);
    await store.openProject("/p");
    store.openTab({ kind: "file", path: "a.txt" });
    const git: RepoState = {
      ...clean,
      changes: [{ path: "a.txt", origPath: null, kind: "modified", staged: false, unstaged: true }],
    };
    await store.onProjectChanged({ paths: ["a.txt"], rescan: false, git, rootGone: false });
    expect(store.state.git).toEqual(git);
    expect(store.state.reloads["a.txt"]).toBe(1);
    expect(api.listDir).toHaveBeenCalledTimes(2);
  });

  it("shows the folder as gone without losing the open tabs", async () => {
    const store = new Store(fakeApi());
    await store.openProject("/p");
    store.openTab({ kind: "file", path: "a.txt" });
    await store.onProjectChanged({ paths: [], rescan: false, git: null, rootGone: true });
    expect(store.state.rootGone).toBe(true);
    expect(store.state.tabs).toHaveLength(1);
  });

  it("closes tabs and keeps a sensible active one", () => {
    const store = new Store(fakeApi());
    store.openTab({ kind: "file", path: "a" });
    store.openTab({ kind: "file", path: "b" });
    store.openTab({ kind: "diff", path: "a" });
    store.openTab({ kind: "file", path: "a" });
    expect(store.state.tabs).toHaveLength(3);
    expect(store.state.active).toBe(0);
    store.closeTab(0);
    expect(store.state.tabs.map((t) => t.path)).toEqual(["b", "a"]);
    expect(store.state.active).toBe(0);
  });
});
