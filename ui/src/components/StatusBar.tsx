import { formatCost, formatTokens } from "../chat";
import { headText, upstreamText } from "../format";
import { useStore } from "../store";

export function StatusBar() {
  const project = useStore((s) => s.project);
  const git = useStore((s) => s.git);
  const loading = useStore((s) => s.gitLoading);
  const progress = useStore((s) => s.progress);
  const tasks = Object.values(progress);
  const notice = useStore((s) => s.notice);
  const model = useStore((s) => s.chat.model);
  const current = useStore((s) => s.chat.current);
  return (
    <footer class="statusbar" data-testid="status-bar">
      {project && !project.isRepo && <span>Not a git repository</span>}
      {git && (
        <>
          <span title="Branch">
            ⎇ <span data-testid="branch-name">{git.head.kind === "branch" ? git.head.name : headText(git.head)}</span>
          </span>
          {git.upstream && <span title={`Upstream ${git.upstream.name}`}>{upstreamText(git.upstream)}</span>}
          <span>{git.changes.length === 1 ? "1 change" : `${git.changes.length} changes`}</span>
        </>
      )}
      <span class="spacer" />
      {notice && (
        <span class="notice" role="status" data-testid="notice">
          {notice}
        </span>
      )}
      {model && <span title="Model for the next question">{model}</span>}
      {current && (
        <span title="Tokens and cost of this conversation">
          {formatTokens(current.usage.input + current.usage.output)} tokens {formatCost(current.cost)}
        </span>
      )}
      {(loading || tasks.length > 0) && (
        <span class="progress" role="status">
          <span class="spinner" aria-hidden="true" />
          {tasks[0] ?? "Reading git status…"}
        </span>
      )}
    </footer>
  );
}
