//! The binary's own command line, which needs no window.

use std::process::Command;

use crate::driver::app_binary;

#[test]
fn cli_prints_version_and_help() {
    let version = Command::new(app_binary()).arg("--version").output().expect("run redline");
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("redline {}", env!("CARGO_PKG_VERSION"))
    );
    let help = Command::new(app_binary()).arg("--help").output().expect("run redline");
    assert!(String::from_utf8_lossy(&help.stdout).contains("The folder to open"));
}

#[test]
fn cli_refuses_a_missing_folder_with_exit_code_2() {
    let out = Command::new(app_binary()).arg("/nonexistent/redline-test").output().expect("run redline");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /nonexistent/redline-test"));
}
