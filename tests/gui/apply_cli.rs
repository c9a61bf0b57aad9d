//! `redline apply`: a model's reply from stdin applied to a project, headless.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use redline_tests::{fixture, redline_apply};

use crate::driver::app_binary;

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).expect("read")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

const TWO_FILES_AND_A_NEW_ONE: &str = "notes.txt\n```\n<<<<<<< SEARCH\nThings to remember.\n=======\nThings to remember.\nBuy milk.\n>>>>>>> REPLACE\n```\n\nscript.py\n```\n<<<<<<< SEARCH\n    print(\"hello\")\n=======\n    print(\"hello, world\")\n>>>>>>> REPLACE\n```\n\nlib/util.py\n```\n<<<<<<< SEARCH\n=======\ndef util():\n    return 1\n>>>>>>> REPLACE\n```\n";

#[test]
fn cli_apply_writes_two_files_and_creates_a_new_one() {
    let project = fixture("plain");
    let out = redline_apply(project.path(), &[], TWO_FILES_AND_A_NEW_ONE);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(project.path(), "notes.txt"), "Things to remember.\nBuy milk.\n");
    assert!(read(project.path(), "script.py").contains("    print(\"hello, world\")\n"));
    assert_eq!(read(project.path(), "lib/util.py"), "def util():\n    return 1\n");
}

#[test]
fn cli_apply_dry_run_prints_a_diff_and_writes_nothing() {
    let project = fixture("plain");
    let before = (read(project.path(), "notes.txt"), read(project.path(), "script.py"));
    let out = redline_apply(project.path(), &["--dry-run"], TWO_FILES_AND_A_NEW_ONE);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "--- a/notes.txt\n+++ b/notes.txt\n@@ -1,1 +1,2 @@\n Things to remember.\n+Buy milk.\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("-    print(\"hello\")\n+    print(\"hello, world\")\n"), "{stdout}");
    assert!(stdout.contains("--- /dev/null\n+++ b/lib/util.py\n"), "{stdout}");
    assert_eq!((read(project.path(), "notes.txt"), read(project.path(), "script.py")), before);
    assert!(!project.path().join("lib").exists());
}

#[test]
fn cli_apply_json_reports_each_file_status_and_hunks() {
    let project = fixture("plain");
    let out = redline_apply(project.path(), &["--json"], TWO_FILES_AND_A_NEW_ONE);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&out);
    let statuses: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["path"].as_str().unwrap_or(""), l["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(statuses, [("notes.txt", "applied"), ("script.py", "applied"), ("lib/util.py", "created")]);
    assert_eq!(lines[0]["hunks"]["applied"], 1);
    assert_eq!(lines[0]["hunks"]["failed"], 0);
    assert_eq!(lines[0]["hunks"]["changed"], 1);
    assert!(lines[0]["error"].is_null());
}

#[test]
fn cli_apply_failing_block_exits_1_and_leaves_that_file_byte_identical() {
    let project = fixture("plain");
    // CRLF and no final newline: any rewrite would show.
    let original = b"first\r\nsecond\r\nthird".to_vec();
    std::fs::write(project.path().join("data.txt"), &original).expect("write");
    let reply = "data.txt\n<<<<<<< SEARCH\nfirst\n=======\n1st\n>>>>>>> REPLACE\n\ndata.txt\n<<<<<<< SEARCH\nnot in the file at all\n=======\nx\n>>>>>>> REPLACE\n\nnotes.txt\n<<<<<<< SEARCH\nThings to remember.\n=======\nThings to forget.\n>>>>>>> REPLACE\n";
    let out = redline_apply(project.path(), &["--json"], reply);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(std::fs::read(project.path().join("data.txt")).expect("read"), original);
    let lines = json_lines(&out);
    assert_eq!(lines[0]["status"], "failed");
    assert_eq!(lines[0]["hunks"]["failed"], 1);
    assert!(lines[0]["error"].as_str().is_some_and(|e| e.contains("block")), "{:?}", lines[0]);
    // The other file's edit is independent and applied.
    assert_eq!(lines[1]["status"], "applied");
    assert_eq!(read(project.path(), "notes.txt"), "Things to forget.\n");
}

#[test]
fn cli_apply_refuses_a_path_outside_the_root() {
    let outer = tempfile::tempdir().expect("outer");
    let root = outer.path().join("project");
    std::fs::create_dir(&root).expect("mkdir");
    let reply = "../x\n<<<<<<< SEARCH\n=======\nescaped\n>>>>>>> REPLACE\n";
    let out = redline_apply(&root, &["--json"], reply);
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["status"], "failed");
    assert!(lines[0]["error"].as_str().is_some_and(|e| e.contains("outside the project")), "{:?}", lines[0]);
    assert!(!outer.path().join("x").exists());
}

