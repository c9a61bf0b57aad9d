//! The open project folder: its canonical path for display and name-based checks, and the
//! directory handle that every confined read and write starts from (see [`crate::confined`]).

use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{Mode, OFlags};

use crate::confined::{self, Resolver};
use crate::ProjectError;

/// The canonical root of an open project. Paths from the UI or a model are checked by name with
/// [`ProjectRoot::resolve`]; files are opened through the root's directory handle with
/// [`ProjectRoot::open_file`] and the write functions, which a symlink swapped in cannot
/// redirect.
#[derive(Debug, Clone)]
pub struct ProjectRoot {
    root: PathBuf,
    /// Opened once, so a later rename or symlink swap of the root's own path changes nothing.
    dir: Arc<OwnedFd>,
    resolver: Resolver,
}

/// Two handles on the same canonical folder are the same project.
impl PartialEq for ProjectRoot {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root
    }
}

impl Eq for ProjectRoot {}

impl ProjectRoot {
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ProjectError> {
        let path = path.as_ref();
        let root = path.canonicalize().map_err(|e| ProjectError::io(path, e))?;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        let dir = match rustix::fs::open(&root, flags, Mode::empty()) {
            Ok(dir) => dir,
            Err(rustix::io::Errno::NOTDIR) => return Err(ProjectError::NotADirectory(root)),
            Err(e) => return Err(ProjectError::io(&root, e.into())),
        };
        let resolver = Resolver::probe(&dir);
        Ok(ProjectRoot { root, dir: Arc::new(dir), resolver })
    }

    /// The same project resolved only by the fd-by-fd walk, as on a kernel without `openat2`:
    /// for tests of that path on kernels that have it.
    #[doc(hidden)]
    pub fn resolving_by_fd_walk(mut self) -> Self {
        self.resolver = Resolver::FdWalk;
        self
    }

    /// Whether lookups use the kernel's `openat2` (false: the fd-by-fd walk).
    #[doc(hidden)]
    pub fn uses_openat2(&self) -> bool {
        self.resolver == Resolver::Openat2
    }

    pub(crate) fn resolver(&self) -> Resolver {
        self.resolver
    }

    pub(crate) fn dir(&self) -> BorrowedFd<'_> {
        self.dir.as_fd()
    }

    pub(crate) fn dir_arc(&self) -> &Arc<OwnedFd> {
        &self.dir
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

    /// Opens a project file for reading through the root's directory handle: symlinks are
    /// followed only while they stay inside, and one swapped in meanwhile cannot redirect the
    /// open. FIFOs and devices open without blocking; check what you got with `metadata()`.
    pub fn open_file(&self, path: &str) -> Result<File, ProjectError> {
        confined::open_read(self, path)
    }

    /// What a project path is (kind, size, times, permissions), through the root's directory
    /// handle: symlinks are followed only while they stay inside, like [`ProjectRoot::open_file`];
    /// one leading out, looping or dangling is [`ProjectError::OutsideProject`]. Nothing is
    /// opened for reading, so a FIFO or a device is only described.
    pub fn metadata(&self, path: &str) -> Result<Metadata, ProjectError> {
        confined::metadata(self, path, true)
    }

    /// Like [`ProjectRoot::metadata`], but a final symlink is described itself, not followed
    /// (its target may be anywhere); symlinked folders on the way must still stay inside.
    pub fn symlink_metadata(&self, path: &str) -> Result<Metadata, ProjectError> {
        confined::metadata(self, path, false)
    }

    /// The target written in a project symlink, as written: it may name a place outside the
    /// project, which is not looked at. Symlinked folders on the way must stay inside; a path
    /// that is no symlink is [`ProjectError::Unreadable`].
    pub fn read_link(&self, path: &str) -> Result<PathBuf, ProjectError> {
        confined::read_link(self, path)
    }

    /// The names in a project folder (not `.` or `..`), unsorted, read through the root's
    /// directory handle: a folder behind a symlink that leads out is refused, never listed.
    pub fn read_dir_names(&self, dir: &str) -> Result<Vec<OsString>, ProjectError> {
        confined::read_dir_names(self, dir)
    }

    /// Maps a project-relative path (or an absolute one inside the root) to an absolute path that
    /// is inside the root by name, following symlinks of the part that exists. `..` that climbs
    /// out, absolute paths elsewhere and symlinks leading out are refused. This is a check by
    /// name, for display and listing: to open what it names, use [`ProjectRoot::open_file`] or
    /// the write functions, which cannot be raced.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, ProjectError> {
        let mut lexical = self.root.clone();
        lexical.extend(confined::normalize(&self.root, path)?);
        let real = canonicalize_existing_prefix(&lexical);
        if real.starts_with(&self.root) {
            Ok(lexical)
        } else {
            Err(ProjectError::OutsideProject { path: path.to_owned() })
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
