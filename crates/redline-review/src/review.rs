//! The person's decisions on a proposal, and undoing them: the use cases every front end (the
//! window, `redline apply`, the agent's auto-accept) goes through. A decision sets hunk states,
//! works out the file image they ask for and moves the file there through the engine, after a
//! checkpoint of the reply's files; undo moves each file back through the same engine.

use std::path::PathBuf;

use redline_edits::{replace_hunk_text, HunkState, Proposal, ProposalKind};
use redline_git::{CheckpointStore, FileState};
use redline_project::{read_current, PathRule, ProjectRoot, ProtectedPaths};
use redline_store::Store;

use crate::engine::{read_text, transition, Applied};
use crate::record::{decode, encode};
use crate::rules::change_rule;
use crate::{FileImage, Record, ReviewError, Status};

/// A project's review desk: its root, its path rules, and where checkpoints go when the folder
/// has no repository of its own.
#[derive(Debug)]
pub struct Desk<'a> {
    pub root: &'a ProjectRoot,
    pub rules: &'a ProtectedPaths,
    /// A private bare repository in the app's data folder, used when `root` is not in one.
    pub private_checkpoints: PathBuf,
}

/// A decision and what it did on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// The record as saved (unchanged on a conflict).
    pub record: Record,
    pub applied: Applied,
}

/// What undoing a reply did, file by file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undone {
    pub restored: Vec<String>,
    /// Files left as they are, each with the reason.
    pub kept: Vec<(String, String)>,
}

/// The saved proposal `id`.
pub fn load(store: &Store, id: i64) -> Result<Record, ReviewError> {
    decode(store.proposal(id)?.ok_or(ReviewError::NoSuchProposal(id))?)
}

/// A reply's proposals, in the order they were planned.
pub fn records(store: &Store, message_id: i64) -> Result<Vec<Record>, ReviewError> {
    store.proposals(message_id)?.into_iter().map(decode).collect()
}

/// Every proposal of a conversation, oldest first.
pub fn conversation_records(store: &Store, conversation_id: i64) -> Result<Vec<Record>, ReviewError> {
    store.open_proposals(conversation_id)?.into_iter().map(decode).collect()
}

/// Saves a reply's proposals, replacing any it had; returns them with their ids.
pub fn save(store: &mut Store, message_id: i64, records: &[Record]) -> Result<Vec<Record>, ReviewError> {
    let rows: Vec<_> = records.iter().map(encode).collect();
    store.set_proposals(message_id, &rows)?.into_iter().map(decode).collect()
}

fn update(store: &mut Store, record: &Record) -> Result<(), ReviewError> {
    Ok(store.update_proposal(&encode(record))?)
}

/// The file image the decisions in `p` ask for. `whole` is the decision on a proposal without
/// hunks (a pure rename, an empty new file, removing an empty file).
pub fn decided_image(p: &Proposal, whole: HunkState) -> FileImage {
    let accepted = p.hunks.iter().filter(|h| h.state == HunkState::Accepted).count();
    let (any, all) = if p.hunks.is_empty() {
        (whole == HunkState::Accepted, whole == HunkState::Accepted)
    } else {
        (accepted > 0, accepted == p.hunks.len())
    };
    let text = p.accepted_text();
    match &p.kind {
        ProposalKind::Modify => FileImage { path: p.path.clone(), text: Some(text) },
        ProposalKind::Create => FileImage { path: p.path.clone(), text: any.then_some(text) },
        ProposalKind::Delete => FileImage { path: p.path.clone(), text: (!all).then_some(text) },
        // Any accepted change of a renamed file is a change of the file under its new name.
        ProposalKind::Rename { from } => {
            FileImage { path: if any { p.path.clone() } else { from.clone() }, text: Some(text) }
        }
    }
}

/// Moves a decided record's file from where Redline last left it to what its decisions ask
/// for; the write `redline apply` and the window share.
pub(crate) fn write_decided(root: &ProjectRoot, record: &Record) -> Result<Applied, ReviewError> {
    let (Some(p), Some(from)) = (&record.proposal, record.current_image()) else {
        return Ok(Applied::Unchanged);
    };
    let whole = if record.status == Status::Reviewed { HunkState::Accepted } else { HunkState::Pending };
    let to = decided_image(p, whole);
    if from == to {
        return Ok(Applied::Unchanged);
    }
    transition(root, &from, &to)
}

