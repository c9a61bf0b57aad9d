import { describe, expect, it } from "vitest";
import { chunksFor, visibleRange } from "./virtual";

describe("virtual range", () => {
  it("renders the viewport plus overscan", () => {
    expect(visibleRange(0, 190, 19, 1000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(1900, 190, 19, 1000, 5)).toEqual({ start: 95, end: 116 });
  });

  it("is clamped to the document", () => {
    expect(visibleRange(19 * 990, 190, 19, 1000, 5)).toEqual({ start: 985, end: 1000 });
    expect(visibleRange(0, 190, 19, 0)).toEqual({ start: 0, end: 0 });
  });

  it("keeps a 200k-line file to a screenful of rows", () => {
    const r = visibleRange(19 * 150_000, 800, 19, 200_000);
    expect(r.end - r.start).toBeLessThan(100);
  });

  it("maps a range to the chunks covering it", () => {
    expect(chunksFor({ start: 0, end: 200 }, 200)).toEqual([0]);
    expect(chunksFor({ start: 190, end: 410 }, 200)).toEqual([0, 1, 2]);
    expect(chunksFor({ start: 5, end: 5 }, 200)).toEqual([]);
  });
});
