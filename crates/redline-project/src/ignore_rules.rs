use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{gitconfig_excludes_path, Gitignore, GitignoreBuilder};
use ignore::Match;
use parking_lot::Mutex;

/// Decides whether a path is ignored the way git decides it: `.gitignore` and `.ignore` in every
/// folder from the path up to the root (deeper files win), then `.git/info/exclude`, then the
/// global excludes file. The tree and the watcher share one instance so they always agree.
///
/// Per-folder rules are parsed once and cached; [`IgnoreRules::invalidate`] drops a folder's
/// rules when one of its ignore files changes.
#[derive(Debug)]
pub struct IgnoreRules {
    root: PathBuf,
    /// The per-folder files read: git's view, or `.redlineignore` alone.
    files: &'static [&'static str],
    repo_wide: Vec<Gitignore>,
    per_dir: Mutex<HashMap<PathBuf, Arc<Gitignore>>>,
}

const IGNORE_FILES: &[&str] = &[".gitignore", ".ignore"];

/// The person's own list of what models must not see, in any folder, with gitignore syntax.
pub const REDLINE_IGNORE: &str = ".redlineignore";

impl IgnoreRules {
    pub fn new(root: &Path) -> Self {
        let mut repo_wide = Vec::new();
        let exclude = root.join(".git/info/exclude");
        if let Some(rules) = load(root, &[exclude]) {
            repo_wide.push(rules);
        }
        if let Some(global) = gitconfig_excludes_path().and_then(|p| load(root, &[p])) {
            repo_wide.push(global);
        }
        IgnoreRules {
            root: root.to_path_buf(),
            files: IGNORE_FILES,
            repo_wide,
            per_dir: Mutex::new(HashMap::new()),
        }
    }

    /// `.redlineignore` files alone, decided the same way (deeper files win, `!` whitelists):
    /// the part of the visibility policy that only models are kept from.
    pub fn redline(root: &Path) -> Self {
        const FILES: &[&str] = &[REDLINE_IGNORE];
        IgnoreRules {
            root: root.to_path_buf(),
            files: FILES,
            repo_wide: Vec::new(),
            per_dir: Mutex::new(HashMap::new()),
        }
    }

    /// True when `path` (absolute, inside the root) or one of its parent folders is ignored.
    /// The `.git` folder itself always counts as ignored.
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else { return false };
        let components: Vec<_> = rel.components().collect();
        let mut current = self.root.clone();
        for (i, component) in components.iter().enumerate() {
            let parent = current.clone();
            current.push(component);
            if component.as_os_str() == ".git" {
                return true;
            }
            let last = i + 1 == components.len();
            if self.decide(&parent, &current, !last || is_dir) {
                return true;
            }
        }
        false
    }

    /// Whether `path` itself is ignored, its parent folders taken as not ignored: what a walk
    /// that never enters an ignored folder needs to ask, one level at a time.
    pub fn is_ignored_here(&self, path: &Path, is_dir: bool) -> bool {
        if path.file_name().is_some_and(|n| n == ".git") {
            return true;
        }
        match path.parent() {
            Some(parent) if path.starts_with(&self.root) && path != self.root => {
                self.decide(parent, path, is_dir)
            }
            _ => false,
        }
    }

    /// Forgets the cached rules of `dir`, after one of its ignore files changed.
    pub fn invalidate(&self, dir: &Path) {
        self.per_dir.lock().remove(dir);
    }

    /// Whether a change to `path` changes what git ignores (the tree's rules).
    pub fn is_ignore_file(path: &Path) -> bool {
        path.file_name().is_some_and(|name| IGNORE_FILES.iter().any(|f| name == *f))
    }

    /// Whether `path`, whose parent folder is `parent`, is ignored by rules alone (parents of
    /// `path` are the caller's business).
    fn decide(&self, parent: &Path, path: &Path, is_dir: bool) -> bool {
        let mut dir = Some(parent);
        while let Some(d) = dir {
            match self.rules_for(d).matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
            if d == self.root {
                break;
            }
            dir = d.parent();
        }
        for rules in &self.repo_wide {
            match rules.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }

    fn rules_for(&self, dir: &Path) -> Arc<Gitignore> {
        if let Some(rules) = self.per_dir.lock().get(dir) {
            return rules.clone();
        }
        let files: Vec<PathBuf> = self.files.iter().map(|f| dir.join(f)).collect();
        let rules = Arc::new(load(dir, &files).unwrap_or_else(Gitignore::empty));
        self.per_dir.lock().insert(dir.to_path_buf(), rules.clone());
        rules
    }
}

fn load(base: &Path, files: &[PathBuf]) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new(base);
    let mut any = false;
    for file in files.iter().filter(|f| f.is_file()) {
        // A malformed line is skipped by the builder; the remaining rules still apply.
        if let Some(err) = builder.add(file) {
            tracing::warn!("ignore file {}: {err}", file.display());
        }
        any = true;
    }
    if !any {
        return None;
    }
    builder.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn nested_gitignore_overrides_root_and_parents_propagate() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("canon");
        fs::create_dir_all(root.join("a/b")).expect("mkdir");
        fs::create_dir_all(root.join("target/debug")).expect("mkdir");
        fs::write(root.join(".gitignore"), "*.log\ntarget/\n").expect("write");
        fs::write(root.join("a/.gitignore"), "!keep.log\n").expect("write");
        let rules = IgnoreRules::new(&root);
        assert!(rules.is_ignored(&root.join("x.log"), false));
        assert!(rules.is_ignored(&root.join("a/b/y.log"), false));
        assert!(!rules.is_ignored(&root.join("a/keep.log"), false));
        assert!(rules.is_ignored(&root.join("target"), true));
        assert!(rules.is_ignored(&root.join("target/debug/app"), false));
        assert!(!rules.is_ignored(&root.join("src/main.rs"), false));
        assert!(rules.is_ignored(&root.join(".git/HEAD"), false));
    }

    #[test]
    fn info_exclude_and_dot_ignore_are_honoured() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("canon");
        fs::create_dir_all(root.join(".git/info")).expect("mkdir");
        fs::write(root.join(".git/info/exclude"), "secret.txt\n").expect("write");
        fs::write(root.join(".ignore"), "generated/\n").expect("write");
        let rules = IgnoreRules::new(&root);
        assert!(rules.is_ignored(&root.join("secret.txt"), false));
        assert!(rules.is_ignored(&root.join("generated/x.rs"), false));
    }

    #[test]
    fn invalidate_picks_up_edited_gitignore() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("canon");
        let rules = IgnoreRules::new(&root);
        assert!(!rules.is_ignored(&root.join("out.txt"), false));
        fs::write(root.join(".gitignore"), "out.txt\n").expect("write");
        rules.invalidate(&root);
        assert!(rules.is_ignored(&root.join("out.txt"), false));
    }
}
