//! The checks before review: every proposed file is parsed, scanned for secrets and risky
//! code, and run through the project's own formatter or linter (in a scratch copy) before the
//! person sees it. Findings are saved with the proposal and shown on their hunks; they inform
//! and never block accepting.

use std::path::Path;
use std::time::Duration;

use redline_checks::{CheckKind, Finding};
use redline_edits::{Proposal, ProposalKind};

use crate::{ApiResult, App, ProposalView};

/// How long a formatter or linter may take on one file before it is reported as too slow.
const TOOL_TIMEOUT: Duration = Duration::from_secs(15);

/// Whether lines `line..=end_line` (1-based, proposed text) touch a changed hunk.
fn touches_change(p: &Proposal, f: &Finding) -> bool {
    p.hunks.iter().any(|h| {
        let (start, end) = (
            h.proposed_range.start as u32 + 1,
            (h.proposed_range.end as u32).max(h.proposed_range.start as u32 + 1),
        );
        f.line <= end && f.end_line.max(f.line) >= start
    })
}

/// Syntax, secrets and risky patterns of what the proposal adds (fast, no process).
pub(crate) fn static_findings(p: &Proposal) -> Vec<Finding> {
    match p.kind {
        ProposalKind::Delete => Vec::new(),
        ProposalKind::Create => redline_checks::static_checks(&p.path, None, &p.proposed_text),
        _ => redline_checks::static_checks(&p.path, Some(&p.base_text), &p.proposed_text),
    }
}

/// Everything the checks say; a formatter's complaint about lines the proposal did not touch
/// was there before and is left out.
async fn findings(root: &Path, p: &Proposal) -> Vec<Finding> {
    let mut findings = static_findings(p);
    if p.kind != ProposalKind::Delete {
        let tools = redline_checks::tool_checks(root, &p.path, &p.proposed_text, TOOL_TIMEOUT).await;
        findings.extend(tools.into_iter().filter(|f| f.kind != CheckKind::Lint || touches_change(p, f)));
    }
    findings.sort_by_key(|f| f.line);
    findings
}

pub(crate) fn findings_json(findings: &[Finding]) -> String {
    serde_json::to_string(findings).unwrap_or_else(|_| "[]".into())
}

impl App {
    /// Runs the checks on saved proposals and saves what they found.
    pub(crate) async fn check_proposals(&self, views: Vec<ProposalView>) -> ApiResult<Vec<ProposalView>> {
        let root = self.project()?.root().path().to_path_buf();
        let mut out = Vec::with_capacity(views.len());
        for view in views {
            let Ok((mut row, proposal)) = self.load_proposal(view.id) else {
                out.push(view);
                continue;
            };
            row.checks = findings_json(&findings(&root, &proposal).await);
            self.with_store(|s| s.update_proposal(&row))?;
            out.push(self.row_view(&row));
        }
        Ok(out)
    }
}
