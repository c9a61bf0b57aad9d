//! Word-level changes inside a changed line pair, marked in the line's highlighted HTML, so a
//! reviewer sees which words of a long line the model changed.

use std::ops::Range;

/// Words, runs of spaces, and single punctuation characters, with their char offsets.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut char_start = 0;
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    };
    let mut last_class = None;
    for (ci, (bi, c)) in line.char_indices().enumerate() {
        let cls = class(c);
        if last_class != Some(cls) || cls == 2 {
            if let Some(s) = start {
                out.push((char_start, &line[s..bi]));
            }
            start = Some(bi);
            char_start = ci;
        }
        last_class = Some(cls);
    }
    if let Some(s) = start {
        out.push((char_start, &line[s..]));
    }
    out
}

/// Changed char ranges of the old line and of the new line.
pub(crate) type LineMarks = (Vec<Range<usize>>, Vec<Range<usize>>);

/// Char ranges of `old` and of `new` that are not part of their longest common token sequence.
/// Lines with too many tokens are not compared (the whole line is already marked as changed).
pub(crate) fn changed_ranges(old: &str, new: &str) -> Option<LineMarks> {
    let (a, b) = (tokens(old), tokens(new));
    if a.len() * b.len() > 40_000 {
        return None;
    }
    let mut lcs = vec![vec![0u16; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] =
                if a[i].1 == b[j].1 { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut old_marks, mut new_marks) = (Vec::new(), Vec::new());
    let span = |t: &(usize, &str)| t.0..t.0 + t.1.chars().count();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i].1 == b[j].1 {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            push(&mut new_marks, span(&b[j]));
            j += 1;
        } else {
            push(&mut old_marks, span(&a[i]));
            i += 1;
        }
    }
    Some((old_marks, new_marks))
}

fn push(ranges: &mut Vec<Range<usize>>, r: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if last.end == r.start => last.end = r.end,
        _ => ranges.push(r),
    }
}

/// Wraps the text at char `ranges` of escaped, highlighted `html` in `<mark class="word">`,
/// closing and reopening the mark around the highlighter's own tags so the HTML stays nested.
pub(crate) fn mark_html(html: &str, ranges: &[Range<usize>]) -> String {
    if ranges.is_empty() {
        return html.to_owned();
    }
    let inside = |pos: usize| ranges.iter().any(|r| r.contains(&pos));
    let mut out = String::with_capacity(html.len() + ranges.len() * 24);
    let (mut pos, mut open) = (0usize, false);
    let mut chars = html.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '<' {
            let end = html[i..].find('>').map_or(html.len(), |e| i + e + 1);
            if open {
                out.push_str("</mark>");
            }
            out.push_str(&html[i..end]);
            if open {
                out.push_str("<mark class=\"word\">");
            }
            while chars.peek().is_some_and(|(j, _)| *j < end) {
                chars.next();
            }
            continue;
        }
        let want = inside(pos);
        if want != open {
            out.push_str(if want { "<mark class=\"word\">" } else { "</mark>" });
            open = want;
        }
        if c == '&' {
            // An entity is one character of text.
            let end = html[i..].find(';').map_or(i + 1, |e| i + e + 1);
            out.push_str(&html[i..end]);
            while chars.peek().is_some_and(|(j, _)| *j < end) {
                chars.next();
            }
        } else {
            out.push(c);
        }
        pos += 1;
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_changed_word_is_marked() {
        let (old, new) = changed_ranges("let total = a + b;", "let total = a * b;").expect("compared");
        assert_eq!(old, vec![Range { start: 14, end: 15 }]);
        assert_eq!(new, vec![Range { start: 14, end: 15 }]);
    }

    #[test]
    fn marks_close_around_highlighter_tags_and_count_entities_as_one_char() {
        let html = "<span class=\"k\">if</span> a &lt; b";
        assert_eq!(
            mark_html(html, &[Range { start: 1, end: 5 }]),
            "<span class=\"k\">i<mark class=\"word\">f</mark></span><mark class=\"word\"> a </mark>&lt; b"
        );
    }
}
