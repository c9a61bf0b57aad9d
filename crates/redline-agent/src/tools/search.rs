//! `search`: ripgrep's searcher over the text files the model may see. Each file's hits pass
//! the outbound gate by that file's own path: the file (up to a cap) is redacted whole and the
//! hit lines are taken from the redacted text, so a key's body lines never come back as hits.

use std::path::Path;

use grep_regex::{RegexMatcher, RegexMatcherBuilder};
use grep_searcher::sinks::Lossy;
use grep_searcher::{BinaryDetection, Searcher, SearcherBuilder};
use ignore::overrides::Override;
use redline_project::outbound::{gate, Source};
use redline_project::{read_capped, ProjectRoot, Visibility};
use serde::Deserialize;

use super::ignored::walker;
use super::list::glob_matcher;
use super::{floor_char_boundary, lenient_bool, lenient_number, ToolOutput};

/// At most this many matching lines are returned.
pub const SEARCH_MAX_RESULTS: usize = 200;
/// A matching line is cut to this many bytes (minified files would otherwise flood the answer).
const LINE_MAX_BYTES: usize = 300;
/// A file with hits is redacted whole up to this size; hits beyond it are redacted line by line.
const REDACT_WHOLE_CAP: usize = 2 * 1024 * 1024;

#[derive(Debug, Deserialize)]
pub(crate) struct SearchArgs {
    pattern: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    literal: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    case_sensitive: Option<bool>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    glob: Option<String>,
    #[serde(default, deserialize_with = "lenient_number")]
    max_results: Option<u64>,
}

pub(crate) fn search(root: &ProjectRoot, args: SearchArgs) -> ToolOutput {
    match run(root, &args) {
        Ok(output) => output,
        Err(message) => ToolOutput::error(message),
    }
}

fn matcher(args: &SearchArgs) -> Result<RegexMatcher, String> {
    if args.pattern.is_empty() {
        return Err("the search pattern is empty".to_owned());
    }
    let mut builder = RegexMatcherBuilder::new();
    builder.fixed_strings(args.literal.unwrap_or(false)).line_terminator(Some(b'\n'));
    match args.case_sensitive {
        Some(sensitive) => builder.case_insensitive(!sensitive),
        None => builder.case_smart(true),
    };
    builder.build(&args.pattern).map_err(|e| {
        format!(
            "invalid regular expression `{}`: {e}\nEscape special characters (\\( \\. \\[ …) or pass literal: true \
             to search for the text as written",
            args.pattern
        )
    })
}

/// Matching lines collected across files, until the limit.
struct Found {
    lines: Vec<String>,
    files: usize,
    limit: usize,
    /// More matches existed than were kept.
    more: bool,
    redacted: usize,
}

fn run(root: &ProjectRoot, args: &SearchArgs) -> Result<ToolOutput, String> {
    let matcher = matcher(args)?;
    let path = args.path.as_deref().map(str::trim).unwrap_or("").trim_end_matches('/');
    let abs = root.resolve(path).map_err(|e| e.to_string())?;
    let Ok(meta) = root.metadata(path) else {
        return Err(format!("{path} does not exist"));
    };
    let visibility = Visibility::new(root.path());
    if let Some(why) = visibility.hidden(&abs, meta.is_dir()) {
        return Err(why.reason(path));
    }
    let glob = args.glob.as_deref().map(|g| glob_matcher(root.path(), g)).transpose()?;
    let limit = args.max_results.map_or(SEARCH_MAX_RESULTS, |n| (n as usize).clamp(1, SEARCH_MAX_RESULTS));
    let mut searcher =
        SearcherBuilder::new().binary_detection(BinaryDetection::quit(0)).line_number(true).build();
    let mut found = Found { lines: Vec::new(), files: 0, limit, more: false, redacted: 0 };
    for entry in walker(&visibility, &abs).build().flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) || !glob_allows(glob.as_ref(), entry.path()) {
            continue;
        }
        let Some(rel) = root.relative(entry.path()) else { continue };
        let hits = search_file(&mut searcher, &matcher, entry.path(), &rel, found.limit - found.lines.len());
        add_hits(root, &visibility, &rel, hits, &mut found);
        if found.more {
            break;
        }
    }
    // A last check over the whole answer: each line by its own file.
    let joined = found.lines.join("\n");
    let checked = gate(&visibility, Source::Hits, &joined);
    found.redacted += checked.redactions.len();
    found.lines = checked.text.split('\n').filter(|l| !l.is_empty()).map(str::to_owned).collect();
    Ok(render(args, found))
}

