use std::path::Path;

use git2::{DiffFindOptions, DiffOptions, Patch, Repository};

use crate::{DiffHunk, DiffLine, DiffLineKind, FileDiff, GitError};

/// Files larger than this are diffed as binary: nobody reviews a 50 MB diff line by line.
const MAX_TEXT_SIZE: u64 = 8 * 1024 * 1024;

pub(crate) fn file_diff(
    repo: &Repository,
    workdir: &Path,
    path: &str,
    orig: Option<&str>,
) -> Result<FileDiff, GitError> {
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree()?),
        Err(_) => None,
    };
    let mut opts = DiffOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true)
        .disable_pathspec_match(true)
        .context_lines(3)
        .pathspec(path);
    if let Some(orig) = orig {
        opts.pathspec(orig);
    }
    let mut diff = repo.diff_tree_to_workdir_with_index(head_tree.as_ref(), Some(&mut opts))?;
    if orig.is_some() {
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    }
    let mut result = FileDiff {
        path: path.to_owned(),
        orig_path: orig.map(str::to_owned),
        binary: false,
        hunks: Vec::new(),
        old_text: None,
        new_text: None,
    };
    for index in 0..diff.deltas().len() {
        let Some(mut patch) = Patch::from_diff(&diff, index)? else {
            result.binary = true;
            continue;
        };
        let delta = patch.delta();
        let too_big = delta.new_file().size() > MAX_TEXT_SIZE || delta.old_file().size() > MAX_TEXT_SIZE;
        if delta.flags().is_binary() || too_big {
            result.binary = true;
            continue;
        }
        let old_path = delta.old_file().path().map(|p| p.to_string_lossy().into_owned());
        let old_id = delta.old_file().id();
        let new_exists = !delta.new_file().id().is_zero() || workdir.join(path).exists();
        result.hunks.extend(hunks(&mut patch)?);
        if !old_id.is_zero() {
            result.old_text =
                repo.find_blob(old_id).ok().map(|b| String::from_utf8_lossy(b.content()).into_owned());
        }
        if new_exists {
            result.new_text =
                std::fs::read(workdir.join(path)).ok().map(|b| String::from_utf8_lossy(&b).into_owned());
        }
        if old_path.as_deref() != Some(path) && old_path.is_some() && orig.is_some() {
            result.orig_path = old_path;
        }
    }
    Ok(result)
}

fn hunks(patch: &mut Patch<'_>) -> Result<Vec<DiffHunk>, GitError> {
    let mut out = Vec::with_capacity(patch.num_hunks());
    for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h)?;
        let header = String::from_utf8_lossy(hunk.header()).trim_end().to_owned();
        let mut lines = Vec::with_capacity(count);
        for l in 0..count {
            let line = patch.line_in_hunk(h, l)?;
            let kind = match line.origin() {
                '+' => DiffLineKind::Added,
                '-' => DiffLineKind::Removed,
                ' ' => DiffLineKind::Context,
                _ => continue, // "\ No newline at end of file" and friends
            };
            let text = String::from_utf8_lossy(line.content());
            lines.push(DiffLine {
                kind,
                old_line: line.old_lineno(),
                new_line: line.new_lineno(),
                text: text.trim_end_matches(['\n', '\r']).to_owned(),
            });
        }
        out.push(DiffHunk { header, lines });
    }
    Ok(out)
}

/// The working tree's changes against HEAD (staged and not, untracked files included) as one
/// unified diff, cut after `limit` bytes.
pub(crate) fn worktree_patch(repo: &Repository, limit: usize) -> Result<String, GitError> {
    worktree_patch_where(repo, limit, &|_| true)
}

/// [`worktree_patch`] of only the files `keep` admits (by work-tree path): a file it refuses is
/// never read, so an untracked file the caller must not send costs nothing and cannot leak.
pub(crate) fn worktree_patch_where(
    repo: &Repository,
    limit: usize,
    keep: &dyn Fn(&str) -> bool,
) -> Result<String, GitError> {
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree()?),
        Err(_) => None,
    };
    let mut opts = DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).show_untracked_content(true).context_lines(3);
    let diff = repo.diff_tree_to_workdir_with_index(head_tree.as_ref(), Some(&mut opts))?;
    let mut out = String::new();
    for index in 0..diff.deltas().len() {
        if out.len() >= limit {
            break;
        }
        let Some(delta) = diff.get_delta(index) else { continue };
        let path = delta.new_file().path().or_else(|| delta.old_file().path());
        if !path.is_some_and(|p| keep(&p.to_string_lossy())) {
            continue;
        }
        // A patch is built per file, so a refused file's content is never loaded.
        let Some(mut patch) = Patch::from_diff(&diff, index)? else { continue };
        patch
            .print(&mut |_, _, line| {
                if out.len() >= limit {
                    return false;
                }
                if matches!(line.origin(), '+' | '-' | ' ') {
                    out.push(line.origin());
                }
                out.push_str(&String::from_utf8_lossy(line.content()));
                true
            })
            .or_else(|e| if out.len() >= limit { Ok(()) } else { Err(e) })?;
    }
    Ok(out)
}
