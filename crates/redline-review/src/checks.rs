//! The checks before review: every proposed file is parsed, scanned for secrets and risky
//! code, and run through the project's own formatter or linter (in a scratch copy) before the
//! person sees it. Findings are saved with the proposal and shown on their hunks; they inform
//! and never block accepting. In a folder the person has not trusted, tools that would run the
//! project's own code are left off, and the proposal says which.

use std::path::Path;
use std::time::Duration;

use redline_checks::{CheckKind, Finding, SkippedTool};
use redline_edits::{Hunk, Proposal, ProposalKind};
use redline_project::Trust;

use crate::Record;

/// How long a formatter or linter may take on one file before it is reported as too slow.
const TOOL_TIMEOUT: Duration = Duration::from_secs(15);

/// Whether a finding about lines `line..=end_line` (1-based, proposed text) falls in a hunk.
/// A finding on line 0 is about the whole file (tools skipped for trust) and in no hunk.
pub fn in_hunk(h: &Hunk, f: &Finding) -> bool {
    if f.line == 0 {
        return false;
    }
    let (start, end) = (h.proposed_range.start as u32 + 1, h.proposed_range.end as u32);
    let last = f.end_line.max(f.line);
    if start > end {
        // A pure deletion: the finding is about the line the removal joins up.
        return f.line == start || f.line + 1 == start;
    }
    f.line <= end && last >= start
}

/// Syntax, secrets and risky patterns of what the proposal adds (fast, no process).
pub fn static_findings(p: &Proposal) -> Vec<Finding> {
    match p.kind {
        ProposalKind::Delete => Vec::new(),
        ProposalKind::Create => redline_checks::static_checks(&p.path, None, &p.proposed_text),
        _ => redline_checks::static_checks(&p.path, Some(&p.base_text), &p.proposed_text),
    }
}

/// Everything the checks say, and the tools left off for trust; a formatter's complaint about
/// lines the proposal did not touch was there before and is left out.
async fn findings(root: &Path, p: &Proposal, trust: Trust) -> (Vec<Finding>, Vec<SkippedTool>) {
    let mut findings = static_findings(p);
    let mut skipped = Vec::new();
    if p.kind != ProposalKind::Delete {
        let report = redline_checks::tool_checks(root, &p.path, &p.proposed_text, TOOL_TIMEOUT, trust).await;
        let touched = |f: &Finding| f.kind != CheckKind::Lint || p.hunks.iter().any(|h| in_hunk(h, f));
        findings.extend(report.findings.into_iter().filter(touched));
        findings.extend(redline_checks::skipped_for_trust(&report.skipped));
        skipped = report.skipped;
    }
    findings.sort_by_key(|f| f.line);
    (findings, skipped)
}

/// Runs the checks on planned records before they are saved, putting what they found in each;
/// returns the tools left off because the folder is not trusted.
pub async fn check(root: &Path, trust: Trust, records: &mut [Record]) -> Vec<SkippedTool> {
    let mut left_off = Vec::new();
    for record in records.iter_mut() {
        if let Some(p) = &record.proposal {
            let (found, skipped) = findings(root, p, trust).await;
            record.findings = found;
            left_off.extend(skipped);
        }
    }
    left_off
}
