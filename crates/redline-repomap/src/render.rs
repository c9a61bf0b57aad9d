//! The map as text: files in rank order with their definition lines, as many definitions as
//! the token budget allows.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::rank::{normalize, rank};
use crate::tags::{Definition, FileTags};
use crate::Focus;

/// What the map can show, best first: a definition, or a file name alone.
type Entry<'a> = (&'a str, Option<&'a Definition>);

pub(crate) fn render(files: &BTreeMap<String, FileTags>, focus: &Focus, budget_tokens: usize) -> String {
    let entries = ranked_entries(files, focus);
    // Rendering more entries never makes the text shorter, so the largest count that fits can
    // be found by bisection.
    let (mut fits, mut too_many) = (0, entries.len() + 1);
    while too_many - fits > 1 {
        let middle = fits + (too_many - fits) / 2;
        if estimate_tokens(&render_entries(files, &entries[..middle])) <= budget_tokens {
            fits = middle;
        } else {
            too_many = middle;
        }
    }
    render_entries(files, &entries[..fits])
}

pub(crate) fn estimate_tokens(text: &str) -> usize {
    text.len().div_ceil(4)
}

fn ranked_entries<'a>(files: &'a BTreeMap<String, FileTags>, focus: &Focus) -> Vec<Entry<'a>> {
    let ranking = rank(files, focus);
    let focus_files: FxHashSet<&str> = focus.files.iter().map(|f| normalize(f)).collect();
    let mut entries = Vec::new();
    let mut in_focus = Vec::new();
    for ranked in &ranking.definitions {
        let Some(tags) = files.get(ranked.file) else { continue };
        let target = if focus_files.contains(ranked.file) { &mut in_focus } else { &mut entries };
        target.extend(
            tags.definitions.iter().filter(|d| d.name == ranked.ident).map(|d| (ranked.file, Some(d))),
        );
    }
    let mut file_ranks = ranking.file_ranks;
    file_ranks.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let listed: FxHashSet<&str> = entries.iter().chain(&in_focus).map(|(file, _)| *file).collect();
    entries.extend(
        file_ranks
            .iter()
            .filter(|(file, _)| !listed.contains(file) && !focus_files.contains(file))
            .map(|(file, _)| (*file, None)),
    );
    // The conversation already holds the focus files; show them only when nothing else would.
    if entries.is_empty() {
        in_focus
    } else {
        entries
    }
}

fn render_entries(files: &BTreeMap<String, FileTags>, entries: &[Entry]) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut lines_by_file: FxHashMap<&str, BTreeMap<u32, &str>> = FxHashMap::default();
    for (file, definition) in entries {
        let lines = lines_by_file.entry(file).or_insert_with(|| {
            order.push(file);
            BTreeMap::new()
        });
        if let Some(definition) = definition {
            for line in definition.scopes.iter().chain([&definition.line]) {
                lines.insert(line.number, line.text.as_str());
            }
        }
    }
    let mut out = String::new();
    for file in order {
        if !out.is_empty() {
            out.push('\n');
        }
        let lines = &lines_by_file[file];
        if lines.is_empty() {
            out.push_str(file);
            out.push('\n');
            continue;
        }
        out.push_str(file);
        out.push_str(":\n");
        let mut next_expected = 0;
        for (&number, text) in lines {
            if number != next_expected {
                out.push_str("⋮\n");
            }
            out.push('│');
            out.push_str(text);
            out.push('\n');
            next_expected = number + 1;
        }
        let line_count = files.get(file).map_or(0, |tags| tags.line_count);
        if next_expected < line_count {
            out.push_str("⋮\n");
        }
    }
    out
}