/// One file's matching lines: (line number, raw text), and whether it had more than `room`.
struct Hits {
    lines: Vec<(u64, String)>,
    more: bool,
}

/// Adds a file's hits, their text taken from the file as redacted for a model.
fn add_hits(root: &ProjectRoot, visibility: &Visibility, rel: &str, hits: Hits, found: &mut Found) {
    if hits.lines.is_empty() {
        found.more |= hits.more;
        return;
    }
    let redacted_file = read_capped(root, rel, REDACT_WHOLE_CAP)
        .ok()
        .map(|c| gate(visibility, Source::File(rel), &String::from_utf8_lossy(&c.bytes)));
    if redacted_file.as_ref().is_some_and(|g| g.refused.is_some()) {
        return;
    }
    let redacted_lines: Vec<&str> =
        redacted_file.as_ref().map(|g| g.text.split('\n').collect()).unwrap_or_default();
    for (number, raw) in &hits.lines {
        let text = match redacted_lines.get(*number as usize - 1) {
            Some(line) if line != raw => {
                found.redacted += 1;
                *line
            }
            Some(line) => line,
            // Past the cap: the last check redacts the line on its own.
            None => raw.as_str(),
        };
        found.lines.push(format!("{rel}:{number}: {}", clip(text.trim())));
    }
    found.files += 1;
    found.more |= hits.more;
}

fn glob_allows(glob: Option<&Override>, path: &Path) -> bool {
    glob.is_none_or(|g| g.matched(path, false).is_whitelist())
}

fn search_file(searcher: &mut Searcher, matcher: &RegexMatcher, abs: &Path, rel: &str, room: usize) -> Hits {
    let mut hits = Hits { lines: Vec::new(), more: false };
    let sink = Lossy(|line_number, line: &str| {
        if hits.lines.len() >= room {
            hits.more = true;
            return Ok(false);
        }
        hits.lines.push((line_number, line.trim_end_matches(['\n', '\r']).to_owned()));
        Ok(true)
    });
    // An unreadable file (permissions, vanished since the walk) is skipped like a binary one.
    if let Err(e) = searcher.search_path(matcher, abs, sink) {
        tracing::debug!("search skipped {rel}: {e}");
    }
    hits
}

fn clip(line: &str) -> String {
    if line.len() <= LINE_MAX_BYTES {
        return line.to_owned();
    }
    format!("{}…", &line[..floor_char_boundary(line, LINE_MAX_BYTES)])
}

