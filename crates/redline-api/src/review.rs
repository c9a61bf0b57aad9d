//! Proposed edits and their review. A reply's edits become one proposal per file (built while
//! the reply streams, saved when it ends); a person accepts or rejects hunks, and each decision
//! writes the file as base + accepted hunks — merged three-way onto the disk when the file
//! changed since, never overwriting what the person wrote, and writing nothing on a conflict.

use redline_edits::{
    apply_file, edit_format_for_model, plan_reply, replace_hunk_text, sha256_hex, Edit, Format, FormatChoice,
    HunkState, MatchOptions, ParseEvent, ParseOptions, Proposal, ProposalKind, StreamParser,
};
use std::path::Path;

use redline_checks::Finding;
use redline_git::{CheckpointStore, FileState};
use redline_project::{delete_if_unchanged, read_current, replace_if_unchanged, PathRule, Replaced};

use redline_store::ProposalRow;

use crate::checks::in_hunk;
use crate::{
    ApiError, ApiResult, App, DiffLineKind, DiffLineView, ErrorCode, FindingView, HunkView, ProposalView,
    ReviewOutcome, UndoReport,
};

pub(crate) const EDIT_TOOLS: &[&str] = &["edit_file", "create_file", "delete_file", "rename_file"];

/// The edit tools offered to models that call tools well; their calls become proposals too.
pub(crate) fn edit_tools(model: &str) -> Vec<redline_llm::ToolSpec> {
    if edit_format_for_model(model) != Format::ToolCalls {
        return Vec::new();
    }
    let tool = |name: &str, description: &str, schema: serde_json::Value| redline_llm::ToolSpec {
        name: name.into(),
        description: description.into(),
        schema,
    };
    let path = serde_json::json!({"type": "string", "description": "Path relative to the project root"});
    vec![
        tool(
            "edit_file",
            "Propose replacing old_text (which must occur exactly once, unless replace_all) with new_text in a file. The person reviews it before anything is written.",
            serde_json::json!({"type": "object", "properties": {"path": path, "old_text": {"type": "string"}, "new_text": {"type": "string"}, "line_hint": {"type": "integer"}, "replace_all": {"type": "boolean"}}, "required": ["path", "old_text", "new_text"]}),
        ),
        tool(
            "create_file",
            "Propose a new file with this content.",
            serde_json::json!({"type": "object", "properties": {"path": path, "content": {"type": "string"}}, "required": ["path", "content"]}),
        ),
        tool(
            "delete_file",
            "Propose deleting a file.",
            serde_json::json!({"type": "object", "properties": {"path": path}, "required": ["path"]}),
        ),
        tool(
            "rename_file",
            "Propose renaming a file.",
            serde_json::json!({"type": "object", "properties": {"from": path, "to": path}, "required": ["from", "to"]}),
        ),
    ]
}

/// What the model is told about proposing edits, per edit format.
pub(crate) fn edit_instructions(model: &str) -> &'static str {
    match edit_format_for_model(model) {
        Format::ToolCalls => {
            "To change files, call the edit_file, create_file, delete_file and rename_file tools; the person reviews every change before it is written. Quote old_text exactly from the file."
        }
        Format::WholeFile => {
            "To change a file, write its path on a line by itself, then the whole new content of the file in a fenced code block. Never elide parts of the file."
        }
        _ => {
            "To change files, use SEARCH/REPLACE blocks: the file's path on a line by itself, then\n```\n<<<<<<< SEARCH\nexact lines from the file\n=======\nthe new lines\n>>>>>>> REPLACE\n```\nThe SEARCH part must match the file exactly, once; keep blocks small. To create a file, use an empty SEARCH part. The person reviews every change before it is written."
        }
    }
}

/// Builds proposals while a reply streams: each settled edit re-plans its file.
pub(crate) struct LiveProposals {
    parser: Option<StreamParser>,
    edits: Vec<Edit>,
}

impl LiveProposals {
    pub(crate) fn new() -> Self {
        LiveProposals {
            parser: Some(StreamParser::new(FormatChoice::Auto, ParseOptions::default())),
            edits: Vec::new(),
        }
    }

