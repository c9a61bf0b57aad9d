//! Paths from the UI or a model never leave the project folder.

use std::fs;
use std::os::unix::fs::symlink;

use redline_api::ErrorCode;

use crate::api::open_app;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    fs::create_dir(dir.path().join("src")).expect("mkdir");
    fs::write(dir.path().join("src/lib.rs"), "pub fn f() {}\n").expect("write");
    symlink("/etc", dir.path().join("etc-link")).expect("symlink");
    symlink("/etc/passwd", dir.path().join("passwd-link")).expect("symlink");
    symlink("loop", dir.path().join("loop")).expect("symlink");
    dir
}

#[test]
fn confinement_refuses_parent_dir_escape() {
    let dir = project();
    let (app, _events) = open_app(dir.path());
    let err = app.list_dir("..", false).expect_err("must refuse");
    assert_eq!(err.code, ErrorCode::OutsideProject);
    let err = app.open_file("src/../../secret").expect_err("must refuse");
    assert_eq!(err.code, ErrorCode::OutsideProject);
}

#[test]
fn confinement_refuses_absolute_path_elsewhere() {
    let dir = project();
    let (app, _events) = open_app(dir.path());
    let err = app.open_file("/etc/passwd").expect_err("must refuse");
    assert_eq!(err.code, ErrorCode::OutsideProject);
}

#[test]
fn confinement_refuses_symlinks_leading_out() {
    let dir = project();
    let (app, _events) = open_app(dir.path());
    assert_eq!(app.open_file("passwd-link").expect_err("file link").code, ErrorCode::OutsideProject);
    assert_eq!(app.list_dir("etc-link", false).expect_err("dir link").code, ErrorCode::OutsideProject);
    assert_eq!(app.open_file("loop").expect_err("loop").code, ErrorCode::OutsideProject);
}

#[test]
fn confinement_allows_absolute_path_inside_root() {
    let dir = project();
    let (app, _events) = open_app(dir.path());
    let inside = dir.path().canonicalize().expect("canon").join("src/lib.rs");
    assert!(app.open_file(&inside.display().to_string()).is_ok());
}
