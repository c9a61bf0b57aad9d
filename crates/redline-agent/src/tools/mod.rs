//! The tools an agent-mode model acts through: reading, listing and searching project files,
//! git status and diff, and running a command the person approved. Also the plain-text calling
//! convention for models without native tool calls.
//!
//! Every path a model names goes through [`ProjectRoot::resolve`], and ignored files
//! (`.gitignore`, `.redlineignore`) are neither read, listed nor searched. A failure is a
//! [`ToolOutput`] with `is_error` and a sentence the model can act on, never a panic. Nothing here
//! writes to the project (the edit tools live elsewhere) or knows about the UI or the database.

mod command;
mod git;
mod ignored;
mod list;
mod read;
mod search;
mod text_calls;

use redline_llm::ToolSpec;
use redline_project::ProjectRoot;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

pub use command::{command_result_text, command_summary, run_command, CommandResult};
pub use text_calls::{parse_text_tool_calls, text_tool_instructions};

/// Tools that only look: the loop may run them without asking the person.
pub const READ_ONLY_TOOLS: &[&str] = &["read_file", "list_files", "search", "git_status", "git_diff"];

/// What a tool hands back to the model, and the line the person sees.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// What the model gets back (capped, saying so when cut).
    pub content: String,
    /// One line for the person: "read src/lib.rs lines 1–80 (80 of 312)", "3 matches in 2 files".
    pub summary: String,
    pub is_error: bool,
}

impl ToolOutput {
    pub(crate) fn ok(content: String, summary: String) -> ToolOutput {
        ToolOutput { content: cap_content(content, OUTPUT_CAP), summary, is_error: false }
    }

    pub(crate) fn error(message: impl Into<String>) -> ToolOutput {
        let content = message.into();
        ToolOutput { summary: content.lines().next().unwrap_or_default().to_owned(), content, is_error: true }
    }
}

/// Output of the listing, search and git tools is cut after this many bytes (`read_file` has
/// its own, larger cap because reading is what it is for).
pub const OUTPUT_CAP: usize = 24 * 1024;

/// Runs a read-only tool. Unknown tools, bad arguments, paths outside the project, ignored,
/// binary or too large files come back as an error output, never as a panic.
pub fn run_read_only(root: &ProjectRoot, name: &str, args: &Value) -> ToolOutput {
    match name {
        "read_file" => with_args(name, args, |a| read::read_file(root, a)),
        "list_files" => with_args(name, args, |a| list::list_files(root, a)),
        "search" => with_args(name, args, |a| search::search(root, a)),
        "git_status" => git::git_status(root),
        "git_diff" => with_args(name, args, |a| git::git_diff(root, a)),
        "run_command" => {
            ToolOutput::error("run_command is not read-only: it runs only after the person approves it")
        }
        _ => ToolOutput::error(format!(
            "there is no tool named `{name}`; the tools are: {}, run_command",
            READ_ONLY_TOOLS.join(", ")
        )),
    }
}

/// Decodes a tool's arguments; missing arguments (`null`) count as `{}`.
fn with_args<T: DeserializeOwned>(name: &str, args: &Value, run: impl FnOnce(T) -> ToolOutput) -> ToolOutput {
    let args = if args.is_null() { json!({}) } else { args.clone() };
    match serde_json::from_value::<T>(args) {
        Ok(args) => run(args),
        Err(e) => ToolOutput::error(format!("bad arguments for {name}: {e}; see the tool's schema")),
    }
}

/// Cuts `text` to at most `limit` bytes at a line (or at least a character) boundary and says so.
pub(crate) fn cap_content(mut text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let total = text.len();
    let mut cut = floor_char_boundary(&text, limit);
    if let Some(newline) = text[..cut].rfind('\n') {
        cut = newline + 1;
    }
    text.truncate(cut);
    text.push_str(&format!("… output cut: {} of {total} bytes shown …\n", cut));
    text
}

pub(crate) fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Accepts `12` and `"12"`: models write numbers as strings often enough to be worth a retry
/// saved.
pub(crate) fn lenient_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_u64().map(Some).ok_or_else(|| D::Error::custom("expected a positive whole number"))
        }
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a number, got \"{s}\""))),
        Some(other) => Err(D::Error::custom(format!("expected a number, got {other}"))),
    }
}

/// Accepts `true` and `"true"`, for the same reason as [`lenient_number`].
pub(crate) fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(other) => Err(D::Error::custom(format!("expected true or false, got {other}"))),
    }
}

