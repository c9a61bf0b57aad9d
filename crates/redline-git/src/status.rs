use std::collections::BTreeMap;

use git2::{BranchType, ErrorCode, Repository, Status, StatusOptions};

use crate::{Change, ChangeKind, GitError, HeadState, Upstream};

pub(crate) fn head(repo: &Repository) -> Result<HeadState, GitError> {
    match repo.head() {
        Ok(head) if repo.head_detached().unwrap_or(false) => {
            let id = head.peel_to_commit()?.id().to_string();
            Ok(HeadState::Detached { commit: id[..7.min(id.len())].to_owned() })
        }
        Ok(head) => Ok(HeadState::Branch { name: head.shorthand().unwrap_or("HEAD").to_owned() }),
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            let target = repo
                .find_reference("HEAD")
                .ok()
                .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_owned));
            let name = target.as_deref().and_then(|t| t.strip_prefix("refs/heads/")).unwrap_or("main");
            Ok(HeadState::Unborn { name: name.to_owned() })
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn upstream(repo: &Repository) -> Result<Option<Upstream>, GitError> {
    let Ok(head) = repo.head() else { return Ok(None) };
    if !head.is_branch() {
        return Ok(None);
    }
    let Ok(name) = head.shorthand() else { return Ok(None) };
    let local = repo.find_branch(name, BranchType::Local)?;
    let Ok(upstream) = local.upstream() else { return Ok(None) };
    let (Some(ours), Some(theirs)) = (local.get().target(), upstream.get().target()) else { return Ok(None) };
    let (ahead, behind) = repo.graph_ahead_behind(ours, theirs)?;
    let upstream_name = upstream.name()?.unwrap_or("upstream").to_owned();
    Ok(Some(Upstream { name: upstream_name, ahead: ahead as u32, behind: behind as u32 }))
}

/// Changes of the whole work tree, or only under `pathspecs` when given.
pub(crate) fn changes(repo: &Repository, pathspecs: &[String]) -> Result<BTreeMap<String, Change>, GitError> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .include_unmodified(false)
        .exclude_submodules(false)
        // Like `git status`: renames between HEAD and the index, not in the work tree (costly).
        .renames_head_to_index(true);
    for spec in pathspecs {
        opts.pathspec(spec);
    }
    let statuses = repo.statuses(Some(&mut opts))?;
    let mut out = BTreeMap::new();
    for entry in statuses.iter() {
        let status = entry.status();
        let rename = entry.head_to_index().filter(|_| status.is_index_renamed());
        let path = match rename.as_ref().and_then(|d| d.new_file().path()) {
            Some(p) => p.to_string_lossy().into_owned(),
            None => String::from_utf8_lossy(entry.path_bytes()).into_owned(),
        };
        let orig_path = rename.and_then(|d| d.old_file().path().map(|p| p.to_string_lossy().into_owned()));
        if let Some(change) = change_for(path.clone(), orig_path, status) {
            out.insert(path, change);
        }
    }
    Ok(out)
}

/// The `Change` for a path with these status bits; `None` when the path is unchanged.
pub(crate) fn change_for(path: String, orig_path: Option<String>, status: Status) -> Option<Change> {
    let kind = kind_of(status)?;
    let staged = status.intersects(
        Status::INDEX_NEW
            | Status::INDEX_MODIFIED
            | Status::INDEX_DELETED
            | Status::INDEX_RENAMED
            | Status::INDEX_TYPECHANGE,
    );
    let unstaged = status
        .intersects(Status::WT_MODIFIED | Status::WT_DELETED | Status::WT_RENAMED | Status::WT_TYPECHANGE);
    // An unmerged path is unfinished business on both sides; an untracked one only here.
    let conflicted = kind == ChangeKind::Conflicted;
    let orig_path = orig_path.filter(|_| kind == ChangeKind::Renamed);
    Some(Change {
        path,
        orig_path,
        kind,
        staged: staged || conflicted,
        unstaged: unstaged || conflicted || kind == ChangeKind::Untracked,
    })
}

/// One kind per path, in the order a person cares about it.
fn kind_of(status: Status) -> Option<ChangeKind> {
    let kind = if status.is_conflicted() {
        ChangeKind::Conflicted
    } else if status.is_index_renamed() {
        ChangeKind::Renamed
    } else if status.is_index_new() {
        ChangeKind::Added
    } else if status.is_index_deleted() || status.is_wt_deleted() {
        ChangeKind::Deleted
    } else if status.is_index_typechange() || status.is_wt_typechange() {
        ChangeKind::TypeChanged
    } else if status.is_index_modified() || status.is_wt_modified() || status.is_wt_renamed() {
        ChangeKind::Modified
    } else if status.is_wt_new() {
        ChangeKind::Untracked
    } else {
        return None;
    };
    Some(kind)
}
