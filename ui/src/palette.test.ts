import { describe, expect, it } from "vitest";
import { ACTIONS, shortcutOf } from "./actions";
import { fuzzyScore, rank } from "./palette";

describe("palette filter", () => {
  it("requires every character in order", () => {
    expect(fuzzyScore("opf", "Open folder…")).not.toBeNull();
    expect(fuzzyScore("fpo", "Open folder…")).toBeNull();
  });

  it("ranks word starts above scattered matches", () => {
    const titles = ["Toggle chat panel", "Close tab", "Focus chat"];
    expect(rank(titles, "ct", (t) => t)[0]).toBe("Close tab");
    expect(rank(titles, "chat", (t) => t).slice(0, 2).sort()).toEqual(["Focus chat", "Toggle chat panel"]);
  });

  it("lists everything for an empty query", () => {
    expect(rank(ACTIONS, "", (a) => a.title)).toHaveLength(ACTIONS.length);
  });
});

describe("actions", () => {
  it("have unique ids and unique shortcuts", () => {
    const ids = ACTIONS.map((a) => a.id);
    const shortcuts = ACTIONS.flatMap((a) => (a.shortcut ? [a.shortcut] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(shortcuts).size).toBe(shortcuts.length);
  });

  it("spell key events the way the table does", () => {
    const e = { key: "p", ctrlKey: true, metaKey: false, shiftKey: true, altKey: false };
    expect(shortcutOf(e)).toBe("Ctrl+Shift+P");
    expect(shortcutOf({ ...e, key: "F5", ctrlKey: false, shiftKey: false })).toBe("F5");
    expect(ACTIONS.find((a) => a.shortcut === shortcutOf(e))?.id).toBe("palette");
  });
});
