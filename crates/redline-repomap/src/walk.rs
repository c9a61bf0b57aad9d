//! Which files the map reads: the full walk, and the same decision for one path the watcher
//! reports, so that an update never admits a file a scan would have skipped. Both ask the
//! project's one visibility policy (`redline_project::Visibility`: git's ignores, global excludes,
//! `.redlineignore`, credentials files), and the map adds its own rule: hidden (dot) files and
//! folders are not mapped.

use std::path::{Path, PathBuf};

use redline_project::Visibility;

/// Per-folder ignore files whose change can admit or drop any file: a change rescans.
pub(crate) const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".redlineignore"];

/// Files larger than this are generated or vendored more often than written; skip them.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Every file under `root` the policy lets a model see and that is not hidden, as absolute
/// paths.
pub(crate) fn walk_files(root: &Path) -> Vec<PathBuf> {
    let visibility = Visibility::new(root);
    // The policy's walk carries its own entry filter (a second `filter_entry` would replace
    // it), so dot names are dropped here rather than pruned.
    visibility
        .walk(root)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .filter(|entry| {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            !rel.components().any(|c| is_dot_name(c.as_os_str()))
        })
        .map(|entry| entry.into_path())
        .collect()
}

fn is_dot_name(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Decides for single paths what [`walk_files`] decides during a walk.
#[derive(Default)]
pub(crate) struct IgnoreCheck {
    /// The policy of the root, built on first use and dropped by [`IgnoreCheck::clear`].
    visibility: Option<Visibility>,
}

impl IgnoreCheck {
    pub(crate) fn clear(&mut self) {
        self.visibility = None;
    }

    /// True when `rel` (relative to `root`) or one of its folders is hidden or kept from models.
    pub(crate) fn is_ignored(&mut self, root: &Path, rel: &Path, is_dir: bool) -> bool {
        if rel.components().any(|c| is_dot_name(c.as_os_str())) {
            return true;
        }
        let visibility = self.visibility.get_or_insert_with(|| Visibility::new(root));
        visibility.hidden(&root.join(rel), is_dir).is_some()
    }
}
