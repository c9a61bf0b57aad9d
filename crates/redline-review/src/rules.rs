//! Which paths a proposal may write: the shared table of `redline-project` (git's own files
//! refused, files that run code elsewhere protected) and what only a change can break (a rename
//! that would make a symlink lead out of the project).

use redline_project::{PathRule, ProjectRoot, ProtectedPaths};

/// The path rules of the project at `root`: the shared table plus its git hooks folder.
pub fn project_rules(root: &ProjectRoot) -> ProtectedPaths {
    ProtectedPaths::new(redline_git::hooks_path_in(root.path()).as_deref())
}

/// The rule for one planned change of `path` (renamed to `renamed_to`, if so). A rename is as
/// strict as the stricter of its two names, and one that would make a symlink point outside
/// the project is refused.
pub fn change_rule(
    root: &ProjectRoot,
    rules: &ProtectedPaths,
    path: &str,
    renamed_to: Option<&str>,
) -> PathRule {
    let each: Vec<PathRule> = [Some(path), renamed_to].into_iter().flatten().map(|p| rules.rule(p)).collect();
    if let Some(refused) = each.iter().find(|r| matches!(r, PathRule::Refused(_))) {
        return refused.clone();
    }
    if let Some(why) = renamed_to.and_then(|to| link_leaves_root(root, path, to)) {
        return PathRule::Refused(why);
    }
    each.into_iter().find(|r| matches!(r, PathRule::Protected(_))).unwrap_or(PathRule::Editable)
}

/// Why moving `from` to `to` is refused when `from` is a symlink that, read from its new folder,
/// would lead outside the project (`docs/readme -> ../README.md` moved up to the root, say).
/// `None` when `from` is no symlink or still points inside.
fn link_leaves_root(root: &ProjectRoot, from: &str, to: &str) -> Option<String> {
    let target = redline_project::link_leaving_on_rename(root, from, to).ok()??;
    Some(format!(
        "renaming {from} to {to} would make the symlink point outside the project ({} read from there leaves the folder); Redline does not create links that lead out",
        target.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_rename_that_would_make_a_symlink_point_outside_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("README.md"), "hi\n").expect("write");
        let root = ProjectRoot::open(dir.path()).expect("open");
        fs::create_dir_all(dir.path().join("docs/deep")).expect("mkdir");
        std::os::unix::fs::symlink("../README.md", dir.path().join("docs/readme")).expect("link");
        let rules = ProtectedPaths::default();
        let rule = change_rule(&root, &rules, "docs/readme", Some("readme"));
        assert!(matches!(&rule, PathRule::Refused(m) if m.contains("outside the project")), "{rule:?}");
        assert_eq!(change_rule(&root, &rules, "docs/readme", Some("docs/readme2")), PathRule::Editable);
        assert!(matches!(change_rule(&root, &rules, "README.md", Some(".git/x")), PathRule::Refused(_)));
        assert!(matches!(change_rule(&root, &rules, ".envrc", Some("envrc")), PathRule::Protected(_)));
    }
}
