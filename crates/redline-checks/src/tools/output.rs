//! Turning what formatters and linters print into findings with lines of the proposed text.

use std::sync::LazyLock;

use regex::Regex;

use crate::{CheckKind, Finding};

/// A run of changed lines of the checked file: 1-based, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineRange {
    pub(crate) first: u32,
    pub(crate) last: u32,
}

/// Follows one diff body (lines starting with ' ', '-' or '+') whose first line is line
/// `start` of the checked file, and returns each run of changed lines. A pure insertion is
/// pinned to the line before it, the last line a person would read before the missing text.
struct BodyWalker {
    line: u32,
    run: Option<LineRange>,
    ranges: Vec<LineRange>,
}

impl BodyWalker {
    fn new(start: u32) -> Self {
        BodyWalker { line: start.max(1), run: None, ranges: Vec::new() }
    }

    fn feed(&mut self, body_line: &str) {
        match body_line.chars().next() {
            Some('-') => {
                self.mark(self.line);
                self.line += 1;
            }
            Some('+') => self.mark(self.line.saturating_sub(1).max(1)),
            Some('\\') => {}
            _ => {
                self.close();
                self.line += 1;
            }
        }
    }

    fn mark(&mut self, line: u32) {
        let run = self.run.get_or_insert(LineRange { first: line, last: line });
        run.first = run.first.min(line);
        run.last = run.last.max(line);
    }

    fn close(&mut self) {
        self.ranges.extend(self.run.take());
    }

    fn finish(mut self) -> Vec<LineRange> {
        self.close();
        self.ranges
    }
}

/// `rustfmt --check` output: "Diff in <file> at line N:" (older) or "Diff in <file>:N:" (newer),
/// each followed by a diff body.
pub(crate) fn rustfmt_ranges(output: &str) -> Vec<LineRange> {
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^Diff in .*?(?: at line |:)(\d+):?\s*$")
            .expect("rustfmt header pattern is a valid regex")
    });
    let mut ranges = Vec::new();
    let mut walker: Option<BodyWalker> = None;
    for line in output.lines() {
        if let Some(start) = HEADER.captures(line).and_then(|c| c.get(1)?.as_str().parse::<u32>().ok()) {
            ranges.extend(walker.take().map(BodyWalker::finish).unwrap_or_default());
            walker = Some(BodyWalker::new(start));
        } else if let Some(walker) = walker.as_mut() {
            walker.feed(line);
        }
    }
    ranges.extend(walker.map(BodyWalker::finish).unwrap_or_default());
    ranges
}

/// A unified diff of the checked file against its formatted form (`black --diff`, `gofmt -d`).
/// Hunk lengths from the `@@` headers say where each body ends, so "---" inside a body is a line.
pub(crate) fn unified_diff_ranges(output: &str) -> Vec<LineRange> {
    static HUNK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@")
            .expect("hunk header pattern is a valid regex")
    });
    let mut ranges = Vec::new();
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        let Some(captures) = HUNK.captures(line) else { continue };
        let number = |i: usize| captures.get(i).and_then(|m| m.as_str().parse::<u32>().ok()).unwrap_or(1);
        let (start, mut old_left, mut new_left) = (number(1), number(2), number(3));
        let mut walker = BodyWalker::new(start);
        while old_left > 0 || new_left > 0 {
            let Some(body) = lines.next() else { break };
            match body.chars().next() {
                Some('-') => old_left = old_left.saturating_sub(1),
                Some('+') => new_left = new_left.saturating_sub(1),
                Some('\\') => {}
                _ => {
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                }
            }
            walker.feed(body);
        }
        ranges.extend(walker.finish());
    }
    ranges
}

/// Where a formatter's output differs from the text it was given (tools that print the
/// formatted file instead of a diff, such as `prettier --stdin-filepath`).
pub(crate) fn changed_ranges(original: &str, formatted: &str) -> Vec<LineRange> {
    use imara_diff::intern::InternedInput;
    use imara_diff::{diff, Algorithm};
    let input = InternedInput::new(original, formatted);
    let mut ranges = Vec::new();
    diff(Algorithm::Histogram, &input, |before: std::ops::Range<u32>, _after: std::ops::Range<u32>| {
        let range = if before.is_empty() {
            let line = before.start.max(1);
            LineRange { first: line, last: line }
        } else {
            LineRange { first: before.start + 1, last: before.end }
        };
        ranges.push(range);
    });
    ranges
}

/// "would reformat" findings, one per changed run, clamped to the file's length.
pub(crate) fn reformat_findings(tool: &str, ranges: Vec<LineRange>, line_count: u32) -> Vec<Finding> {
    let last_line = line_count.max(1);
    ranges
        .into_iter()
        .map(|range| {
            let first = range.first.min(last_line);
            let last = range.last.clamp(first, last_line);
            let lines =
                if first == last { format!("line {first}") } else { format!("lines {first}–{last}") };
            Finding::new(CheckKind::Lint, first, last, format!("{tool} would reformat {lines}"), tool)
        })
        .collect()
}

