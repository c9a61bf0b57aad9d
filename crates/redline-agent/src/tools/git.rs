//! `git_status` and `git_diff`, read through `redline-git` (and libgit2 directly for the staged
//! diff, which `redline-git` does not offer).

use std::path::Path;

use redline_git::{Change, ChangeKind, DiffLineKind, FileDiff, HeadState, Repo};
use redline_project::outbound::{gate, Source};
use redline_project::{Hidden, ProjectRoot, Visibility};
use serde::Deserialize;

use super::ignored::hidden;
use super::{cap_content, lenient_bool, ToolOutput};

/// A diff is cut after this many bytes; the model is told to ask for one path at a time.
pub const DIFF_CAP: usize = 64 * 1024;
/// The patch read before filtering: more than the cap, so filtering out folders still leaves
/// enough to fill it.
const PATCH_READ_LIMIT: usize = 8 * 1024 * 1024;
const STATUS_MAX_FILES: usize = 500;

/// The repository holding the project, and where the project sits inside its work tree.
struct Located {
    repo: Repo,
    /// The project's folder relative to the work tree, `/`-separated, `""` when they coincide.
    prefix: String,
}

fn locate(root: &ProjectRoot) -> Result<Option<Located>, String> {
    let Some(repo) = Repo::discover(root.path()).map_err(|e| e.to_string())? else { return Ok(None) };
    let prefix = root.path().strip_prefix(repo.workdir()).map(slash).unwrap_or_default();
    Ok(Some(Located { repo, prefix }))
}

fn slash(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

impl Located {
    /// The project-relative form of a work-tree path, `None` when it lies outside the project.
    fn project_path<'a>(&self, repo_path: &'a str) -> Option<&'a str> {
        if self.prefix.is_empty() {
            return Some(repo_path);
        }
        repo_path.strip_prefix(&self.prefix)?.strip_prefix('/')
    }

    fn repo_path(&self, project_path: &str) -> String {
        match (self.prefix.is_empty(), project_path.is_empty()) {
            (true, _) => project_path.to_owned(),
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}/{project_path}", self.prefix),
        }
    }
}

const NOT_A_REPO: &str = "not a git repository: the project folder is not inside a git work tree";

pub(crate) fn git_status(root: &ProjectRoot) -> ToolOutput {
    let mut located = match locate(root) {
        Ok(Some(located)) => located,
        Ok(None) => return ToolOutput::ok(NOT_A_REPO.to_owned(), "not a git repository".to_owned()),
        Err(e) => return ToolOutput::error(format!("cannot read the repository: {e}")),
    };
    let state = match located.repo.full_status() {
        Ok(state) => state,
        Err(e) => return ToolOutput::error(format!("cannot read the git status: {e}")),
    };
    let mut content = head_line(&state.head);
    if let Some(up) = &state.upstream {
        content.push_str(&format!(", {} ahead and {} behind {}", up.ahead, up.behind, up.name));
    }
    content.push('\n');
    let shown: Vec<(&str, &Change)> = state
        .changes
        .iter()
        .filter_map(|c| located.project_path(&c.path).map(|p| (p, c)))
        .filter(|(p, _)| hidden(root, &root.path().join(p), false) != Some(Hidden::RedlineIgnored))
        .collect();
    if shown.is_empty() {
        content.push_str("nothing changed since the last commit\n");
    }
    for (path, change) in shown.iter().take(STATUS_MAX_FILES) {
        content.push_str(&change_line(path, change));
    }
    if shown.len() > STATUS_MAX_FILES {
        content.push_str(&format!("… and {} more changed files\n", shown.len() - STATUS_MAX_FILES));
    }
    let files =
        if shown.len() == 1 { "1 changed file".to_owned() } else { format!("{} changed files", shown.len()) };
    ToolOutput::ok(content, files)
}

fn head_line(head: &HeadState) -> String {
    match head {
        HeadState::Branch { name } => format!("on branch {name}"),
        HeadState::Unborn { name } => format!("on branch {name} (no commits yet)"),
        HeadState::Detached { commit } => format!("HEAD detached at {commit}"),
    }
}

