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

impl From<redline_llm::ModelError> for ApiError {
    fn from(e: redline_llm::ModelError) -> Self {
        use redline_llm::ErrorKind;
        let code = match e.kind {
            ErrorKind::Authentication => ErrorCode::ModelAuthentication,
            ErrorKind::RateLimit => ErrorCode::ModelRateLimit,
            ErrorKind::Overloaded => ErrorCode::ModelOverloaded,
            ErrorKind::ContextTooLong => ErrorCode::ModelContextTooLong,
            ErrorKind::BadRequest => ErrorCode::ModelBadRequest,
            ErrorKind::Network => ErrorCode::ModelNetwork,
            ErrorKind::Timeout => ErrorCode::ModelTimeout,
            ErrorKind::Protocol => ErrorCode::ModelProtocol,
        };
        ApiError::new(code, model_error_message(&e))
    }
}

/// The provider's words, and what the person can do about them.
fn model_error_message(e: &redline_llm::ModelError) -> String {
    use redline_llm::ErrorKind;
    let advice = match e.kind {
        ErrorKind::Authentication => "Check the provider's key in Settings.",
        ErrorKind::RateLimit => "The provider is limiting requests; wait a moment and retry.",
        ErrorKind::Overloaded => "The provider is overloaded or failing; retry in a moment.",
        ErrorKind::ContextTooLong => "Remove attachments or start a new conversation.",
        ErrorKind::BadRequest => "The provider rejected the request; check the model name in Settings.",
        ErrorKind::Network => "Check that the model server is running and reachable, then retry.",
        ErrorKind::Timeout => "The model server stopped answering; retry, or check that it is not stuck.",
        ErrorKind::Protocol => {
            "The model server sent something Redline cannot read; retry or try another model."
        }
    };
    let message = e.message.trim_end_matches('.');
    format!("{message}. {advice}")
}

impl From<redline_llm::KeyError> for ApiError {
    fn from(e: redline_llm::KeyError) -> Self {
        let code = match e {
            redline_llm::KeyError::Unavailable(_) => ErrorCode::KeyringUnavailable,
            redline_llm::KeyError::Failed(_) => ErrorCode::Keyring,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<redline_agent::SettingsError> for ApiError {
    fn from(e: redline_agent::SettingsError) -> Self {
        ApiError::new(ErrorCode::Settings, e.to_string())
    }
}

impl From<redline_review::ReviewError> for ApiError {
    fn from(e: redline_review::ReviewError) -> Self {
        use redline_review::ReviewCode;
        let code = match e.code() {
            ReviewCode::Stale => ErrorCode::Stale,
            ReviewCode::Protected => ErrorCode::NeedsConfirmation,
            ReviewCode::Refused => ErrorCode::Refused,
            ReviewCode::OutsideProject => ErrorCode::OutsideProject,
            ReviewCode::NotFound => ErrorCode::NotFound,
            ReviewCode::TooLarge => ErrorCode::TooLarge,
            ReviewCode::NotText => ErrorCode::NotText,
            ReviewCode::Corrupt => ErrorCode::Corrupt,
            ReviewCode::InvalidInput => ErrorCode::InvalidInput,
            ReviewCode::Io => ErrorCode::Unreadable,
            ReviewCode::Store => ErrorCode::Database,
            ReviewCode::Git => ErrorCode::Git,
        };
        ApiError::new(code, e.to_string())
    }
}
