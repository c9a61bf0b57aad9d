import type { FindingView, ProposalView } from "../bindings";

const KINDS: Record<string, { label: string; icon: string }> = {
  syntax: { label: "Syntax", icon: "⨯" },
  secret: { label: "Secret", icon: "◆" },
  risk: { label: "Risk", icon: "⚠" },
  lint: { label: "Lint", icon: "•" },
};

function kindOf(kind: string) {
  return KINDS[kind] ?? { label: kind ? kind[0].toUpperCase() + kind.slice(1) : "Note", icon: "•" };
}

/** A proposal's findings: the file's own, then each hunk's. */
export function proposalFindings(p: ProposalView): FindingView[] {
  return [...p.findings, ...p.hunks.flatMap((h) => h.findings)];
}

/** "2 findings", "1 finding", or "" for none. */
export function findingsCount(findings: FindingView[]): string {
  const n = findings.length;
  return n === 0 ? "" : `${n} finding${n === 1 ? "" : "s"}`;
}

/** What the checks before review found: informative, never blocking. */
export function Findings({ findings, compact = false }: { findings: FindingView[]; compact?: boolean }) {
  if (findings.length === 0) return null;
  return (
    <ul class={`findings${compact ? " compact" : ""}`} data-testid="findings">
      {findings.map((f, i) => {
        const k = kindOf(f.kind);
        return (
          <li key={i} class={`finding finding-${f.kind}`} data-testid="finding" data-kind={f.kind} data-line={f.line}>
            <span class="finding-kind" title={k.label}>
              <span class="finding-icon" aria-hidden="true">
                {k.icon}
              </span>
              {k.label}
            </span>
            {f.line > 0 && <span class="finding-line">line {f.line}</span>}
            <span class="finding-message">{f.message}</span>
            {f.source && <span class="finding-source">{f.source}</span>}
          </li>
        );
      })}
    </ul>
  );
}
