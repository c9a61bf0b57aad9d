//! Ranking definitions the way Aider does: files linked by the identifiers one references and
//! another defines, personalised PageRank over those links, then each definition's share of
//! the rank that flows along its edges.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::tags::FileTags;
use crate::Focus;

const DAMPING: f64 = 0.85;
const MAX_ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-6;

/// A file and the identifier it defines, with the rank that reached it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RankedDefinition<'a> {
    pub(crate) file: &'a str,
    pub(crate) ident: &'a str,
    pub(crate) rank: f64,
}

struct Edge<'a> {
    from: usize,
    to: usize,
    ident: &'a str,
    weight: f64,
}

pub(crate) struct Ranking<'a> {
    /// Highest first; ties by path, then identifier.
    pub(crate) definitions: Vec<RankedDefinition<'a>>,
    /// Every file's PageRank, indexed like the map's files.
    pub(crate) file_ranks: Vec<(&'a str, f64)>,
}

pub(crate) fn rank<'a>(files: &'a BTreeMap<String, FileTags>, focus: &Focus) -> Ranking<'a> {
    let paths: Vec<&str> = files.keys().map(String::as_str).collect();
    let edges = build_edges(files, focus);
    let personal = personalization(&paths, focus);
    let file_ranks = pagerank(paths.len(), &edges, &personal);

    let mut out_weight = vec![0.0; paths.len()];
    for edge in &edges {
        out_weight[edge.from] += edge.weight;
    }
    let mut by_definition: FxHashMap<(usize, &str), f64> = FxHashMap::default();
    for edge in &edges {
        let share = file_ranks[edge.from] * edge.weight / out_weight[edge.from];
        *by_definition.entry((edge.to, edge.ident)).or_insert(0.0) += share;
    }
    let mut definitions: Vec<RankedDefinition> = by_definition
        .into_iter()
        .map(|((file, ident), rank)| RankedDefinition { file: paths[file], ident, rank })
        .collect();
    definitions.sort_by(|a, b| {
        b.rank.total_cmp(&a.rank).then_with(|| a.file.cmp(b.file)).then_with(|| a.ident.cmp(b.ident))
    });
    Ranking { definitions, file_ranks: paths.into_iter().zip(file_ranks).collect() }
}

fn build_edges<'a>(files: &'a BTreeMap<String, FileTags>, focus: &Focus) -> Vec<Edge<'a>> {
    let mut definers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut referencers: FxHashMap<&str, Vec<(usize, u32)>> = FxHashMap::default();
    for (index, tags) in files.values().enumerate() {
        for definition in &tags.definitions {
            let list = definers.entry(definition.name.as_str()).or_default();
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
        for (ident, count) in &tags.references {
            referencers.entry(ident.as_str()).or_default().push((index, *count));
        }
    }
    let focus_idents: FxHashSet<&str> = focus.idents.iter().map(String::as_str).collect();

    let mut edges = Vec::new();
    for (&ident, defined_in) in &definers {
        let multiplier = ident_multiplier(ident, defined_in.len(), &focus_idents);
        let Some(referenced_in) = referencers.get(ident) else {
            // Unreferenced definitions still deserve a faint place in the map, and a larger
            // share of their file's rank when the conversation names them.
            for &file in defined_in {
                edges.push(Edge { from: file, to: file, ident, weight: 0.1 * multiplier });
            }
            continue;
        };
        for &(from, count) in referenced_in {
            for &to in defined_in {
                edges.push(Edge { from, to, ident, weight: multiplier * f64::from(count).sqrt() });
            }
        }
    }
    edges
}

/// How much one identifier's links count: focus and distinctive names up, private and
/// ubiquitous names (`new`, `run`) down.
fn ident_multiplier(ident: &str, definer_count: usize, focus_idents: &FxHashSet<&str>) -> f64 {
    let mut multiplier = 1.0;
    if focus_idents.contains(ident) {
        multiplier *= 10.0;
    }
    let has_letter = ident.chars().any(char::is_alphabetic);
    let is_snake = ident.contains('_') && has_letter;
    let is_camel = ident.chars().any(char::is_uppercase) && ident.chars().any(char::is_lowercase);
    if (is_snake || is_camel) && ident.chars().count() >= 8 {
        multiplier *= 10.0;
    }
    if ident.starts_with('_') {
        multiplier *= 0.1;
    }
    if definer_count > 5 {
        multiplier *= 0.1;
    }
    multiplier
}

