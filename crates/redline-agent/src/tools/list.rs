//! `list_files`: the project's tree as the model may see it (the visibility policy: git's
//! ignores, `.redlineignore`, credentials files), folders marked with a trailing `/`.

use std::path::Path;

use ignore::overrides::{Override, OverrideBuilder};
use redline_project::{ProjectRoot, Visibility};
use serde::Deserialize;

use super::ignored::walker;
use super::{lenient_number, ToolOutput};

/// At most this many entries are listed; the rest are only counted.
pub const LIST_MAX_ENTRIES: usize = 500;
/// Levels listed when the model gives no depth and no pattern.
const DEFAULT_DEPTH: usize = 3;
/// Counting what was left out stops here, so a huge tree costs a bounded walk.
const COUNT_LIMIT: usize = 100_000;

#[derive(Debug, Deserialize)]
pub(crate) struct ListArgs {
    #[serde(default)]
    path: Option<String>,
    #[serde(default, deserialize_with = "lenient_number")]
    depth: Option<u64>,
    #[serde(default)]
    pattern: Option<String>,
}

pub(crate) fn list_files(root: &ProjectRoot, args: ListArgs) -> ToolOutput {
    match list(root, &args) {
        Ok(output) => output,
        Err(message) => ToolOutput::error(message),
    }
}

fn list(root: &ProjectRoot, args: &ListArgs) -> Result<ToolOutput, String> {
    let path = args.path.as_deref().map(str::trim).unwrap_or("").trim_end_matches('/');
    let shown = if path.is_empty() || path == "." { "the project root" } else { path };
    let abs = root.resolve(path).map_err(|e| e.to_string())?;
    match root.metadata(path) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(format!("{path} is a file, not a folder; use read_file to read it")),
        Err(_) => return Err(format!("{path} does not exist")),
    }
    let visibility = Visibility::new(root.path());
    if let Some(why) = visibility.hidden(&abs, true) {
        return Err(why.reason(path));
    }
    let pattern = args.pattern.as_deref().map(|p| glob_matcher(root.path(), p)).transpose()?;
    let depth = match (args.depth, &pattern) {
        (Some(depth), _) => Some(depth.max(1) as usize),
        (None, Some(_)) => None,
        (None, None) => Some(DEFAULT_DEPTH),
    };
    let mut builder = walker(&visibility, &abs);
    builder.max_depth(depth);
    let (mut entries, mut more) = (Vec::new(), 0usize);
    for entry in builder.build().flatten().take(COUNT_LIMIT) {
        if entry.depth() == 0 {
            continue;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if pattern.as_ref().is_some_and(|p| is_dir || !p.matched(entry.path(), false).is_whitelist()) {
            continue;
        }
        let Some(rel) = root.relative(entry.path()) else { continue };
        if entries.len() >= LIST_MAX_ENTRIES {
            more += 1;
            continue;
        }
        entries.push(if is_dir { format!("{rel}/") } else { rel });
    }
    let mut content = entries.join("\n");
    if entries.is_empty() {
        content = match &args.pattern {
            Some(p) => format!("no files matching `{p}` in {shown}"),
            None => format!("{shown} is empty (or holds only ignored files)"),
        };
    } else if more > 0 {
        content.push_str(&format!(
            "\n… and {more} more entries not listed (the limit is {LIST_MAX_ENTRIES}); narrow with path, depth or pattern"
        ));
    }
    let total = entries.len() + more;
    Ok(ToolOutput::ok(content, format!("listed {total} entries in {shown}")))
}

/// A gitignore-style glob (`*.rs` anywhere, `src/**/*.ts` from the root) matched by the caller,
/// not handed to the walker: the walker lets overrides win over ignore files, which would list
/// ignored files that match.
pub(crate) fn glob_matcher(root: &Path, glob: &str) -> Result<Override, String> {
    let mut builder = OverrideBuilder::new(root);
    builder.add(glob.trim()).map_err(|e| format!("invalid glob `{glob}`: {e}"))?;
    builder.build().map_err(|e| format!("invalid glob `{glob}`: {e}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::tools::run_read_only;
    use crate::tools::testing::project;

    #[test]
    fn the_tree_lists_folders_with_a_slash_and_skips_ignored_and_git_entries() {
        let (dir, root) = project(&[
            (".gitignore", b"target/\n"),
            (".redlineignore", b"secrets.txt\n"),
            ("secrets.txt", b""),
            ("target/debug/app", b""),
            ("src/main.rs", b""),
            ("src/util/mod.rs", b""),
            ("README.md", b""),
        ]);
        std::fs::create_dir_all(dir.path().join(".git/objects")).expect("mkdir .git");
        let out = run_read_only(&root, "list_files", &json!({}));
        assert_eq!(
            out.content.lines().collect::<Vec<_>>(),
            [
                ".gitignore",
                ".redlineignore",
                "README.md",
                "src/",
                "src/main.rs",
                "src/util/",
                "src/util/mod.rs"
            ]
        );
        assert_eq!(out.summary, "listed 7 entries in the project root");
    }

    #[test]
    fn depth_path_and_pattern_narrow_the_listing() {
        let (_d, root) =
            project(&[("src/a.rs", b""), ("src/deep/er/b.rs", b""), ("src/c.txt", b""), ("d.rs", b"")]);
        let shallow = run_read_only(&root, "list_files", &json!({"path": "src", "depth": 1}));
        assert_eq!(shallow.content.lines().collect::<Vec<_>>(), ["src/a.rs", "src/c.txt", "src/deep/"]);
        let rust = run_read_only(&root, "list_files", &json!({"pattern": "*.rs"}));
        assert_eq!(rust.content.lines().collect::<Vec<_>>(), ["d.rs", "src/a.rs", "src/deep/er/b.rs"]);
        let anchored = run_read_only(&root, "list_files", &json!({"pattern": "src/*.rs"}));
        assert_eq!(anchored.content, "src/a.rs");
    }

    #[test]
    fn a_pattern_does_not_bring_back_ignored_files() {
        let (_d, root) = project(&[(".gitignore", b"*.env\n"), ("prod.env", b""), ("a.rs", b"")]);
        let out = run_read_only(&root, "list_files", &json!({"pattern": "*.env"}));
        assert!(!out.content.contains("prod.env") && out.content.contains("no files matching"), "{out:?}");
    }

    #[test]
    fn more_than_five_hundred_entries_are_cut_with_a_count() {
        let files: Vec<(String, Vec<u8>)> = (0..620).map(|i| (format!("f/{i:04}.txt"), Vec::new())).collect();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        let (_d, root) = project(&refs);
        let out = run_read_only(&root, "list_files", &json!({"path": "f"}));
        assert_eq!(out.content.lines().filter(|l| l.starts_with("f/")).count(), 500);
        assert!(out.content.contains("… and 120 more entries"), "{}", out.summary);
        assert_eq!(out.summary, "listed 620 entries in f");
    }

    #[test]
    fn listing_outside_a_file_or_an_ignored_folder_is_refused() {
        let (_d, root) = project(&[(".gitignore", b"build/\n"), ("build/x", b""), ("a.rs", b"")]);
        for (path, says) in
            [("..", "outside"), ("a.rs", "read_file"), ("build", ".gitignore"), ("nope", "does not exist")]
        {
            let out = run_read_only(&root, "list_files", &json!({ "path": path }));
            assert!(out.is_error && out.content.contains(says), "{path}: {out:?}");
        }
    }
}
