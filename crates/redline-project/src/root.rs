use std::path::{Component, Path, PathBuf};

use crate::ProjectError;

/// The canonical root of an open project; every path from the UI or a model goes through
/// [`ProjectRoot::resolve`] before it touches the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRoot {
    root: PathBuf,
}

impl ProjectRoot {
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ProjectError> {
        let path = path.as_ref();
        let root = path.canonicalize().map_err(|e| ProjectError::io(path, e))?;
        if !root.is_dir() {
            return Err(ProjectError::NotADirectory(root));
        }
        Ok(ProjectRoot { root })
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The folder's name, for titles and the recent list.
    pub fn name(&self) -> String {
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.root.display().to_string())
    }

    /// Maps a project-relative path (or an absolute one inside the root) to an absolute path that
    /// is guaranteed to stay inside the root, following symlinks of the part that exists.
    /// `..` that climbs out, absolute paths elsewhere and symlinks leading out are refused.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, ProjectError> {
        let outside = || ProjectError::OutsideProject { path: path.to_owned() };
        let requested = Path::new(path);
        let relative = if requested.is_absolute() {
            requested.strip_prefix(&self.root).map_err(|_| outside())?
        } else {
            requested
        };
        let mut lexical = self.root.clone();
        for component in relative.components() {
            match component {
                Component::Normal(part) => lexical.push(part),
                Component::CurDir => {}
                Component::ParentDir => {
                    if lexical == self.root {
                        return Err(outside());
                    }
                    lexical.pop();
                }
                Component::RootDir | Component::Prefix(_) => return Err(outside()),
            }
        }
        let real = canonicalize_existing_prefix(&lexical);
        if real.starts_with(&self.root) {
            Ok(lexical)
        } else {
            Err(outside())
        }
    }

    /// The `/`-separated project-relative form of an absolute path, if it is inside the root.
    pub fn relative(&self, absolute: &Path) -> Option<String> {
        let rel = absolute.strip_prefix(&self.root).ok()?;
        Some(to_slash(rel))
    }
}

pub(crate) fn to_slash(rel: &Path) -> String {
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

/// Canonicalizes the longest existing ancestor and re-appends the rest, so a path that does not
/// exist yet is still checked for symlinks that would carry it out of the root.
fn canonicalize_existing_prefix(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut full = real;
            full.extend(rest.iter().rev());
            return full;
        }
        // A dangling or looping symlink: refuse by pointing nowhere inside the root.
        if existing.symlink_metadata().is_ok() {
            return PathBuf::from("/nonexistent-symlink-target");
        }
        match (existing.file_name().map(|n| n.to_owned()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("src")).expect("mkdir");
        let root = ProjectRoot::open(dir.path()).expect("open");
        (dir, root)
    }

    #[test]
    fn resolve_accepts_paths_inside_including_new_files() {
        let (_dir, root) = project();
        assert!(root.resolve("src/new.rs").is_ok());
        assert!(root.resolve("src/../README.md").is_ok());
        assert!(root.resolve("").is_ok());
    }

    #[test]
    fn resolve_refuses_parent_escape_and_foreign_absolute_paths() {
        let (_dir, root) = project();
        assert!(matches!(root.resolve("../etc/passwd"), Err(ProjectError::OutsideProject { .. })));
        assert!(matches!(root.resolve("src/../../x"), Err(ProjectError::OutsideProject { .. })));
        assert!(matches!(root.resolve("/etc/passwd"), Err(ProjectError::OutsideProject { .. })));
    }

    #[test]
    fn resolve_refuses_symlink_leading_out() {
        let (dir, root) = project();
        std::os::unix::fs::symlink("/etc", dir.path().join("etc")).expect("symlink");
        assert!(root.resolve("etc/passwd").is_err());
        assert!(root.resolve("etc/not-yet").is_err());
    }

    #[test]
    fn resolve_refuses_looping_symlink() {
        let (dir, root) = project();
        std::os::unix::fs::symlink("loop", dir.path().join("loop")).expect("symlink");
        assert!(root.resolve("loop/x").is_err());
    }
}