/// Weight on the focus files and on files named like a focus identifier (`util` → `util.rs`);
/// uniform when the conversation names nothing the map knows.
fn personalization(paths: &[&str], focus: &Focus) -> Vec<f64> {
    let focus_files: FxHashSet<&str> = focus.files.iter().map(|f| normalize(f)).collect();
    let focus_idents: FxHashSet<&str> = focus.idents.iter().map(String::as_str).collect();
    let mut weights: Vec<f64> = paths
        .iter()
        .map(|path| {
            let stem = path.rsplit('/').next().and_then(|name| name.split('.').next()).unwrap_or_default();
            let named = focus_files.contains(path) || focus_idents.contains(stem);
            if named {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total == 0.0 {
        weights.fill(1.0);
    }
    let total: f64 = weights.iter().sum();
    weights.iter_mut().for_each(|w| *w /= total.max(f64::MIN_POSITIVE));
    weights
}

pub(crate) fn normalize(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

/// Personalised PageRank with weighted edges; a file with no outgoing links hands its rank
/// back through the personalization vector, as networkx does.
fn pagerank(node_count: usize, edges: &[Edge], personal: &[f64]) -> Vec<f64> {
    let mut out_weight = vec![0.0; node_count];
    for edge in edges {
        out_weight[edge.from] += edge.weight;
    }
    let mut ranks = personal.to_vec();
    for _ in 0..MAX_ITERATIONS {
        let dangling: f64 = (0..node_count).filter(|&n| out_weight[n] == 0.0).map(|n| ranks[n]).sum();
        let mut next: Vec<f64> = personal.iter().map(|p| (1.0 - DAMPING + DAMPING * dangling) * p).collect();
        for edge in edges {
            next[edge.to] += DAMPING * ranks[edge.from] * edge.weight / out_weight[edge.from];
        }
        let change: f64 = next.iter().zip(&ranks).map(|(a, b)| (a - b).abs()).sum();
        ranks = next;
        if change < node_count as f64 * TOLERANCE {
            break;
        }
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagerank_sends_rank_to_the_file_everyone_points_at() {
        let edges: Vec<Edge> = (1..4).map(|from| Edge { from, to: 0, ident: "x", weight: 1.0 }).collect();
        let ranks = pagerank(4, &edges, &[0.25; 4]);
        assert!(ranks[0] > ranks[1] * 3.0, "{ranks:?}");
        let total: f64 = ranks.iter().sum();
        assert!((total - 1.0).abs() < 1e-6, "rank is conserved, got {total}");
    }

    #[test]
    fn personalization_pulls_rank_toward_the_focus_node() {
        // A ring: without personalization every node ranks the same.
        let edges: Vec<Edge> =
            (0..3).map(|n| Edge { from: n, to: (n + 1) % 3, ident: "x", weight: 1.0 }).collect();
        let ranks = pagerank(3, &edges, &[1.0, 0.0, 0.0]);
        assert!(ranks[0] > ranks[2], "{ranks:?}");
    }

    #[test]
    fn distinctive_names_weigh_more_than_common_or_private_ones() {
        let none = FxHashSet::default();
        assert!(ident_multiplier("parse_reply", 1, &none) > ident_multiplier("parse", 1, &none));
        assert!(ident_multiplier("_hidden", 1, &none) < ident_multiplier("hidden", 1, &none));
        assert!(ident_multiplier("new", 6, &none) < ident_multiplier("new", 1, &none));
        let focus: FxHashSet<&str> = ["parse"].into_iter().collect();
        assert!(ident_multiplier("parse", 1, &focus) > ident_multiplier("parse", 1, &none));
    }
}
