//! Shared support for Redline's integration and GUI tests: fixture repositories built by small
//! scripts, and git run in a sandbox so a developer's own configuration never leaks in.

mod bench_data;
pub mod model_server;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use bench_data::{bench_c_file, bench_repo};

/// Every commit made by tests and fixtures carries this date, so ids are reproducible.
pub const FIXED_DATE: &str = "2024-01-01T00:00:00Z";

/// A git configuration of our own: a global file with just a name, an email and `main` as the
/// default branch; no system file; HOME pointing at an empty folder.
fn sandbox() -> &'static Path {
    static SANDBOX: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("redline-git-sandbox-").tempdir().expect("sandbox").keep();
        std::fs::write(
            dir.join("gitconfig"),
            "[user]\n\tname = Redline Tests\n\temail = tests@redline.invalid\n[init]\n\tdefaultBranch = main\n\
             [advice]\n\tdetachedHead = false\n[commit]\n\tgpgsign = false\n",
        )
        .expect("gitconfig");
        dir
    })
}

/// A command with the sandboxed git environment.
pub fn sandboxed(program: &str) -> Command {
    let home = sandbox();
    let mut cmd = Command::new(program);
    cmd.env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .env("GIT_AUTHOR_DATE", FIXED_DATE)
        .env("GIT_COMMITTER_DATE", FIXED_DATE)
        .env("LC_ALL", "C")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// Runs git in `dir`, returning stdout; panics with stderr when git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = sandboxed("git").current_dir(dir).args(args).output().expect("git on PATH");
    assert!(
        out.status.success(),
        "git {} failed in {}: {}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh copy of fixture `name`: `tests/fixtures/<name>.sh` run in a new temporary folder.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(&format!("redline-{name}-")).tempdir().expect("temp dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(format!("{name}.sh"));
    let out = sandboxed("bash").arg(&script).arg(dir.path()).current_dir(dir.path()).output().expect("bash");
    assert!(out.status.success(), "fixture {name} failed: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// A new temporary project folder holding `files`, each a `(path, text)` with its parent
/// folders made as needed.
pub fn project_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("project");
    for (path, text) in files {
        let abs = dir.path().join(path);
        std::fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
        std::fs::write(abs, text).expect("write");
    }
    dir
}

/// The `redline` binary built next to these tests (`REDLINE_BIN` overrides it); `scripts/test`
/// builds it before running them.
pub fn redline_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("REDLINE_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug/redline");
    assert!(bin.exists(), "{} is missing: run `cargo build -p redline` (scripts/test does)", bin.display());
    bin
}

/// Runs `redline apply --root ROOT ARGS…` with `reply` on stdin and waits for it.
pub fn redline_apply(root: &Path, args: &[&str], reply: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(redline_binary())
        .arg("apply")
        .arg("--root")
        .arg(root)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run redline");
    child.stdin.take().expect("stdin").write_all(reply.as_bytes()).expect("write reply");
    child.wait_with_output().expect("wait")
}
