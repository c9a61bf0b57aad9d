use std::fs;
use std::path::Path;

use crate::root::to_slash;
use crate::{DirEntry, EntryKind, IgnoreRules, ProjectError, ProjectRoot};

/// The children of one folder, folders first, then by name (case-insensitive).
///
/// Only one level is read, so opening a huge repository costs one `read_dir`. Ignored entries
/// are left out unless `show_ignored`; `.git` is never listed. A symlink is followed only when it
/// stays inside the project; otherwise it is listed as [`EntryKind::BrokenLink`].
pub fn list_dir(
    root: &ProjectRoot,
    rules: &IgnoreRules,
    dir: &str,
    show_ignored: bool,
) -> Result<Vec<DirEntry>, ProjectError> {
    let path = root.resolve(dir)?;
    let read = fs::read_dir(&path).map_err(|e| match e.raw_os_error() {
        Some(20) => ProjectError::NotADirectory(path.clone()),
        _ => ProjectError::io(&path, e),
    })?;
    let mut entries = Vec::new();
    for item in read.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let child = item.path();
        let (kind, symlink) = classify(root, &child);
        let ignored = rules.is_ignored(&child, kind == EntryKind::Dir);
        if ignored && !show_ignored {
            continue;
        }
        let rel = child.strip_prefix(root.path()).map(to_slash).unwrap_or_else(|_| name.clone());
        entries.push(DirEntry { hidden: name.starts_with('.'), name, path: rel, kind, ignored, symlink });
    }
    entries.sort_by(|a, b| {
        let dir_first = (b.kind == EntryKind::Dir).cmp(&(a.kind == EntryKind::Dir));
        dir_first.then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(entries)
}

fn classify(root: &ProjectRoot, path: &Path) -> (EntryKind, bool) {
    let Ok(meta) = path.symlink_metadata() else { return (EntryKind::BrokenLink, false) };
    if !meta.file_type().is_symlink() {
        let kind = if meta.is_dir() { EntryKind::Dir } else { EntryKind::File };
        return (kind, false);
    }
    match path.canonicalize() {
        Ok(target) if target.starts_with(root.path()) => {
            let kind = if target.is_dir() { EntryKind::Dir } else { EntryKind::File };
            (kind, true)
        }
        _ => (EntryKind::BrokenLink, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(entries: &[DirEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn lists_folders_first_and_hides_ignored_and_dot_git() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path();
        for d in [".git", "src", "target"] {
            fs::create_dir(p.join(d)).expect("mkdir");
        }
        fs::write(p.join(".gitignore"), "target/\n*.log\n").expect("write");
        fs::write(p.join("b.txt"), "b").expect("write");
        fs::write(p.join("A.md"), "a").expect("write");
        fs::write(p.join("x.log"), "x").expect("write");
        let root = ProjectRoot::open(p).expect("open");
        let rules = IgnoreRules::new(root.path());
        let shown = list_dir(&root, &rules, "", false).expect("list");
        assert_eq!(names(&shown), ["src", ".gitignore", "A.md", "b.txt"]);
        let all = list_dir(&root, &rules, "", true).expect("list");
        let ignored: Vec<_> = all.iter().filter(|e| e.ignored).map(|e| e.name.as_str()).collect();
        assert_eq!(ignored, ["target", "x.log"]);
    }

    #[test]
    fn symlinks_leaving_the_root_or_looping_are_broken_links() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path();
        fs::create_dir(p.join("real")).expect("mkdir");
        symlink("/etc", p.join("out")).expect("symlink");
        symlink("loop", p.join("loop")).expect("symlink");
        symlink("real", p.join("inside")).expect("symlink");
        let root = ProjectRoot::open(p).expect("open");
        let rules = IgnoreRules::new(root.path());
        let entries = list_dir(&root, &rules, "", false).expect("list");
        let kind = |n: &str| entries.iter().find(|e| e.name == n).map(|e| e.kind);
        assert_eq!(kind("out"), Some(EntryKind::BrokenLink));
        assert_eq!(kind("loop"), Some(EntryKind::BrokenLink));
        assert_eq!(kind("inside"), Some(EntryKind::Dir));
    }

    #[test]
    fn listing_a_file_or_outside_path_is_an_error() {
        let dir = tempfile::tempdir().expect("tmp");
        fs::write(dir.path().join("f"), "").expect("write");
        let root = ProjectRoot::open(dir.path()).expect("open");
        let rules = IgnoreRules::new(root.path());
        assert!(matches!(list_dir(&root, &rules, "f", false), Err(ProjectError::NotADirectory(_))));
        assert!(matches!(list_dir(&root, &rules, "..", false), Err(ProjectError::OutsideProject { .. })));
    }
}
