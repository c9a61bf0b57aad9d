//! Proposals as the UI shows them: the review's typed records mapped to transport views, with
//! hunks highlighted as the file's language and changed words marked — only where hunks are
//! shown (the Review tab); conversation payloads carry counts.

use redline_checks::Finding;
use redline_edits::{HunkState, Proposal, ProposalKind};
use redline_project::PathRule;
use redline_review::checks::in_hunk;
use redline_review::{Applied, Desk, Record, Status};

use crate::{
    DiffLineKind, DiffLineView, FindingView, HunkStateView, HunkView, ProposalKindView, ProposalStatusView,
    ProposalView, WrittenView,
};

/// Whether a view carries highlighted hunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hunks {
    Highlighted,
    CountsOnly,
}

pub(crate) fn hunk_state(state: HunkState) -> HunkStateView {
    match state {
        HunkState::Pending => HunkStateView::Pending,
        HunkState::Accepted => HunkStateView::Accepted,
        HunkState::Rejected => HunkStateView::Rejected,
    }
}

pub(crate) fn hunk_state_of(view: HunkStateView) -> HunkState {
    match view {
        HunkStateView::Pending => HunkState::Pending,
        HunkStateView::Accepted => HunkState::Accepted,
        HunkStateView::Rejected => HunkState::Rejected,
    }
}

pub(crate) fn written_view(applied: &Applied) -> WrittenView {
    match applied {
        Applied::Written => WrittenView::Written,
        Applied::Merged => WrittenView::Merged,
        Applied::Unchanged => WrittenView::Unchanged,
        Applied::Conflict(_) => WrittenView::Conflict,
    }
}

fn status_view(status: Status) -> ProposalStatusView {
    match status {
        Status::Pending => ProposalStatusView::Pending,
        Status::Reviewed => ProposalStatusView::Reviewed,
        Status::Failed => ProposalStatusView::Failed,
    }
}

fn finding_view(f: &Finding) -> FindingView {
    FindingView {
        kind: f.kind.name().into(),
        line: f.line,
        message: f.message.clone(),
        source: f.source.clone(),
    }
}

/// The view of `record`; `desk` answers what depends on the disk and the rules (stale,
/// protected), `None` while no project is open.
pub(crate) fn proposal_view(desk: Option<&Desk>, record: &Record, hunks: Hunks) -> ProposalView {
    let Some(p) = &record.proposal else { return failed_view(record) };
    let (kind, from_path) = match &p.kind {
        ProposalKind::Modify => (ProposalKindView::Modify, None),
        ProposalKind::Create => (ProposalKindView::Create, None),
        ProposalKind::Delete => (ProposalKindView::Delete, None),
        ProposalKind::Rename { from } => (ProposalKindView::Rename, Some(from.clone())),
    };
    let pending = record.pending() as u32;
    let protected = desk.and_then(|d| match d.rule(p) {
        PathRule::Protected(why) => Some(why.to_owned()),
        _ => None,
    });
    ProposalView {
        id: record.id,
        message_id: record.message_id,
        path: p.path.clone(),
        kind,
        from_path,
        status: status_view(record.status),
        error: record.error.clone(),
        stale: pending > 0 && desk.is_some_and(|d| d.is_stale(record)),
        pending,
        written: record.written.is_some(),
        hunks: match hunks {
            Hunks::Highlighted => hunk_views(p, &record.findings),
            Hunks::CountsOnly => Vec::new(),
        },
        findings: record
            .findings
            .iter()
            .filter(|f| !p.hunks.iter().any(|h| in_hunk(h, f)))
            .map(finding_view)
            .collect(),
        protected,
    }
}

fn failed_view(record: &Record) -> ProposalView {
    ProposalView {
        id: record.id,
        message_id: record.message_id,
        path: record.path.clone(),
        kind: ProposalKindView::Modify,
        from_path: None,
        status: ProposalStatusView::Failed,
        error: record.error.clone(),
        stale: false,
        pending: 0,
        written: false,
        hunks: Vec::new(),
        findings: Vec::new(),
        protected: None,
    }
}

/// Hunks with their lines highlighted as the file's language.
fn hunk_views(p: &Proposal, findings: &[Finding]) -> Vec<HunkView> {
    let base_lines: Vec<u32> =
        p.hunks.iter().flat_map(|h| h.base_range.clone()).map(|i| i as u32 + 1).collect();
    let new_lines: Vec<u32> =
        p.hunks.iter().flat_map(|h| h.proposed_range.clone()).map(|i| i as u32 + 1).collect();
    let old_html = redline_highlight::highlight_lines(&p.path, &p.base_text, &base_lines);
    let new_html = redline_highlight::highlight_lines(&p.path, &p.proposed_text, &new_lines);
    let (mut old_iter, mut new_iter) = (old_html.into_iter(), new_html.into_iter());
    p.hunks
        .iter()
        .enumerate()
        .map(|(index, h)| {
            let mut lines = Vec::new();
            // Line pairs of a same-size hunk get their changed words marked.
            let pairs: Vec<_> = if h.old_lines.len() == h.new_lines.len() {
                h.old_lines
                    .iter()
                    .zip(&h.new_lines)
                    .map(|(o, n)| crate::words::changed_ranges(o, n))
                    .collect()
            } else {
                Vec::new()
            };
            let marks = |i: usize, old: bool, html: String| match pairs.get(i) {
                Some(Some((o, n))) => crate::words::mark_html(&html, if old { o } else { n }),
                _ => html,
            };
            for i in 0..h.old_lines.len() {
                let html = marks(i, true, old_iter.next().unwrap_or_default());
                let old_line = Some((h.base_range.start + i) as u32 + 1);
                lines.push(DiffLineView { kind: DiffLineKind::Removed, old_line, new_line: None, html });
            }
            for i in 0..h.new_lines.len() {
                let html = marks(i, false, new_iter.next().unwrap_or_default());
                let new_line = Some((h.proposed_range.start + i) as u32 + 1);
                lines.push(DiffLineView { kind: DiffLineKind::Added, old_line: None, new_line, html });
            }
            HunkView {
                index: index as u32,
                state: hunk_state(h.state),
                header: format!(
                    "@@ -{},{} +{},{} @@",
                    h.base_range.start + 1,
                    h.old_lines.len(),
                    h.proposed_range.start + 1,
                    h.new_lines.len()
                ),
                lines,
                new_text: h.new_lines.concat(),
                findings: findings.iter().filter(|f| in_hunk(h, f)).map(finding_view).collect(),
            }
        })
        .collect()
}