fn render(args: &SearchArgs, found: Found) -> ToolOutput {
    let Found { lines, files, limit, more, redacted } = found;
    if lines.is_empty() {
        let hint = if args.literal == Some(true) { "" } else { " (the pattern is a regular expression)" };
        return ToolOutput::ok(format!("no matches for `{}`{hint}", args.pattern), "no matches".to_owned());
    }
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut content = lines.join("\n");
    let mut summary =
        format!("{} in {}", plural(lines.len(), "match", "matches"), plural(files, "file", "files"));
    if more {
        content.push_str(&format!(
            "\n… stopped after {limit} matches; narrow the search with path, glob or a more precise pattern"
        ));
        summary.push_str(" (stopped at the limit)");
    }
    if redacted > 0 {
        summary.push_str(&format!(" ({redacted} with secrets redacted)"));
    }
    ToolOutput::ok(content, summary)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::tools::run_read_only;
    use crate::tools::testing::project;

    fn sample() -> (tempfile::TempDir, redline_project::ProjectRoot) {
        project(&[
            ("src/a.rs", b"fn main() {\n    let total = add(1, 2);\n}\n"),
            ("src/b.rs", b"pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"),
            ("notes.md", b"Call add(x) to ADD.\n"),
            (".gitignore", b"gen/\n"),
            ("gen/out.rs", b"fn add() {}\n"),
            ("blob.bin", b"add\0add\0"),
        ])
    }

    #[test]
    fn a_regex_finds_lines_as_path_line_text_across_files() {
        let (_d, root) = sample();
        let out = run_read_only(&root, "search", &json!({"pattern": r"fn \w+\("}));
        assert!(!out.is_error, "{out:?}");
        assert_eq!(out.content, "src/a.rs:1: fn main() {\nsrc/b.rs:1: pub fn add(a: i32, b: i32) -> i32 {");
        assert_eq!(out.summary, "2 matches in 2 files");
    }

    #[test]
    fn a_literal_search_takes_special_characters_as_written() {
        let (_d, root) = sample();
        let literal = run_read_only(&root, "search", &json!({"pattern": "add(1, 2)", "literal": true}));
        assert_eq!(literal.content, "src/a.rs:2: let total = add(1, 2);");
        let as_regex = run_read_only(&root, "search", &json!({"pattern": "add(1, 2)"}));
        assert!(as_regex.content.starts_with("no matches"), "{as_regex:?}");
    }

    #[test]
    fn an_invalid_regex_explains_itself_and_suggests_literal() {
        let (_d, root) = sample();
        let out = run_read_only(&root, "search", &json!({"pattern": "add(("}));
        assert!(
            out.is_error
                && out.content.contains("invalid regular expression")
                && out.content.contains("literal")
        );
    }

    #[test]
    fn ignored_and_binary_files_are_not_searched() {
        let (_d, root) = sample();
        let out = run_read_only(&root, "search", &json!({"pattern": "add", "case_sensitive": true}));
        assert!(!out.content.contains("gen/out.rs") && !out.content.contains("blob.bin"), "{}", out.content);
        assert!(
            out.content.contains("notes.md:1:") && out.content.contains("src/b.rs:1:"),
            "{}",
            out.content
        );
        let into_ignored = run_read_only(&root, "search", &json!({"pattern": "add", "path": "gen"}));
        assert!(into_ignored.is_error, "{into_ignored:?}");
    }

    #[test]
    fn case_is_smart_unless_told_and_glob_and_path_narrow() {
        let (_d, root) = sample();
        let smart = run_read_only(&root, "search", &json!({"pattern": "ADD"}));
        assert_eq!(smart.content, "notes.md:1: Call add(x) to ADD.");
        let insensitive = run_read_only(&root, "search", &json!({"pattern": "ADD", "case_sensitive": false}));
        assert_eq!(insensitive.summary, "3 matches in 3 files");
        let md = run_read_only(&root, "search", &json!({"pattern": "add", "glob": "*.md"}));
        assert_eq!(md.summary, "1 match in 1 file");
        let in_b = run_read_only(&root, "search", &json!({"pattern": "add", "path": "src/b.rs"}));
        assert_eq!(in_b.summary, "1 match in 1 file");
    }

    #[test]
    fn each_hit_is_redacted_by_its_own_file_not_by_the_calls_path() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAsecretbodyline0123456789abcdefghijklmnopqrstuvwxyzABCD\n-----END RSA PRIVATE KEY-----\n";
        let (_d, root) = project(&[
            ("config/.env", b"DB_NAME=prod_db\n"),
            ("deploy/key.txt", key.as_bytes()),
            ("src/db.rs", b"const URL: &str = \"postgres://app:pw9876543@db/app\";\n"),
            ("src/ok.rs", b"let db = open();\n"),
        ]);
        let out = run_read_only(&root, "search", &json!({"pattern": "db|MII", "case_sensitive": false}));
        assert!(
            !out.content.contains("prod_db") && out.content.contains("config/.env:1: DB_NAME=[REDACTED]"),
            "{}",
            out.content
        );
        assert!(!out.content.contains("secretbodyline"), "{}", out.content);
        assert!(
            !out.content.contains("pw9876543") && out.content.contains("src/ok.rs:1:"),
            "{}",
            out.content
        );
        assert!(out.summary.contains("with secrets redacted"), "{}", out.summary);
    }

    #[test]
    fn matches_stop_at_the_limit_and_long_lines_are_clipped() {
        let wide = |i: usize| if i < 3 { 400 } else { 10 };
        let many: String = (0..300).map(|i| format!("hit {i} {}\n", "y".repeat(wide(i)))).collect();
        let (_d, root) = project(&[("many.txt", many.as_bytes())]);
        let out = run_read_only(&root, "search", &json!({"pattern": "hit"}));
        assert_eq!(out.content.lines().filter(|l| l.starts_with("many.txt:")).count(), 200);
        assert!(out.content.contains("stopped after 200 matches"), "{}", out.summary);
        assert!(out.content.lines().all(|l| l.len() < 340), "a line was not clipped");
        let few = run_read_only(&root, "search", &json!({"pattern": "hit", "max_results": 5}));
        assert!(few.summary.starts_with("5 matches in 1 file"), "{}", few.summary);
    }
}