fn change_line(path: &str, change: &Change) -> String {
    let kind = match change.kind {
        ChangeKind::Modified => "modified",
        ChangeKind::Added => "added",
        ChangeKind::Deleted => "deleted",
        ChangeKind::Renamed => "renamed",
        ChangeKind::TypeChanged => "type changed",
        ChangeKind::Untracked => "untracked",
        ChangeKind::Conflicted => "conflicted",
    };
    let staging = match (change.kind, change.staged, change.unstaged) {
        (ChangeKind::Untracked, ..) => "",
        (_, true, true) => ", partly staged",
        (_, true, false) => ", staged",
        (_, false, _) => ", not staged",
    };
    let from = change.orig_path.as_deref().map(|o| format!(" (from {o})")).unwrap_or_default();
    format!("{kind:<12} {path}{from}{staging}\n")
}

#[derive(Debug, Deserialize)]
pub(crate) struct DiffArgs {
    #[serde(default)]
    path: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    staged: Option<bool>,
}

pub(crate) fn git_diff(root: &ProjectRoot, args: DiffArgs) -> ToolOutput {
    match diff(root, &args) {
        Ok(output) => output,
        Err(message) => ToolOutput::error(message),
    }
}

fn diff(root: &ProjectRoot, args: &DiffArgs) -> Result<ToolOutput, String> {
    let path = args.path.as_deref().map(str::trim).unwrap_or("").trim_end_matches('/');
    let path = if path == "." { "" } else { path };
    let abs = root.resolve(path).map_err(|e| e.to_string())?;
    let meta = root.metadata(path).ok();
    let visibility = Visibility::new(root.path());
    if let Some(why) = visibility.hidden(&abs, meta.as_ref().is_some_and(|m| m.is_dir())) {
        return Err(why.reason(path));
    }
    let Some(located) = locate(root)? else {
        return Ok(ToolOutput::ok(NOT_A_REPO.to_owned(), "not a git repository".into()));
    };
    let repo_path = located.repo_path(path);
    let staged = args.staged.unwrap_or(false);
    let patch = if staged {
        staged_patch(located.repo.workdir(), &repo_path)
            .map_err(|e| format!("cannot compute the staged diff: {e}"))?
    } else if meta.is_none_or(|m| m.is_file()) {
        // One file, or one that is gone (its deletion is the diff).
        let diff = located.repo.file_diff(&repo_path).map_err(|e| format!("cannot compute the diff: {e}"))?;
        render_file_diff(&diff)
    } else {
        let prefix = located.prefix.clone();
        // Files the policy hides (ignored, untracked secrets) are never even read into the patch.
        let keep = |repo_path: &str| visibility.visible_in_repo(&prefix, repo_path);
        located
            .repo
            .worktree_patch_where(PATCH_READ_LIMIT, &keep)
            .map_err(|e| format!("cannot compute the diff: {e}"))?
    };
    let sections: Vec<String> = split_patch(&patch)
        .into_iter()
        .filter(|(file, _)| within(&repo_path, file))
        .filter(|(file, _)| visibility.visible_in_repo(&located.prefix, file))
        .map(|(_, text)| text)
        .collect();
    let what = if staged { "staged changes" } else { "uncommitted changes" };
    let place = if path.is_empty() { String::new() } else { format!(" in {path}") };
    if sections.is_empty() {
        return Ok(ToolOutput::ok(format!("no {what}{place}"), format!("no {what}{place}")));
    }
    // Each file's part is redacted by that file's own path (a `.env` loses every value).
    let gated = gate(&visibility, Source::Diff { prefix: &located.prefix }, &sections.concat());
    let body = gated.text;
    let (added, removed) = count_lines(&body);
    let mut summary = format!(
        "diff of {} file{} (+{added} −{removed})",
        sections.len(),
        if sections.len() == 1 { "" } else { "s" }
    );
    if let Some(note) = redline_project::redact::describe(&gated.redactions) {
        summary = format!("{summary} ({note})");
    }
    let mut content = if located.prefix.is_empty() {
        String::new()
    } else {
        format!(
            "(paths are relative to the repository root; the project is its folder {}/)\n",
            located.prefix
        )
    };
    content.push_str(&body);
    if content.len() > DIFF_CAP {
        content = cap_content(content, DIFF_CAP);
        content.push_str("ask git_diff for one path at a time to see the rest\n");
    }
    Ok(ToolOutput { content, summary, is_error: false })
}

