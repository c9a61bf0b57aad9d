//! Committing the files of one turn, and nothing else a person may have staged.

use std::path::Path;

use git2::{Repository, Signature};

use crate::GitError;

pub(crate) fn commit_paths(
    repo: &Repository,
    workdir: &Path,
    paths: &[String],
    message: &str,
) -> Result<String, GitError> {
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    // The new tree is HEAD's tree with these paths replaced: an in-memory index, so what the
    // person staged for other files stays staged and out of this commit.
    let mut index = git2::Index::new()?;
    if let Some(parent) = &parent {
        index.read_tree(&parent.tree()?)?;
    }
    for path in paths {
        let abs = workdir.join(path);
        match std::fs::symlink_metadata(&abs) {
            Ok(meta) if meta.is_file() => {
                let bytes =
                    std::fs::read(&abs).map_err(|source| GitError::Io { path: path.clone(), source })?;
                index.add(&crate::checkpoint::index_entry(
                    path,
                    repo.blob(&bytes)?,
                    bytes.len(),
                    mode(&meta),
                ))?;
            }
            _ => {
                let _ = index.remove_path(Path::new(path));
            }
        }
    }
    let tree = repo.find_tree(index.write_tree_to(repo)?)?;
    let sig = repo.signature().or_else(|_| Signature::now("Redline", "redline@localhost"))?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let oid = repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?;
    // The real index now matches HEAD for these paths, so they do not show as staged.
    let mut real = repo.index()?;
    for path in paths {
        if workdir.join(path).is_file() {
            real.add_path(Path::new(path))?;
        } else {
            let _ = real.remove_path(Path::new(path));
        }
    }
    real.write()?;
    Ok(oid.to_string())
}

#[cfg(unix)]
fn mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o111 != 0 {
        0o100755
    } else {
        0o100644
    }
}

#[cfg(not(unix))]
fn mode(_: &std::fs::Metadata) -> u32 {
    0o100644
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_given_paths_are_committed_and_other_staged_work_stays_staged() {
        let dir = tempfile::tempdir().expect("tmp");
        let repo = Repository::init(dir.path()).expect("init");
        let mut config = repo.config().expect("config");
        config.set_str("user.name", "Tester").expect("name");
        config.set_str("user.email", "t@example.com").expect("email");
        let write = |p: &str, t: &str| std::fs::write(dir.path().join(p), t).expect("write");
        write("a.txt", "a1\n");
        write("b.txt", "b1\n");
        let mut index = repo.index().expect("index");
        index.add_path(Path::new("a.txt")).expect("add");
        index.add_path(Path::new("b.txt")).expect("add");
        index.write().expect("write index");
        let tree = repo.find_tree(index.write_tree().expect("tree")).expect("tree");
        let sig = repo.signature().expect("sig");
        repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[]).expect("commit");

        write("a.txt", "a2\n");
        write("b.txt", "b2\n");
        index.add_path(Path::new("b.txt")).expect("stage b");
        index.write().expect("write index");
        write("c.txt", "new\n");
        let workdir = dir.path().canonicalize().expect("canon");
        commit_paths(&repo, &workdir, &["a.txt".into(), "c.txt".into()], "Turn 1").expect("commit");

        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        assert_eq!(head.message().ok(), Some("Turn 1"));
        let tree = head.tree().expect("tree");
        let blob = |p: &str| {
            let id = tree.get_path(Path::new(p)).expect("entry").id();
            String::from_utf8(repo.find_blob(id).expect("blob").content().to_vec()).expect("utf8")
        };
        assert_eq!(blob("a.txt"), "a2\n");
        assert_eq!(blob("c.txt"), "new\n");
        assert_eq!(blob("b.txt"), "b1\n", "b.txt was staged but is not part of the turn");
        let statuses = repo.statuses(None).expect("status");
        let b = statuses.iter().find(|s| s.path().ok() == Some("b.txt")).expect("b status");
        assert!(b.status().contains(git2::Status::INDEX_MODIFIED), "b.txt is still staged");
        assert!(statuses.iter().all(|s| s.path().ok() != Some("a.txt")), "a.txt is clean");
    }
}
