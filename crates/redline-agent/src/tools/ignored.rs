//! Whether a path the model named is one the person keeps away from it, and the walk that lists
//! and searches only what is not.

use std::path::Path;

use ignore::gitignore::GitignoreBuilder;
use ignore::Match;
use redline_project::{IgnoreRules, ProjectRoot};

/// Which rules hide a path, to tell the model why it cannot have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hidden {
    GitIgnored,
    RedlineIgnored,
    GitFolder,
}

impl Hidden {
    pub(crate) fn reason(self, path: &str) -> String {
        match self {
            Hidden::GitIgnored => format!(
                "{path} is ignored by .gitignore (or .ignore / .git/info/exclude): ignored files are kept out of the \
                 agent's reach; ask the person to paste it if it is needed"
            ),
            Hidden::RedlineIgnored => format!(
                "{path} is excluded by .redlineignore: the person chose to keep it away from models; do not try to read it \
                 another way"
            ),
            Hidden::GitFolder => format!("{path} is inside .git; use git_status and git_diff for the repository's state"),
        }
    }
}

/// Why `abs` (inside the root) is hidden, if it is.
pub(crate) fn hidden(root: &ProjectRoot, abs: &Path, is_dir: bool) -> Option<Hidden> {
    let rel = abs.strip_prefix(root.path()).ok()?;
    if rel.components().any(|c| c.as_os_str() == ".git") {
        return Some(Hidden::GitFolder);
    }
    if redline_ignored(root.path(), abs, is_dir) {
        return Some(Hidden::RedlineIgnored);
    }
    IgnoreRules::new(root.path()).is_ignored(abs, is_dir).then_some(Hidden::GitIgnored)
}

/// `.redlineignore` files work like `.gitignore`: one in any folder from the root down to the
/// path's parent applies, and a deeper file's match (ignore or `!` whitelist) wins.
fn redline_ignored(root: &Path, abs: &Path, is_dir: bool) -> bool {
    let mut dirs: Vec<&Path> = abs.ancestors().skip(1).take_while(|d| d.starts_with(root)).collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        let file = dir.join(".redlineignore");
        if !file.is_file() {
            continue;
        }
        let mut builder = GitignoreBuilder::new(dir);
        builder.add(&file);
        let Ok(rules) = builder.build() else { continue };
        match rules.matched_path_or_any_parents(abs, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}

/// A walk of `start` that skips `.git`, honours `.gitignore`, `.ignore`, git's excludes and
/// `.redlineignore`, and does not follow symlinks (a link out of the project is never entered).
pub(crate) fn walker(start: &Path) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(start);
    builder
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(".redlineignore")
        .filter_entry(|e| e.file_name() != ".git")
        .sort_by_file_path(|a, b| a.cmp(b));
    builder
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::testing::project;

    #[test]
    fn nested_redlineignore_and_its_whitelist_decide_for_their_folder() {
        let (_d, root) = project(&[
            (".redlineignore", b"*.env\nsecrets/\n"),
            ("app/.redlineignore", b"!public.env\n"),
            ("app/public.env", b""),
            ("app/private.env", b""),
            ("secrets/key.txt", b""),
            ("src/main.rs", b""),
        ]);
        let at = |p: &str| hidden(&root, &root.path().join(p), false);
        assert_eq!(at("app/private.env"), Some(Hidden::RedlineIgnored));
        assert_eq!(at("app/public.env"), None);
        assert_eq!(at("secrets/key.txt"), Some(Hidden::RedlineIgnored));
        assert_eq!(at("src/main.rs"), None);
        assert_eq!(at(".git/config"), Some(Hidden::GitFolder));
    }
}