/// Whether `file` (work-tree relative) is `scope` or inside it; `""` is everything.
fn within(scope: &str, file: &str) -> bool {
    scope.is_empty() || file == scope || file.strip_prefix(scope).is_some_and(|rest| rest.starts_with('/'))
}

/// The index against HEAD, as a patch.
fn staged_patch(workdir: &Path, repo_path: &str) -> Result<String, git2::Error> {
    let repo = git2::Repository::open(workdir)?;
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree()?),
        Err(_) => None,
    };
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(3);
    if !repo_path.is_empty() {
        opts.pathspec(repo_path);
    }
    let diff = repo.diff_tree_to_index(head_tree.as_ref(), None, Some(&mut opts))?;
    let mut out = String::new();
    diff.print(git2::DiffFormat::Patch, |_, _, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            out.push(line.origin());
        }
        out.push_str(&String::from_utf8_lossy(line.content()));
        out.len() < PATCH_READ_LIMIT
    })
    .or_else(|e| if out.len() >= PATCH_READ_LIMIT { Ok(()) } else { Err(e) })?;
    Ok(out)
}

fn render_file_diff(diff: &FileDiff) -> String {
    let old = diff.orig_path.as_deref().unwrap_or(&diff.path);
    let mut out = format!("diff --git a/{old} b/{}\n", diff.path);
    if diff.binary {
        out.push_str("Binary files differ\n");
        return out;
    }
    if diff.hunks.is_empty() {
        return String::new();
    }
    let old_side = if diff.old_text.is_some() { format!("a/{old}") } else { "/dev/null".to_owned() };
    let new_side = if diff.new_text.is_some() { format!("b/{}", diff.path) } else { "/dev/null".to_owned() };
    out.push_str(&format!("--- {old_side}\n+++ {new_side}\n"));
    for hunk in &diff.hunks {
        out.push_str(&hunk.header);
        out.push('\n');
        for line in &hunk.lines {
            let sign = match line.kind {
                DiffLineKind::Context => ' ',
                DiffLineKind::Added => '+',
                DiffLineKind::Removed => '-',
            };
            out.push(sign);
            out.push_str(&line.text);
            out.push('\n');
        }
    }
    out
}

/// A patch split into its files: (work-tree path, the file's part of the patch).
fn split_patch(patch: &str) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in patch.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("diff --git ") {
            sections.push((header_path(header), String::new()));
        }
        if let Some((_, text)) = sections.last_mut() {
            text.push_str(line);
        }
    }
    sections
}

/// The new side's path of a `diff --git a/x b/x` header (the old one's for a deletion reads the
/// same, since git names both sides).
fn header_path(header: &str) -> String {
    let header = header.trim_end();
    match header.rfind(" b/") {
        Some(i) => header[i + 3..].to_owned(),
        None => header.trim_start_matches("a/").to_owned(),
    }
}

