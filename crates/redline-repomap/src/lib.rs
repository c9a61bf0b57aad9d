//! A ranked map of the project's definitions for the model's context, like Aider's repo map:
//! tree-sitter tags of every source file, files linked by the identifiers they reference and
//! define, personalised PageRank toward what the conversation is about, and the best-ranked
//! definition lines rendered within a token budget.
//!
//! This crate owns the per-file tags cache, the ranking and the rendering. It only reads, and
//! only through `redline-project` (stat, listing and capped reads beneath the root's directory
//! handle): it must never write into the project, never read a file outside the root, ignored by
//! the project's ignore files, hidden, binary or larger than 1 MB, and never run a process.
// Tests build their fixture projects with std::fs (see the workspace clippy.toml).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod languages;
mod rank;
mod render;
mod tags;
mod walk;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use redline_project::{read_capped, ProjectRoot};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::languages::Lang;
use crate::tags::FileTags;
use crate::walk::{walk_files, IgnoreCheck, IGNORE_FILES, MAX_FILE_BYTES};

/// What the conversation is about, to bend the ranking toward it.
#[derive(Debug, Clone, Default)]
pub struct Focus {
    /// Files in the conversation (mentioned, attached, edited): heavily personalised.
    pub files: Vec<String>,
    /// Identifiers mentioned in the conversation text (caller can pass words of the question).
    pub idents: Vec<String>,
}

/// The tags of every source file under a root, kept fresh by [`RepoMap::scan`] and
/// [`RepoMap::update`].
pub struct RepoMap {
    /// The canonical root, as the project's visibility policy and walk need it.
    root: PathBuf,
    /// The root's directory handle every stat, listing and read goes through; `None` when the
    /// folder could not be opened (the map then stays empty).
    project: Option<ProjectRoot>,
    /// Project-relative path with `/` separators → that file's tags.
    files: BTreeMap<String, FileTags>,
    /// The `(mtime, size)` each file's tags were read at: an unchanged stamp is not read again.
    stamps: FxHashMap<String, (SystemTime, u64)>,
    ignore: IgnoreCheck,
}

impl RepoMap {
    pub fn new(root: &Path) -> Self {
        let project = ProjectRoot::open(root)
            .inspect_err(|e| tracing::warn!("repo map: cannot open {}: {e}", root.display()))
            .ok();
        RepoMap {
            root: project.as_ref().map_or_else(|| root.to_path_buf(), |p| p.path().to_path_buf()),
            project,
            files: BTreeMap::new(),
            stamps: FxHashMap::default(),
            ignore: IgnoreCheck::default(),
        }
    }

    /// Full scan: gitignore-aware (`.gitignore`, `.ignore`, `.redlineignore`, `.git/info/exclude`),
    /// skipping hidden, binary and larger-than-1-MB files. Unchanged files keep their tags.
    pub fn scan(&mut self) {
        self.ignore.clear();
        let mut seen = FxHashSet::default();
        let found = if self.project.is_some() { walk_files(&self.root) } else { Vec::new() };
        for absolute in found {
            let Some(rel) = self.relative(&absolute) else { continue };
            if Lang::for_path(&absolute).is_some() {
                self.refresh(&rel);
                seen.insert(rel);
            }
        }
        self.forget(|path| !seen.contains(path));
    }

    /// Re-reads only these project-relative paths (changed, created or deleted files, or
    /// folders), for the watcher. A changed ignore file rescans, since it can admit or drop
    /// any file.
    pub fn update(&mut self, paths: &[String]) {
        if paths.iter().any(|p| is_ignore_file(p)) {
            self.scan();
            return;
        }
        for path in paths {
            let Some(rel) = confined(path) else {
                tracing::debug!(path, "update path outside the project ignored");
                continue;
            };
            if self.kind(&rel) == Some(Kind::Dir) {
                self.update_dir(&rel);
            } else {
                self.update_file(&rel);
            }
        }
    }

    /// The map as text within `budget_tokens` (bytes / 4), highest-ranked first; empty when
    /// nothing is known.
    pub fn render(&self, focus: &Focus, budget_tokens: usize) -> String {
        render::render(&self.files, focus, budget_tokens)
    }

    /// (file count, definition count) for the UI.
    pub fn stats(&self) -> (usize, usize) {
        let definitions = self.files.values().map(|tags| tags.definitions.len()).sum();
        (self.files.len(), definitions)
    }

