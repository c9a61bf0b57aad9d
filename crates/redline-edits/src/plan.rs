//! The whole pipeline for one reply without touching the disk: parse, read each file through
//! the caller's function, apply, and say per file what would be written.

use serde::{Deserialize, Serialize};

use crate::apply::{apply_file, FileApply, FileResult};
use crate::edit::{Edit, EditKind, ParseOutput};
use crate::error::{EditError, EditErrorKind};
use crate::matching::MatchOptions;
use crate::parse::{parse_reply_with, FormatChoice, ParseOptions};
use crate::proposal::{compute_hunks, Proposal, ProposalKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Applied,
    Created,
    Deleted,
    Renamed,
    Unchanged,
    Failed,
}

/// What would happen to one file. `new_text` is what the caller writes; a failed file has none.
/// A file where some blocks applied and others failed is `Applied` with `error` set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOutcome {
    pub path: String,
    pub status: FileStatus,
    /// Every failure for this file, one per line, worded for the model.
    pub error: Option<String>,
    pub blocks_applied: usize,
    pub blocks_failed: usize,
    /// Diff hunks between the current and the new text.
    pub hunks: usize,
    pub new_text: Option<String>,
    pub renamed_to: Option<String>,
    pub proposal: Option<Proposal>,
}

/// Plans a reply with Redline's default tolerances. Parse errors come back as `Failed`
/// outcomes with an empty path.
pub fn plan_reply(
    reply: &str,
    format: FormatChoice,
    read: &dyn Fn(&str) -> Option<String>,
) -> Vec<FileOutcome> {
    plan_reply_with(reply, format, read, &ParseOptions::default(), &MatchOptions::default())
}

/// [`plan_reply`] with explicit parse and match options.
pub fn plan_reply_with(
    reply: &str,
    format: FormatChoice,
    read: &dyn Fn(&str) -> Option<String>,
    parse_opts: &ParseOptions,
    match_opts: &MatchOptions,
) -> Vec<FileOutcome> {
    plan_parsed(&parse_reply_with(reply, format, parse_opts), read, match_opts)
}

/// Plans edits already read (a finished stream's events collected into a [`ParseOutput`], or
/// tool calls read with [`read_tool_calls`](crate::read_tool_calls)) like [`plan_reply_with`]
/// plans a reply, without reading the reply again.
pub fn plan_parsed(
    parsed: &ParseOutput,
    read: &dyn Fn(&str) -> Option<String>,
    match_opts: &MatchOptions,
) -> Vec<FileOutcome> {
    let mut outcomes: Vec<FileOutcome> = group_by_path(&parsed.edits)
        .into_iter()
        .map(|(path, edits)| plan_file(path, &edits, read, match_opts))
        .collect();
    outcomes.extend(parsed.errors.iter().map(|e| failed("", e.to_string(), 0)));
    outcomes
}

/// Plans edits read elsewhere — an `apply_patch` tool call's, from
/// [`parse_apply_patch_call`](crate::parse_apply_patch_call) — like a reply's: one outcome per
/// file, in the order files first appear.
pub fn plan_edits(
    edits: &[Edit],
    read: &dyn Fn(&str) -> Option<String>,
    match_opts: &MatchOptions,
) -> Vec<FileOutcome> {
    group_by_path(edits).into_iter().map(|(path, edits)| plan_file(path, &edits, read, match_opts)).collect()
}

/// Edits per path, in the order paths first appear.
fn group_by_path(edits: &[Edit]) -> Vec<(&str, Vec<&Edit>)> {
    let mut groups: Vec<(&str, Vec<&Edit>)> = Vec::new();
    for edit in edits {
        match groups.iter_mut().find(|(p, _)| *p == edit.path) {
            Some((_, list)) => list.push(edit),
            None => groups.push((&edit.path, vec![edit])),
        }
    }
    groups
}

