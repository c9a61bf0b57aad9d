//! A project's identity for trust and approvals: the root commit of HEAD's history and the path,
//! or the folder's device and inode when there is no history to name it by.
//!
//! Finding the root commit walks HEAD's first parents to the parentless commit: that costs a
//! read per commit, so the answer is cached by HEAD's oid and a window reopening the same
//! repository, or the CLI asking twice, walks once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use redline_project::ProjectIdentity;

/// Root commits found so far, by git folder and the HEAD they were walked from.
static ROOT_COMMITS: LazyLock<Mutex<HashMap<(PathBuf, git2::Oid), git2::Oid>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The identity of the project at `root` (canonical): its repository's root commit when `root`
/// is in a work tree with commits, else the folder's device and inode.
pub fn project_identity(root: &Path) -> std::io::Result<ProjectIdentity> {
    match git2::Repository::discover(root).ok().and_then(|repo| root_commit(&repo).ok().flatten()) {
        Some(oid) => Ok(ProjectIdentity::repository(root, &oid.to_string())),
        None => ProjectIdentity::folder(root),
    }
}

/// The parentless commit at the end of HEAD's first-parent history; `None` for a repository
/// with no commits (an unborn HEAD).
pub fn root_commit(repo: &git2::Repository) -> Result<Option<git2::Oid>, git2::Error> {
    let head = match repo.head() {
        Ok(head) => head.peel_to_commit()?.id(),
        Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    let key = (repo.path().to_path_buf(), head);
    if let Some(oid) = cached(&key) {
        return Ok(Some(oid));
    }
    let oid = walk_to_root(repo, head)?;
    if let Ok(mut cache) = ROOT_COMMITS.lock() {
        cache.insert(key, oid);
    }
    Ok(Some(oid))
}

fn cached(key: &(PathBuf, git2::Oid)) -> Option<git2::Oid> {
    ROOT_COMMITS.lock().ok()?.get(key).copied()
}

fn walk_to_root(repo: &git2::Repository, head: git2::Oid) -> Result<git2::Oid, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.simplify_first_parent()?;
    walk.push(head)?;
    let mut last = head;
    for oid in walk {
        last = oid?;
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};
    use std::time::Instant;

    use super::*;
    use redline_project::IdentityKind;

    /// A sandboxed `git` so the developer's own config never leaks into the test.
    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?} failed");
    }

    fn repo_with_commits(dir: &Path, messages: &[&str]) {
        git(dir, &["init", "-q", "-b", "main"]);
        for message in messages {
            std::fs::write(dir.join("file.txt"), message).expect("write file");
            git(dir, &["add", "file.txt"]);
            git(dir, &["commit", "-q", "-m", message]);
        }
    }

    /// `count` commits in a line, written by `git fast-import` (a branch's commits follow each
    /// other without a `from` line).
    fn long_history(dir: &Path, count: usize) {
        git(dir, &["init", "-q", "-b", "main"]);
        let mut stream = String::new();
        for i in 0..count {
            let data = format!("commit {i}\n");
            stream.push_str(&format!(
                "commit refs/heads/main\ncommitter t <t@example.com> {} +0000\ndata {}\n{data}",
                1_700_000_000 + i,
                data.len()
            ));
            stream.push_str(&format!("M 644 inline f.txt\ndata {}\n{data}\n", data.len()));
        }
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::piped())
            .spawn()
            .expect("start fast-import");
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(stream.as_bytes()).expect("feed fast-import");
        assert!(child.wait().expect("fast-import").success());
        git(dir, &["reset", "-q", "--hard", "main"]);
    }

    fn root_of(dir: &Path) -> String {
        let out = Command::new("git")
            .args(["rev-list", "--max-parents=0", "--first-parent", "HEAD"])
            .current_dir(dir)
            .output()
            .expect("rev-list");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    #[test]
    fn a_repository_is_known_by_its_root_commit_and_path() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("canonical");
        repo_with_commits(&root, &["first", "second", "third"]);
        let id = project_identity(&root).expect("identity");
        assert_eq!(id.kind, IdentityKind::Repository { root_commit: root_of(&root) });
        assert_eq!(id.path, root);
    }

    #[test]
    fn another_repository_cloned_at_the_same_path_is_another_identity() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("app");
        std::fs::create_dir(&root).expect("mkdir");
        repo_with_commits(&root, &["theirs"]);
        let first = project_identity(&root.canonicalize().expect("canonical")).expect("identity");
        std::fs::remove_dir_all(&root).expect("remove clone");
        std::fs::create_dir(&root).expect("mkdir again");
        repo_with_commits(&root, &["someone else's"]);
        let second = project_identity(&root.canonicalize().expect("canonical")).expect("identity");
        assert_ne!(first.key(), second.key());
    }

    #[test]
    fn a_repository_without_commits_is_known_by_its_folder() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("canonical");
        git(&root, &["init", "-q"]);
        let id = project_identity(&root).expect("identity");
        assert!(matches!(id.kind, IdentityKind::Folder { .. }), "{id:?}");
    }

    #[test]
    fn the_root_commit_of_ten_thousand_commits_is_found_and_then_cached() {
        let dir = tempfile::tempdir().expect("tmp");
        long_history(dir.path(), 10_000);
        let repo = git2::Repository::open(dir.path()).expect("open");
        let started = Instant::now();
        let walked = root_commit(&repo).expect("walk").expect("has commits");
        let walk_time = started.elapsed();
        let started = Instant::now();
        let again = root_commit(&repo).expect("cached").expect("has commits");
        let cached_time = started.elapsed();
        eprintln!("root commit of 10,000 commits: walk {walk_time:?}, cached {cached_time:?}");
        assert_eq!(walked.to_string(), root_of(dir.path()));
        assert_eq!(walked, again);
        assert!(cached_time < walk_time, "the second call walked again ({cached_time:?})");
    }

    #[test]
    fn the_root_commit_of_this_repository_is_found() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let Ok(repo) = git2::Repository::discover(here) else {
            eprintln!("skipped: the source tree is not a git repository here");
            return;
        };
        let started = Instant::now();
        let oid = root_commit(&repo).expect("walk");
        eprintln!("root commit of this repository: {oid:?} in {:?}", started.elapsed());
        assert!(oid.is_some());
    }
}
