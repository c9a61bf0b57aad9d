//! Unified diffs of what a proposal changes, for `redline apply --dry-run` and commit drafts.

use redline_edits::compute_hunks;

/// Lines of context around each change in [`unified_diff`].
const CONTEXT: usize = 3;

/// A unified diff (`---`/`+++` headers, `@@` hunks with three lines of context) from `old` to
/// `new`; empty when they are equal.
pub fn unified_diff(from: &str, to: &str, old: &str, new: &str) -> String {
    let hunks = compute_hunks(old, new);
    if hunks.is_empty() {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = format!("--- {from}\n+++ {to}\n");
    let mut first = 0;
    while first < hunks.len() {
        let mut last = first;
        while last + 1 < hunks.len()
            && hunks[last + 1].base_range.start - hunks[last].base_range.end <= 2 * CONTEXT
        {
            last += 1;
        }
        let old_start = hunks[first].base_range.start.saturating_sub(CONTEXT);
        let old_end = (hunks[last].base_range.end + CONTEXT).min(old_lines.len());
        let new_start = hunks[first].proposed_range.start - (hunks[first].base_range.start - old_start);
        let new_end = hunks[last].proposed_range.end + (old_end - hunks[last].base_range.end);
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range_label(old_start, old_end),
            range_label(new_start, new_end)
        ));
        let mut pos = old_start;
        for hunk in &hunks[first..=last] {
            push_lines(&mut out, ' ', &old_lines[pos..hunk.base_range.start]);
            push_lines(&mut out, '-', &hunk.old_lines.iter().map(String::as_str).collect::<Vec<_>>());
            push_lines(&mut out, '+', &hunk.new_lines.iter().map(String::as_str).collect::<Vec<_>>());
            pos = hunk.base_range.end;
        }
        push_lines(&mut out, ' ', &old_lines[pos..old_end]);
        first = last + 1;
    }
    out
}

fn range_label(start: usize, end: usize) -> String {
    let len = end - start;
    let first = if len == 0 { start } else { start + 1 };
    format!("{first},{len}")
}

fn push_lines(out: &mut String, prefix: char, lines: &[&str]) {
    for line in lines {
        out.push(prefix);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}
