//! Checkpoints: the contents of the files a turn is about to write, saved as git objects (blobs,
//! a tree, a commit) under a private ref, so "undo this turn" can put them back. No branch, no
//! index and no working file moves; the cost grows with the files saved, not the repository.
//! A folder that is not a repository gets a private bare repository elsewhere (the caller picks
//! where, in the app's data folder).

use std::path::Path;

use git2::{IndexEntry, IndexTime, Oid, Repository, Signature};

use crate::GitError;

/// A file as it was: its content, or `None` when it did not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub path: String,
    pub content: Option<Vec<u8>>,
}

/// A saved checkpoint: the commit id and the ref that keeps it alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: String,
    pub reference: String,
}

pub struct CheckpointStore {
    repo: Repository,
}

impl std::fmt::Debug for CheckpointStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointStore").field("path", &self.repo.path()).finish()
    }
}

/// Lines of the commit message that list files that did not exist.
const ABSENT: &str = "absent: ";

impl CheckpointStore {
    /// The project's own repository when `root` is inside one, else a private bare repository
    /// at `private` (created on first use).
    pub fn open(root: &Path, private: &Path) -> Result<CheckpointStore, GitError> {
        let repo = match Repository::discover(root) {
            Ok(repo) if !repo.is_bare() => repo,
            _ => Repository::init_bare(private)?,
        };
        Ok(CheckpointStore { repo })
    }

    /// Saves `files` under `refs/redline/checkpoints/<name>`.
    pub fn save(&self, name: &str, files: &[FileState]) -> Result<Checkpoint, GitError> {
        let mut index = git2::Index::new()?;
        let mut absent = Vec::new();
        for file in files {
            match &file.content {
                Some(bytes) => {
                    index.add(&index_entry(&file.path, self.repo.blob(bytes)?, bytes.len(), 0o100644))?
                }
                None => absent.push(format!("{ABSENT}{}", file.path)),
            }
        }
        let tree = self.repo.find_tree(index.write_tree_to(&self.repo)?)?;
        // A fixed identity: a developer's git config must not decide whether this works.
        let sig = Signature::now("Redline", "redline@localhost")?;
        let message = format!("Redline checkpoint {name}\n\n{}", absent.join("\n"));
        let reference = format!("refs/redline/checkpoints/{name}");
        let oid = self.repo.commit(None, &sig, &sig, &message, &tree, &[])?;
        self.repo.reference(&reference, oid, true, "redline checkpoint")?;
        Ok(Checkpoint { id: oid.to_string(), reference })
    }

    /// The files of a checkpoint as they were saved.
    pub fn load(&self, id: &str) -> Result<Vec<FileState>, GitError> {
        let commit = self.repo.find_commit(Oid::from_str(id)?)?;
        let mut files = Vec::new();
        commit.tree()?.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                if let Ok(blob) = self.repo.find_blob(entry.id()) {
                    let path = format!("{dir}{}", entry.name().unwrap_or_default());
                    files.push(FileState { path, content: Some(blob.content().to_vec()) });
                }
            }
            git2::TreeWalkResult::Ok
        })?;
        for line in commit.message().unwrap_or_default().lines() {
            if let Some(path) = line.strip_prefix(ABSENT) {
                files.push(FileState { path: path.to_owned(), content: None });
            }
        }
        Ok(files)
    }
}

/// An index entry for a blob already in the object database (no stat data: these indexes
/// live in memory only, to build trees).
pub(crate) fn index_entry(path: &str, id: Oid, size: usize, mode: u32) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_round_trips_files_and_absent_files_without_touching_the_work_tree() {
        let dir = tempfile::tempdir().expect("tmp");
        let repo = Repository::init(dir.path()).expect("init");
        std::fs::write(dir.path().join("keep.txt"), "untouched").expect("write");
        let store = CheckpointStore::open(dir.path(), &dir.path().join("unused")).expect("open");
        let files = vec![
            FileState { path: "src/a.rs".into(), content: Some(b"fn a() {}\n".to_vec()) },
            FileState { path: "new.md".into(), content: None },
        ];
        let cp = store.save("1-2", &files).expect("save");
        assert_eq!(cp.reference, "refs/redline/checkpoints/1-2");
        let mut loaded = store.load(&cp.id).expect("load");
        loaded.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(loaded, [files[1].clone(), files[0].clone()]);
        assert!(repo.head().is_err(), "no branch was created");
        assert!(repo.index().expect("index").is_empty(), "the index was not touched");
        assert!(!dir.path().join("src").exists(), "no working file was written");
    }

    #[test]
    fn a_folder_that_is_not_a_repository_uses_a_private_one() {
        let dir = tempfile::tempdir().expect("tmp");
        let project = dir.path().join("project");
        std::fs::create_dir(&project).expect("mkdir");
        let private = dir.path().join("private.git");
        let store = CheckpointStore::open(&project, &private).expect("open");
        let cp =
            store.save("x", &[FileState { path: "a".into(), content: Some(b"1".to_vec()) }]).expect("save");
        assert!(private.join("HEAD").exists());
        assert!(!project.join(".git").exists());
        assert_eq!(store.load(&cp.id).expect("load")[0].content.as_deref(), Some(&b"1"[..]));
    }
}