/// JSON-schema specs of the read-only tools and `run_command` (the edit tools are specified
/// where they are implemented).
pub fn agent_tool_specs() -> Vec<ToolSpec> {
    let spec = |name: &str, description: &str, schema: Value| ToolSpec {
        name: name.to_owned(),
        description: description.to_owned(),
        schema,
    };
    vec![
        spec(
            "read_file",
            "Read a text file of the project. Lines come back prefixed with their numbers (`  12│text`). \
             At most 2000 lines or 64 KB per call; use start_line/end_line to read the rest. \
             Files over 2 MB need a line range. Ignored and binary files cannot be read.",
            json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "Project-relative path, e.g. src/lib.rs"},
                    "start_line": {"type": "integer", "minimum": 1, "description": "First line to read, 1-based"},
                    "end_line": {"type": "integer", "minimum": 1, "description": "Last line to read, inclusive"}
                },
                "required": ["path"]
            }),
        ),
        spec(
            "list_files",
            "List files and folders (folders end with `/`), skipping what .gitignore and .redlineignore exclude. \
             At most 500 entries.",
            json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "Folder to list, project-relative; default the project root"},
                    "depth": {"type": "integer", "minimum": 1, "description": "How many levels deep; default 3 (unlimited with a pattern)"},
                    "pattern": {"type": "string", "description": "Only files whose path matches this glob, e.g. *.rs or src/**/*.ts"}
                }
            }),
        ),
        spec(
            "search",
            "Search file contents with a regular expression (Rust regex syntax) or a literal string. \
             Results are `path:line: text`, at most 200. Ignored and binary files are skipped. \
             Case-insensitive unless the pattern has an uppercase letter or case_sensitive is set.",
            json!({
                "type": "object",
                "properties": {
                    "pattern": {"type": "string", "description": "Regular expression, or the exact text with literal: true"},
                    "literal": {"type": "boolean", "description": "Treat pattern as plain text; default false"},
                    "case_sensitive": {"type": "boolean", "description": "Force case-sensitive (true) or insensitive (false) matching"},
                    "path": {"type": "string", "description": "File or folder to search in; default the project root"},
                    "glob": {"type": "string", "description": "Only files matching this glob, e.g. *.rs"},
                    "max_results": {"type": "integer", "minimum": 1, "maximum": 200, "description": "Default 200"}
                },
                "required": ["pattern"]
            }),
        ),
        spec(
            "git_status",
            "The branch and the files changed since the last commit, with their state (modified, added, \
             deleted, renamed, untracked; staged or not).",
            json!({"type": "object", "properties": {}}),
        ),
        spec(
            "git_diff",
            "The uncommitted changes as a unified diff (HEAD against the working tree, new files included), \
             for one path or the whole project. With staged: true, only what is staged.",
            json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "File or folder, project-relative; default everything"},
                    "staged": {"type": "boolean", "description": "Only the staged changes (index against HEAD); default false"}
                }
            }),
        ),
        spec(
            "run_command",
            "Run a shell command (sh -c) in the project root, after the person approves it. No input is \
             given; the output (stdout and stderr together) and the exit code come back. Processes it \
             leaves behind are stopped when it ends. Prefer the other tools for reading and searching.",
            json!({
                "type": "object",
                "properties": {
                    "command": {"type": "string", "description": "The command line, e.g. cargo test -p foo"},
                    "timeout_secs": {"type": "integer", "minimum": 1, "description": "Stop it after this many seconds; default 120"}
                },
                "required": ["command"]
            }),
        ),
    ]
}

#[cfg(test)]
pub(crate) mod testing {
    use redline_project::ProjectRoot;

    /// A project folder holding `files` (path, contents).
    pub fn project(files: &[(&str, &[u8])]) -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, bytes) in files {
            let abs = dir.path().join(path);
            std::fs::create_dir_all(abs.parent().expect("a file has a parent")).expect("mkdir");
            std::fs::write(abs, bytes).expect("write");
        }
        let root = ProjectRoot::open(dir.path()).expect("open root");
        (dir, root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_only_tool_and_run_command_has_an_object_schema() {
        let specs = agent_tool_specs();
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        for name in READ_ONLY_TOOLS.iter().chain(["run_command"].iter()) {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
        assert!(specs.iter().all(|s| s.schema["type"] == "object" && !s.description.is_empty()));
    }

    #[test]
    fn unknown_tools_and_wrongly_typed_arguments_are_errors_the_model_can_read() {
        let (_d, root) = testing::project(&[("a.txt", b"a\n")]);
        let unknown = run_read_only(&root, "delete_everything", &json!({}));
        assert!(unknown.is_error && unknown.content.contains("read_file"), "{unknown:?}");
        let bad = run_read_only(&root, "read_file", &json!({"path": 3}));
        assert!(bad.is_error && bad.content.contains("bad arguments for read_file"), "{bad:?}");
        let missing = run_read_only(&root, "read_file", &Value::Null);
        assert!(missing.is_error && missing.content.contains("path"), "{missing:?}");
        let run = run_read_only(&root, "run_command", &json!({"command": "ls"}));
        assert!(run.is_error, "{run:?}");
    }

    #[test]
    fn numbers_written_as_strings_are_accepted() {
        let (_d, root) = testing::project(&[("a.txt", b"one\ntwo\nthree\n")]);
        let out =
            run_read_only(&root, "read_file", &json!({"path": "a.txt", "start_line": "2", "end_line": "2"}));
        assert!(!out.is_error && out.content.contains("two") && !out.content.contains("one"), "{out:?}");
    }

    #[test]
    fn long_output_is_cut_at_a_line_and_says_so() {
        let text = "0123456789\n".repeat(100);
        let cut = cap_content(text, 55);
        assert!(cut.starts_with("0123456789\n0123456789\n"), "{cut}");
        assert!(cut.contains("output cut: 55 of 1100 bytes shown"), "{cut}");
    }
}
