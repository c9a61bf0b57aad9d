//! Generated inputs for `redline-bench`, cached under `target/` so reruns start at once.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// A committed repository with `files` files in folders of 100, then 50 modified and 20
/// untracked files so that status has something to report.
pub fn bench_repo(files: usize) -> anyhow::Result<PathBuf> {
    let root = target_dir().join(format!("bench-repo-{files}"));
    let done = root.join(".git/redline-bench-ready");
    if done.exists() {
        return Ok(root);
    }
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    eprintln!("generating a {files}-file repository in {} …", root.display());
    for i in 0..files {
        let dir = root.join(format!("pkg{:03}/mod{:02}", i / 1000, (i / 100) % 10));
        if i % 100 == 0 {
            fs::create_dir_all(&dir)?;
        }
        fs::write(dir.join(format!("file{i}.rs")), format!("pub fn f{i}() -> usize {{\n    {i}\n}}\n"))?;
    }
    fs::write(root.join(".gitignore"), "target/\n*.log\n")?;
    crate::git(&root, &["init", "-q"]);
    crate::git(&root, &["add", "-A"]);
    crate::git(&root, &["commit", "-qm", "generated"]);
    for i in (0..files).step_by(files / 50) {
        let path = root.join(format!("pkg{:03}/mod{:02}/file{i}.rs", i / 1000, (i / 100) % 10));
        fs::write(path, format!("pub fn f{i}() -> usize {{\n    {i} + 1\n}}\n"))?;
    }
    for i in 0..20 {
        fs::write(root.join(format!("pkg000/untracked{i}.rs")), "// new\n")?;
    }
    fs::write(done, "")?;
    Ok(root)
}

/// A C file of about `lines` lines, varied enough to exercise the grammar.
pub fn bench_c_file(lines: usize) -> anyhow::Result<PathBuf> {
    let path = target_dir().join(format!("bench-{lines}.c"));
    if path.exists() {
        return Ok(path);
    }
    let mut out = String::from("#include <stdio.h>\n#include <string.h>\n\n");
    let mut i = 0;
    // Each function below is 12 lines.
    while 3 + i * 12 < lines {
        write!(
            out,
            "/* Function {i}: sums a buffer, skipping negatives.\n * Returns the total as a long. */\n\
             static long sum_{i}(const int *values, size_t n) {{\n    long total = 0; // running total\n\
             \x20   for (size_t k = 0; k < n; k++) {{\n        if (values[k] < 0) continue;\n\
             \x20       total += values[k] * {i};\n    }}\n    printf(\"sum_{i}=%ld\\n\", total);\n\
             \x20   return total;\n}}\n\n"
        )?;
        i += 1;
    }
    fs::create_dir_all(target_dir())?;
    fs::write(&path, out)?;
    Ok(path)
}
