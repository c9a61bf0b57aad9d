// Range math for the virtualized file view: which lines are in the DOM, which chunks to fetch.

export interface Range {
  start: number;
  end: number; // exclusive
}

/** Lines to render for a viewport, with `overscan` lines above and below. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  lineHeight: number,
  lineCount: number,
  overscan = 20,
): Range {
  if (lineCount <= 0 || lineHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(scrollTop / lineHeight);
  const visible = Math.ceil(viewportHeight / lineHeight) + 1;
  const start = Math.max(0, Math.min(lineCount, first - overscan));
  const end = Math.max(start, Math.min(lineCount, first + visible + overscan));
  return { start, end };
}

/** Indexes of the fixed-size chunks that cover a range. */
export function chunksFor(range: Range, chunkSize: number): number[] {
  if (range.end <= range.start) return [];
  const first = Math.floor(range.start / chunkSize);
  const last = Math.floor((range.end - 1) / chunkSize);
  const out = [];
  for (let c = first; c <= last; c++) out.push(c);
  return out;
}