impl Desk<'_> {
    /// The rule for what `p` writes: both names of a rename.
    pub fn rule(&self, p: &Proposal) -> PathRule {
        match &p.kind {
            ProposalKind::Rename { from } => change_rule(self.root, self.rules, from, Some(&p.path)),
            _ => change_rule(self.root, self.rules, &p.path, None),
        }
    }

    /// Whether the file is no longer what Redline last saw or wrote (a person or a tool changed
    /// it): accepting will merge.
    pub fn is_stale(&self, record: &Record) -> bool {
        let Some(expected) = record.current_image() else { return false };
        match read_text(self.root, &expected.path) {
            Ok(on_disk) => on_disk != expected.text,
            Err(_) => true,
        }
    }

    /// Sets hunks (all of them when `hunks` is empty) of proposal `id` to `state` and writes
    /// the file to match, merged onto the disk if it changed. A conflict writes nothing and keeps
    /// the states as they were. Accepting a protected file needs `confirmed`.
    pub fn set_hunks(
        &self,
        store: &mut Store,
        id: i64,
        hunks: &[u32],
        state: HunkState,
        confirmed: bool,
    ) -> Result<Decided, ReviewError> {
        let mut record = load(store, id)?;
        let mut proposal = record.placed()?.clone();
        match self.rule(&proposal) {
            PathRule::Refused(why) => return Err(ReviewError::Refused { path: proposal.path, why }),
            PathRule::Protected(why) if state == HunkState::Accepted && !confirmed => {
                return Err(ReviewError::NeedsConfirmation { path: proposal.path, why: why.to_owned() })
            }
            _ => {}
        }
        for (i, h) in proposal.hunks.iter_mut().enumerate() {
            if hunks.is_empty() || hunks.contains(&(i as u32)) {
                h.state = state;
            }
        }
        let whole = if hunks.is_empty() { state } else { HunkState::Pending };
        let from =
            record.current_image().unwrap_or_else(|| FileImage { path: proposal.path.clone(), text: None });
        let to = decided_image(&proposal, whole);
        let applied = if from == to {
            Applied::Unchanged
        } else {
            self.ensure_checkpoint(store, record.message_id)?;
            transition(self.root, &from, &to)?
        };
        if let Applied::Conflict(_) = applied {
            return Ok(Decided { record, applied });
        }
        record.written = (Some(&to) != record.base_image().as_ref()).then_some(to);
        let decided = proposal.hunks.iter().all(|h| h.state != HunkState::Pending)
            && (!proposal.hunks.is_empty() || whole != HunkState::Pending);
        record.status = if decided { Status::Reviewed } else { Status::Pending };
        record.proposal = Some(proposal);
        update(store, &record)?;
        Ok(Decided { record, applied })
    }

    /// Replaces the proposed text of one hunk before it is accepted; the checks look again.
    pub fn edit_hunk(
        &self,
        store: &mut Store,
        id: i64,
        hunk: u32,
        text: &str,
    ) -> Result<Record, ReviewError> {
        let mut record = load(store, id)?;
        let proposal = record.placed()?;
        if let PathRule::Refused(why) = self.rule(proposal) {
            return Err(ReviewError::Refused { path: proposal.path.clone(), why });
        }
        let edited = replace_hunk_text(proposal, hunk as usize, text)
            .map_err(|e| ReviewError::InvalidInput(e.to_string()))?;
        record.findings = crate::checks::static_findings(&edited);
        record.proposal = Some(edited);
        update(store, &record)?;
        Ok(record)
    }

    fn checkpoints(&self) -> Result<CheckpointStore, ReviewError> {
        Ok(CheckpointStore::open(self.root.path(), &self.private_checkpoints)?)
    }

    /// Before a reply's first write: every file it may touch (both names of a rename), saved
    /// as git objects.
    fn ensure_checkpoint(&self, store: &mut Store, message_id: i64) -> Result<(), ReviewError> {
        if store.checkpoint(message_id)?.is_some() {
            return Ok(());
        }
        let mut files: Vec<FileState> = Vec::new();
        for record in records(store, message_id)? {
            let Some(p) = &record.proposal else { continue };
            let from = record.base_image().map(|i| i.path);
            for path in from.into_iter().chain([p.path.clone()]) {
                if !files.iter().any(|f| f.path == path) {
                    let content = read_current(self.root, &path)?;
                    files.push(FileState { path, content });
                }
            }
        }
        let checkpoint = self.checkpoints()?.save(&format!("m{message_id}"), &files)?;
        Ok(store.set_checkpoint(message_id, &checkpoint.id)?)
    }

    /// Undoes what Redline wrote for a reply: each file goes back to its checkpoint through the
    /// accept engine, so what a person changed afterwards is merged and kept (or, when it cannot
    /// be, the file is left alone and named). Its hunks count as rejected.
    pub fn undo_turn(&self, store: &mut Store, message_id: i64) -> Result<Undone, ReviewError> {
        let mut report = Undone::default();
        let Some(id) = store.checkpoint(message_id)? else { return Ok(report) };
        let saved = self.checkpoints()?.load(&id)?;
        for mut record in records(store, message_id)? {
            let (Some(written), Some(base)) = (record.written.clone(), record.base_image()) else { continue };
            let name = written.path.clone();
            if let Some(p) = &record.proposal {
                if let PathRule::Refused(why) = self.rule(p) {
                    report.kept.push((name, format!("{why}; left as it is")));
                    continue;
                }
            }
            let original = saved.iter().find(|f| f.path == base.path).and_then(|f| f.content.clone());
            let original = match original.map(String::from_utf8).transpose() {
                Ok(text) => FileImage { path: base.path, text },
                Err(_) => {
                    report.kept.push((name, "its saved copy is not text; left as it is".into()));
                    continue;
                }
            };
            match transition(self.root, &written, &original) {
                Ok(Applied::Conflict(_)) => {
                    report.kept.push((name, "changed since in the same lines; left as it is".into()));
                    continue;
                }
                Ok(_) => report.restored.push(name),
                Err(e) => {
                    report.kept.push((name, e.to_string()));
                    continue;
                }
            }
            if let Some(p) = record.proposal.as_mut() {
                p.hunks.iter_mut().for_each(|h| h.state = HunkState::Rejected);
            }
            record.written = None;
            record.status = Status::Reviewed;
            update(store, &record)?;
        }
        Ok(report)
    }
}
