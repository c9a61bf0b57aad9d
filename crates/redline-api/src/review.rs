//! Proposed edits and their review, as use cases of the open project: each maps onto
//! `redline-review` (the one accept engine, typed state, undo) and back to transport views.

use std::path::Path;

use redline_review::{Desk, Record, ReviewError};
use redline_store::Store;

use crate::project::OpenProject;
use crate::review_view::{hunk_state_of, proposal_view, written_view, Hunks};
use crate::{ApiError, ApiResult, App, ErrorCode, HunkStateView, ProposalView, ReviewOutcome, UndoReport};

impl App {
    /// A project file's text, or `None` when it does not exist or cannot be read as text.
    pub(crate) fn read_project_text(&self, path: &str) -> Option<String> {
        redline_review::read_text(self.project().ok()?.root(), path).ok().flatten()
    }

    /// The review desk of `project`: its root, its path rules, and where its checkpoints go
    /// when it has no repository of its own.
    pub(crate) fn desk<'p>(&self, project: &'p OpenProject) -> Desk<'p> {
        let key = redline_edits::sha256_hex(&project.info().root);
        let private_checkpoints = self.data_dir().join("checkpoints").join(format!("{}.git", &key[..16]));
        Desk { root: project.root(), rules: project.protected(), private_checkpoints }
    }

    /// Runs a review step of the open project with the database.
    pub(crate) fn with_desk<T>(
        &self,
        f: impl FnOnce(&Desk, &mut Store) -> Result<T, ReviewError>,
    ) -> ApiResult<T> {
        let project = self.project()?;
        let desk = self.desk(&project);
        self.with_open_store(|store| Ok(f(&desk, store)?))
    }

    /// Views of `records` as saved; a record of another project (none open) is shown without
    /// what the disk would say.
    pub(crate) fn views(&self, records: &[Record], hunks: Hunks) -> Vec<ProposalView> {
        let project = self.project().ok();
        let desk = project.as_deref().map(|p| self.desk(p));
        records.iter().map(|r| proposal_view(desk.as_ref(), r, hunks)).collect()
    }

    /// Saves a reply's planned records (replacing any it had) and returns their views.
    pub(crate) fn save_records(&self, message_id: i64, records: &[Record]) -> ApiResult<Vec<ProposalView>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let saved = self.with_desk(|_, store| redline_review::save(store, message_id, records))?;
        Ok(self.views(&saved, Hunks::CountsOnly))
    }

    /// Runs the checks on planned records before they are saved.
    pub(crate) async fn check_records(&self, records: &mut [Record]) -> ApiResult<()> {
        let project = self.project()?;
        let skipped = redline_review::checks::check(project.root().path(), project.trust(), records).await;
        for tool in skipped {
            self.note_untrusted(format!("{tool} not run"));
        }
        Ok(())
    }

    /// A reply's proposals with counts (the chat); the Review tab asks for [`App::review`].
    pub(crate) fn message_proposals(&self, message_id: i64) -> ApiResult<Vec<ProposalView>> {
        let records = self.with_desk(|_, store| redline_review::records(store, message_id))?;
        Ok(self.views(&records, Hunks::CountsOnly))
    }

    /// Every proposal of a conversation, oldest first, with highlighted hunks.
    pub fn review(&self, conversation_id: i64) -> ApiResult<Vec<ProposalView>> {
        let records =
            self.with_desk(|_, store| redline_review::conversation_records(store, conversation_id))?;
        Ok(self.views(&records, Hunks::Highlighted))
    }

    /// Sets hunks (all of them, or the whole file, when `hunks` is empty) to `state` and writes
    /// the file to match: base + accepted hunks, merged onto the disk if it changed. A conflict
    /// writes nothing and keeps the states as they were. Accepting hunks of a protected file
    /// fails with `NeedsConfirmation`: the person confirms, then [`App::set_hunks_confirmed`].
    pub fn set_hunks(
        &self,
        proposal_id: i64,
        hunks: Vec<u32>,
        state: HunkStateView,
    ) -> ApiResult<ReviewOutcome> {
        self.decide(proposal_id, hunks, state, false)
    }

    /// [`App::set_hunks`] after the person confirmed writing a protected file.
    pub fn set_hunks_confirmed(
        &self,
        proposal_id: i64,
        hunks: Vec<u32>,
        state: HunkStateView,
    ) -> ApiResult<ReviewOutcome> {
        self.decide(proposal_id, hunks, state, true)
    }

    fn decide(
        &self,
        id: i64,
        hunks: Vec<u32>,
        state: HunkStateView,
        confirmed: bool,
    ) -> ApiResult<ReviewOutcome> {
        let decided =
            self.with_desk(|desk, store| desk.set_hunks(store, id, &hunks, hunk_state_of(state), confirmed))?;
        let path = decided.record.proposal.as_ref().map_or(decided.record.path.as_str(), |p| p.path.as_str());
        let message = match &decided.applied {
            redline_review::Applied::Merged => {
                Some(format!("{path} had changed on disk; your changes were kept and merged."))
            }
            redline_review::Applied::Conflict(_) => Some(format!(
                "{path} changed on disk in the same lines: nothing was written. Resolve it by hand or reject the hunk."
            )),
            _ => None,
        };
        if !matches!(decided.applied, redline_review::Applied::Conflict(_)) {
            self.review_changed.notify_waiters();
        }
        let proposal = self.views(std::slice::from_ref(&decided.record), Hunks::Highlighted).pop();
        Ok(ReviewOutcome { proposal, written: written_view(&decided.applied), message })
    }

    /// Replaces the proposed text of one hunk (before accepting it).
    pub fn edit_hunk(&self, proposal_id: i64, hunk: u32, text: &str) -> ApiResult<ProposalView> {
        let record = self.with_desk(|desk, store| desk.edit_hunk(store, proposal_id, hunk, text))?;
        self.review_changed.notify_waiters();
        self.views(&[record], Hunks::Highlighted)
            .pop()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the edited proposal has no view"))
    }

    /// Undoes what Redline wrote for a reply: each file goes back to its checkpoint, except
    /// what a person changed afterwards, which is merged and kept (or, when it cannot be
    /// merged, the file is left alone and named in the report). Its hunks count as rejected.
    pub fn undo_turn(&self, message_id: i64) -> ApiResult<UndoReport> {
        let undone = self.with_desk(|desk, store| desk.undo_turn(store, message_id))?;
        self.review_changed.notify_waiters();
        Ok(UndoReport {
            restored: undone.restored,
            kept: undone.kept.into_iter().map(|(path, why)| format!("{path}: {why}")).collect(),
        })
    }

    /// What Redline wrote for a reply: the paths and a unified diff of each.
    fn turn_changes(&self, message_id: i64) -> ApiResult<(Vec<String>, String)> {
        let records = self.with_desk(|_, store| redline_review::records(store, message_id))?;
        let mut paths = Vec::new();
        let mut diff = String::new();
        for (record, written) in records.iter().filter_map(|r| Some((r, r.written.as_ref()?))) {
            let base = record.base_image().and_then(|b| b.text).unwrap_or_default();
            let after = written.text.as_deref().unwrap_or_default();
            diff.push_str(&redline_review::unified_diff(&record.path, &written.path, &base, after));
            paths.extend([record.path.clone(), written.path.clone()]);
        }
        paths.dedup();
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
            vec![redline_llm::Message::user(redline_agent::instructions::commit_message_request(&diff))],
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
