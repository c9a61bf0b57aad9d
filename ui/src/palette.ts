// Filtering and ranking for the command palette: every query character must appear in order;
// matches at word starts and contiguous runs rank higher.

export interface Scored<T> {
  item: T;
  score: number;
}

export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().trim();
  if (!q) return 0;
  const t = text.toLowerCase();
  let score = 0;
  let ti = 0;
  let run = 0;
  for (const ch of q) {
    if (ch === " ") continue;
    const found = t.indexOf(ch, ti);
    if (found < 0) return null;
    const wordStart = found === 0 || /[\s/._-]/.test(t[found - 1]);
    run = found === ti ? run + 1 : 1;
    score += 1 + (wordStart ? 5 : 0) + run * 2 - Math.min(found - ti, 10) * 0.1;
    ti = found + 1;
  }
  return score - t.length * 0.01;
}

export function rank<T>(items: T[], query: string, text: (item: T) => string): T[] {
  const scored: Scored<T>[] = [];
  for (const item of items) {
    const score = fuzzyScore(query, text(item));
    if (score !== null) scored.push({ item, score });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.map((s) => s.item);
}
