use std::path::PathBuf;

/// Why a project operation failed, phrased for the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{} does not exist", .0.display())]
    NotFound(PathBuf),
    #[error("{} is not a folder", .0.display())]
    NotADirectory(PathBuf),
    #[error("{path} is outside the project folder; Redline only reads and writes inside it")]
    OutsideProject { path: String },
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("cannot watch the project folder: {0}")]
    Watch(String),
}

impl ProjectError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            ProjectError::NotFound(path)
        } else {
            ProjectError::Unreadable { path, source }
        }
    }
}