    /// Feeds new reply text; returns the files whose proposal changed.
    pub(crate) fn push(&mut self, delta: &str) -> Vec<String> {
        let Some(parser) = self.parser.as_mut() else { return Vec::new() };
        let mut touched: Vec<String> = Vec::new();
        for event in parser.push(delta) {
            if let ParseEvent::Edit(edit) = event {
                if !touched.contains(&edit.path) {
                    touched.push(edit.path.clone());
                }
                self.edits.push(edit);
            }
        }
        touched
    }

    /// The proposal for `path` from the edits seen so far, against the file as it is now.
    pub(crate) fn proposal(&self, app: &App, path: &str) -> Option<ProposalView> {
        if let PathRule::Refused(why) = app.path_rule(path, None) {
            return Some(failed_view(0, 0, path, Some(why)));
        }
        let edits: Vec<&Edit> = self.edits.iter().filter(|e| e.path == path).collect();
        let base = app.read_project_text(path);
        let applied = apply_file(base.as_deref(), &edits, &MatchOptions::default());
        let text = match &applied.result {
            redline_edits::FileResult::Modified(t) | redline_edits::FileResult::Created(t) => t.clone(),
            _ => return None,
        };
        let kind = if base.is_none() { ProposalKind::Create } else { ProposalKind::Modify };
        let proposal = Proposal::new(path, base.as_deref().unwrap_or(""), &text, kind);
        let row = ProposalRow {
            checks: crate::checks::findings_json(&crate::checks::static_findings(&proposal)),
            ..unsaved_row(path)
        };
        Some(proposal_view(app, &row, &proposal))
    }
}

/// The row of a new proposal of `message_id`, pending review; `failed` with `error` when the
/// edit could not be placed.
pub(crate) fn proposal_row(
    message_id: i64,
    path: &str,
    proposal: Option<&Proposal>,
    error: Option<String>,
) -> ProposalRow {
    ProposalRow {
        message_id,
        proposal: proposal.and_then(|p| serde_json::to_string(p).ok()),
        status: if proposal.is_some() { "pending" } else { "failed" }.into(),
        error,
        ..unsaved_row(path)
    }
}

/// The row of a proposal not saved yet (while its reply streams).
fn unsaved_row(path: &str) -> ProposalRow {
    ProposalRow {
        id: 0,
        message_id: 0,
        path: path.into(),
        proposal: None,
        written_text: None,
        status: "pending".into(),
        error: None,
        checks: "[]".into(),
    }
}

fn state_name(state: HunkState) -> &'static str {
    match state {
        HunkState::Pending => "pending",
        HunkState::Accepted => "accepted",
        HunkState::Rejected => "rejected",
    }
}

