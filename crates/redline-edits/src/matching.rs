//! Locating a SEARCH text in a file: exact and unique first, then ignoring trailing whitespace,
//! then ignoring indentation (re-indenting the replacement), then a fuzzy line-level match.
//! More than one candidate at a layer is an error, never a guess.
//!
//! apply_patch chunks are whole lines placed in order ([`locate_run`]): the same exact,
//! trailing-whitespace and indentation layers, then typographic punctuation read as ASCII; no
//! fuzzy layer, since a chunk's `-` lines name exactly what to remove.

use serde::{Deserialize, Serialize};

use crate::error::{Closest, EditErrorKind};
use crate::text::{indent_of, is_elision};

/// How tolerant matching is. The defaults are Redline's; the eval passes each tool's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchOptions {
    /// Minimum line-level similarity for a fuzzy match; `None` turns the fuzzy layer off.
    pub fuzzy_floor: Option<f64>,
    /// Whether the trailing-whitespace and indentation layers run.
    pub whitespace_tolerant: bool,
    /// How far (in lines) from a line hint a candidate may be for the hint to pick it.
    pub hint_window: usize,
    /// What an empty SEARCH on a file with content means.
    pub empty_search: EmptySearch,
    /// When set, a line hint is a constraint (Roo's reading): only candidates within
    /// `hint_window` lines of it count. Otherwise the hint only breaks ties.
    pub hint_restricts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmptySearch {
    /// Refuse: it would replace or extend the file blindly.
    Refuse,
    /// Append the replacement at the end (Aider's reading).
    Append,
}

impl Default for MatchOptions {
    fn default() -> Self {
        Self {
            fuzzy_floor: Some(0.9),
            whitespace_tolerant: true,
            hint_window: 40,
            empty_search: EmptySearch::Refuse,
            hint_restricts: false,
        }
    }
}

/// Which layer found the match (the UI can flag anything but `Exact` for review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layer {
    Exact,
    TrailingWhitespace,
    Indentation,
    /// Lines equal once trimmed and with typographic quotes, dashes and odd spaces read as
    /// ASCII (apply_patch chunks only).
    Punctuation,
    Fuzzy,
    Elided,
}

/// One replacement request against LF text that ends in a newline (or is empty).
pub(crate) struct Request<'a> {
    pub search: &'a str,
    pub replace: &'a str,
    /// 1-based line the search is expected to start at.
    pub hint: Option<usize>,
    pub replace_all: bool,
}

/// Replaces `req.search` in `text`, returning the new text and the layer that matched.
pub(crate) fn replace_in(
    text: &str,
    req: &Request,
    opts: &MatchOptions,
) -> Result<(String, Layer), EditErrorKind> {
    if req.search == req.replace {
        return Err(EditErrorKind::NoChange);
    }
    let lines_in_file = text.matches('\n').count();
    if opts.hint_restricts && req.hint.is_some_and(|h| h > lines_in_file) {
        return Err(EditErrorKind::NoMatch { closest: None, floor: opts.fuzzy_floor });
    }
    if req.replace_all {
        return replace_every(text, req.search, req.replace);
    }
    if let Some(found) = exact(text, req, opts)? {
        return Ok((found, Layer::Exact));
    }
    let lines = FileLines::new(text);
    let search = split_lines(req.search);
    let replace = split_lines(req.replace);
    if opts.whitespace_tolerant {
        if let Some(done) = tolerant(&lines, &search, &replace, req.hint, opts)? {
            return Ok(done);
        }
    }
    if search.iter().any(|l| is_elision(l)) {
        return elided(text, req, opts).map(|t| (t, Layer::Elided));
    }
    fuzzy(&lines, &search, &replace, req.hint, opts).map(|t| (t, Layer::Fuzzy))
}

/// Exact, unique occurrence; a search made of whole lines must start at a line start.
fn exact(text: &str, req: &Request, opts: &MatchOptions) -> Result<Option<String>, EditErrorKind> {
    let starts = occurrences(text, req.search);
    let line_of = |at: usize| text[..at].matches('\n').count();
    let lines: Vec<usize> = starts.iter().map(|&at| line_of(at)).collect();
    let Some(pick) = choose(&lines, req.hint, opts)? else {
        return Ok(None);
    };
    let at = starts[lines.iter().position(|&l| l == pick).unwrap_or(0)];
    refuse_new_elisions(req.replace, &text[at..at + req.search.len()])?;
    Ok(Some(format!("{}{}{}", &text[..at], req.replace, &text[at + req.search.len()..])))
}