fn plan_file(
    path: &str,
    edits: &[&Edit],
    read: &dyn Fn(&str) -> Option<String>,
    opts: &MatchOptions,
) -> FileOutcome {
    let base = read(path);
    let mut applied = apply_file(base.as_deref(), edits, opts);
    refuse_move_onto_existing(&mut applied, path, edits, read);
    let error = (!applied.errors.is_empty())
        .then(|| applied.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    let blocks_failed = applied.errors.len();
    let base_text = base.unwrap_or_default();
    let (status, new_text, renamed_to, kind) = match applied.result {
        FileResult::Failed => return failed(path, error.unwrap_or_default(), blocks_failed),
        FileResult::Modified(t) => (FileStatus::Applied, Some(t), None, ProposalKind::Modify),
        FileResult::Created(t) => (FileStatus::Created, Some(t), None, ProposalKind::Create),
        FileResult::Deleted => (FileStatus::Deleted, None, None, ProposalKind::Delete),
        FileResult::Unchanged => (FileStatus::Unchanged, Some(base_text.clone()), None, ProposalKind::Modify),
        FileResult::Renamed { to, text } => {
            (FileStatus::Renamed, Some(text), Some(to), ProposalKind::Rename { from: path.to_string() })
        }
    };
    let proposed = new_text.clone().unwrap_or_default();
    let proposal_path = renamed_to.as_deref().unwrap_or(path);
    let proposal = Proposal::new(proposal_path, &base_text, &proposed, kind);
    FileOutcome {
        path: path.to_string(),
        status,
        error,
        blocks_applied: applied.applied,
        blocks_failed,
        hunks: compute_hunks(&base_text, &proposed).len(),
        new_text,
        renamed_to,
        proposal: Some(proposal),
    }
}

/// A rename never replaces another file: it would delete that file's content unseen.
fn refuse_move_onto_existing(
    applied: &mut FileApply,
    path: &str,
    edits: &[&Edit],
    read: &dyn Fn(&str) -> Option<String>,
) {
    let FileResult::Renamed { to, .. } = &applied.result else {
        return;
    };
    if to == path || read(to).is_none() {
        return;
    }
    let block = edits.iter().rev().find(|e| matches!(e.kind, EditKind::Rename { .. })).map_or(0, |e| e.block);
    let kind = EditErrorKind::DestinationExists { to: to.clone() };
    applied.errors.push(EditError { path: path.to_string(), block, kind });
    applied.result = FileResult::Failed;
}

fn failed(path: &str, error: String, blocks_failed: usize) -> FileOutcome {
    FileOutcome {
        path: path.to_string(),
        status: FileStatus::Failed,
        error: Some(error),
        blocks_applied: 0,
        blocks_failed: blocks_failed.max(1),
        hunks: 0,
        new_text: None,
        renamed_to: None,
        proposal: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(path: &str) -> Option<String> {
        (path == "a.txt").then(|| "one\ntwo\n".to_string())
    }

    #[test]
    fn plan_reports_applied_and_created_files_without_writing() {
        let reply = "a.txt\n<<<<<<< SEARCH\ntwo\n=======\n2\n>>>>>>> REPLACE\n\nnew.txt\n<<<<<<< SEARCH\n=======\nhi\n>>>>>>> REPLACE\n";
        let plan = plan_reply(reply, FormatChoice::Auto, &disk);
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].status, FileStatus::Applied);
        assert_eq!(plan[0].new_text.as_deref(), Some("one\n2\n"));
        assert_eq!(plan[1].status, FileStatus::Created);
    }

    fn files(path: &str) -> Option<String> {
        match path {
            "a.txt" => Some("one\ntwo\n".into()),
            "taken.txt" => Some("someone's file\n".into()),
            _ => None,
        }
    }

    fn plan_patch(sections: &str) -> Vec<FileOutcome> {
        let reply = format!("*** Begin Patch\n{sections}*** End Patch\n");
        plan_reply(&reply, FormatChoice::Auto, &files)
    }

    #[test]
    fn patch_move_applies_its_changes_but_never_onto_an_existing_file() {
        let moved = plan_patch("*** Update File: a.txt\n*** Move to: b.txt\n@@\n-two\n+2\n");
        assert_eq!(moved[0].status, FileStatus::Renamed);
        assert_eq!(
            (moved[0].renamed_to.as_deref(), moved[0].new_text.as_deref()),
            (Some("b.txt"), Some("one\n2\n"))
        );
        let onto = plan_patch("*** Update File: a.txt\n*** Move to: taken.txt\n@@\n-two\n+2\n");
        assert_eq!(onto[0].status, FileStatus::Failed);
        assert!(onto[0].new_text.is_none());
        assert!(
            onto[0].error.as_deref().is_some_and(|e| e.contains("already exists")),
            "{:?}",
            onto[0].error
        );
    }

    #[test]
    fn patch_move_whose_chunk_fails_neither_moves_nor_changes() {
        let plan = plan_patch("*** Update File: a.txt\n*** Move to: b.txt\n@@\n-three\n+3\n");
        assert_eq!(plan[0].status, FileStatus::Failed);
        assert!(plan[0].renamed_to.is_none() && plan[0].new_text.is_none());
    }

    #[test]
    fn patch_add_onto_an_existing_file_is_refused_while_other_files_apply() {
        let plan = plan_patch("*** Add File: taken.txt\n+mine\n*** Update File: a.txt\n@@\n-one\n+1\n");
        assert_eq!(plan[0].status, FileStatus::Failed);
        assert!(plan[0].error.as_deref().is_some_and(|e| e.contains("already exists")));
        assert_eq!(plan[1].status, FileStatus::Applied);
        assert_eq!(plan[1].new_text.as_deref(), Some("1\ntwo\n"));
    }

    #[test]
    fn fenced_patch_and_apply_patch_call_plan_the_same() {
        let patch = "*** Begin Patch\n*** Update File: a.txt\n@@\n one\n-two\n+2\n*** End Patch\n";
        let fenced = plan_reply(&format!("Changing it:\n```patch\n{patch}```\n"), FormatChoice::Auto, &files);
        let edits = crate::parse_apply_patch_call(&serde_json::json!({ "input": patch })).expect("a patch");
        let called = plan_edits(&edits, &files, &MatchOptions::default());
        assert_eq!(fenced, called);
        assert_eq!(called[0].new_text.as_deref(), Some("one\n2\n"));
    }

    #[test]
    fn planning_a_finished_stream_equals_planning_the_reply() {
        let reply = "a.txt\n<<<<<<< SEARCH\ntwo\n=======\n2\n>>>>>>> REPLACE\n\n<<<<<<< SEARCH\nnine\n";
        let mut parser = crate::StreamParser::new(FormatChoice::Auto, ParseOptions::default());
        let mut parsed: ParseOutput = parser.push(reply).into_iter().collect();
        parsed.extend(parser.finish());
        let from_stream = plan_parsed(&parsed, &disk, &MatchOptions::default());
        assert_eq!(from_stream, plan_reply(reply, FormatChoice::Auto, &disk));
        assert_eq!(from_stream.len(), 2, "the edit and the unterminated block's error");
    }

    #[test]
    fn failed_file_carries_no_new_text() {
        let reply = "a.txt\n<<<<<<< SEARCH\nthree\n=======\n3\n>>>>>>> REPLACE\n";
        let plan = plan_reply(reply, FormatChoice::Auto, &disk);
        assert_eq!(plan[0].status, FileStatus::Failed);
        assert!(plan[0].new_text.is_none());
        assert!(plan[0].error.as_deref().is_some_and(|e| e.contains("a.txt: block 1")));
    }
}
