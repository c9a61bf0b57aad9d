use redline_git::GitError;
use redline_project::{ProjectError, WriteError};
use redline_store::StoreError;

/// What a caller (the UI, the CLI) branches on; the message is for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewCode {
    /// The file changed since and could not be written as asked (created by someone else,
    /// changed before a delete, kept changing while written).
    Stale,
    /// Accepting writes a protected file: the person confirms first.
    Protected,
    /// The rules never let a proposal write this path (git's own files, a link leading out).
    Refused,
    OutsideProject,
    NotFound,
    TooLarge,
    NotText,
    /// A saved proposal that cannot be read back.
    Corrupt,
    /// The request itself is wrong (an edit that could not be placed has nothing to accept, a
    /// hunk that does not exist).
    InvalidInput,
    Io,
    Store,
    Git,
}

/// Why a review step wrote nothing. A conflict is not an error: it is an [`crate::Applied`]
/// outcome, shown to the person with the file left as it is.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{path} is protected: {why}. Confirm that Redline should write it, after checking the change.")]
    NeedsConfirmation { path: String, why: String },
    #[error("{path}: {why}.")]
    Refused { path: String, why: String },
    #[error("{0}")]
    Stale(String),
    #[error("{path} is not UTF-8 text; Redline leaves it alone")]
    NotText { path: String },
    #[error("{path} is larger than {limit_mb} MB; Redline does not edit files that big")]
    TooLarge { path: String, limit_mb: usize },
    #[error("That proposal no longer exists.")]
    NoSuchProposal(i64),
    #[error(
        "Proposal {id} ({path}) in Redline's database cannot be read: {why}. Reject it or start a new reply."
    )]
    Corrupt { id: i64, path: String, why: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Git(#[from] GitError),
}

impl From<WriteError> for ReviewError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Project(e) => ReviewError::Project(e),
            WriteError::Refused { path, reason } => ReviewError::Refused { path, why: reason },
            WriteError::AlreadyExists { .. } | WriteError::Missing { .. } => {
                ReviewError::Stale(e.to_string())
            }
            e => ReviewError::Write(e),
        }
    }
}

impl ReviewError {
    pub fn code(&self) -> ReviewCode {
        match self {
            ReviewError::NeedsConfirmation { .. } => ReviewCode::Protected,
            ReviewError::Refused { .. } => ReviewCode::Refused,
            ReviewError::Stale(_) => ReviewCode::Stale,
            ReviewError::NotText { .. } => ReviewCode::NotText,
            ReviewError::TooLarge { .. } => ReviewCode::TooLarge,
            ReviewError::NoSuchProposal(_) => ReviewCode::NotFound,
            ReviewError::Corrupt { .. } => ReviewCode::Corrupt,
            ReviewError::InvalidInput(_) => ReviewCode::InvalidInput,
            ReviewError::Project(ProjectError::OutsideProject { .. }) => ReviewCode::OutsideProject,
            ReviewError::Project(ProjectError::NotFound(_)) => ReviewCode::NotFound,
            ReviewError::Project(_) | ReviewError::Write(_) => ReviewCode::Io,
            ReviewError::Store(_) => ReviewCode::Store,
            ReviewError::Git(_) => ReviewCode::Git,
        }
    }
}
