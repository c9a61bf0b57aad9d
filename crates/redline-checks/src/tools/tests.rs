use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use redline_project::Trust::{Trusted, Untrusted};

use super::*;

type Snapshot = BTreeMap<PathBuf, Vec<u8>>;

fn snapshot(root: &Path) -> Snapshot {
    let mut files = Snapshot::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read project folder") {
            let path = entry.expect("read folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).expect("read project file"));
            }
        }
    }
    files
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("create project dir");
    for (path, text) in files {
        let file = root.path().join(path);
        std::fs::create_dir_all(file.parent().expect("file has a folder")).expect("create folders");
        std::fs::write(file, text).expect("write project file");
    }
    root
}

fn open(root: &Path) -> ProjectRoot {
    ProjectRoot::open(root).expect("open project")
}

/// A PATH holding only `scripts`, each an executable shell script.
fn fake_bin(scripts: &[(&str, &str)]) -> (tempfile::TempDir, Vec<(String, String)>) {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().expect("create bin dir");
    for (name, body) in scripts {
        let file = bin.path().join(name);
        std::fs::write(&file, format!("#!/bin/sh\n{body}\n")).expect("write fake tool");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755))
            .expect("make fake tool executable");
    }
    let env = vec![("PATH".to_owned(), bin.path().display().to_string())];
    (bin, env)
}

const CARGO_TOML: &str = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
const TIDY_MAIN: &str = "fn main() {\n    let x = 1;\n    println!(\"{x}\");\n}\n";
const SECOND: Duration = Duration::from_secs(1);

#[tokio::test]
async fn rustfmt_flags_the_badly_formatted_line_and_leaves_the_project_unchanged() {
    let root = project(&[("Cargo.toml", CARGO_TOML), ("src/main.rs", TIDY_MAIN)]);
    let before = snapshot(root.path());
    let proposed =
        "mod other;\n\nfn main() {\n    let x = 1;\n    let y=x+2;\n    println!(\"{x} {y}\");\n}\n";
    let findings =
        tool_checks(root.path(), "src/main.rs", proposed, Duration::from_secs(20), Trusted).await.findings;
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].line, findings[0].end_line), (5, 5), "{findings:?}");
    assert_eq!(findings[0].kind, CheckKind::Lint);
    assert_eq!(findings[0].source, "rustfmt");
    assert_eq!(findings[0].message, "rustfmt would reformat line 5");
    assert_eq!(snapshot(root.path()), before, "the project folder changed");
}

#[tokio::test]
async fn a_tidy_rust_file_gets_no_rustfmt_finding() {
    let root = project(&[("Cargo.toml", CARGO_TOML)]);
    assert!(tool_checks(root.path(), "src/main.rs", TIDY_MAIN, Duration::from_secs(20), Trusted)
        .await
        .findings
        .is_empty());
}

#[tokio::test]
async fn the_projects_rustfmt_toml_is_honoured() {
    let long_call = "fn main() {\n    let total = add_three_numbers(first_value, second_value, third);\n}\n";
    let plain = project(&[("Cargo.toml", CARGO_TOML)]);
    assert!(tool_checks(plain.path(), "src/main.rs", long_call, Duration::from_secs(20), Trusted)
        .await
        .findings
        .is_empty());
    let narrow = project(&[("Cargo.toml", CARGO_TOML), ("rustfmt.toml", "max_width = 40\n")]);
    let findings =
        tool_checks(narrow.path(), "src/main.rs", long_call, Duration::from_secs(20), Trusted).await.findings;
    assert_eq!(findings.iter().map(|f| f.line).collect::<Vec<_>>(), vec![2], "{findings:?}");
}

#[test]
fn rustfmt_applies_only_in_a_cargo_project() {
    assert_eq!(
        configured_tools(project(&[("Cargo.toml", CARGO_TOML)]).path(), "src/lib.rs", Trusted),
        vec!["rustfmt"]
    );
    assert!(configured_tools(project(&[]).path(), "src/lib.rs", Trusted).is_empty());
}

#[test]
fn the_edition_comes_from_the_nearest_manifest_that_names_one() {
    let root = project(&[
        ("Cargo.toml", "[workspace]\n[workspace.package]\nedition = \"2018\"\n"),
        ("crates/a/Cargo.toml", "[package]\nname = \"a\"\nedition.workspace = true\n"),
    ]);
    let tools = plan::tools_for(&open(root.path()), "crates/a/src/lib.rs", &redline_project::command_env());
    let rustfmt = tools.iter().find(|t| t.name == "rustfmt").expect("rustfmt is installed here");
    assert!(rustfmt.args.windows(2).any(|w| w == ["--edition", "2018"]), "{:?}", rustfmt.args);
}