/// Every (possibly overlapping) occurrence, so that overlaps count as ambiguity.
fn occurrences(text: &str, search: &str) -> Vec<usize> {
    let whole_lines = search.ends_with('\n');
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|t| t.find(search)) {
        let at = from + rel;
        if !whole_lines || at == 0 || text.as_bytes()[at - 1] == b'\n' {
            found.push(at);
        }
        from = at + text[at..].chars().next().map_or(1, char::len_utf8);
    }
    found
}

fn replace_every(text: &str, search: &str, replace: &str) -> Result<(String, Layer), EditErrorKind> {
    if search.is_empty() || !text.contains(search) {
        return Err(EditErrorKind::NoMatch { closest: None, floor: None });
    }
    refuse_new_elisions(replace, search)?;
    Ok((text.replace(search, replace), Layer::Exact))
}

/// Picks one candidate (0-based line numbers): the only one, the one at the hint, or the only
/// one near the hint. `Ok(None)` when there is none.
fn choose(cands: &[usize], hint: Option<usize>, opts: &MatchOptions) -> Result<Option<usize>, EditErrorKind> {
    let window = opts.hint_window;
    let restricted: Vec<usize>;
    let cands = match hint {
        Some(h) if opts.hint_restricts => {
            restricted =
                cands.iter().copied().filter(|c| c.abs_diff(h.saturating_sub(1)) <= window).collect();
            &restricted[..]
        }
        _ => cands,
    };
    match cands {
        [] => return Ok(None),
        [one] => return Ok(Some(*one)),
        _ => {}
    }
    if let Some(h) = hint.map(|h| h.saturating_sub(1)) {
        if cands.iter().filter(|&&c| c == h).count() == 1 {
            return Ok(Some(h));
        }
        let near: Vec<usize> = cands.iter().copied().filter(|c| c.abs_diff(h) <= window).collect();
        if let [one] = near[..] {
            return Ok(Some(one));
        }
    }
    Err(EditErrorKind::Ambiguous { lines: cands.iter().map(|c| c + 1).collect() })
}

/// The file split into lines without terminators (the text always ends in `\n`).
struct FileLines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> FileLines<'a> {
    fn new(text: &'a str) -> Self {
        Self { lines: split_lines(text) }
    }

    /// The text with `count` lines at `start` replaced by `with`.
    fn splice(&self, start: usize, count: usize, with: &[String]) -> String {
        let mut out = String::new();
        let kept_before = &self.lines[..start];
        let kept_after = &self.lines[start + count..];
        for line in kept_before
            .iter()
            .copied()
            .chain(with.iter().map(String::as_str))
            .chain(kept_after.iter().copied())
        {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// Lines without terminators; a final newline does not make an extra empty line.
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    body.split('\n').collect()
}

/// Trailing-whitespace then indentation layers, retried without the blank lines a model adds
/// around its SEARCH text.
fn tolerant(
    file: &FileLines,
    search: &[&str],
    replace: &[&str],
    hint: Option<usize>,
    opts: &MatchOptions,
) -> Result<Option<(String, Layer)>, EditErrorKind> {
    if let Some(done) = tolerant_once(file, search, replace, hint, opts)? {
        return Ok(Some(done));
    }
    let (s, r) = trim_blank_edges(search, replace);
    if s.len() == search.len() || s.is_empty() {
        return Ok(None);
    }
    tolerant_once(file, s, r, hint, opts)
}

fn tolerant_once(
    file: &FileLines,
    search: &[&str],
    replace: &[&str],
    hint: Option<usize>,
    opts: &MatchOptions,
) -> Result<Option<(String, Layer)>, EditErrorKind> {
    let trailing = windows(&file.lines, search, same_but_trailing_space);
    if let Some(at) = choose(&trailing, hint, opts)? {
        let with = owned(replace);
        refuse_new_elisions_lines(&with, &file.lines[at..at + search.len()])?;
        return Ok(Some((file.splice(at, search.len(), &with), Layer::TrailingWhitespace)));
    }
    let trimmed = windows(&file.lines, search, same_but_indentation);
    let Some(at) = choose(&trimmed, hint, opts)? else {
        return Ok(None);
    };
    let region = &file.lines[at..at + search.len()];
    let with = reindent(region, search, replace).unwrap_or_else(|| owned(replace));
    refuse_new_elisions_lines(&with, region)?;
    Ok(Some((file.splice(at, search.len(), &with), Layer::Indentation)))
}

/// Drops leading and trailing blank lines of the search, and as many of the replacement's.
fn trim_blank_edges<'s, 'r>(search: &'s [&'s str], replace: &'r [&'r str]) -> (&'s [&'s str], &'r [&'r str]) {
    let lead = search.iter().take_while(|l| l.trim().is_empty()).count();
    let trail = search[lead..].iter().rev().take_while(|l| l.trim().is_empty()).count();
    let r_lead = replace.iter().take_while(|l| l.trim().is_empty()).count().min(lead);
    let r_trail = replace[r_lead..].iter().rev().take_while(|l| l.trim().is_empty()).count().min(trail);
    (&search[lead..search.len() - trail], &replace[r_lead..replace.len() - r_trail])
}