fn parse_state(name: &str) -> ApiResult<HunkState> {
    match name {
        "pending" => Ok(HunkState::Pending),
        "accepted" => Ok(HunkState::Accepted),
        "rejected" => Ok(HunkState::Rejected),
        other => Err(ApiError::new(ErrorCode::InvalidInput, format!("unknown hunk state {other:?}"))),
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
            for (i, _) in h.old_lines.iter().enumerate() {
                let html = marks(i, true, old_iter.next().unwrap_or_default());
                let old_line = Some((h.base_range.start + i) as u32 + 1);
                lines.push(DiffLineView { kind: DiffLineKind::Removed, old_line, new_line: None, html });
            }
            for (i, _) in h.new_lines.iter().enumerate() {
                let html = marks(i, false, new_iter.next().unwrap_or_default());
                let new_line = Some((h.proposed_range.start + i) as u32 + 1);
                lines.push(DiffLineView { kind: DiffLineKind::Added, old_line: None, new_line, html });
            }
            HunkView {
                index: index as u32,
                state: state_name(h.state).into(),
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

/// The view of `p`, saved as `row` (its id, review status, what was written, the checks).
fn proposal_view(app: &App, row: &ProposalRow, p: &Proposal) -> ProposalView {
    let findings: Vec<Finding> = serde_json::from_str(&row.checks).unwrap_or_default();
    let written = row.written_text.as_deref();
    let (kind, from_path) = match &p.kind {
        ProposalKind::Modify => ("modify", None),
        ProposalKind::Create => ("create", None),
        ProposalKind::Delete => ("delete", None),
        ProposalKind::Rename { from } => ("rename", Some(from.clone())),
    };
    // Stale: the file is no longer what Redline last saw or wrote (a person or a tool changed it).
    let expected = written.unwrap_or(&p.base_text);
    let on_disk = app.read_project_text(&p.path);
    let stale = match (&p.kind, on_disk) {
        (ProposalKind::Create, None) => written.is_some(),
        (_, Some(disk)) => sha256_hex(&disk) != sha256_hex(expected),
        (_, None) => true,
    };
    let pending = p.hunks.iter().filter(|h| h.state == HunkState::Pending).count() as u32;
    let protected = match app.proposal_rule(p) {
        PathRule::Protected(why) => Some(why.to_owned()),
        _ => None,
    };
    ProposalView {
        id: row.id,
        message_id: row.message_id,
        path: p.path.clone(),
        kind: kind.into(),
        from_path,
        status: row.status.clone(),
        error: row.error.clone(),
        stale: stale && pending > 0,
        pending,
        written: written.is_some(),
        hunks: hunk_views(p, &findings),
        findings: findings
            .iter()
            .filter(|f| !p.hunks.iter().any(|h| in_hunk(h, f)))
            .map(finding_view)
            .collect(),
        protected,
    }
}

fn failed_view(id: i64, message_id: i64, path: &str, error: Option<String>) -> ProposalView {
    ProposalView {
        id,
        message_id,
        path: path.into(),
        kind: "modify".into(),
        from_path: None,
        status: "failed".into(),
        error,
        stale: false,
        pending: 0,
        written: false,
        hunks: Vec::new(),
        findings: Vec::new(),
        protected: None,
    }
}

impl App {
    /// A project file's text, or `None` when it does not exist or cannot be read as text.
    pub(crate) fn read_project_text(&self, path: &str) -> Option<String> {
        let project = self.project().ok()?;
        let abs = project.root().resolve(path).ok()?;
        std::fs::read_to_string(abs).ok()
    }

    /// Plans a finished reply's edits against the files as they are now: one row per file,
    /// with its proposal (none for an edit that could not be placed).
    pub(crate) fn plan_proposals(
        &self,
        message_id: i64,
        reply: &str,
        tool_calls: &[redline_agent::turn::ToolCall],
    ) -> Vec<(ProposalRow, Option<Proposal>)> {
        let read = |path: &str| self.read_project_text(path);
        let mut outcomes = plan_reply(reply, FormatChoice::Auto, &read);
        if tool_calls.iter().any(|c| EDIT_TOOLS.contains(&c.name.as_str())) {
            let calls: Vec<serde_json::Value> = tool_calls
                .iter()
                .filter(|c| EDIT_TOOLS.contains(&c.name.as_str()))
                .map(|c| serde_json::json!({"name": c.name, "arguments": c.arguments}))
                .collect();
            let json = serde_json::Value::Array(calls).to_string();
            outcomes.extend(plan_reply(&json, FormatChoice::Exact(Format::ToolCalls), &read));
        }
        outcomes
            .into_iter()
            .filter(|o| o.proposal.is_some() || o.error.is_some())
            .map(|o| match self.path_rule(&o.path, o.renamed_to.as_deref()) {
                // Planned as a failed edit: there is nothing to accept, so nothing is ever written.
                PathRule::Refused(why) => (proposal_row(message_id, &o.path, None, Some(why)), None),
                _ => (proposal_row(message_id, &o.path, o.proposal.as_ref(), o.error), o.proposal),
            })
            .collect()
    }

    /// The path rule for a change of `path` (renamed to `renamed_to`) in the open project.
    pub(crate) fn path_rule(&self, path: &str, renamed_to: Option<&str>) -> PathRule {
        let Ok(project) = self.project() else { return PathRule::Editable };
        redline_agent::apply::change_rule(project.root(), project.protected(), path, renamed_to)
    }

    /// The path rule for what a saved proposal writes (both names of a rename).
    fn proposal_rule(&self, p: &Proposal) -> PathRule {
        match &p.kind {
            ProposalKind::Rename { from } => self.path_rule(from, Some(&p.path)),
            _ => self.path_rule(&p.path, None),
        }
    }

    /// Refuses to go on with a proposal whose path the rules refuse (saved before the rule).
    fn ensure_not_refused(&self, p: &Proposal) -> ApiResult<()> {
        match self.proposal_rule(p) {
            PathRule::Refused(why) => {
                Err(ApiError::new(ErrorCode::InvalidInput, format!("{}: {why}.", p.path)))
            }
            _ => Ok(()),
        }
    }

    /// Saves a reply's proposals (replacing any it had) and returns their views.
    pub(crate) fn save_proposals(
        &self,
        message_id: i64,
        rows: &[ProposalRow],
    ) -> ApiResult<Vec<ProposalView>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let saved = self.with_store(|s| s.set_proposals(message_id, rows))?;
        Ok(saved.iter().map(|r| self.row_view(r)).collect())
    }

    pub(crate) fn row_view(&self, r: &ProposalRow) -> ProposalView {
        match r.proposal.as_deref().and_then(|j| serde_json::from_str::<Proposal>(j).ok()) {
            Some(p) => proposal_view(self, r, &p),
            None => failed_view(r.id, r.message_id, &r.path, r.error.clone()),
        }
    }

    pub(crate) fn message_proposals(&self, message_id: i64) -> ApiResult<Vec<ProposalView>> {
        let rows = self.with_store(|s| s.proposals(message_id))?;
        Ok(rows.iter().map(|r| self.row_view(r)).collect())
    }

    /// Every proposal of a conversation, oldest first.
    pub fn review(&self, conversation_id: i64) -> ApiResult<Vec<ProposalView>> {
        let rows = self.with_store(|s| s.open_proposals(conversation_id))?;
        Ok(rows.iter().map(|r| self.row_view(r)).collect())
    }

    fn load_proposal(&self, id: i64) -> ApiResult<(ProposalRow, Proposal)> {
        let row = self
            .with_store(|s| s.proposal(id))?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "That proposal no longer exists."))?;
        let proposal =
            row.proposal.as_deref().and_then(|j| serde_json::from_str::<Proposal>(j).ok()).ok_or_else(
                || {
                    ApiError::new(
                        ErrorCode::InvalidInput,
                        "This edit could not be placed, so there is nothing to accept.",
                    )
                },
            )?;
        Ok((row, proposal))
    }

    /// Sets hunks (all of them when `hunks` is empty) to `state` and writes the file to match:
    /// base + accepted hunks, merged onto the disk if it changed. A conflict writes nothing and
    /// keeps the states as they were. Accepting hunks of a protected file fails with
    /// `NeedsConfirmation`: the person confirms, then the caller uses [`App::set_hunks_confirmed`].
    pub fn set_hunks(&self, proposal_id: i64, hunks: Vec<u32>, state: &str) -> ApiResult<ReviewOutcome> {
        self.review_hunks(proposal_id, hunks, state, false)
    }

    /// [`App::set_hunks`] after the person confirmed writing a protected file.
    pub fn set_hunks_confirmed(
        &self,
        proposal_id: i64,
        hunks: Vec<u32>,
        state: &str,
    ) -> ApiResult<ReviewOutcome> {
        self.review_hunks(proposal_id, hunks, state, true)
    }

    fn review_hunks(
        &self,
        proposal_id: i64,
        hunks: Vec<u32>,
        state: &str,
        confirmed: bool,
    ) -> ApiResult<ReviewOutcome> {
        let state = parse_state(state)?;
        let (mut row, mut proposal) = self.load_proposal(proposal_id)?;
        self.ensure_not_refused(&proposal)?;
        if state == HunkState::Accepted && !confirmed {
            if let PathRule::Protected(why) = self.proposal_rule(&proposal) {
                return Err(needs_confirmation(&proposal.path, why));
            }
        }
        let before = proposal.clone();
        for (i, h) in proposal.hunks.iter_mut().enumerate() {
            if hunks.is_empty() || hunks.contains(&(i as u32)) {
                h.state = state;
            }
        }
        let previous = row.written_text.clone().unwrap_or_else(|| before.base_text.clone());
        let target = proposal.accepted_text();
        let outcome = if target == previous {
            ReviewOutcome { proposal: None, written: "unchanged".into(), message: None }
        } else {
            self.ensure_checkpoint(row.message_id)?;
            self.write_target(&row, &proposal, &previous, &target)?
        };
        if outcome.written == "conflict" {
            return Ok(ReviewOutcome { proposal: Some(self.row_view(&row)), ..outcome });
        }
        if target != previous {
            row.written_text = Some(target);
        }
        row.proposal = serde_json::to_string(&proposal).ok();
        row.status =
            if proposal.hunks.iter().any(|h| h.state == HunkState::Pending) { "pending" } else { "reviewed" }
                .into();
        self.with_store(|s| s.update_proposal(&row))?;
        self.review_changed.notify_waiters();
        Ok(ReviewOutcome { proposal: Some(self.row_view(&row)), ..outcome })
    }

    /// Replaces the proposed text of one hunk (before accepting it).
    pub fn edit_hunk(&self, proposal_id: i64, hunk: u32, text: &str) -> ApiResult<ProposalView> {
        let (mut row, proposal) = self.load_proposal(proposal_id)?;
        self.ensure_not_refused(&proposal)?;
        let edited = replace_hunk_text(&proposal, hunk as usize, text)
            .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))?;
        row.proposal = serde_json::to_string(&edited).ok();
        // The person's own text is checked again (the formatter's view waits for the next reply).
        row.checks = crate::checks::findings_json(&crate::checks::static_findings(&edited));
        self.with_store(|s| s.update_proposal(&row))?;
        self.review_changed.notify_waiters();
        Ok(self.row_view(&row))
    }

    /// Writes `target` where `previous` was expected, through the accept engine.
    fn write_target(
        &self,
        row: &ProposalRow,
        proposal: &Proposal,
        previous: &str,
        target: &str,
    ) -> ApiResult<ReviewOutcome> {
        use redline_agent::apply::{accept_text, create_text, delete_text, AcceptOutcome};
        let project = self.project()?;
        let root = project.root();
        let creates = matches!(proposal.kind, ProposalKind::Create);
        let removes =
            matches!(proposal.kind, ProposalKind::Delete | ProposalKind::Create) && target.is_empty();
        let outcome = if removes {
            delete_text(root, &row.path, previous)
        } else if creates && previous.is_empty() && self.read_project_text(&row.path).is_none() {
            create_text(root, &row.path, target)
        } else {
            accept_text(root, &row.path, previous, target)
        };
        let (written, message) = match outcome {
            AcceptOutcome::Written => ("written", None),
            AcceptOutcome::Merged => ("merged", Some(format!("{} had changed on disk; your changes were kept and merged.", row.path))),
            AcceptOutcome::Unchanged => ("unchanged", None),
            AcceptOutcome::Conflict(_) => (
                "conflict",
                Some(format!("{} changed on disk in the same lines: nothing was written. Resolve it by hand or reject the hunk.", row.path)),
            ),
            AcceptOutcome::Failed(e) => return Err(ApiError::new(ErrorCode::Unreadable, e)),
        };
        Ok(ReviewOutcome { proposal: None, written: written.into(), message })
    }

    fn checkpoints(&self) -> ApiResult<CheckpointStore> {
        let project = self.project()?;
        let key = sha256_hex(&project.info().root);
        let private = self.data_dir().join("checkpoints").join(format!("{}.git", &key[..16]));
        Ok(CheckpointStore::open(project.root().path(), &private)?)
    }

    /// Before a reply's first write: its files as they are now, saved as git objects.
    fn ensure_checkpoint(&self, message_id: i64) -> ApiResult<()> {
        if self.with_store(|s| s.checkpoint(message_id))?.is_some() {
            return Ok(());
        }
        let project = self.project()?;
        let rows = self.with_store(|s| s.proposals(message_id))?;
        let mut files = Vec::new();
        for r in rows.iter().filter(|r| r.proposal.is_some()) {
            let content = read_current(project.root(), &r.path).map_err(write_error)?;
            files.push(FileState { path: r.path.clone(), content });
        }
        let checkpoint = self.checkpoints()?.save(&format!("m{message_id}"), &files)?;
        self.with_store(|s| s.set_checkpoint(message_id, &checkpoint.id))
    }

    /// Undoes what Redline wrote for a reply: each file goes back to its checkpoint, except
    /// what a person changed afterwards, which is merged and kept (or, when it cannot be
    /// merged, the file is left alone and named in the report). Its hunks count as rejected.
    pub fn undo_turn(&self, message_id: i64) -> ApiResult<UndoReport> {
        let Some(id) = self.with_store(|s| s.checkpoint(message_id))? else {
            return Ok(UndoReport { restored: vec![], kept: vec![] });
        };
        let saved = self.checkpoints()?.load(&id)?;
        let project = self.project()?;
        let mut report = UndoReport { restored: vec![], kept: vec![] };
        for mut row in self.with_store(|s| s.proposals(message_id))? {
            let Some(written) = row.written_text.clone() else { continue };
            if let PathRule::Refused(why) = self.path_rule(&row.path, None) {
                report.kept.push(format!("{}: {why}; left as it is", row.path));
                continue;
            }
            let original = saved.iter().find(|f| f.path == row.path).and_then(|f| f.content.clone());
            match self.restore_file(project.root(), &row.path, &written, original)? {
                Ok(()) => report.restored.push(row.path.clone()),
                Err(why) => {
                    report.kept.push(format!("{}: {why}", row.path));
                    continue;
                }
            }
            if let Some(mut proposal) =
                row.proposal.as_deref().and_then(|j| serde_json::from_str::<Proposal>(j).ok())
            {
                proposal.hunks.iter_mut().for_each(|h| h.state = HunkState::Rejected);
                row.proposal = serde_json::to_string(&proposal).ok();
            }
            row.written_text = None;
            row.status = "reviewed".into();
            self.with_store(|s| s.update_proposal(&row))?;
        }
        Ok(report)
    }

    /// Puts `original` back where Redline wrote `written`; the inner error says why a file was
    /// left alone.
    fn restore_file(
        &self,
        root: &redline_project::ProjectRoot,
        path: &str,
        written: &str,
        original: Option<Vec<u8>>,
    ) -> ApiResult<Result<(), String>> {
        let disk = read_current(root, path).map_err(write_error)?;
        let untouched = disk.as_deref() == Some(written.as_bytes());
        let result = match (untouched, original, disk) {
            (true, Some(bytes), _) => replace_if_unchanged(root, path, Some(&sha256_hex(written)), &bytes),
            (true, None, _) => delete_if_unchanged(root, path, &sha256_hex(written)),
            (false, Some(bytes), Some(disk)) => {
                let (original, disk) = (String::from_utf8_lossy(&bytes), String::from_utf8_lossy(&disk));
                match redline_edits::merge3(written, &disk, &original) {
                    Ok(merged) => {
                        replace_if_unchanged(root, path, Some(&sha256_hex(&disk)), merged.as_bytes())
                    }
                    Err(_) => return Ok(Err("changed since in the same lines; left as it is".into())),
                }
            }
            (false, None, Some(_)) => {
                return Ok(Err("created by Redline and changed since; left as it is".into()))
            }
            (false, _, None) => return Ok(Err("deleted since; left as it is".into())),
        };
        match result.map_err(write_error)? {
            Replaced::Written => Ok(Ok(())),
            Replaced::Changed { .. } => Ok(Err("changed while restoring; left as it is".into())),
        }
    }
}

