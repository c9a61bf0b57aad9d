//! Proposals: a base text, a proposed text, and hunks a person accepts or rejects one by one.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diff::line_changes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HunkState {
    Pending,
    Accepted,
    Rejected,
}

/// One changed region between base and proposed text. Lines keep their terminators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    /// 0-based line range in the base text.
    pub base_range: Range<usize>,
    /// 0-based line range in the proposed text.
    pub proposed_range: Range<usize>,
    pub old_lines: Vec<String>,
    pub new_lines: Vec<String>,
    pub state: HunkState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProposalKind {
    Modify,
    Create,
    Delete,
    Rename { from: String },
}

/// What the model wants a file to become, against the exact text it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub path: String,
    pub base_text: String,
    /// SHA-256 of `base_text`, hex: on accept, the disk is compared by hash, not by time.
    pub base_hash: String,
    pub proposed_text: String,
    pub kind: ProposalKind,
    pub hunks: Vec<Hunk>,
}

impl Proposal {
    /// Builds a proposal with all hunks pending.
    pub fn new(path: &str, base_text: &str, proposed_text: &str, kind: ProposalKind) -> Self {
        Self {
            path: path.to_string(),
            base_text: base_text.to_string(),
            base_hash: sha256_hex(base_text),
            proposed_text: proposed_text.to_string(),
            kind,
            hunks: compute_hunks(base_text, proposed_text),
        }
    }

    /// The text with only the accepted hunks applied.
    pub fn accepted_text(&self) -> String {
        apply_hunk_states(&self.base_text, &self.proposed_text, &self.hunks)
    }
}

/// Hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Line hunks (Histogram diff) from base to proposed, all pending.
pub fn compute_hunks(base: &str, proposed: &str) -> Vec<Hunk> {
    let old: Vec<&str> = base.split_inclusive('\n').collect();
    let new: Vec<&str> = proposed.split_inclusive('\n').collect();
    line_changes(&old, &new)
        .into_iter()
        .map(|c| Hunk {
            old_lines: old[c.before.clone()].iter().map(|l| l.to_string()).collect(),
            new_lines: new[c.after.clone()].iter().map(|l| l.to_string()).collect(),
            base_range: c.before,
            proposed_range: c.after,
            state: HunkState::Pending,
        })
        .collect()
}

/// The base text with the accepted hunks applied and every other hunk left as in the base.
pub fn apply_hunk_states(base: &str, proposed: &str, hunks: &[Hunk]) -> String {
    if !hunks.is_empty() && hunks.iter().all(|h| h.state == HunkState::Accepted) {
        return proposed.to_string();
    }
    rebuild(base, hunks, |_, h| (h.state == HunkState::Accepted).then(|| h.new_lines.concat()))
}

/// Walks the base, substituting each hunk's region with `pick`'s text (or the base lines).
fn rebuild(base: &str, hunks: &[Hunk], pick: impl Fn(usize, &Hunk) -> Option<String>) -> String {
    let lines: Vec<&str> = base.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut pos = 0;
    for (i, hunk) in hunks.iter().enumerate() {
        let start = hunk.base_range.start.min(lines.len());
        let end = hunk.base_range.end.min(lines.len()).max(start);
        out.extend(lines[pos.min(start)..start].iter().copied());
        match pick(i, hunk) {
            Some(text) => out.push_str(&text),
            None => out.extend(lines[start..end].iter().copied()),
        }
        pos = end;
    }
    out.extend(lines[pos.min(lines.len())..].iter().copied());
    out
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HunkError {
    #[error("there is no hunk {index} (the proposal has {count})")]
    NoSuchHunk { index: usize, count: usize },
}

/// A copy of the proposal where hunk `index` proposes `new_text` instead; the other hunks keep
/// their state, the edited one goes back to pending.
pub fn replace_hunk_text(proposal: &Proposal, index: usize, new_text: &str) -> Result<Proposal, HunkError> {
    let Some(target) = proposal.hunks.get(index) else {
        return Err(HunkError::NoSuchHunk { index, count: proposal.hunks.len() });
    };
    let new_text = with_terminator_like(new_text, target);
    let proposed = rebuild(&proposal.base_text, &proposal.hunks, |i, h| {
        Some(if i == index { new_text.clone() } else { h.new_lines.concat() })
    });
    let mut hunks = compute_hunks(&proposal.base_text, &proposed);
    for hunk in &mut hunks {
        let same = proposal.hunks.iter().enumerate().find(|(i, old)| {
            *i != index && old.base_range == hunk.base_range && old.new_lines == hunk.new_lines
        });
        if let Some((_, old)) = same {
            hunk.state = old.state;
        }
    }
    Ok(Proposal { proposed_text: proposed, hunks, ..proposal.clone() })
}

/// A person's edited hunk text usually lacks the final line break the hunk had.
fn with_terminator_like(text: &str, hunk: &Hunk) -> String {
    let ending = hunk.new_lines.iter().chain(&hunk.old_lines).last().map(|l| {
        if l.ends_with("\r\n") {
            "\r\n"
        } else if l.ends_with('\n') {
            "\n"
        } else {
            ""
        }
    });
    match ending {
        Some(end) if !text.is_empty() && !text.ends_with('\n') => format!("{text}{end}"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "a\nb\nc\nd\ne\n";
    const PROPOSED: &str = "a\nB\nc\nd\nE\n";

    #[test]
    fn only_accepted_hunks_are_applied() {
        let mut p = Proposal::new("f", BASE, PROPOSED, ProposalKind::Modify);
        assert_eq!(p.hunks.len(), 2);
        p.hunks[1].state = HunkState::Accepted;
        assert_eq!(p.accepted_text(), "a\nb\nc\nd\nE\n");
        p.hunks[0].state = HunkState::Accepted;
        assert_eq!(p.accepted_text(), PROPOSED);
    }

    #[test]
    fn base_hash_is_sha256_hex() {
        let p = Proposal::new("f", "", "x\n", ProposalKind::Create);
        assert_eq!(p.base_hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn editing_a_hunk_keeps_other_hunk_states() {
        let mut p = Proposal::new("f", BASE, PROPOSED, ProposalKind::Modify);
        p.hunks[1].state = HunkState::Accepted;
        let edited = replace_hunk_text(&p, 0, "Bee").expect("hunk 0 exists");
        assert_eq!(edited.proposed_text, "a\nBee\nc\nd\nE\n");
        assert_eq!(edited.hunks[0].state, HunkState::Pending);
        assert_eq!(edited.hunks[1].state, HunkState::Accepted);
    }

    #[test]
    fn crlf_lines_stay_crlf_in_hunks() {
        let p = Proposal::new("f", "a\r\nb\r\n", "a\r\nc\r\n", ProposalKind::Modify);
        assert_eq!(p.hunks[0].new_lines, vec!["c\r\n".to_string()]);
    }
}