#[tokio::test]
async fn a_configured_tool_that_is_not_installed_is_skipped() {
    let root = project(&[("go.mod", "module demo\n"), ("ruff.toml", "line-length = 100\n")]);
    let (_bin, env) = fake_bin(&[]);
    assert!(plan::tools_for(&open(root.path()), "main.go", &env).is_empty());
    assert!(plan::tools_for(&open(root.path()), "app.py", &env).is_empty());
    let findings =
        tool_checks_with_env(root.path(), "app.py", "import os\n", SECOND, &env, Trusted).await.findings;
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn config_files_linked_out_of_the_project_are_not_read() {
    const PYPROJECT: &str = "[tool.black]\n[tool.ruff]\n";
    let outside =
        project(&[("pyproject.toml", PYPROJECT), ("go.mod", "module outside\n"), ("ruff.toml", "")]);
    let linked = project(&[]);
    for name in ["pyproject.toml", "go.mod", "ruff.toml"] {
        std::os::unix::fs::symlink(outside.path().join(name), linked.path().join(name)).expect("link out");
    }
    let (_bin, env) = fake_bin(&[("ruff", "exit 0"), ("black", "exit 0"), ("gofmt", "exit 0")]);
    let names = |root: &Path, path: &str| -> Vec<&str> {
        plan::tools_for(&open(root), path, &env).iter().map(|tool| tool.name).collect()
    };
    assert!(names(linked.path(), "app.py").is_empty());
    assert!(names(linked.path(), "main.go").is_empty());
    // The same files inside the project do plan the tools from that PATH.
    let inside = project(&[("pyproject.toml", PYPROJECT), ("go.mod", "module demo\n")]);
    assert_eq!(names(inside.path(), "app.py"), ["ruff", "black"]);
    assert_eq!(names(inside.path(), "main.go"), ["gofmt"]);
}

#[tokio::test]
async fn a_tool_that_hangs_is_killed_with_its_children_and_reported_once() {
    let root = project(&[("go.mod", "module demo\n")]);
    let pid_file = tempfile::NamedTempFile::new().expect("create pid file");
    let script = format!("/bin/sleep 30 &\necho $! > {}\nwait", pid_file.path().display());
    let (_bin, env) = fake_bin(&[("gofmt", &script)]);
    let started = Instant::now();
    let findings =
        tool_checks_with_env(root.path(), "main.go", "package main\n", SECOND, &env, Trusted).await.findings;
    assert!(started.elapsed() < Duration::from_secs(10), "waited for the hanging tool");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].message, "gofmt did not finish in 1 s");
    assert_eq!((findings[0].line, findings[0].kind.clone()), (1, CheckKind::Lint));
    let child = std::fs::read_to_string(pid_file.path()).expect("read pid file");
    let proc_dir = PathBuf::from(format!("/proc/{}", child.trim()));
    let deadline = Instant::now() + Duration::from_secs(5);
    while proc_dir.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!proc_dir.exists(), "the tool's child {} outlived the timeout", child.trim());
}

#[tokio::test]
async fn a_unified_diff_from_a_tool_becomes_a_finding_on_the_changed_line() {
    let root = project(&[("go.mod", "module demo\n")]);
    // Prints what gofmt -d prints for a mis-indented line 4, and only when given the file.
    let script = "[ \"$1\" = -d ] && [ -f \"$2\" ] && printf -- '--- %s.orig\\n+++ %s\\n@@ -3,3 +3,3 @@\\n func main() {\\n-  x := 1\\n+\\tx := 1\\n }\\n' \"$2\" \"$2\"";
    let (_bin, env) = fake_bin(&[("gofmt", script)]);
    let proposed = "package main\n\nfunc main() {\n  x := 1\n}\n";
    let findings =
        tool_checks_with_env(root.path(), "cmd/main.go", proposed, Duration::from_secs(5), &env, Trusted)
            .await
            .findings;
    assert_eq!(findings.iter().map(|f| (f.line, f.source.as_str())).collect::<Vec<_>>(), vec![(4, "gofmt")]);
}

#[tokio::test]
async fn a_path_that_leaves_the_scratch_dir_is_refused() {
    let root = project(&[("Cargo.toml", CARGO_TOML)]);
    let findings =
        tool_checks(root.path(), "../outside.rs", "fn main(){}\n", Duration::from_secs(5), Trusted)
            .await
            .findings;
    assert!(findings.is_empty(), "{findings:?}");
    assert!(!is_plain_relative("/etc/passwd"));
    assert!(is_plain_relative("src/./main.rs"));
}

