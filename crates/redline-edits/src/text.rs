//! Line and text-shape helpers shared by the parsers and the applier.

/// How a file's text is laid out on disk, so an edit can be written back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextShape {
    pub crlf: bool,
    pub bom: bool,
    pub final_newline: bool,
}

const BOM: char = '\u{feff}';

impl TextShape {
    /// Reads the shape of `text`; CRLF wins when most line breaks are CRLF.
    pub fn of(text: &str) -> Self {
        let body = text.strip_prefix(BOM).unwrap_or(text);
        let breaks = body.matches('\n').count();
        let crlf_breaks = body.matches("\r\n").count();
        Self {
            crlf: breaks > 0 && crlf_breaks * 2 > breaks,
            bom: text.starts_with(BOM),
            final_newline: body.is_empty() || body.ends_with('\n'),
        }
    }

    /// Puts LF text back into this shape (line endings, BOM, final newline).
    pub fn restore(&self, lf_text: &str) -> String {
        let mut body = lf_text.to_string();
        if !self.final_newline && body.ends_with('\n') {
            body.pop();
        }
        if self.crlf {
            body = body.replace('\n', "\r\n");
        }
        if self.bom {
            body.insert(0, BOM);
        }
        body
    }
}

/// Strips a BOM and turns CRLF into LF: all matching happens on this form.
pub fn to_lf(text: &str) -> String {
    text.strip_prefix(BOM).unwrap_or(text).replace("\r\n", "\n")
}

/// Splits into lines that keep their terminator (like Python's `splitlines(keepends=True)`
/// restricted to `\n`, which is all the formats we parse use).
pub fn lines_keep(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// A line without its terminator.
pub fn chomp(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The leading whitespace of a line.
pub fn indent_of(line: &str) -> &str {
    let trimmed = line.trim_start();
    &line[..line.len() - trimmed.len()]
}

/// Ensures the text ends in a newline (empty stays empty).
pub fn with_final_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// True for lines a model writes instead of code it did not want to repeat:
/// `...`, `// ... existing code ...`, `# ... rest of file ...`, `/* ... */`, `<!-- ... -->`.
pub fn is_elision(line: &str) -> bool {
    let t = chomp(line).trim();
    if t == "..." || t == "…" {
        return true;
    }
    let Some(body) = strip_comment(t) else {
        // A placeholder can trail code too (`foo(); // ... existing code ...`): a line whose
        // trailing comment is one counts as one, so it is refused rather than written.
        return ["//", "#", "/*", "<!--", "--"]
            .iter()
            .filter_map(|marker| t.find(marker).filter(|i| *i > 0))
            .any(|i| strip_comment(&t[i..]).is_some_and(is_elision_comment));
    };
    is_elision_comment(body)
}

/// A comment's text that stands for code left out: only dots, or dots and a few words such as
/// "existing code".
fn is_elision_comment(body: &str) -> bool {
    if !(body.contains("...") || body.contains('…')) {
        return false;
    }
    let words: String = body.replace(['.', '…'], " ").to_lowercase();
    let words = words.split_whitespace().collect::<Vec<_>>();
    // A comment holding only dots, or dots plus a few "kept code" words, is an elision;
    // a real comment that happens to contain "..." is longer prose.
    words.is_empty()
        || (words.len() <= 8
            && words.iter().any(|w| ELISION_WORDS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric()))))
}

const ELISION_WORDS: &[&str] = &[
    "existing",
    "rest",
    "unchanged",
    "same",
    "remaining",
    "previous",
    "other",
    "code",
    "omitted",
    "keep",
    "kept",
    "more",
    "etc",
    "remainder",
    "original",
    "lines",
    "methods",
    "here",
];

fn strip_comment(t: &str) -> Option<&str> {
    for (open, close) in
        [("//", ""), ("#", ""), ("--", ""), (";", ""), ("/*", "*/"), ("<!--", "-->"), ("{/*", "*/}")]
    {
        if let Some(rest) = t.strip_prefix(open) {
            let rest = rest.strip_suffix(close).unwrap_or(rest);
            return Some(rest.trim());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_round_trips_crlf_bom_and_missing_final_newline() {
        let original = "\u{feff}a\r\nb";
        let shape = TextShape::of(original);
        assert!(shape.crlf && shape.bom && !shape.final_newline);
        assert_eq!(shape.restore(&with_final_newline(&to_lf(original))), original);
    }

    #[test]
    fn elision_markers_are_recognised_but_prose_comments_are_not() {
        assert!(is_elision("// ... existing code ...\n"));
        assert!(is_elision("0// ... existing code ...\n"), "a placeholder trailing code");
        assert!(is_elision("    foo(); // ... rest of the function ...\n"));
        assert!(!is_elision("    foo(); // waits... then retries the request twice before giving up\n"));
        assert!(is_elision("    # ... rest of file ..."));
        assert!(is_elision("..."));
        assert!(is_elision("  // ..."));
        assert!(!is_elision("// wait for the server... then retry the request with a longer timeout please"));
        assert!(!is_elision("print('...')"));
    }
}