    fn update_file(&mut self, rel: &Path) {
        let Some(key) = key_of(rel) else { return };
        let wanted = self.kind(rel) == Some(Kind::File)
            && Lang::for_path(rel).is_some()
            && !self.ignore.is_ignored(&self.root, rel, false);
        if wanted {
            self.refresh(&key);
        } else {
            // Deleted, renamed away, or now ignored: forget it and anything that was under it.
            let prefix = format!("{key}/");
            self.forget(|path| path == key || path.starts_with(&prefix));
        }
    }

    fn update_dir(&mut self, rel: &Path) {
        if self.ignore.is_ignored(&self.root, rel, true) {
            return;
        }
        let (Some(project), Some(key)) = (&self.project, key_of(rel)) else { return };
        let Ok(names) = project.read_dir_names(&key) else { return };
        let mut children: Vec<PathBuf> = names.into_iter().map(|name| rel.join(name)).collect();
        children.sort();
        for child in children {
            if self.kind(&child) == Some(Kind::Dir) {
                self.update_dir(&child);
            } else {
                self.update_file(&child);
            }
        }
    }

    /// Reads `key` again unless its `(mtime, size)` is the one cached; drops it when it is
    /// too large, binary, unreadable or no regular file.
    fn refresh(&mut self, key: &str) {
        let Some(project) = &self.project else { return };
        let metadata = match project.symlink_metadata(key) {
            Ok(metadata) if metadata.is_file() => metadata,
            _ => {
                self.forget(|path| path == key);
                return;
            }
        };
        let stamp = (metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH), metadata.len());
        if self.stamps.get(key) == Some(&stamp) {
            return;
        }
        let read = read_source(project, key, metadata.len());
        match read.and_then(|(lang, source)| tags::read_tags(lang, &source)) {
            Some(tags) => {
                self.files.insert(key.to_string(), tags);
                self.stamps.insert(key.to_string(), stamp);
            }
            None => self.forget(|path| path == key),
        }
    }

    fn forget(&mut self, drop: impl Fn(&str) -> bool) {
        self.files.retain(|path, _| !drop(path));
        self.stamps.retain(|path, _| !drop(path));
    }

    fn relative(&self, absolute: &Path) -> Option<String> {
        absolute.strip_prefix(&self.root).ok().and_then(key_of)
    }

    /// What `rel` is, the entry itself: symbolic links are not followed, as in the walk (one
    /// could lead out of the root), and count as neither.
    fn kind(&self, rel: &Path) -> Option<Kind> {
        let metadata = self.project.as_ref()?.symlink_metadata(&key_of(rel)?).ok()?;
        if metadata.is_file() {
            Some(Kind::File)
        } else if metadata.is_dir() {
            Some(Kind::Dir)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
}

/// A source file's text through the project's confined read, capped at the map's limit.
fn read_source(project: &ProjectRoot, key: &str, size: u64) -> Option<(Lang, String)> {
    let lang = Lang::for_path(Path::new(key))?;
    if size > MAX_FILE_BYTES {
        return None;
    }
    let read = read_capped(project, key, MAX_FILE_BYTES as usize).ok()?;
    // It grew past the limit since it was measured.
    if read.truncated {
        return None;
    }
    // The same test git uses: a NUL byte near the start means binary.
    if read.bytes.iter().take(8000).any(|&b| b == 0) {
        return None;
    }
    String::from_utf8(read.bytes).ok().map(|source| (lang, source))
}

fn is_ignore_file(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    IGNORE_FILES.contains(&name) || path.replace('\\', "/").ends_with(".git/info/exclude")
}

/// `path` as a relative path that cannot leave the root, or `None`.
fn confined(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in Path::new(&path.replace('\\', "/")).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// `rel` as the project's `/`-separated path; `None` for a name that is not UTF-8, which the
/// project's confined functions cannot name (such a file is not mapped).
fn key_of(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|parts| parts.join("/"))
}

/// Words that look like identifiers in a text (for [`Focus::idents`]), in first-seen order.
/// Words shorter than three characters are left out: they match too much to focus anything.
pub fn identifiers_in(text: &str) -> Vec<String> {
    let mut seen = FxHashSet::default();
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.chars().count() >= 3)
        .filter(|word| word.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_'))
        .filter(|word| seen.insert(*word))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_in_keeps_code_words_once_and_drops_numbers() {
        let words = identifiers_in("Why does parse_reply call RepoMap::new, 42 times? parse_reply!");
        assert_eq!(words, ["Why", "does", "parse_reply", "call", "RepoMap", "new", "times"]);
    }

    #[test]
    fn update_paths_cannot_climb_out_of_the_root() {
        assert_eq!(confined("../etc/passwd"), None);
        assert_eq!(confined("/etc/passwd"), None);
        assert_eq!(confined("./src/lib.rs"), Some(PathBuf::from("src/lib.rs")));
    }
}