fn owned(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

/// Start lines of every window whose lines all satisfy `same`.
fn windows(file: &[&str], search: &[&str], same: impl Fn(&str, &str) -> bool) -> Vec<usize> {
    if search.is_empty() || search.len() > file.len() {
        return Vec::new();
    }
    (0..=file.len() - search.len()).filter(|&i| window_is(file, i, search, &same)).collect()
}

fn window_is(file: &[&str], at: usize, search: &[&str], same: impl Fn(&str, &str) -> bool) -> bool {
    file.get(at..at + search.len()).is_some_and(|w| w.iter().zip(search).all(|(f, s)| same(f, s)))
}

fn same_exactly(a: &str, b: &str) -> bool {
    a == b
}

fn same_but_trailing_space(a: &str, b: &str) -> bool {
    a.trim_end() == b.trim_end()
}

fn same_but_indentation(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

fn same_but_typography(a: &str, b: &str) -> bool {
    plain_punctuation(a).trim() == plain_punctuation(b).trim()
}

/// Typographic dashes, quotes and spaces (what word processors and some models write) as the
/// ASCII characters code uses.
fn plain_punctuation(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}'..='\u{201b}' => '\'',
            '\u{201c}'..='\u{201f}' => '"',
            '\u{00a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

/// Whether a file line and a line a model wrote are the same, at some layer.
type SameLine = fn(&str, &str) -> bool;

/// The whole-line layers, strictest first; past the first only when whitespace-tolerant.
const LINE_LAYERS: [(Layer, SameLine); 4] = [
    (Layer::Exact, same_exactly),
    (Layer::TrailingWhitespace, same_but_trailing_space),
    (Layer::Indentation, same_but_indentation),
    (Layer::Punctuation, same_but_typography),
];

fn line_layers(opts: &MatchOptions) -> &'static [(Layer, SameLine)] {
    if opts.whitespace_tolerant {
        &LINE_LAYERS
    } else {
        &LINE_LAYERS[..1]
    }
}

/// A run of whole lines to find in a file: an apply_patch chunk's context and `-` lines.
pub(crate) struct LineRun<'a> {
    pub lines: &'a [&'a str],
    /// 0-based index of the first file line a match may start at (chunks are in file order).
    pub from: usize,
    /// 1-based line a match is expected at; among several it picks the one there, or the only
    /// one within `hint_window` lines of it, as for SEARCH/REPLACE line hints.
    pub hint: Option<usize>,
    /// The run must end at the file's last line (`*** End of File`).
    pub at_end: bool,
}

/// The first file line at or after `from` equal to `anchor`, at the strictest layer that has
/// one: an `@@` anchor jumps forward to the next such line.
pub(crate) fn find_anchor(file: &[&str], anchor: &str, from: usize, opts: &MatchOptions) -> Option<usize> {
    line_layers(opts).iter().find_map(|(_, same)| (from..file.len()).find(|&i| same(file[i], anchor)))
}

