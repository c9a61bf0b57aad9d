//! The tools ask the project's one visibility policy (`redline_project::Visibility`) what a
//! model may see, and walk only that. This module adapts it to the tools' calling shape.

use std::path::Path;

use redline_project::{Hidden, ProjectRoot, Visibility};

/// Why `abs` (inside the root) is kept from the model, if it is.
pub(crate) fn hidden(root: &ProjectRoot, abs: &Path, is_dir: bool) -> Option<Hidden> {
    Visibility::new(root.path()).hidden(abs, is_dir)
}

/// A sorted walk of `start` that yields only what the model may see and never follows a
/// symlink (a link out of the project is never entered).
pub(crate) fn walker(visibility: &Visibility, start: &Path) -> ignore::WalkBuilder {
    visibility.walk(start)
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
