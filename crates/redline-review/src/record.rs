//! A proposal as the review keeps it, and the one place it is turned into a database row and
//! back. Every state is typed here; a row that does not decode is an error naming the row,
//! never a proposal silently skipped.

use redline_checks::Finding;
use redline_edits::{HunkState, Proposal, ProposalKind};
use redline_store::ProposalRow;

use crate::ReviewError;

/// Where a proposal's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Hunks (or, for a pure rename, the file) still wait for the person.
    Pending,
    /// Every hunk was decided.
    Reviewed,
    /// The edit could not be placed (or the rules refuse its path): nothing to accept.
    Failed,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Reviewed => "reviewed",
            Status::Failed => "failed",
        }
    }

    fn parse(name: &str) -> Option<Status> {
        match name {
            "pending" => Some(Status::Pending),
            "reviewed" => Some(Status::Reviewed),
            "failed" => Some(Status::Failed),
            _ => None,
        }
    }
}

/// A file as Redline means it to be: at `path`, holding `text` (`None`: no file there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileImage {
    pub path: String,
    pub text: Option<String>,
}

/// One file of a reply under review.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 0 until saved.
    pub id: i64,
    pub message_id: i64,
    /// The path as the reply named it (the old name of a rename).
    pub path: String,
    /// `None` for an edit that could not be placed.
    pub proposal: Option<Proposal>,
    /// Why blocks failed (with a proposal: some placed, others not).
    pub error: Option<String>,
    /// What Redline last wrote for it; `None` while nothing was.
    pub written: Option<FileImage>,
    pub status: Status,
    /// What the checks before review found.
    pub findings: Vec<Finding>,
}

impl Record {
    /// A planned file of `message_id`, pending review (failed when it has no proposal).
    pub fn planned(message_id: i64, path: &str, proposal: Option<Proposal>, error: Option<String>) -> Record {
        let status = if proposal.is_some() { Status::Pending } else { Status::Failed };
        Record {
            id: 0,
            message_id,
            path: path.to_owned(),
            proposal,
            error,
            written: None,
            status,
            findings: Vec::new(),
        }
    }

    /// The proposal, or why there is nothing to accept.
    pub fn placed(&self) -> Result<&Proposal, ReviewError> {
        self.proposal.as_ref().ok_or_else(|| {
            ReviewError::InvalidInput("This edit could not be placed, so there is nothing to accept.".into())
        })
    }

    /// Hunks still waiting; a pure rename not decided yet counts as one.
    pub fn pending(&self) -> usize {
        match &self.proposal {
            None => 0,
            Some(p) if p.hunks.is_empty() => usize::from(self.status == Status::Pending),
            Some(p) => p.hunks.iter().filter(|h| h.state == HunkState::Pending).count(),
        }
    }

    /// The file as the proposal's base has it, before anything was written.
    pub fn base_image(&self) -> Option<FileImage> {
        let p = self.proposal.as_ref()?;
        Some(match &p.kind {
            ProposalKind::Create => FileImage { path: p.path.clone(), text: None },
            ProposalKind::Rename { from } => {
                FileImage { path: from.clone(), text: Some(p.base_text.clone()) }
            }
            _ => FileImage { path: p.path.clone(), text: Some(p.base_text.clone()) },
        })
    }

    /// Where the file is now as far as Redline knows: what it last wrote, else the base.
    pub fn current_image(&self) -> Option<FileImage> {
        self.written.clone().or_else(|| self.base_image())
    }
}

/// The row that stores `r`.
pub(crate) fn encode(r: &Record) -> ProposalRow {
    ProposalRow {
        id: r.id,
        message_id: r.message_id,
        path: r.path.clone(),
        // Serializing these plain structs cannot fail; an empty object would decode as corrupt.
        proposal: r.proposal.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default()),
        written_path: r.written.as_ref().map(|w| w.path.clone()),
        written_text: r.written.as_ref().and_then(|w| w.text.clone()),
        status: r.status.name().to_owned(),
        error: r.error.clone(),
        checks: serde_json::to_string(&r.findings).unwrap_or_else(|_| "[]".into()),
    }
}

/// The record stored as `row`; an error naming the row when any part does not read back.
pub(crate) fn decode(row: ProposalRow) -> Result<Record, ReviewError> {
    let corrupt = |why: String| ReviewError::Corrupt { id: row.id, path: row.path.clone(), why };
    let proposal = match row.proposal.as_deref() {
        Some(json) => {
            Some(serde_json::from_str::<Proposal>(json).map_err(|e| corrupt(format!("its proposal: {e}")))?)
        }
        None => None,
    };
    let status =
        Status::parse(&row.status).ok_or_else(|| corrupt(format!("unknown status {:?}", row.status)))?;
    let findings = serde_json::from_str::<Vec<Finding>>(&row.checks)
        .map_err(|e| corrupt(format!("its check results: {e}")))?;
    let written = match (row.written_path, row.written_text) {
        (Some(path), text) => Some(FileImage { path, text }),
        (None, None) => None,
        (None, Some(_)) => return Err(corrupt("written text without a path".into())),
    };
    Ok(Record {
        id: row.id,
        message_id: row.message_id,
        path: row.path,
        proposal,
        error: row.error,
        written,
        status,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rename_record() -> Record {
        let p = Proposal::new("b.rs", "x\n", "y\n", ProposalKind::Rename { from: "a.rs".into() });
        let mut r = Record::planned(7, "a.rs", Some(p), None);
        r.written = Some(FileImage { path: "b.rs".into(), text: None });
        r
    }

    #[test]
    fn a_record_survives_its_row() {
        let r = rename_record();
        assert_eq!(decode(encode(&r)).expect("decodes"), r);
    }

    #[test]
    fn a_row_with_broken_json_is_an_error_naming_it() {
        let mut row = encode(&rename_record());
        row.id = 42;
        row.proposal = Some("{not json".into());
        let err = decode(row).expect_err("corrupt");
        assert_eq!(err.code(), crate::ReviewCode::Corrupt);
        assert!(err.to_string().contains("Proposal 42 (a.rs)"), "{err}");
    }

    #[test]
    fn an_unknown_status_is_corrupt_not_pending() {
        let mut row = encode(&rename_record());
        row.status = "conflict".into();
        assert!(matches!(decode(row), Err(ReviewError::Corrupt { .. })));
    }

    #[test]
    fn the_base_image_of_a_rename_is_its_old_name() {
        let r = rename_record();
        assert_eq!(r.base_image().map(|i| i.path), Some("a.rs".to_owned()));
        assert_eq!(r.current_image().map(|i| i.path), Some("b.rs".to_owned()));
    }
}
