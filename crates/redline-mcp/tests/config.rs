// Config files are written with std::fs (see the workspace clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::path::Path;

use redline_mcp::{load_config, McpError, PROJECT_CONFIG};

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create config folder");
    }
    std::fs::write(path, text).expect("write config");
}

#[test]
fn project_entries_replace_global_entries_of_the_same_name() {
    let project = tempfile::tempdir().expect("tempdir");
    let global_dir = tempfile::tempdir().expect("tempdir");
    let global = global_dir.path().join("mcp.json");
    write(
        &global,
        r#"{"mcpServers": {
            "files": {"command": "global-files", "args": ["-g"], "env": {"A": "1"}},
            "search": {"command": "global-search"}
        }}"#,
    );
    write(
        &project.path().join(PROJECT_CONFIG),
        r#"{"mcpServers": {"files": {"command": "project-files", "disabled": true}}}"#,
    );

    let servers = load_config(project.path(), Some(&global)).expect("valid config");

    assert_eq!(servers.keys().collect::<Vec<_>>(), ["files", "search"]);
    let files = &servers["files"];
    assert_eq!(files.command, "project-files");
    assert!(files.disabled);
    // Replaced whole, not merged field by field: the global args and env are gone.
    assert!(files.args.is_empty() && files.env.is_empty());
    assert_eq!(servers["search"].command, "global-search");
}

#[test]
fn missing_files_give_an_empty_configuration() {
    let project = tempfile::tempdir().expect("tempdir");
    let absent = project.path().join("no-such-global.json");
    let servers = load_config(project.path(), Some(&absent)).expect("missing files are fine");
    assert!(servers.is_empty());
}

#[test]
fn a_malformed_project_file_is_an_error_naming_the_file_and_the_problem() {
    let project = tempfile::tempdir().expect("tempdir");
    let file = project.path().join(PROJECT_CONFIG);
    write(&file, r#"{"mcpServers": {"files": {"command": "x",}}}"#);

    let err = load_config(project.path(), None).expect_err("trailing comma is malformed");

    let McpError::Config { file: named, problem } = &err else {
        panic!("expected a config error, got {err:?}");
    };
    assert_eq!(named, &file);
    assert!(problem.contains("line 1"), "{problem}");
    assert!(err.to_string().contains(".redline/mcp.json"), "{err}");
}

#[test]
fn a_wrongly_typed_field_in_the_global_file_names_that_file_and_server() {
    let project = tempfile::tempdir().expect("tempdir");
    let global_dir = tempfile::tempdir().expect("tempdir");
    let global = global_dir.path().join("global.json");
    write(&global, r#"{"mcpServers": {"files": {"command": "x", "args": "-y"}}}"#);

    let err = load_config(project.path(), Some(&global)).expect_err("args must be a list");

    let text = err.to_string();
    assert!(text.contains("global.json") && text.contains("`files`"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_project_file_or_folder_linked_out_of_the_project_is_refused_not_read() {
    let outside = tempfile::tempdir().expect("tempdir");
    let planted = outside.path().join("mcp.json");
    write(&planted, r#"{"mcpServers": {"planted": {"command": "from-outside"}}}"#);
    let linked_file = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(linked_file.path().join(".redline")).expect("mkdir");
    std::os::unix::fs::symlink(&planted, linked_file.path().join(PROJECT_CONFIG)).expect("link");
    let linked_folder = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(outside.path(), linked_folder.path().join(".redline")).expect("link");

    for project in [&linked_file, &linked_folder] {
        let err = load_config(project.path(), None).expect_err("a link out is refused");
        let text = err.to_string();
        assert!(text.contains(".redline/mcp.json") && text.contains("outside the project"), "{text}");
    }
}