impl App {
    /// What Redline wrote for a reply: the paths and a unified diff of each.
    fn turn_changes(&self, message_id: i64) -> ApiResult<(Vec<String>, String)> {
        let rows = self.with_store(|s| s.proposals(message_id))?;
        let mut paths = Vec::new();
        let mut diff = String::new();
        for r in rows.iter().filter(|r| r.written_text.is_some()) {
            let base = r
                .proposal
                .as_deref()
                .and_then(|j| serde_json::from_str::<Proposal>(j).ok())
                .map(|p| p.base_text)
                .unwrap_or_default();
            let written = r.written_text.as_deref().unwrap_or_default();
            diff.push_str(&redline_agent::apply::unified_diff(&r.path, &r.path, &base, written));
            paths.push(r.path.clone());
        }
        if paths.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "Nothing of this reply was accepted yet, so there is nothing to commit.",
            ));
        }
        Ok((paths, diff))
    }

    /// A commit message for what a reply changed, drafted by the conversation's model; a plain
    /// one naming the files when the model cannot be asked.
    pub async fn draft_commit_message(&self, message_id: i64) -> ApiResult<String> {
        let (paths, diff) = self.turn_changes(message_id)?;
        let fallback = format!("Update {}", paths.join(", "));
        let model_id = self.with_store(|s| s.message(message_id))?.and_then(|m| m.model);
        let Some(model_id) = model_id else { return Ok(fallback) };
        let Ok(model) = self.models.resolve(&model_id).await else { return Ok(fallback) };
        let name = model_id.split_once('/').map_or(model_id.as_str(), |(_, m)| m);
        // The turn's diff is outbound like any other: hidden files left out, each file redacted.
        let visibility = redline_project::Visibility::new(self.project()?.root().path());
        let diff =
            redline_project::gate(&visibility, redline_project::Source::Diff { prefix: "" }, &diff).text;
        let mut request = redline_llm::Request::new(
            name,
            vec![redline_llm::Message::user(format!(
                "Write a git commit message for this change: a subject line under 72 characters, a blank line, then a short body saying why. Reply with the message only.\n\n{diff}"
            ))],
        );
        request.max_tokens = 300;
        let mut stream = model.stream(request);
        let mut text = String::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(redline_llm::Delivery::Event(redline_llm::StreamEvent::Text(t))) => text.push_str(&t),
                Ok(_) => {}
                Err(_) => return Ok(fallback),
            }
        }
        let text = text.trim().trim_matches('`').trim();
        Ok(if text.is_empty() { fallback } else { text.to_owned() })
    }

    /// Commits exactly the files a reply changed (what is on disk now), on the current branch.
    pub fn commit_turn(&self, message_id: i64, message: &str) -> ApiResult<String> {
        if message.trim().is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "A commit needs a message."));
        }
        let (paths, _) = self.turn_changes(message_id)?;
        let project = self.project()?;
        let repo = redline_git::Repo::discover(project.root().path())?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::Git,
                "This folder is not a git repository, so there is nothing to commit to.",
            )
        })?;
        let prefix =
            project.root().path().strip_prefix(repo.workdir()).unwrap_or(Path::new("")).to_path_buf();
        let in_repo: Vec<String> =
            paths.iter().map(|p| prefix.join(p).to_string_lossy().replace('\\', "/")).collect();
        Ok(repo.commit_paths(&in_repo, message.trim())?)
    }
}

/// The error that makes the UI ask "write this protected file?" before retrying confirmed.
fn needs_confirmation(path: &str, why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NeedsConfirmation,
        format!(
            "{path} is protected: {why}. Confirm that Redline should write it, after checking the change."
        ),
    )
}

fn write_error(e: redline_project::WriteError) -> ApiError {
    use redline_project::WriteError;
    match e {
        // "Outside the project" and "git's own files" are refusals the person can act on, not
        // unreadable files.
        WriteError::Project(e) => e.into(),
        e @ WriteError::Refused { .. } => ApiError::new(ErrorCode::InvalidInput, e.to_string()),
        e => ApiError::new(ErrorCode::Unreadable, e.to_string()),
    }
}
