//! Git status, kind by kind, against `git status --porcelain=v2` on the same repository.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use redline_git::{ChangeKind, DiffLineKind, HeadState, Repo, RepoState};
use redline_tests::{fixture, git};

/// (path, kind, orig_path, staged, unstaged) — what both sides must agree on.
type Row = (String, ChangeKind, Option<String>, bool, bool);

/// Parses `git status --porcelain=v2 --untracked-files=all -z`.
fn git_rows(dir: &Path) -> BTreeSet<Row> {
    let out = git(dir, &["status", "--porcelain=v2", "--untracked-files=all", "-z"]);
    let mut fields = out.split('\0').filter(|s| !s.is_empty());
    let mut rows = BTreeSet::new();
    while let Some(record) = fields.next() {
        let parts: Vec<&str> = record.splitn(11, ' ').collect();
        match parts[0] {
            "?" => {
                rows.insert((record[2..].to_owned(), ChangeKind::Untracked, None, false, true));
            }
            "1" => {
                let xy = parts[1].as_bytes();
                let path = record.splitn(9, ' ').nth(8).expect("path").to_owned();
                rows.insert((path, ordinary_kind(xy), None, xy[0] != b'.', xy[1] != b'.'));
            }
            "2" => {
                let xy = parts[1].as_bytes();
                let path = record.splitn(10, ' ').nth(9).expect("path").to_owned();
                let orig = fields.next().expect("orig path").to_owned();
                rows.insert((path, ChangeKind::Renamed, Some(orig), true, xy[1] != b'.'));
            }
            "u" => {
                let path = record.splitn(11, ' ').nth(10).expect("path").to_owned();
                rows.insert((path, ChangeKind::Conflicted, None, true, true));
            }
            other => panic!("unexpected porcelain record {other}: {record}"),
        }
    }
    rows
}

fn ordinary_kind(xy: &[u8]) -> ChangeKind {
    match (xy[0], xy[1]) {
        (b'A', _) => ChangeKind::Added,
        (b'D', _) | (_, b'D') => ChangeKind::Deleted,
        (b'T', _) | (_, b'T') => ChangeKind::TypeChanged,
        _ => ChangeKind::Modified,
    }
}

fn our_rows(state: &RepoState) -> BTreeSet<Row> {
    state
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.kind, c.orig_path.clone(), c.staged, c.unstaged))
        .collect()
}

fn open(dir: &Path) -> Repo {
    Repo::discover(dir).expect("discover").expect("a repository")
}

fn assert_matches_git(dir: &Path) -> RepoState {
    let state = open(dir).full_status().expect("status");
    assert_eq!(our_rows(&state), git_rows(dir));
    state
}

fn kinds(state: &RepoState) -> BTreeSet<ChangeKind> {
    state.changes.iter().map(|c| c.kind).collect()
}

#[test]
fn status_matches_git_for_modified_staged_unstaged_and_both() {
    let repo = fixture("basic");
    let d = repo.path();
    fs::write(d.join("README.md"), "staged\n").expect("write");
    git(d, &["add", "README.md"]);
    fs::write(d.join("src/lib.rs"), "unstaged\n").expect("write");
    fs::write(d.join("docs/guide.md"), "both 1\n").expect("write");
    git(d, &["add", "docs/guide.md"]);
    fs::write(d.join("docs/guide.md"), "both 2\n").expect("write");
    let state = assert_matches_git(d);
    assert_eq!(kinds(&state), BTreeSet::from([ChangeKind::Modified]));
}

#[test]
fn status_matches_git_for_added_deleted_and_untracked() {
    let repo = fixture("basic");
    let d = repo.path();
    fs::write(d.join("src/new.rs"), "new\n").expect("write");
    git(d, &["add", "src/new.rs"]);
    git(d, &["rm", "-q", "docs/guide.md"]);
    fs::remove_file(d.join("src/lib.rs")).expect("rm");
    fs::create_dir_all(d.join("scratch/deep")).expect("mkdir");
    fs::write(d.join("scratch/deep/notes.txt"), "n\n").expect("write");
    fs::write(d.join("ignored.log"), "not listed\n").expect("write");
    let state = assert_matches_git(d);
    assert_eq!(
        kinds(&state),
        BTreeSet::from([ChangeKind::Added, ChangeKind::Deleted, ChangeKind::Untracked])
    );
}

