//! Which files the map reads: the full walk, and the same decision for one path the watcher
//! reports, so that an update never admits a file a scan would have skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder};

/// Per-folder ignore files, in increasing precedence (later rules win, as in the walker).
pub(crate) const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".redlineignore"];

/// Files larger than this are generated or vendored more often than written; skip them.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Every non-ignored, non-hidden file under `root`, as absolute paths. The person's global
/// excludes file is not read, so the map is the same on every machine for one checkout.
pub(crate) fn walk_files(root: &Path) -> Vec<PathBuf> {
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(false)
        .add_custom_ignore_filename(".redlineignore")
        .build();
    walker
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(|entry| entry.into_path())
        .collect()
}

/// Decides for single paths what [`walk_files`] decides during a walk.
#[derive(Default)]
pub(crate) struct IgnoreCheck {
    per_dir: HashMap<PathBuf, Option<Gitignore>>,
    /// `.git/info/exclude`, read on first use.
    exclude: Option<Gitignore>,
}

impl IgnoreCheck {
    pub(crate) fn clear(&mut self) {
        self.per_dir.clear();
        self.exclude = None;
    }

    /// True when `rel` (relative to `root`) or one of its folders is hidden or ignored.
    pub(crate) fn is_ignored(&mut self, root: &Path, rel: &Path, is_dir: bool) -> bool {
        let components: Vec<_> = rel.components().collect();
        let mut current = root.to_path_buf();
        for (i, component) in components.iter().enumerate() {
            if component.as_os_str().to_string_lossy().starts_with('.') {
                return true;
            }
            let parent = current.clone();
            current.push(component);
            let component_is_dir = i + 1 < components.len() || is_dir;
            if self.decide(root, &parent, &current, component_is_dir) {
                return true;
            }
        }
        false
    }

    /// The deepest folder with a matching rule decides; `.git/info/exclude` comes last.
    fn decide(&mut self, root: &Path, parent: &Path, path: &Path, is_dir: bool) -> bool {
        let mut dir = Some(parent);
        while let Some(d) = dir {
            match self.rules_for(d).map(|rules| rules.matched(path, is_dir)) {
                Some(Match::Ignore(_)) => return true,
                Some(Match::Whitelist(_)) => return false,
                _ => {}
            }
            if d == root {
                break;
            }
            dir = d.parent();
        }
        let exclude = self.exclude.get_or_insert_with(|| {
            // Patterns in `exclude` are relative to the repository root, not to `.git/info`.
            let mut builder = GitignoreBuilder::new(root);
            let _missing_is_fine = builder.add(root.join(".git/info/exclude"));
            builder.build().unwrap_or_else(|_| Gitignore::empty())
        });
        exclude.matched(path, is_dir).is_ignore()
    }

    fn rules_for(&mut self, dir: &Path) -> Option<&Gitignore> {
        self.per_dir
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let mut builder = GitignoreBuilder::new(dir);
                let mut any = false;
                for name in IGNORE_FILES {
                    let file = dir.join(name);
                    if file.is_file() {
                        any = true;
                        if let Some(error) = builder.add(&file) {
                            tracing::debug!(file = %file.display(), %error, "ignore file partly unreadable");
                        }
                    }
                }
                if any {
                    builder.build().ok()
                } else {
                    None
                }
            })
            .as_ref()
    }
}