/// Where `run` starts, and the layer it matched at. Several candidates at a layer are an error
/// unless the hint picks one; no candidate says why: only before `from`, not at the end, or
/// the closest lines.
pub(crate) fn locate_run(
    file: &[&str],
    run: &LineRun,
    opts: &MatchOptions,
) -> Result<(usize, Layer), EditErrorKind> {
    let fits = |at: usize| at >= run.from && (!run.at_end || at + run.lines.len() == file.len());
    for (layer, same) in line_layers(opts) {
        let candidates: Vec<usize> =
            windows(file, run.lines, same).into_iter().filter(|&at| fits(at)).collect();
        if let Some(at) = choose(&candidates, run.hint, opts)? {
            return Ok((at, *layer));
        }
    }
    Err(why_not_placed(file, run, opts))
}

fn why_not_placed(file: &[&str], run: &LineRun, opts: &MatchOptions) -> EditErrorKind {
    let anywhere: Vec<usize> =
        line_layers(opts).iter().flat_map(|(_, same)| windows(file, run.lines, same)).collect();
    if run.at_end && anywhere.iter().any(|&at| at >= run.from) {
        let tail = file.len().checked_sub(run.lines.len());
        let closest = tail.and_then(|at| {
            let similarity = window_similarity(&file[at..], run.lines, 0.0)?;
            Some(Closest { start_line: at + 1, end_line: file.len(), similarity })
        });
        return EditErrorKind::NotAtEndOfFile { closest };
    }
    if let Some(&at) = anywhere.iter().filter(|&&at| at < run.from).min() {
        return EditErrorKind::OutOfOrder { at_line: at + 1, after_line: run.from };
    }
    EditErrorKind::NoMatch { closest: closest(file, run.lines), floor: None }
}

/// A chunk's `+` lines once its old lines matched `region` at `layer`: re-indented like the
/// file when the match ignored indentation (Aider's rule, as for SEARCH/REPLACE), else as
/// written.
pub(crate) fn fit_added_lines(layer: Layer, region: &[&str], old: &[&str], added: &[&str]) -> Vec<String> {
    let fitted = match layer {
        Layer::Indentation => reindent(region, old, added),
        Layer::Punctuation => {
            let region: Vec<String> = region.iter().map(|l| plain_punctuation(l)).collect();
            let old: Vec<String> = old.iter().map(|l| plain_punctuation(l)).collect();
            let region: Vec<&str> = region.iter().map(String::as_str).collect();
            let old: Vec<&str> = old.iter().map(String::as_str).collect();
            reindent(&region, &old, added)
        }
        _ => None,
    };
    fitted.unwrap_or_else(|| owned(added))
}

/// Aider's rule: strip the common indentation of search and replacement, then the file's lines
/// must all be one constant prefix plus the stripped search lines; that prefix goes on the
/// replacement. `None` when the indentation is not consistent.
fn reindent(region: &[&str], search: &[&str], replace: &[&str]) -> Option<Vec<String>> {
    let common = search
        .iter()
        .chain(replace)
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l).len())
        .min()
        .unwrap_or(0);
    let strip =
        |l: &str| if l.trim().is_empty() { Some(l.to_string()) } else { l.get(common..).map(str::to_string) };
    let mut prefix: Option<&str> = None;
    for (file_line, s) in region.iter().zip(search) {
        if s.trim().is_empty() {
            continue;
        }
        let stripped = strip(s)?;
        let p = file_line.strip_suffix(stripped.as_str())?;
        if !p.trim().is_empty() || prefix.is_some_and(|q| q != p) {
            return None;
        }
        prefix = Some(p);
    }
    let prefix = prefix.unwrap_or("");
    replace
        .iter()
        .map(
            |r| {
                if r.trim().is_empty() {
                    Some(r.to_string())
                } else {
                    strip(r).map(|s| format!("{prefix}{s}"))
                }
            },
        )
        .collect()
}