#[test]
fn status_matches_git_for_staged_rename() {
    let repo = fixture("basic");
    let d = repo.path();
    git(d, &["mv", "src/lib.rs", "src/greeting.rs"]);
    let state = assert_matches_git(d);
    let change = &state.changes[0];
    assert_eq!((change.kind, change.orig_path.as_deref()), (ChangeKind::Renamed, Some("src/lib.rs")));
}

#[test]
fn status_matches_git_for_type_change() {
    let repo = fixture("basic");
    let d = repo.path();
    fs::remove_file(d.join("docs/guide.md")).expect("rm");
    std::os::unix::fs::symlink("../README.md", d.join("docs/guide.md")).expect("symlink");
    let state = assert_matches_git(d);
    assert_eq!(kinds(&state), BTreeSet::from([ChangeKind::TypeChanged]));
}

#[test]
fn status_matches_git_for_merge_conflict() {
    let repo = fixture("basic");
    let d = repo.path();
    fs::write(d.join("src/lib.rs"), "main side\n").expect("write");
    git(d, &["commit", "-qam", "main side"]);
    git(d, &["checkout", "-q", "feature"]);
    fs::write(d.join("src/lib.rs"), "feature side\n").expect("write");
    git(d, &["commit", "-qam", "feature side"]);
    git(d, &["checkout", "-q", "main"]);
    let merge = redline_tests::sandboxed("git")
        .current_dir(d)
        .args(["merge", "-q", "feature"])
        .output()
        .expect("git");
    assert!(!merge.status.success(), "the merge must conflict");
    let state = assert_matches_git(d);
    assert!(state.changes.iter().any(|c| c.path == "src/lib.rs" && c.kind == ChangeKind::Conflicted));
}

#[test]
fn status_matches_git_on_unborn_branch() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q"]);
    fs::write(d.join("a.txt"), "a\n").expect("write");
    fs::write(d.join("b.txt"), "b\n").expect("write");
    git(d, &["add", "a.txt"]);
    let state = assert_matches_git(d);
    assert_eq!(state.head, HeadState::Unborn { name: "main".into() });
}

#[test]
fn head_reports_detached_commit() {
    let repo = fixture("basic");
    let d = repo.path();
    let id = git(d, &["rev-parse", "--short=7", "HEAD~1"]);
    git(d, &["checkout", "-q", "--detach", "HEAD~1"]);
    assert_eq!(open(d).head().expect("head"), HeadState::Detached { commit: id.trim().to_owned() });
}

#[test]
fn upstream_ahead_and_behind_are_counted() {
    let repo = fixture("basic");
    let d = repo.path();
    let remote = tempfile::tempdir().expect("tmp");
    git(remote.path(), &["init", "-q", "--bare"]);
    git(d, &["remote", "add", "origin", &remote.path().display().to_string()]);
    git(d, &["push", "-q", "-u", "origin", "main"]);
    git(d, &["reset", "-q", "--hard", "HEAD~1"]);
    fs::write(d.join("src/lib.rs"), "ahead\n").expect("write");
    git(d, &["commit", "-qam", "local only"]);
    let upstream = open(d).upstream().expect("upstream").expect("configured");
    assert_eq!((upstream.name.as_str(), upstream.ahead, upstream.behind), ("origin/main", 1, 1));
    assert_eq!(open(d).upstream().map(|u| u.is_some()).ok(), Some(true));
}

