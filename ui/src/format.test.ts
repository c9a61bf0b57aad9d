import { describe, expect, it } from "vitest";
import { basename, changeLetter, dirname, formatSize, headText, upstreamText } from "./format";

describe("formatting", () => {
  it("sizes in human units", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(200 * 1024 * 1024)).toBe("200 MB");
  });

  it("says where HEAD is", () => {
    expect(headText({ kind: "branch", name: "main" })).toBe("main");
    expect(headText({ kind: "detached", commit: "abc1234" })).toBe("detached at abc1234");
    expect(headText({ kind: "unborn", name: "main" })).toBe("main (no commits yet)");
  });

  it("shows ahead and behind", () => {
    expect(upstreamText({ name: "origin/main", ahead: 2, behind: 1 })).toBe("↑2 ↓1");
    expect(upstreamText({ name: "origin/main", ahead: 0, behind: 0 })).toBe("up to date");
    expect(upstreamText(null)).toBe("");
  });

  it("letters and path parts", () => {
    expect(changeLetter("untracked")).toBe("U");
    expect(basename("a/b/c.rs")).toBe("c.rs");
    expect(dirname("a/b/c.rs")).toBe("a/b");
    expect(dirname("top.rs")).toBe("");
  });
});