/// A project with `files` and executable scripts at `scripts` that append to `marker` if run.
fn hostile_project(files: &[(&str, &str)], scripts: &[&str], marker: &Path) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let root = project(files);
    for script in scripts {
        let file = root.path().join(script);
        std::fs::create_dir_all(file.parent().expect("script has a folder")).expect("create folders");
        std::fs::write(&file, format!("#!/bin/sh\necho \"$0\" >> '{}'\ncat\n", marker.display()))
            .expect("write planted script");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    root
}

const NODE_TOOLS: &[&str] = &["node_modules/.bin/prettier", "node_modules/.bin/eslint"];

#[tokio::test]
async fn an_untrusted_folder_never_runs_its_own_prettier_or_eslint_and_says_so() {
    let outside = tempfile::tempdir().expect("marker dir");
    let marker = outside.path().join("ran");
    let files = [(".prettierrc", "{}\n"), ("eslint.config.js", "export default [];\n")];
    let root = hostile_project(&files, NODE_TOOLS, &marker);
    let (_bin, env) = fake_bin(&[]);
    let report = tool_checks_with_env(root.path(), "src/a.ts", "let a = 1;\n", SECOND, &env, Untrusted).await;
    assert!(!marker.exists(), "ran: {}", std::fs::read_to_string(&marker).unwrap_or_default());
    let skipped: Vec<String> = report.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(skipped, ["eslint (node_modules/.bin)", "prettier (node_modules/.bin)"]);
    let note = crate::skipped_for_trust(&report.skipped).expect("a note for the proposal");
    assert_eq!(note.message, "eslint, prettier skipped: this folder is not trusted");
    assert_eq!((note.kind, note.line), (CheckKind::Trust, 0));
}

#[tokio::test]
async fn a_trusted_folder_runs_its_own_prettier_and_eslint() {
    let outside = tempfile::tempdir().expect("marker dir");
    let marker = outside.path().join("ran");
    let files = [(".prettierrc", "{}\n"), ("eslint.config.js", "export default [];\n")];
    let root = hostile_project(&files, NODE_TOOLS, &marker);
    let (_bin, env) = fake_bin(&[]);
    let report = tool_checks_with_env(root.path(), "src/a.ts", "let a = 1;\n", SECOND, &env, Trusted).await;
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let ran = std::fs::read_to_string(&marker).expect("the project's tools ran");
    assert!(ran.contains("prettier") && ran.contains("eslint"), "{ran}");
}

#[tokio::test]
async fn an_executable_config_keeps_a_prettier_from_path_off_in_an_untrusted_folder() {
    let outside = tempfile::tempdir().expect("marker dir");
    let marker = outside.path().join("ran");
    let root = project(&[(".prettierrc.js", "module.exports = {};\n")]);
    let script = format!("echo \"$0\" >> '{}'; cat", marker.display());
    let (_bin, env) = fake_bin(&[("prettier", &script)]);
    let report = tool_checks_with_env(root.path(), "notes.md", "# hi\n", SECOND, &env, Untrusted).await;
    assert!(!marker.exists(), "prettier loaded the folder's .prettierrc.js");
    assert_eq!(
        report.skipped.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["prettier (.prettierrc.js)"]
    );
    tool_checks_with_env(root.path(), "notes.md", "# hi\n", SECOND, &env, Trusted).await;
    assert!(marker.exists(), "a trusted folder gets the person's own prettier");
}

#[tokio::test]
async fn declarative_tools_still_run_in_an_untrusted_folder() {
    let root = project(&[("go.mod", "module demo\n")]);
    let script = "[ \"$1\" = -d ] && printf -- '--- a\\n+++ b\\n@@ -1,1 +1,1 @@\\n-x\\n+y\\n'";
    let (_bin, env) = fake_bin(&[("gofmt", script)]);
    let report = tool_checks_with_env(root.path(), "main.go", "x\n", SECOND, &env, Untrusted).await;
    assert!(report.skipped.is_empty());
    assert_eq!(report.findings.iter().map(|f| f.source.as_str()).collect::<Vec<_>>(), ["gofmt"]);
}

#[tokio::test]
async fn a_path_entry_inside_the_project_or_relative_never_provides_a_tool() {
    let outside = tempfile::tempdir().expect("marker dir");
    let marker = outside.path().join("ran");
    let root = hostile_project(&[("go.mod", "module demo\n")], &["bin/gofmt"], &marker);
    let in_project = root.path().join("bin").display().to_string();
    for path in [in_project, "bin".to_owned(), format!(":{}", "bin")] {
        let env = vec![("PATH".to_owned(), path.clone())];
        for trust in [Trusted, Untrusted] {
            tool_checks_with_env(root.path(), "main.go", "package main\n", SECOND, &env, trust).await;
            assert!(!marker.exists(), "the project's bin/gofmt ran with PATH={path:?} ({trust:?})");
        }
    }
}