#[test]
fn refresh_paths_agrees_with_full_status() {
    let repo = fixture("basic");
    let d = repo.path();
    let mut ours = open(d);
    ours.full_status().expect("status");
    fs::write(d.join("src/lib.rs"), "changed\n").expect("write");
    fs::create_dir_all(d.join("new/dir")).expect("mkdir");
    fs::write(d.join("new/dir/file.rs"), "x\n").expect("write");
    let state = ours.refresh_paths(&["src/lib.rs".into(), "new".into()]).expect("refresh");
    assert_eq!(our_rows(&state), git_rows(d));
    fs::write(d.join("src/lib.rs"), fs::read(d.join("src/lib.rs")).ok().map(|_| "").unwrap_or(""))
        .expect("write");
    git(d, &["checkout", "-q", "--", "src/lib.rs"]);
    fs::remove_dir_all(d.join("new")).expect("rm");
    let state = ours.refresh_paths(&["src/lib.rs".into(), "new/dir/file.rs".into()]).expect("refresh");
    assert!(state.changes.is_empty(), "{state:?}");
}

#[test]
fn file_diff_of_modified_untracked_deleted_and_binary_files() {
    let repo = fixture("basic");
    let d = repo.path();
    let r = open(d);
    fs::write(d.join("src/lib.rs"), "/// Builds the greeting for one name.\npub fn greeting(name: &str) -> String {\n    format!(\"Hi, {name}!\")\n}\n").expect("write");
    let diff = r.file_diff("src/lib.rs").expect("diff");
    let lines: Vec<_> = diff.hunks.iter().flat_map(|h| &h.lines).collect();
    assert!(lines.iter().any(|l| l.kind == DiffLineKind::Added && l.text.contains("Hi, {name}")));
    assert!(lines.iter().any(|l| l.kind == DiffLineKind::Removed && l.text.contains("Hello, {name}")));
    assert!(diff.old_text.is_some() && diff.new_text.is_some());

    fs::write(d.join("todo.txt"), "one\ntwo\n").expect("write");
    let diff = r.file_diff("todo.txt").expect("diff");
    assert_eq!(diff.hunks[0].lines.iter().filter(|l| l.kind == DiffLineKind::Added).count(), 2);

    fs::remove_file(d.join("docs/guide.md")).expect("rm");
    let diff = r.file_diff("docs/guide.md").expect("diff");
    assert!(diff.hunks[0].lines.iter().all(|l| l.kind == DiffLineKind::Removed));
    assert!(diff.new_text.is_none());

    fs::write(d.join("logo.png"), [0x89, b'P', b'N', b'G', 0, 1, 2, 3]).expect("write");
    assert!(r.file_diff("logo.png").expect("diff").binary);
}

#[test]
fn status_matches_git_for_tracked_files_in_ignored_folders_and_nested_repositories() {
    let repo = fixture("basic");
    let d = repo.path();
    git(d, &["add", "-f", "target/debug/app"]);
    git(d, &["commit", "-qm", "track a build artifact"]);
    fs::write(d.join("target/debug/app"), "rebuilt").expect("write");
    fs::create_dir_all(d.join("vendor/lib")).expect("mkdir");
    git(&d.join("vendor/lib"), &["init", "-q"]);
    fs::write(d.join("vendor/lib/x.c"), "int x;\n").expect("write");
    let state = assert_matches_git(d);
    assert!(state.changes.iter().any(|c| c.path == "target/debug/app" && c.kind == ChangeKind::Modified));
    assert!(state.changes.iter().any(|c| c.path == "vendor/lib/" && c.kind == ChangeKind::Untracked));
}

#[test]
fn status_matches_git_for_executable_bit_and_same_size_edit() {
    use std::os::unix::fs::PermissionsExt;
    let repo = fixture("basic");
    let d = repo.path();
    let readme = d.join("README.md");
    fs::set_permissions(&readme, fs::Permissions::from_mode(0o755)).expect("chmod");
    let lib = d.join("src/lib.rs");
    let same_size = fs::read_to_string(&lib).expect("read").replace("Hello", "Howdy");
    fs::write(&lib, same_size).expect("write");
    let state = assert_matches_git(d);
    assert_eq!(state.changes.len(), 2, "{state:?}");
}

#[test]
fn status_matches_git_when_autocrlf_rewrites_line_endings() {
    let repo = fixture("basic");
    let d = repo.path();
    git(d, &["config", "core.autocrlf", "true"]);
    let readme = d.join("README.md");
    let crlf = fs::read_to_string(&readme).expect("read").replace('\n', "\r\n");
    fs::write(&readme, crlf).expect("write");
    assert_matches_git(d);
}
