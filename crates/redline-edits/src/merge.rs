//! Three-way line merge: the accepted proposal ("theirs") onto what is on disk now ("ours"),
//! both descended from the proposal's base. A conflict returns both sides, never a partial text.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::diff::{line_changes, Change};

/// A region both sides changed differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictRegion {
    /// 0-based line range in the base.
    pub base_range: Range<usize>,
    pub base: String,
    pub ours: String,
    pub theirs: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{} conflicting region(s) between the file on disk and the accepted changes", .regions.len())]
pub struct Conflict {
    pub regions: Vec<ConflictRegion>,
    /// The whole text on disk and the whole accepted text, so the UI can show both.
    pub ours: String,
    pub theirs: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Theirs,
}

/// Merges `theirs` onto `ours`; `Err` with every conflicting region when they overlap.
pub fn merge3(base: &str, ours: &str, theirs: &str) -> Result<String, Conflict> {
    if ours == theirs || base == theirs {
        return Ok(ours.to_string());
    }
    if base == ours {
        return Ok(theirs.to_string());
    }
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let o: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let mut changes: Vec<(Side, Change)> =
        line_changes(&b, &o).into_iter().map(|c| (Side::Ours, c)).collect();
    changes.extend(line_changes(&b, &t).into_iter().map(|c| (Side::Theirs, c)));
    changes.sort_by_key(|(_, c)| (c.before.start, c.before.end));
    let mut out = String::new();
    let mut regions = Vec::new();
    let mut pos = 0;
    for group in group_touching(changes) {
        let range = span(&group);
        out.extend(b[pos..range.start].iter().copied());
        let side_text = |side: Side, lines: &[&str]| region_text(&b, lines, &range, &group, side);
        let (ours_text, theirs_text) = (side_text(Side::Ours, &o), side_text(Side::Theirs, &t));
        let touched = |side| group.iter().any(|(s, _)| *s == side);
        match (touched(Side::Ours), touched(Side::Theirs)) {
            (true, false) => out.push_str(&ours_text),
            (false, _) => out.push_str(&theirs_text),
            (true, true) if ours_text == theirs_text => out.push_str(&ours_text),
            (true, true) => regions.push(ConflictRegion {
                base: b[range.clone()].concat(),
                base_range: range.clone(),
                ours: ours_text,
                theirs: theirs_text,
            }),
        }
        pos = range.end;
    }
    out.extend(b[pos..].iter().copied());
    if regions.is_empty() {
        Ok(out)
    } else {
        Err(Conflict { regions, ours: ours.to_string(), theirs: theirs.to_string() })
    }
}

/// Groups changes (sorted by base start) whose base ranges overlap, or touch where one of them
/// is an insertion: the order of the two sides' lines would be a guess.
fn group_touching(changes: Vec<(Side, Change)>) -> Vec<Vec<(Side, Change)>> {
    let mut groups: Vec<Vec<(Side, Change)>> = Vec::new();
    for (side, change) in changes {
        let joins = groups.last().is_some_and(|g| {
            let r = span(g);
            let c = &change.before;
            let empty = c.is_empty() || r.is_empty();
            if empty {
                c.start <= r.end
            } else {
                c.start < r.end
            }
        });
        match groups.last_mut() {
            Some(g) if joins => g.push((side, change)),
            _ => groups.push(vec![(side, change)]),
        }
    }
    groups
}

fn span(group: &[(Side, Change)]) -> Range<usize> {
    let start = group.iter().map(|(_, c)| c.before.start).min().unwrap_or(0);
    let end = group.iter().map(|(_, c)| c.before.end).max().unwrap_or(start);
    start..end
}

/// One side's text for a base range: its changes inside the range, base lines elsewhere.
fn region_text(
    base: &[&str],
    side_lines: &[&str],
    range: &Range<usize>,
    group: &[(Side, Change)],
    side: Side,
) -> String {
    let mut out = String::new();
    let mut pos = range.start;
    for (_, c) in group.iter().filter(|(s, _)| *s == side) {
        out.extend(base[pos..c.before.start].iter().copied());
        out.extend(side_lines[c.after.clone()].iter().copied());
        pos = c.before.end;
    }
    out.extend(base[pos..range.end].iter().copied());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_in_different_places_merge_cleanly() {
        let merged = merge3("a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nc\nD\n");
        assert_eq!(merged, Ok("A\nb\nc\nD\n".to_string()));
    }

    #[test]
    fn same_line_changed_differently_is_a_conflict_with_both_sides() {
        let err = merge3("a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n").expect_err("must conflict");
        assert_eq!(err.regions.len(), 1);
        assert_eq!(err.regions[0].ours, "X\n");
        assert_eq!(err.regions[0].theirs, "Y\n");
    }

    #[test]
    fn identical_changes_on_both_sides_are_not_a_conflict() {
        assert_eq!(merge3("a\nb\n", "a\nB\n", "a\nB\n"), Ok("a\nB\n".to_string()));
    }

    #[test]
    fn insertions_at_the_same_point_conflict() {
        assert!(merge3("a\nb\n", "a\nx\nb\n", "a\ny\nb\n").is_err());
    }

    #[test]
    fn crlf_text_merges_as_crlf() {
        let merged = merge3("a\r\nb\r\nc\r\n", "A\r\nb\r\nc\r\n", "a\r\nb\r\nC\r\n");
        assert_eq!(merged, Ok("A\r\nb\r\nC\r\n".to_string()));
    }
}
