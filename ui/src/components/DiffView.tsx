import { useEffect, useState } from "preact/hooks";
import { api, errorMessage } from "../api";
import type { FileDiffView } from "../bindings";
import { useStore } from "../store";

const SIGN = { added: "+", removed: "-", context: " " } as const;

export function DiffView({ path }: { path: string }) {
  const reload = useStore((s) => s.reloads[path] ?? 0);
  const gitVersion = useStore((s) => s.git);
  const [diff, setDiff] = useState<FileDiffView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .fileDiff(path)
      .then((d) => live && (setDiff(d), setError(null)))
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [path, reload, gitVersion]);

  if (error) {
    return (
      <div class="file-message" data-testid="diff-view">
        <div class="banner error" data-testid="banner">
          {error}
        </div>
      </div>
    );
  }
  if (!diff) return <div class="file-message muted">Computing diff of {path}…</div>;
  return (
    <div class="diff-view code-font" data-testid="diff-view" data-path={path}>
      <div class="file-info muted">
        <span>{diff.origPath && diff.origPath !== path ? `${diff.origPath} → ${path}` : path}</span>
        <span class="spacer" />
        <span>against HEAD</span>
      </div>
      {diff.binary && <p class="pad">Binary file changed.</p>}
      {!diff.binary && diff.hunks.length === 0 && <p class="pad muted">No differences from HEAD.</p>}
      {diff.hunks.map((hunk, h) => (
        <div class="hunk" key={h}>
          <div class="hunk-header">{hunk.header}</div>
          {hunk.lines.map((line, i) => (
            <div class={`diff-line ${line.kind}`} key={i}>
              <span class="gutter">{line.oldLine ?? ""}</span>
              <span class="gutter">{line.newLine ?? ""}</span>
              <span class="sign">{SIGN[line.kind]}</span>
              {/* Backend-highlighted and escaped. */}
              <span class="code" dangerouslySetInnerHTML={{ __html: line.html }} />
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
