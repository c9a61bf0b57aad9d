//! Which lines of the new text the change added, so line-based checks never re-report what was
//! already there.

use imara_diff::intern::InternedInput;
use imara_diff::{diff, Algorithm};

/// The lines of the new text that are not matched by a line of the old text.
pub(crate) struct AddedLines<'a> {
    lines: Vec<&'a str>,
    added: Vec<bool>,
}

impl<'a> AddedLines<'a> {
    pub(crate) fn new(old: &str, new: &'a str) -> Self {
        let lines: Vec<&str> = new.lines().collect();
        let mut added = vec![false; lines.len()];
        let input = InternedInput::new(old, new);
        diff(Algorithm::Histogram, &input, |_before: std::ops::Range<u32>, after: std::ops::Range<u32>| {
            for index in after {
                if let Some(slot) = added.get_mut(index as usize) {
                    *slot = true;
                }
            }
        });
        AddedLines { lines, added }
    }

    /// (1-based line number, text) of every added line.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &'a str)> + '_ {
        self.lines
            .iter()
            .zip(&self.added)
            .enumerate()
            .filter(|(_, (_, added))| **added)
            .map(|(index, (text, _))| (index as u32 + 1, *text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_missing_from_old_count_as_added() {
        let added = AddedLines::new("a\nb\nc\n", "a\nx\nb\nc\ny");
        let lines: Vec<(u32, &str)> = added.iter().collect();
        assert_eq!(lines, vec![(2, "x"), (5, "y")]);
    }

    #[test]
    fn every_line_of_a_new_file_is_added() {
        let added = AddedLines::new("", "a\nb\n");
        assert_eq!(added.iter().count(), 2);
    }
}
