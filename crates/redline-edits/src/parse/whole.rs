//! Whole files: a path line, then a fenced block holding the complete new content.

use super::search_replace::strip_filename;
use super::{Item, ItemKind, ParseOptions, Parsed};
use crate::edit::{Edit, EditKind};
use crate::text::lines_keep;

/// Reads every `path` + fenced block pair of a reply.
pub(crate) fn parse(text: &str, opts: &ParseOptions) -> Parsed {
    let lines = lines_keep(text);
    let mut parsed = Parsed::default();
    let mut i = 0;
    let mut prose_start = 0;
    let mut block = 0;
    while i < lines.len() {
        let Some(opener) = fence_opener(lines[i]) else {
            i += 1;
            continue;
        };
        let (content, end, closed) = fenced_body(&lines, i + 1, &opener);
        let path = info_string_path(lines[i], &opener, opts)
            .or_else(|| line_path(i.checked_sub(1).map(|j| lines[j]), opts))
            .or_else(|| mentioned_path(&lines[prose_start..i], opts))
            .or_else(|| opts.default_path.clone());
        if let Some(path) = path {
            let edit = Edit { path, kind: EditKind::Whole { content }, block };
            parsed.items.push(Item { kind: ItemKind::Edit(edit), end_line: end, closed });
            block += 1;
        }
        i = end;
        prose_start = end;
    }
    parsed
}

/// The backtick run opening a fence (three or more backticks at the start of the line).
pub(crate) fn fence_opener(line: &str) -> Option<String> {
    let t = line.trim_start();
    let run: String = t.chars().take_while(|&c| c == '`').collect();
    (run.len() >= 3).then_some(run)
}

/// The lines up to a closing fence at least as long as the opener, without an info string.
fn fenced_body(lines: &[&str], start: usize, opener: &str) -> (String, usize, bool) {
    let mut body = String::new();
    for (offset, line) in lines[start..].iter().enumerate() {
        let t = line.trim();
        if t.len() >= opener.len() && t.chars().all(|c| c == '`') {
            return (body, start + offset + 1, true);
        }
        body.push_str(line);
    }
    (body, lines.len(), false)
}

/// ```` ```python:src/app.py ```` or ```` ```src/app.py ````.
fn info_string_path(line: &str, opener: &str, opts: &ParseOptions) -> Option<String> {
    let info = line.trim().strip_prefix(opener)?.trim();
    let candidate = info.rsplit([':', ' ']).next()?;
    plausible_path(candidate, opts).then(|| candidate.to_string())
}

fn line_path(line: Option<&str>, opts: &ParseOptions) -> Option<String> {
    let name = strip_filename(line?, &opts.fence)?;
    let name = resolve_known(&name, opts).unwrap_or(name);
    plausible_path(&name, opts).then_some(name)
}

/// A known file whose name (or full path) the prose right before the fence mentions last.
fn mentioned_path(prose: &[&str], opts: &ParseOptions) -> Option<String> {
    let text: String = prose.concat();
    opts.known_paths
        .iter()
        .filter_map(|k| {
            let name = k.rsplit(['/', '\\']).next().unwrap_or(k);
            text.rfind(name).map(|at| (at, k))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, k)| k.clone())
}

/// `path/to/x.txt` written for a known `x.txt` (or the reverse) means the known file.
fn resolve_known(name: &str, opts: &ParseOptions) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let matches: Vec<&String> = opts
        .known_paths
        .iter()
        .filter(|k| *k == name || k.rsplit(['/', '\\']).next() == Some(base))
        .collect();
    (matches.len() == 1).then(|| matches[0].clone())
}

/// A file name has no spaces and has an extension or a folder, unless the caller knows it.
fn plausible_path(name: &str, opts: &ParseOptions) -> bool {
    if opts.known_paths.iter().any(|k| k == name) {
        return true;
    }
    !name.is_empty()
        && !name.contains(char::is_whitespace)
        && (name.contains('.') || name.contains('/'))
        && name.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str, known: &[&str]) -> Vec<(String, String)> {
        let opts = ParseOptions {
            known_paths: known.iter().map(|s| s.to_string()).collect(),
            ..ParseOptions::default()
        };
        parse(text, &opts)
            .items
            .into_iter()
            .filter_map(|i| match i.kind {
                ItemKind::Edit(Edit { path, kind: EditKind::Whole { content }, .. }) => Some((path, content)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn path_line_then_fence_is_a_whole_file() {
        assert_eq!(
            whole("sample.txt\n```\nUpdated\n```", &[]),
            vec![("sample.txt".into(), "Updated\n".into())]
        );
    }

    #[test]
    fn longer_fence_keeps_inner_fences_as_content() {
        let got = whole("a.md\n````\nx\n```\ny\n```\n````\n", &[]);
        assert_eq!(got[0].1, "x\n```\ny\n```\n");
    }

    #[test]
    fn prose_is_not_taken_for_a_path() {
        assert!(whole("Here is the code:\n```\nx\n```\n", &[]).is_empty());
    }

    #[test]
    fn a_known_file_named_in_the_prose_claims_an_unlabelled_fence() {
        let got = whole("Here is the new `a.txt`:\n\n```\nafter\n```\n", &["a.txt", "b.txt"]);
        assert_eq!(got, vec![("a.txt".into(), "after\n".into())]);
    }
}