fn count_lines(patch: &str) -> (usize, usize) {
    let body = patch.lines().filter(|l| !l.starts_with("+++") && !l.starts_with("---"));
    body.fold((0, 0), |(a, r), l| match l.as_bytes().first() {
        Some(b'+') => (a + 1, r),
        Some(b'-') => (a, r + 1),
        _ => (a, r),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use git2::Repository;
    use serde_json::json;

    use crate::tools::run_read_only;
    use crate::tools::testing::project;

    /// A repository with `a.txt` and `src/b.txt` committed, then `a.txt` changed, `src/b.txt`
    /// staged with a change, and `new.txt` untracked.
    fn repo() -> (tempfile::TempDir, redline_project::ProjectRoot) {
        let (dir, root) = project(&[
            ("a.txt", b"one\ntwo\n"),
            ("src/b.txt", b"bee\n"),
            (".redlineignore", b"hidden.txt\n"),
        ]);
        let repo = Repository::init(dir.path()).expect("init");
        let mut config = repo.config().expect("config");
        config.set_str("user.name", "Tester").expect("name");
        config.set_str("user.email", "t@example.com").expect("email");
        let mut index = repo.index().expect("index");
        for p in ["a.txt", "src/b.txt", ".redlineignore"] {
            index.add_path(Path::new(p)).expect("add");
        }
        index.write().expect("write index");
        let tree = repo.find_tree(index.write_tree().expect("tree")).expect("tree");
        let sig =
            git2::Signature::new("Tester", "t@example.com", &git2::Time::new(1_700_000_000, 0)).expect("sig");
        repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[]).expect("commit");
        std::fs::write(dir.path().join("a.txt"), "one\n2\n").expect("write");
        std::fs::write(dir.path().join("src/b.txt"), "bee\nsting\n").expect("write");
        index.add_path(Path::new("src/b.txt")).expect("stage");
        index.write().expect("write index");
        std::fs::write(dir.path().join("new.txt"), "fresh\n").expect("write");
        std::fs::write(dir.path().join("hidden.txt"), "classified\n").expect("write");
        (dir, root)
    }

    #[test]
    fn status_lists_each_change_with_its_state_and_hides_redlineignored_files() {
        let (_d, root) = repo();
        let out = run_read_only(&root, "git_status", &json!({}));
        assert!(!out.is_error, "{out:?}");
        let lines: Vec<&str> = out.content.lines().collect();
        assert!(lines[0].starts_with("on branch "), "{}", out.content);
        assert_eq!(
            &lines[1..],
            ["modified     a.txt, not staged", "untracked    new.txt", "modified     src/b.txt, staged"]
        );
        assert_eq!(out.summary, "3 changed files");
    }

    #[test]
    fn a_folder_without_git_says_so_instead_of_failing() {
        let (_d, root) = project(&[("a.txt", b"a\n")]);
        let status = run_read_only(&root, "git_status", &json!({}));
        let diff = run_read_only(&root, "git_diff", &json!({}));
        assert!(status.content.starts_with("not a git repository") && !status.is_error, "{status:?}");
        assert!(diff.content.starts_with("not a git repository"), "{diff:?}");
    }

    #[test]
    fn the_diff_covers_staged_unstaged_and_new_files_and_narrows_by_path() {
        let (_d, root) = repo();
        let all = run_read_only(&root, "git_diff", &json!({}));
        assert!(
            all.content.contains("-two\n+2\n")
                && all.content.contains("+sting\n")
                && all.content.contains("+fresh\n"),
            "{}",
            all.content
        );
        assert!(!all.content.contains("classified"), "{}", all.content);
        assert_eq!(all.summary, "diff of 3 files (+3 −1)");
        let one = run_read_only(&root, "git_diff", &json!({"path": "a.txt"}));
        assert!(
            one.content.contains("--- a/a.txt\n+++ b/a.txt\n@@") && !one.content.contains("sting"),
            "{}",
            one.content
        );
        let folder = run_read_only(&root, "git_diff", &json!({"path": "src/"}));
        assert_eq!(folder.summary, "diff of 1 file (+1 −0)");
    }

    #[test]
    fn staged_true_shows_only_the_index() {
        let (_d, root) = repo();
        let out = run_read_only(&root, "git_diff", &json!({"staged": true}));
        assert!(
            out.content.contains("+sting") && !out.content.contains("+2") && !out.content.contains("fresh"),
            "{}",
            out.content
        );
        let clean = run_read_only(&root, "git_diff", &json!({"staged": true, "path": "a.txt"}));
        assert_eq!(clean.content, "no staged changes in a.txt");
    }

    #[test]
    fn diffing_an_ignored_or_outside_path_is_refused() {
        let (_d, root) = repo();
        let hidden = run_read_only(&root, "git_diff", &json!({"path": "hidden.txt"}));
        assert!(hidden.is_error && hidden.content.contains(".redlineignore"), "{hidden:?}");
        let outside = run_read_only(&root, "git_diff", &json!({"path": "../x"}));
        assert!(outside.is_error, "{outside:?}");
    }
}