/// Fuzzy layer: windows of the search's length scored by mean per-line similarity.
fn fuzzy(
    file: &FileLines,
    search: &[&str],
    replace: &[&str],
    hint: Option<usize>,
    opts: &MatchOptions,
) -> Result<String, EditErrorKind> {
    let no_match = |file: &FileLines| EditErrorKind::NoMatch {
        closest: closest(&file.lines, search),
        floor: opts.fuzzy_floor,
    };
    let Some(floor) = opts.fuzzy_floor else {
        return Err(no_match(file));
    };
    let scored = fuzzy_candidates(file, search, floor);
    let starts: Vec<usize> = scored.iter().map(|(at, _)| *at).collect();
    let Some(at) = choose(&starts, hint, opts)? else {
        return Err(no_match(file));
    };
    let region = &file.lines[at..at + search.len()];
    let with = reindent_fuzzy(region, search, replace);
    refuse_new_elisions_lines(&with, region)?;
    Ok(file.splice(at, search.len(), &with))
}

/// Fuzzy matches keep the replacement's relative indentation, shifted like the first line.
fn reindent_fuzzy(region: &[&str], search: &[&str], replace: &[&str]) -> Vec<String> {
    if let Some(lines) = reindent(region, search, replace) {
        return lines;
    }
    let pair = region.iter().zip(search).find(|(_, s)| !s.trim().is_empty());
    let Some((file_line, s)) = pair else {
        return owned(replace);
    };
    let (have, want) = (indent_of(s), indent_of(file_line));
    replace
        .iter()
        .map(|r| match r.strip_prefix(have) {
            Some(rest) if !r.trim().is_empty() => format!("{want}{rest}"),
            _ => r.to_string(),
        })
        .collect()
}

