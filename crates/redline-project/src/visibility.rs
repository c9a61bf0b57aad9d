//! What of the project a model may see: one policy that every reader for a model asks (mentions,
//! folders, selections, the diff, the agent's tools, the repo map, Complete here).
//!
//! Hidden from models, in this order:
//! - `.git/` itself (git's own files; the tools offer status and diffs instead);
//! - files that exist to hold credentials, refused outright whatever their content, because
//!   redacting them would still send their shape and a missed format would send the secret:
//!   `.netrc`/`_netrc`, `.pgpass`, `.git-credentials`, SSH private keys by their usual names
//!   (`id_rsa`, `id_ed25519`, … without `.pub`), and key stores (`*.ppk`, `*.p12`, `*.pfx`,
//!   `*.jks`, `*.keystore`, `*.key`);
//! - `.redlineignore` (gitignore syntax, in any folder; everything below a match);
//! - what git ignores: `.gitignore` and `.ignore` in every folder, `.git/info/exclude`, the
//!   person's global excludes file (the [`IgnoreRules`] the tree uses).
//!
//! Other files are sent after redaction ([`crate::redact`]): `.env`/`.envrc` lose every value,
//! `*.pem`, kubeconfigs and docker configs lose their keys, tokens and passwords.
//!
//! The file tree keeps showing what git shows: `.redlineignore` keeps a file from models, not
//! from the person, so the tree (`list_dir`) decides with [`IgnoreRules`] alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::IgnoreRules;

/// Why a path is kept from models, to tell the model (and the person's chip) which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    GitFolder,
    SecretFile,
    RedlineIgnored,
    GitIgnored,
}

impl Hidden {
    /// A sentence naming `path` and the rule, saying what to do instead.
    pub fn reason(self, path: &str) -> String {
        match self {
            Hidden::GitFolder => {
                format!("{path} is inside .git; use git_status and git_diff for the repository's state")
            }
            Hidden::SecretFile => format!(
                "{path} is a credentials file (keys, passwords): Redline never sends it to a model; \
                 describe what you need from it instead"
            ),
            Hidden::RedlineIgnored => format!(
                "{path} is excluded by .redlineignore: the person chose to keep it away from models; \
                 do not try to read it another way"
            ),
            Hidden::GitIgnored => format!(
                "{path} is ignored by .gitignore (or .ignore / .git/info/exclude / the global excludes): \
                 ignored files are kept from models; paste what is needed if it is safe to share"
            ),
        }
    }
}

/// The visibility policy of one project root. Cheap to clone; rules are read once per folder.
#[derive(Debug, Clone)]
pub struct Visibility {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    git: IgnoreRules,
    redline: IgnoreRules,
}

impl Visibility {
    /// `root` must be the canonical project root (as `ProjectRoot::path` gives it).
    pub fn new(root: &Path) -> Visibility {
        let inner = Inner {
            root: root.to_path_buf(),
            git: IgnoreRules::new(root),
            redline: IgnoreRules::redline(root),
        };
        Visibility { inner: Arc::new(inner) }
    }

    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// Why `abs` (inside the root) is kept from models, if it is. A path outside the root is
    /// the caller's to refuse (it never resolves); here it counts as not hidden.
    pub fn hidden(&self, abs: &Path, is_dir: bool) -> Option<Hidden> {
        let rel = abs.strip_prefix(&self.inner.root).ok()?;
        if rel.components().any(|c| c.as_os_str() == ".git") {
            return Some(Hidden::GitFolder);
        }
        if !is_dir && is_secret_file(rel) {
            return Some(Hidden::SecretFile);
        }
        if self.inner.redline.is_ignored(abs, is_dir) {
            return Some(Hidden::RedlineIgnored);
        }
        self.inner.git.is_ignored(abs, is_dir).then_some(Hidden::GitIgnored)
    }

    /// [`Visibility::hidden`] for a project-relative, `/`-separated path (a diff's or a search
    /// hit's), taken as a file.
    pub fn hidden_rel(&self, rel: &str) -> Option<Hidden> {
        if rel.split('/').any(|c| c == "..") {
            return Some(Hidden::GitIgnored);
        }
        self.hidden(&self.inner.root.join(rel), false)
    }

    /// Whether a path of the repository's work tree (`repo_path`) may go to a model, for a
    /// project that is the folder `prefix` of that work tree (`""`: the whole work tree). Paths
    /// outside the project are not visible.
    pub fn visible_in_repo(&self, prefix: &str, repo_path: &str) -> bool {
        let project_path = match prefix {
            "" => Some(repo_path),
            prefix => repo_path.strip_prefix(prefix).and_then(|p| p.strip_prefix('/')),
        };
        project_path.is_some_and(|p| self.hidden_rel(p).is_none())
    }

    /// Like [`Visibility::hidden`], and a symlink inside the project to a hidden file is as
    /// hidden as the file (a link named `notes.txt` to `.env` is `.env`).
    pub fn hidden_followed(&self, abs: &Path, is_dir: bool) -> Option<Hidden> {
        self.hidden(abs, is_dir).or_else(|| {
            let real = abs.canonicalize().ok()?;
            (real != abs).then(|| self.hidden(&real, is_dir)).flatten()
        })
    }

