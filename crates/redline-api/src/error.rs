use redline_git::GitError;
use redline_project::ProjectError;
use redline_store::StoreError;

use crate::{ApiError, ErrorCode};

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into() }
    }

    pub(crate) fn no_project() -> Self {
        ApiError::new(ErrorCode::NoProject, "No project is open. Open a folder first.")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<ProjectError> for ApiError {
    fn from(e: ProjectError) -> Self {
        let code = match &e {
            ProjectError::NotFound(_) => ErrorCode::NotFound,
            ProjectError::NotADirectory(_) => ErrorCode::NotADirectory,
            ProjectError::OutsideProject { .. } => ErrorCode::OutsideProject,
            ProjectError::Unreadable { .. } => ErrorCode::Unreadable,
            ProjectError::Watch(_) => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<GitError> for ApiError {
    fn from(e: GitError) -> Self {
        ApiError::new(ErrorCode::Git, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::new(ErrorCode::Database, e.to_string())
    }
}
