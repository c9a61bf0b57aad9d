//! Whole-file content with placeholders (`// ... existing code ...`): each placeholder is
//! replaced by the original lines it stands for, or the whole edit is refused. A placeholder is
//! never written into a file.

use crate::diff::unchanged_map;
use crate::error::EditErrorKind;
use crate::text::is_elision;

/// Expands the placeholders of `content` (LF lines) from `base`; `Ok(None)` when there are none.
pub(crate) fn expand(base: &str, content: &str) -> Result<Option<String>, EditErrorKind> {
    let base_lines: Vec<&str> = base.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = content.split_inclusive('\n').collect();
    let is_marker = |l: &str| is_elision(l) && !base_lines.iter().any(|b| b.trim() == l.trim());
    let markers: Vec<usize> = (0..new_lines.len()).filter(|&i| is_marker(new_lines[i])).collect();
    if markers.is_empty() {
        return Ok(None);
    }
    let map = unchanged_map(&base_lines, &new_lines);
    let mut out = String::new();
    let mut previous_end = 0;
    for (i, line) in new_lines.iter().enumerate() {
        if !markers.contains(&i) {
            out.push_str(line);
            continue;
        }
        let span = elided_span(&base_lines, &new_lines, &map, i)?;
        if span.start < previous_end {
            return Err(EditErrorKind::ElisionInReplacement);
        }
        refuse_lookalikes(&base_lines[span.clone()], &new_lines, &map, i)?;
        previous_end = span.end;
        base_lines[span].iter().for_each(|l| out.push_str(l));
    }
    Ok(Some(out))
}

/// True when `content` is under half the length of `base` and mostly copied from it: a model
/// sending the part it changed, not the whole file.
pub(crate) fn looks_like_fragment(base: &str, content: &str) -> bool {
    let base_lines: Vec<&str> = base.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = content.split_inclusive('\n').collect();
    if base_lines.len() < 8 || new_lines.len() * 2 > base_lines.len() {
        return false;
    }
    let map = unchanged_map(&base_lines, &new_lines);
    let solid = |i: &usize| !new_lines[*i].trim().is_empty();
    let total = (0..new_lines.len()).filter(solid).count();
    let copied = (0..new_lines.len()).filter(solid).filter(|i| map[*i].is_some()).count();
    total > 0 && copied * 2 >= total
}

/// The original lines a placeholder at `at` stands for: between the unchanged lines that
/// anchor it on each side, minus the blank lines the new text keeps around the placeholder.
fn elided_span(
    base: &[&str],
    new: &[&str],
    map: &[Option<usize>],
    at: usize,
) -> Result<std::ops::Range<usize>, EditErrorKind> {
    let start = anchor(new, map, at, Side::Before)?.map_or(0, |b| b + 1);
    let end = anchor(new, map, at, Side::After)?.unwrap_or(base.len());
    if start > end {
        return Err(EditErrorKind::ElisionInReplacement);
    }
    let blank_before = new[..at].iter().rev().take_while(|l| l.trim().is_empty()).count();
    let blank_after = new[at + 1..].iter().take_while(|l| l.trim().is_empty()).count();
    let mut span = start..end;
    let lead = base[span.clone()].iter().take_while(|l| l.trim().is_empty()).count().min(blank_before);
    span.start += lead;
    let trail = base[span.clone()].iter().rev().take_while(|l| l.trim().is_empty()).count().min(blank_after);
    span.end -= trail;
    Ok(span)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

/// The base line of the unchanged line that bounds the placeholder on one side (`None` at the
/// edge of the file). New lines between the placeholder and that line are insertions; when they
/// leave a bracket open, the unchanged lines that close it belong to them (a diff happily pairs
/// a new method's `return this; }` with the old method's), so the anchor moves past those.
fn anchor(
    new: &[&str],
    map: &[Option<usize>],
    at: usize,
    side: Side,
) -> Result<Option<usize>, EditErrorKind> {
    let order: Vec<usize> = match side {
        Side::After => (at + 1..new.len()).collect(),
        Side::Before => (0..at).rev().collect(),
    };
    let mut balance = 0i32;
    let mut inserted = false;
    for i in order {
        let line = new[i];
        if is_elision(line) && map[i].is_none() {
            // Another placeholder with only new code in between: where that code goes is a guess.
            return if inserted { Err(EditErrorKind::ElisionInReplacement) } else { Ok(None) };
        }
        let opens = bracket_balance(line) * if side == Side::After { 1 } else { -1 };
        match map[i] {
            Some(b) if !line.trim().is_empty() && balance <= 0 => return Ok(Some(b)),
            Some(_) if line.trim().is_empty() => {}
            _ => {
                inserted |= map[i].is_none() && !line.trim().is_empty();
                balance += opens;
            }
        }
    }
    Ok(None)
}

/// Opening minus closing brackets on a line (strings and comments are not parsed: this only
/// needs to notice a block left open).
fn bracket_balance(line: &str) -> i32 {
    line.chars()
        .map(|c| match c {
            '{' | '(' | '[' => 1,
            '}' | ')' | ']' => -1,
            _ => 0,
        })
        .sum()
}

/// New lines next to a placeholder that look like edited copies of the lines it stands for mean
/// the model rewrote part of the elided code: expanding would duplicate it, so refuse.
fn refuse_lookalikes(
    elided: &[&str],
    new: &[&str],
    map: &[Option<usize>],
    at: usize,
) -> Result<(), EditErrorKind> {
    let inserted = |i: &usize| map[*i].is_none() && !is_elision(new[*i]) && new[*i].trim().len() >= 8;
    let loose = |i: &usize| map[*i].is_none() || new[*i].trim().is_empty();
    let before = (0..at).rev().take_while(loose).filter(inserted);
    let after = (at + 1..new.len()).take_while(loose).filter(inserted);
    for i in before.chain(after) {
        let a = new[i].trim();
        if elided.iter().any(|b| strsim::normalized_levenshtein(a, b.trim()) >= 0.6) {
            return Err(EditErrorKind::ElisionInReplacement);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_expands_to_the_lines_it_stands_for() {
        let base = "a\nb\nc\nd\n";
        let got = expand(base, "a\n// ... existing code ...\nd\ne\n");
        assert_eq!(got, Ok(Some("a\nb\nc\nd\ne\n".to_string())));
    }

    #[test]
    fn placeholder_next_to_a_rewritten_copy_is_refused() {
        let base = "fn main() {\n    let value = compute();\n    println!(\"{value}\");\n}\n";
        let content = "fn main() {\n    // ... existing code ...\n    let value = compute_fast();\n}\n";
        assert_eq!(expand(base, content), Err(EditErrorKind::ElisionInReplacement));
    }

    #[test]
    fn content_without_placeholders_is_left_alone() {
        assert_eq!(expand("a\n", "b\n"), Ok(None));
    }
}