    /// Whether the walk should enter or yield `abs`, its parents already admitted.
    fn admits_entry(&self, abs: &Path, is_dir: bool) -> bool {
        if abs.file_name().is_some_and(|n| n == ".git") {
            return false;
        }
        let Ok(rel) = abs.strip_prefix(&self.inner.root) else { return true };
        if !is_dir && is_secret_file(rel) {
            return false;
        }
        !self.inner.redline.is_ignored_here(abs, is_dir) && !self.inner.git.is_ignored_here(abs, is_dir)
    }

    /// A sorted walk of `start` (inside the root) that yields only what models may see and
    /// never follows a symlink. The ignore decisions are this policy's, not the walker's own,
    /// and live in the builder's entry filter: do not set another (`filter_entry` replaces it).
    pub fn walk(&self, start: &Path) -> ignore::WalkBuilder {
        let mut builder = ignore::WalkBuilder::new(start);
        let policy = self.clone();
        builder.standard_filters(false).follow_links(false).sort_by_file_path(|a, b| a.cmp(b)).filter_entry(
            move |e| {
                e.depth() == 0 || policy.admits_entry(e.path(), e.file_type().is_some_and(|t| t.is_dir()))
            },
        );
        builder
    }
}

/// SSH private keys by the names `ssh-keygen` gives them.
const SSH_KEY_NAMES: &[&str] =
    &["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", "identity"];
/// Files whose only job is to hold credentials.
const CREDENTIAL_NAMES: &[&str] = &[".netrc", "_netrc", ".pgpass", ".git-credentials"];
/// Key stores: binary or armoured private keys.
const KEY_STORE_EXTENSIONS: &[&str] = &["ppk", "p12", "pfx", "jks", "keystore", "key"];

/// Whether `rel` names a file that only holds credentials (see the module doc).
pub fn is_secret_file(rel: &Path) -> bool {
    let Some(name) = rel.file_name().and_then(|n| n.to_str()) else { return false };
    if SSH_KEY_NAMES.contains(&name) || CREDENTIAL_NAMES.contains(&name) {
        return true;
    }
    rel.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|ext| KEY_STORE_EXTENSIONS.iter().any(|k| ext.eq_ignore_ascii_case(k)))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("canon");
        for (path, text) in files {
            let abs = root.join(path);
            fs::create_dir_all(abs.parent().expect("parent")).expect("mkdir");
            fs::write(abs, text).expect("write");
        }
        (dir, root)
    }

    #[test]
    fn every_rule_hides_and_names_itself() {
        let (_d, root) = project(&[
            (".gitignore", "build/\n"),
            (".ignore", "gen/\n"),
            (".git/info/exclude", "local.txt\n"),
            (".redlineignore", "private/\n*.secret\n"),
            ("app/.redlineignore", "!ok.secret\n"),
            ("src/main.rs", ""),
        ]);
        let vis = Visibility::new(&root);
        let at = |p: &str| vis.hidden_rel(p);
        assert_eq!(at("src/main.rs"), None);
        assert_eq!(at("build/out"), Some(Hidden::GitIgnored));
        assert_eq!(at("gen/x.rs"), Some(Hidden::GitIgnored));
        assert_eq!(at("local.txt"), Some(Hidden::GitIgnored));
        assert_eq!(at("private/notes.md"), Some(Hidden::RedlineIgnored));
        assert_eq!(at("a/b.secret"), Some(Hidden::RedlineIgnored));
        assert_eq!(at("app/ok.secret"), None);
        assert_eq!(at(".git/config"), Some(Hidden::GitFolder));
        assert_eq!(at(".netrc"), Some(Hidden::SecretFile));
        assert_eq!(at("keys/id_ed25519"), Some(Hidden::SecretFile));
        assert_eq!(at("keys/id_ed25519.pub"), None);
        assert_eq!(at("certs/server.P12"), Some(Hidden::SecretFile));
        assert!(Hidden::RedlineIgnored.reason("private/x").contains(".redlineignore"));
    }

    #[test]
    fn the_walk_yields_what_hidden_admits_and_nothing_else() {
        let (_d, root) = project(&[
            (".gitignore", "target/\n*.log\n"),
            (".redlineignore", "secret/\n"),
            ("src/a.rs", ""),
            ("src/b.log", ""),
            ("secret/k.txt", ""),
            ("target/x", ""),
            (".git/HEAD", ""),
            (".netrc", ""),
            (".env", "A=1\n"),
        ]);
        let vis = Visibility::new(&root);
        let walked: Vec<String> = vis
            .walk(&root)
            .build()
            .flatten()
            .filter(|e| e.depth() > 0)
            .map(|e| e.path().strip_prefix(&root).expect("inside").to_string_lossy().into_owned())
            .collect();
        assert_eq!(walked, [".env", ".gitignore", ".redlineignore", "src", "src/a.rs"]);
    }

    #[test]
    fn a_link_to_a_hidden_file_is_hidden_like_it() {
        let (_d, root) = project(&[(".redlineignore", "vault.txt\n"), ("vault.txt", "x")]);
        std::os::unix::fs::symlink("vault.txt", root.join("notes.txt")).expect("symlink");
        let vis = Visibility::new(&root);
        assert_eq!(vis.hidden(&root.join("notes.txt"), false), None);
        assert_eq!(vis.hidden_followed(&root.join("notes.txt"), false), Some(Hidden::RedlineIgnored));
    }
}