#[test]
fn cli_apply_tool_calls_with_string_arguments() {
    let project = fixture("plain");
    let args =
        serde_json::json!({"path": "notes.txt", "old_text": "remember", "new_text": "keep"}).to_string();
    let create = serde_json::json!({"path": "new.md", "content": "# New\n"});
    let reply = serde_json::json!([
        {"name": "edit_file", "arguments": args},
        {"name": "create_file", "arguments": create},
    ])
    .to_string();
    for format in ["auto", "tool"] {
        let project = fixture("plain");
        let out = redline_apply(project.path(), &["--format", format], &reply);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_eq!(read(project.path(), "notes.txt"), "Things to keep.\n");
        assert_eq!(read(project.path(), "new.md"), "# New\n");
    }
    drop(project);
}

#[test]
fn cli_apply_usage_errors_exit_2() {
    let project = fixture("plain");
    let bad_flag = redline_apply(project.path(), &["--no-such-flag"], "");
    assert_eq!(bad_flag.status.code(), Some(2), "{}", stderr(&bad_flag));
    let bad_format = redline_apply(project.path(), &["--format", "yaml"], "");
    assert_eq!(bad_format.status.code(), Some(2), "{}", stderr(&bad_format));
    let missing_root = redline_apply(Path::new("/nonexistent/redline-apply"), &[], "x");
    assert_eq!(missing_root.status.code(), Some(2));
    assert!(stderr(&missing_root).contains("/nonexistent/redline-apply"), "{}", stderr(&missing_root));
}

const CRASH_FILES: usize = 20;
const CRASH_ITERATIONS: usize = 60;

/// ~200 KB of numbered lines, different per file.
fn big_text(file: usize) -> String {
    (0..2500).map(|n| format!("file {file:02} line {n:05} {}\n", "x".repeat(64))).collect()
}

/// Changes the first and the last line of every file.
fn crash_reply() -> String {
    let mut reply = String::new();
    for file in 0..CRASH_FILES {
        let pad = "x".repeat(64);
        reply.push_str(&format!(
            "f{file:02}.txt\n<<<<<<< SEARCH\nfile {file:02} line 00000 {pad}\n=======\nfile {file:02} FIRST CHANGED\n>>>>>>> REPLACE\n\nf{file:02}.txt\n<<<<<<< SEARCH\nfile {file:02} line 02499 {pad}\n=======\nfile {file:02} LAST CHANGED\n>>>>>>> REPLACE\n\n"
        ));
    }
    reply
}

fn restore(root: &Path, originals: &[String]) {
    for entry in std::fs::read_dir(root).expect("read dir").flatten() {
        if entry.file_name().to_string_lossy().ends_with(".redline-tmp") {
            std::fs::remove_file(entry.path()).expect("remove temp file");
        }
    }
    for (file, text) in originals.iter().enumerate() {
        std::fs::write(root.join(format!("f{file:02}.txt")), text).expect("restore");
    }
}

#[test]
fn cli_apply_killed_at_any_moment_leaves_each_file_entirely_old_or_new() {
    let project = tempfile::tempdir().expect("project");
    let root = project.path();
    let originals: Vec<String> = (0..CRASH_FILES).map(big_text).collect();
    restore(root, &originals);
    let reply = crash_reply();
    // One full run: the new contents, and how long a run takes.
    let started = Instant::now();
    let out = redline_apply(root, &[], &reply);
    let full_run = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let updated: Vec<String> = (0..CRASH_FILES).map(|f| read(root, &format!("f{f:02}.txt"))).collect();
    assert!(updated.iter().zip(&originals).all(|(new, old)| new != old));

    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let (mut all_old, mut all_new, mut mixed, mut temp_left) = (0, 0, 0, 0);
    for iteration in 0..CRASH_ITERATIONS {
        restore(root, &originals);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Delays spread over the whole run, with jitter inside each slot.
        let slot = full_run.as_micros() as u64 * 12 / 10 / CRASH_ITERATIONS as u64;
        let delay = Duration::from_micros(slot * iteration as u64 + seed % slot.max(1));
        let mut child = Command::new(app_binary())
            .args(["apply", "--root"])
            .arg(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run redline");
        child.stdin.take().expect("stdin").write_all(reply.as_bytes()).expect("write reply");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; it may have finished already
        child.wait().expect("wait");

        let mut new_files = 0;
        for file in 0..CRASH_FILES {
            let text = read(root, &format!("f{file:02}.txt"));
            assert!(
                text == originals[file] || text == updated[file],
                "iteration {iteration} (killed after {delay:?}): f{file:02}.txt is neither old nor new ({} bytes)",
                text.len()
            );
            new_files += usize::from(text == updated[file]);
        }
        temp_left += std::fs::read_dir(root)
            .expect("read dir")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".redline-tmp"))
            .count();
        match new_files {
            0 => all_old += 1,
            n if n == CRASH_FILES => all_new += 1,
            _ => mixed += 1,
        }
    }
    restore(root, &originals);
    eprintln!(
        "full run {full_run:?}; {CRASH_ITERATIONS} kills: {all_old} before any write, {mixed} mid-run, \
         {all_new} after the last write; temp files left behind: {temp_left}"
    );
    assert!(mixed > 0, "no kill landed mid-run; the delays do not cover the writes");
}
