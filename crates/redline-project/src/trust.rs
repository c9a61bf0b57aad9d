//! Workspace trust: who a project is, whether the person trusts it, and the PATH its tools get.
//!
//! A project is known by its repository, not by where it sits: a different repository cloned at
//! the same path later is someone else and inherits nothing (trust, approvals, the saved test
//! command). This module owns the identity type and the decision passed down to the crates that
//! would run something from the folder. Computing a repository's identity needs git and lives in
//! `redline-git`; this crate must never depend on git.

use std::path::{Path, PathBuf};

/// What identifies a project for trust and approvals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectIdentity {
    /// Where the folder is (canonical); part of the identity, and what the UI shows.
    pub path: PathBuf,
    pub kind: IdentityKind,
}

/// The part of an identity that survives neither a re-clone of another repository nor a folder
/// deleted and made again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityKind {
    /// A git repository with commits: the parentless commit at the end of HEAD's first-parent
    /// history. A fork or a fresh clone of the same project keeps it; another repository does not.
    Repository { root_commit: String },
    /// A plain folder, or a repository with no commits yet: the folder's device and inode.
    Folder { device: u64, inode: u64 },
}

impl ProjectIdentity {
    /// The identity of a repository whose history starts at `root_commit`.
    pub fn repository(path: &Path, root_commit: &str) -> ProjectIdentity {
        ProjectIdentity {
            path: path.to_path_buf(),
            kind: IdentityKind::Repository { root_commit: root_commit.to_owned() },
        }
    }

    /// The identity of a plain folder: its device and inode, and its path.
    pub fn folder(path: &Path) -> std::io::Result<ProjectIdentity> {
        let (device, inode) = device_and_inode(path)?;
        Ok(ProjectIdentity { path: path.to_path_buf(), kind: IdentityKind::Folder { device, inode } })
    }

    /// The key trust and approvals are stored under: `repo:<root commit>:<path>` or
    /// `folder:<device>:<inode>:<path>`. Stable across runs; never just the path.
    pub fn key(&self) -> String {
        let path = self.path.display();
        match &self.kind {
            IdentityKind::Repository { root_commit } => format!("repo:{root_commit}:{path}"),
            IdentityKind::Folder { device, inode } => format!("folder:{device}:{inode}:{path}"),
        }
    }

    /// A short line for a person: "repository a1b2c3d4e5f6 at /home/me/app".
    pub fn describe(&self) -> String {
        let path = self.path.display();
        match &self.kind {
            IdentityKind::Repository { root_commit } => {
                let short = root_commit.get(..12).unwrap_or(root_commit);
                format!("repository {short} at {path}")
            }
            IdentityKind::Folder { device, inode } => format!("folder {device}:{inode} at {path}"),
        }
    }
}

#[cfg(unix)]
fn device_and_inode(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn device_and_inode(path: &Path) -> std::io::Result<(u64, u64)> {
    // No inode to read: the creation time stands in, so a folder made again still differs.
    let meta = std::fs::metadata(path)?;
    let created = meta.created()?.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Ok((0, created.as_nanos() as u64))
}

/// Whether the person trusts the open folder. Untrusted, nothing from inside it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trust {
    Trusted,
    /// The default for every folder until the person says otherwise.
    #[default]
    Untrusted,
}

impl Trust {
    pub fn is_trusted(self) -> bool {
        self == Trust::Trusted
    }
}

/// Said wherever something was left off because the folder is not trusted.
pub const UNTRUSTED_NOTE: &str = "this folder is not trusted";

/// `env` with its PATH cut to folders outside the project: no relative entries (an empty entry
/// means the current folder), none inside `root`. Used in every mode, trusted or not, so that a
/// `./bin/ruff` or a project `.venv/bin` on the person's PATH never stands in for their own tool.
pub fn path_outside_project(env: &[(String, String)], root: &Path) -> Vec<(String, String)> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    env.iter()
        .map(|(key, value)| match key.as_str() {
            "PATH" => (key.clone(), kept_path_entries(value, &root)),
            _ => (key.clone(), value.clone()),
        })
        .collect()
}

fn kept_path_entries(path: &str, root: &Path) -> String {
    let kept: Vec<PathBuf> = std::env::split_paths(path).filter(|dir| is_outside(dir, root)).collect();
    std::env::join_paths(kept).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

fn is_outside(dir: &Path, root: &Path) -> bool {
    if !dir.is_absolute() {
        return false;
    }
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    !real.starts_with(root) && !dir.starts_with(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(env: &[(String, String)]) -> String {
        env.iter().find(|(k, _)| k == "PATH").map(|(_, v)| v.clone()).unwrap_or_default()
    }

    #[test]
    fn relative_empty_and_in_project_path_entries_are_dropped() {
        let project = tempfile::tempdir().expect("project dir");
        let root = project.path().canonicalize().expect("canonical root");
        std::fs::create_dir_all(root.join(".venv/bin")).expect("venv bin");
        let inside = root.join(".venv/bin").display().to_string();
        let path = format!("/usr/bin::.:bin:{inside}:/usr/local/bin");
        let env = vec![("PATH".to_owned(), path), ("HOME".to_owned(), "/home/me".to_owned())];
        let cut = path_outside_project(&env, &root);
        assert_eq!(path_of(&cut), "/usr/bin:/usr/local/bin");
        assert!(cut.contains(&("HOME".to_owned(), "/home/me".to_owned())));
    }

    #[cfg(unix)]
    #[test]
    fn a_path_entry_that_is_a_symlink_into_the_project_is_dropped() {
        let project = tempfile::tempdir().expect("project dir");
        let elsewhere = tempfile::tempdir().expect("outside dir");
        let link = elsewhere.path().join("bin");
        std::os::unix::fs::symlink(project.path(), &link).expect("symlink into project");
        let env = vec![("PATH".to_owned(), format!("{}:/usr/bin", link.display()))];
        assert_eq!(path_of(&path_outside_project(&env, project.path())), "/usr/bin");
    }

    #[test]
    fn a_folder_made_again_at_the_same_path_is_another_identity() {
        let parent = tempfile::tempdir().expect("parent dir");
        let folder = parent.path().join("app");
        std::fs::create_dir(&folder).expect("mkdir");
        // Held open so the inode cannot be handed straight back to the new folder.
        let kept = parent.path().join("kept");
        std::fs::rename(&folder, &kept).expect("move away");
        let first = ProjectIdentity::folder(&kept).expect("identity");
        std::fs::create_dir(&folder).expect("mkdir again");
        let second = ProjectIdentity::folder(&folder).expect("identity");
        assert_ne!(first.kind, second.kind);
        assert!(second.key().starts_with("folder:") && second.key().ends_with(&folder.display().to_string()));
    }

    #[test]
    fn repository_keys_name_the_root_commit_and_the_path() {
        let id = ProjectIdentity::repository(Path::new("/src/app"), "0123456789abcdef0123");
        assert_eq!(id.key(), "repo:0123456789abcdef0123:/src/app");
        assert_eq!(id.describe(), "repository 0123456789ab at /src/app");
        assert!(!Trust::default().is_trusted());
    }
}
