//! Folders for the unit tests: real files in a temporary directory, opened as a project.

use redline_project::ProjectRoot;

/// A temporary project holding `files` (path, text).
pub(crate) fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, ProjectRoot) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let abs = dir.path().join(path);
        std::fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
        std::fs::write(abs, text).expect("write");
    }
    let root = ProjectRoot::open(dir.path()).expect("open");
    (dir, root)
}

/// The text of `path` in the project.
pub(crate) fn read(dir: &tempfile::TempDir, path: &str) -> String {
    std::fs::read_to_string(dir.path().join(path)).expect("read")
}