/// `ruff check --output-format concise`: "path:line:col: CODE message" for the checked file.
pub(crate) fn ruff_findings(output: &str, path: &str) -> Vec<Finding> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(.+?):(\d+):(\d+): (.+)$").expect("ruff line pattern is a valid regex")
    });
    output
        .lines()
        .filter_map(|line| LINE.captures(line))
        .filter(|c| same_file(c.get(1).map_or("", |m| m.as_str()), path))
        .filter_map(|c| {
            let line = c.get(2)?.as_str().parse::<u32>().ok()?;
            let message = c.get(4)?.as_str().replace(" [*]", "");
            Some(Finding::new(CheckKind::Lint, line, line, format!("ruff: {message}"), "ruff"))
        })
        .collect()
}

/// `eslint --format json`: every message of the checked file, with its span when eslint gives one.
pub(crate) fn eslint_findings(output: &str) -> Vec<Finding> {
    #[derive(serde::Deserialize)]
    struct FileResult {
        messages: Vec<Message>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Message {
        rule_id: Option<String>,
        message: String,
        line: Option<u32>,
        end_line: Option<u32>,
    }
    let Ok(files) = serde_json::from_str::<Vec<FileResult>>(output.trim()) else { return Vec::new() };
    files
        .into_iter()
        .flat_map(|file| file.messages)
        .map(|m| {
            let line = m.line.unwrap_or(1);
            let rule = m.rule_id.map(|rule| format!(" ({rule})")).unwrap_or_default();
            let first_line = m.message.lines().next().unwrap_or("").to_owned();
            Finding::new(
                CheckKind::Lint,
                line,
                m.end_line.unwrap_or(line),
                format!("eslint: {first_line}{rule}"),
                "eslint",
            )
        })
        .collect()
}

fn same_file(reported: &str, path: &str) -> bool {
    let reported = reported.trim_start_matches("./");
    reported == path || reported.ends_with(&format!("/{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(first: u32, last: u32) -> LineRange {
        LineRange { first, last }
    }

    #[test]
    fn rustfmt_chunks_become_one_range_per_run_of_changes() {
        let output = "Diff in <stdin>:1:\n fn main() {\n-    let  x = 1;\n+    let x = 1;\n \n-\n-\n-   let y=2;\n+    let y = 2;\n }\n";
        assert_eq!(rustfmt_ranges(output), vec![range(2, 2), range(4, 6)]);
    }

    #[test]
    fn the_older_rustfmt_header_is_understood() {
        let output = "Diff in /tmp/x/src/a.rs at line 7:\n-fn a(){}\n+fn a() {}\n";
        assert_eq!(rustfmt_ranges(output), vec![range(7, 7)]);
    }

    #[test]
    fn an_insertion_is_pinned_to_the_line_before_it() {
        let output = "--- a.go.orig\n+++ a.go\n@@ -3,2 +3,3 @@\n x\n+y\n z\n";
        assert_eq!(unified_diff_ranges(output), vec![range(3, 3)]);
    }

    #[test]
    fn unified_hunks_count_lines_so_a_removed_dashes_line_is_not_a_header() {
        let output = "--- a\n+++ b\n@@ -10,3 +10,2 @@\n a\n----x\n b\n@@ -20 +19 @@\n-q\n+r\n";
        assert_eq!(unified_diff_ranges(output), vec![range(11, 11), range(20, 20)]);
    }

    #[test]
    fn formatted_output_is_compared_line_by_line() {
        let original = "a\nb  \nc\nd\n";
        let formatted = "a\nb\nc\nd\ne\n";
        assert_eq!(changed_ranges(original, formatted), vec![range(2, 2), range(4, 4)]);
    }

    #[test]
    fn reformat_findings_stay_inside_the_file() {
        let findings = reformat_findings("black", vec![range(4, 9)], 6);
        assert_eq!((findings[0].line, findings[0].end_line), (4, 6));
        assert_eq!(findings[0].message, "black would reformat lines 4–6");
    }

    #[test]
    fn ruff_lines_of_other_files_are_ignored() {
        let output =
            "app/x.py:3:8: F401 [*] `os` imported but unused\nother.py:1:1: E999 bad\nFound 2 errors.\n";
        let findings = ruff_findings(output, "app/x.py");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, 3);
        assert_eq!(findings[0].message, "ruff: F401 `os` imported but unused");
    }

    #[test]
    fn eslint_json_messages_keep_their_span_and_rule() {
        let output = r#"[{"filePath":"/s/a.js","messages":[{"ruleId":"no-unused-vars","severity":2,"message":"'x' is assigned a value but never used.","line":2,"column":7,"endLine":3}]}]"#;
        let findings = eslint_findings(output);
        assert_eq!((findings[0].line, findings[0].end_line), (2, 3));
        assert!(findings[0].message.ends_with("(no-unused-vars)"));
    }
}
