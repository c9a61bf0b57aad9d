//! Line diffs with imara-diff (Histogram), as ranges of changed lines.

use std::ops::Range;

use imara_diff::intern::InternedInput;
use imara_diff::{diff, Algorithm};

/// A changed region: lines `before` of the old text became lines `after` of the new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub before: Range<usize>,
    pub after: Range<usize>,
}

/// The changed regions between two line lists, in order.
pub(crate) fn line_changes(before: &[&str], after: &[&str]) -> Vec<Change> {
    let mut input: InternedInput<&str> = InternedInput::default();
    input.update_before(before.iter().copied());
    input.update_after(after.iter().copied());
    let mut changes = Vec::new();
    let sink = |b: Range<u32>, a: Range<u32>| {
        changes.push(Change {
            before: b.start as usize..b.end as usize,
            after: a.start as usize..a.end as usize,
        });
    };
    diff(Algorithm::Histogram, &input, sink);
    changes
}

/// For each line of `after`, the line of `before` it is an unchanged copy of.
pub(crate) fn unchanged_map(before: &[&str], after: &[&str]) -> Vec<Option<usize>> {
    let mut map = vec![None; after.len()];
    let (mut b, mut a) = (0, 0);
    for change in line_changes(before, after).into_iter().chain(std::iter::once(Change {
        before: before.len()..before.len(),
        after: after.len()..after.len(),
    })) {
        while a < change.after.start && b < change.before.start {
            map[a] = Some(b);
            a += 1;
            b += 1;
        }
        a = change.after.end;
        b = change.before.end;
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_lines_map_across_an_insertion() {
        let map = unchanged_map(&["a\n", "b\n"], &["a\n", "x\n", "b\n"]);
        assert_eq!(map, vec![Some(0), None, Some(1)]);
    }
}
