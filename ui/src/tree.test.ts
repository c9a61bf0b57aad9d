import { describe, expect, it } from "vitest";
import type { DirEntry } from "./bindings";
import { dirsToReload, emptyTree, gitDecorations, move, toggled, visibleRows, withChildren } from "./tree";

const dir = (path: string): DirEntry => ({
  name: path.split("/").pop()!,
  path,
  kind: "dir",
  ignored: false,
  hidden: false,
  symlink: false,
});
const file = (path: string): DirEntry => ({ ...dir(path), kind: "file" });

function sample() {
  let t = emptyTree();
  t = withChildren(t, "", [dir("src"), dir("docs"), file("README.md")]);
  t = withChildren(t, "src", [dir("src/bin"), file("src/lib.rs")]);
  t = toggled(t, "src", true);
  return t;
}

const changed = (paths: string[], rescan = false) => ({ paths, rescan, git: null, rootGone: false });

describe("tree model", () => {
  it("lists expanded folders' children under them", () => {
    expect(visibleRows(sample()).map((r) => [r.entry.path, r.depth])).toEqual([
      ["src", 0],
      ["src/bin", 1],
      ["src/lib.rs", 1],
      ["docs", 0],
      ["README.md", 0],
    ]);
  });

  it("hides children of collapsed folders", () => {
    const t = toggled(sample(), "src", false);
    expect(visibleRows(t).map((r) => r.entry.path)).toEqual(["src", "docs", "README.md"]);
  });

  it("drops loaded descendants of a folder that disappeared", () => {
    const t = withChildren(sample(), "", [dir("docs"), file("README.md")]);
    expect(t.children.has("src")).toBe(false);
    expect(t.expanded.has("src")).toBe(false);
  });

  it("moves down and up through visible rows", () => {
    const t = sample();
    expect(move(t, "src", "ArrowDown").selected).toBe("src/bin");
    expect(move(t, "src/lib.rs", "ArrowDown").selected).toBe("docs");
    expect(move(t, "docs", "ArrowUp").selected).toBe("src/lib.rs");
    expect(move(t, "README.md", "ArrowDown").selected).toBe("README.md");
    expect(move(t, null, "ArrowDown").selected).toBe("src");
  });

  it("right expands a closed folder, then enters it; left collapses, then goes to the parent", () => {
    const t = sample();
    expect(move(t, "docs", "ArrowRight").toggle).toEqual({ path: "docs", open: true });
    expect(move(t, "src", "ArrowRight").selected).toBe("src/bin");
    expect(move(t, "src", "ArrowLeft").toggle).toEqual({ path: "src", open: false });
    expect(move(t, "src/lib.rs", "ArrowLeft").selected).toBe("src");
  });

  it("reloads the loaded parent folders of changed paths", () => {
    const t = sample();
    expect(dirsToReload(t, changed(["src/new.rs", "docs/x.md", "top.txt"])).sort()).toEqual(["", "src"]);
  });

  it("reloads every loaded folder on rescan", () => {
    expect(dirsToReload(sample(), changed([], true)).sort()).toEqual(["", "src"]);
  });

  it("marks changed files and every folder above them", () => {
    const d = gitDecorations([
      { path: "a/b/c.rs", origPath: null, kind: "modified", staged: false, unstaged: true },
      { path: "top.txt", origPath: null, kind: "untracked", staged: false, unstaged: true },
    ]);
    expect(d.files.get("a/b/c.rs")).toBe("modified");
    expect([...d.dirs].sort()).toEqual(["a", "a/b"]);
  });
});
