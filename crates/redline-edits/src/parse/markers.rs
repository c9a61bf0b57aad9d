//! Recognising the marker lines of the SEARCH/REPLACE dialects (Aider, Cline, Roo).

/// What a (trimmed) line of a reply is, as far as SEARCH/REPLACE blocks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// `<<<<<<< SEARCH` (5-9 `<`), Cline's `------- SEARCH`, Roo's `<<<<<<< SEARCH (1)`.
    Head,
    /// `=======` (5-9 `=`).
    Divider,
    /// `>>>>>>> REPLACE` (5-9 `>`) or Cline's `+++++++ REPLACE`.
    Replace,
}

/// Classifies a line; `None` for ordinary content.
pub fn marker(line: &str) -> Option<Marker> {
    // Markers must stand alone on their line: `======= ` with a trailing space is content
    // (Cline refuses such blocks; no real reply in Aider's log has one).
    let t = line.trim_end_matches(['\n', '\r']);
    if is_head(t) {
        Some(Marker::Head)
    } else if is_run(t, '=', 5, 9) {
        Some(Marker::Divider)
    } else if is_replace(t) {
        Some(Marker::Replace)
    } else {
        None
    }
}

fn is_head(t: &str) -> bool {
    let Some((run, rest)) = split_run(t) else {
        return false;
    };
    let rest = rest.trim_end();
    let word_ok = rest == " SEARCH" || rest == " SEARCH>" || is_numbered_search(rest);
    match run.chars().next() {
        Some('<') => (5..=9).contains(&run.len()) && word_ok,
        Some('-') => run.len() >= 3 && word_ok,
        _ => false,
    }
}

/// Roo's legacy multi-search numbering: `<<<<<<< SEARCH (2)`.
fn is_numbered_search(rest: &str) -> bool {
    rest.strip_prefix(" SEARCH (")
        .and_then(|r| r.strip_suffix(')'))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn is_replace(t: &str) -> bool {
    let Some((run, rest)) = split_run(t) else {
        return false;
    };
    let word_ok = matches!(rest.trim_end(), " REPLACE" | " REPLACE>");
    match run.chars().next() {
        Some('>') => (5..=9).contains(&run.len()) && word_ok,
        Some('+') => run.len() >= 3 && word_ok,
        _ => false,
    }
}

/// Splits a leading run of one repeated character from the rest of the line.
fn split_run(t: &str) -> Option<(&str, &str)> {
    let first = t.chars().next()?;
    let end = t.find(|c| c != first).unwrap_or(t.len());
    Some((&t[..end], &t[end..]))
}

fn is_run(t: &str, c: char, min: usize, max: usize) -> bool {
    (min..=max).contains(&t.len()) && t.chars().all(|x| x == c)
}

/// Roo's `-------` line that separates the `:start_line:` header from the search text.
pub fn is_roo_separator(line: &str) -> bool {
    let t = line.trim();
    // At least five dashes, so YAML front matter (`---`) stays search text.
    t.len() >= 5 && t.chars().all(|c| c == '-')
}

/// The number in Roo's legacy `<<<<<<< SEARCH (5)`, which is the start line.
pub fn numbered_head(line: &str) -> Option<usize> {
    let inner = line.trim().rsplit_once(" SEARCH (")?.1.strip_suffix(')')?;
    inner.parse().ok()
}

/// Length of the leading `<` or `>` run of a marker line (0 for dash/plus markers).
pub fn chevron_run(line: &str) -> usize {
    let t = line.trim_start();
    match t.chars().next() {
        Some(c @ ('<' | '>')) => t.chars().take_while(|&x| x == c).count(),
        _ => 0,
    }
}

/// Roo's `:start_line:N` (and `:end_line:N`) header lines.
pub fn roo_line_number(line: &str, key: &str) -> Option<usize> {
    line.trim().strip_prefix(key)?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_of_all_three_dialects_are_recognised() {
        assert_eq!(marker("<<<<<<< SEARCH"), Some(Marker::Head));
        assert_eq!(marker("<<<<<<<< SEARCH"), Some(Marker::Head));
        assert_eq!(marker("------- SEARCH"), Some(Marker::Head));
        assert_eq!(marker("<<<<<<< SEARCH (3)"), Some(Marker::Head));
        assert_eq!(marker("======="), Some(Marker::Divider));
        assert_eq!(marker(">>>>>>> REPLACE"), Some(Marker::Replace));
        assert_eq!(marker("+++++++ REPLACE"), Some(Marker::Replace));
    }

    #[test]
    fn malformed_markers_are_content() {
        assert_eq!(marker("<<-- SEARCH"), None);
        assert_eq!(marker("<<<<<<< SEARCHING"), None);
        assert_eq!(marker("==="), None);
        assert_eq!(marker("--- a/file.txt"), None);
    }
}
