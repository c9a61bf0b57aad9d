// The file tree as plain data: which folders are loaded and expanded, and the rows that are
// visible. Pure functions, so the keyboard movement and event handling are unit-tested.

import type { Change, DirEntry, ProjectChanged } from "./bindings";
import { dirname } from "./format";

export interface TreeModel {
  /** Children of each loaded folder; "" is the root. */
  children: Map<string, DirEntry[]>;
  expanded: Set<string>;
  /** Folders whose listing failed, with the message. */
  errors: Map<string, string>;
}

export interface Row {
  entry: DirEntry;
  depth: number;
}

export function emptyTree(): TreeModel {
  return { children: new Map(), expanded: new Set(), errors: new Map() };
}

/** Rows in display order: the root's children, and recursively those of expanded folders. */
export function visibleRows(tree: TreeModel): Row[] {
  const rows: Row[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of tree.children.get(dir) ?? []) {
      rows.push({ entry, depth });
      if (entry.kind === "dir" && tree.expanded.has(entry.path)) walk(entry.path, depth + 1);
    }
  };
  walk("", 0);
  return rows;
}

export function withChildren(tree: TreeModel, dir: string, entries: DirEntry[]): TreeModel {
  const children = new Map(tree.children);
  children.set(dir, entries);
  const errors = new Map(tree.errors);
  errors.delete(dir);
  // Folders that disappeared take their loaded descendants with them.
  const present = new Set(entries.map((e) => e.path));
  const expanded = new Set(tree.expanded);
  for (const key of [...children.keys()]) {
    if (key !== dir && dirname(key) === dir && !present.has(key)) {
      for (const sub of [...children.keys()]) {
        if (sub === key || sub.startsWith(key + "/")) children.delete(sub);
      }
      expanded.delete(key);
    }
  }
  return { children, expanded, errors };
}

export function withError(tree: TreeModel, dir: string, message: string): TreeModel {
  const errors = new Map(tree.errors);
  errors.set(dir, message);
  const children = new Map(tree.children);
  children.delete(dir);
  return { ...tree, children, errors };
}

export function toggled(tree: TreeModel, dir: string, open: boolean): TreeModel {
  const expanded = new Set(tree.expanded);
  if (open) expanded.add(dir);
  else expanded.delete(dir);
  return { ...tree, expanded };
}

export type Key = "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" | "Home" | "End";

export interface Move {
  selected: string | null;
  /** Expand (true) or collapse (false) this folder. */
  toggle?: { path: string; open: boolean };
}

/** What an arrow key does in the tree, like in an editor's explorer. */
export function move(tree: TreeModel, selected: string | null, key: Key): Move {
  const rows = visibleRows(tree);
  if (rows.length === 0) return { selected: null };
  const index = rows.findIndex((r) => r.entry.path === selected);
  if (index < 0) return { selected: rows[0].entry.path };
  const row = rows[index];
  const isDir = row.entry.kind === "dir";
  const open = isDir && tree.expanded.has(row.entry.path);
  switch (key) {
    case "ArrowDown":
      return { selected: rows[Math.min(rows.length - 1, index + 1)].entry.path };
    case "ArrowUp":
      return { selected: rows[Math.max(0, index - 1)].entry.path };
    case "Home":
      return { selected: rows[0].entry.path };
    case "End":
      return { selected: rows[rows.length - 1].entry.path };
    case "ArrowRight":
      if (isDir && !open) return { selected: row.entry.path, toggle: { path: row.entry.path, open: true } };
      if (open && rows[index + 1]?.depth === row.depth + 1) return { selected: rows[index + 1].entry.path };
      return { selected: row.entry.path };
    case "ArrowLeft": {
      if (open) return { selected: row.entry.path, toggle: { path: row.entry.path, open: false } };
      const parent = dirname(row.entry.path);
      return { selected: parent === "" ? row.entry.path : parent };
    }
  }
}

/** Folders to list again after a change event: the parents of changed paths that are loaded. */
export function dirsToReload(tree: TreeModel, event: ProjectChanged): string[] {
  if (event.rescan) return [...tree.children.keys()];
  const dirs = new Set<string>();
  for (const path of event.paths) {
    const parent = dirname(path);
    if (tree.children.has(parent)) dirs.add(parent);
    if (tree.children.has(path)) dirs.add(path);
  }
  return [...dirs];
}

/** Git kind per path, and a marker for folders that contain changes. */
export function gitDecorations(changes: Change[]): { files: Map<string, Change["kind"]>; dirs: Set<string> } {
  const files = new Map<string, Change["kind"]>();
  const dirs = new Set<string>();
  for (const change of changes) {
    files.set(change.path, change.kind);
    let dir = dirname(change.path);
    while (dir !== "" && !dirs.has(dir)) {
      dirs.add(dir);
      dir = dirname(dir);
    }
  }
  return { files, dirs };
}