/// Non-overlapping windows scoring at least `floor`, best first.
fn fuzzy_candidates(file: &FileLines, search: &[&str], floor: f64) -> Vec<(usize, f64)> {
    if search.is_empty() || search.len() > file.lines.len() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, f64)> = (0..=file.lines.len() - search.len())
        .filter_map(|i| window_similarity(&file.lines[i..], search, floor).map(|sim| (i, sim)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut kept: Vec<(usize, f64)> = Vec::new();
    for (at, score) in scored {
        if kept.iter().all(|(k, _)| at.abs_diff(*k) >= search.len()) {
            kept.push((at, score));
        }
    }
    kept
}

/// Character-weighted similarity of a window to the search (trimmed lines, so indentation does
/// not count), or `None` as soon as it cannot reach `floor`. Weighting by length keeps short
/// lines such as `}` from inflating the score of a window whose real lines differ.
fn window_similarity(window: &[&str], search: &[&str], floor: f64) -> Option<f64> {
    let pairs: Vec<(&str, &str)> = window.iter().zip(search).map(|(a, b)| (a.trim(), b.trim())).collect();
    let total: usize = pairs.iter().map(|(a, b)| a.chars().count().max(b.chars().count())).sum();
    if total == 0 {
        return Some(1.0);
    }
    let budget = (1.0 - floor) * total as f64;
    let mut loss = 0usize;
    for (a, b) in pairs {
        if a == b {
            continue;
        }
        let lower_bound = a.chars().count().abs_diff(b.chars().count());
        if (loss + lower_bound) as f64 > budget {
            return None;
        }
        loss += strsim::levenshtein(a, b);
        if loss as f64 > budget {
            return None;
        }
    }
    Some(1.0 - loss as f64 / total as f64)
}

/// The best window regardless of floor, for the error message.
fn closest(file: &[&str], search: &[&str]) -> Option<Closest> {
    if search.is_empty() || search.len() > file.len() {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for i in 0..=file.len() - search.len() {
        let floor = best.map_or(0.0, |(_, s)| s);
        if let Some(sim) = window_similarity(&file[i..], search, floor) {
            if best.is_none_or(|(_, s)| sim > s) {
                best = Some((i, sim));
            }
        }
    }
    best.map(|(i, similarity)| Closest { start_line: i + 1, end_line: i + search.len(), similarity })
}

/// Aider's `...` handling: SEARCH and REPLACE elide the same places; each kept piece must
/// match exactly (or up to whitespace) and uniquely.
fn elided(text: &str, req: &Request, opts: &MatchOptions) -> Result<String, EditErrorKind> {
    let search_pieces = split_on_elisions(req.search);
    let replace_pieces = split_on_elisions(req.replace);
    if search_pieces.len() != replace_pieces.len() {
        return Err(EditErrorKind::ElisionInSearch);
    }
    let strict = MatchOptions { fuzzy_floor: None, ..opts.clone() };
    let mut current = text.to_string();
    for (s, r) in search_pieces.iter().zip(&replace_pieces) {
        if s.trim().is_empty() {
            if r.trim().is_empty() {
                continue;
            }
            return Err(EditErrorKind::ElisionInSearch);
        }
        let piece = Request { search: s, replace: r, hint: None, replace_all: false };
        current = replace_in(&current, &piece, &strict).map_err(|_| EditErrorKind::ElisionInSearch)?.0;
    }
    Ok(current)
}

fn split_on_elisions(text: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if is_elision(line) {
            pieces.push(String::new());
        } else if let Some(last) = pieces.last_mut() {
            last.push_str(line);
        }
    }
    pieces
}

/// The new text may only carry placeholder lines that were already in the replaced region.
fn refuse_new_elisions(replace: &str, region: &str) -> Result<(), EditErrorKind> {
    let with = owned(&split_lines(replace));
    refuse_new_elisions_lines(&with, &split_lines(region))
}

pub(crate) fn refuse_new_elisions_lines(with: &[String], region: &[&str]) -> Result<(), EditErrorKind> {
    let introduced = with
        .iter()
        .filter(|l| l.trim() != "..." && is_elision(l))
        .any(|l| !region.iter().any(|r| r.trim() == l.trim()));
    if introduced {
        Err(EditErrorKind::ElisionInReplacement)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        text: &str,
        search: &str,
        replace: &str,
        hint: Option<usize>,
    ) -> Result<(String, Layer), EditErrorKind> {
        let req = Request { search, replace, hint, replace_all: false };
        replace_in(text, &req, &MatchOptions::default())
    }

    #[test]
    fn exact_unique_match_replaces_in_place() {
        assert_eq!(run("a\nb\nc\n", "b\n", "B\n", None), Ok(("a\nB\nc\n".into(), Layer::Exact)));
    }

    #[test]
    fn duplicate_search_is_ambiguous_not_first_match() {
        assert_eq!(run("x\ny\nx\n", "x\n", "z\n", None), Err(EditErrorKind::Ambiguous { lines: vec![1, 3] }));
    }

    #[test]
    fn line_hint_picks_among_duplicates() {
        assert_eq!(run("x\ny\nx\n", "x\n", "z\n", Some(3)).map(|r| r.0), Ok("x\ny\nz\n".into()));
    }

    #[test]
    fn whole_line_search_does_not_match_inside_a_longer_line() {
        assert_eq!(
            run("max = 1\nx = 1\n", "x = 1\n", "x = 2\n", None).map(|r| r.0),
            Ok("max = 1\nx = 2\n".into())
        );
    }

    #[test]
    fn missing_indentation_is_restored_on_the_replacement() {
        let got = run("    line1\n    line2\n    line3\n", "line1\nline2\n", "new1\nnew2\n", None);
        assert_eq!(got, Ok(("    new1\n    new2\n    line3\n".into(), Layer::Indentation)));
    }

    #[test]
    fn fuzzy_match_needs_the_floor_and_reports_the_closest_lines() {
        let file = "fn a() {\n    let total = compute(1);\n    total\n}\n";
        let near = run(file, "    let total = compute(2);\n", "    let total = compute(3);\n", None);
        assert_eq!(near.map(|r| r.1), Ok(Layer::Fuzzy));
        let far = run(file, "something else entirely\n", "x\n", None);
        let Err(EditErrorKind::NoMatch { closest: Some(c), .. }) = far else { panic!("expected no match") };
        assert!(c.similarity < 0.9);
    }

    #[test]
    fn elided_search_matches_each_piece_exactly() {
        let file = "a\nb\nc\nd\ne\n";
        let got = run(file, "a\n...\ne\n", "A\n...\nE\n", None);
        assert_eq!(got.map(|r| r.0), Ok("A\nb\nc\nd\nE\n".into()));
    }

    #[test]
    fn placeholder_in_replacement_is_refused() {
        let got = run("a\nb\nc\n", "b\n", "// ... existing code ...\nB\n", None);
        assert_eq!(got, Err(EditErrorKind::ElisionInReplacement));
    }
}
