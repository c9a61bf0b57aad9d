//! Which project paths a proposal may write: git's own files never, files that make other tools
//! run code only after a second confirmation, names a terminal would misprint never.
//!
//! One table decides for the app, the CLI, the agent and the write layer, so a path refused in
//! one place is refused in all.

/// What may happen to a project path that a proposal wants to create, change, delete or rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathRule {
    /// An ordinary file: accepting writes it.
    Editable,
    /// A file that makes another tool run code (an editor's tasks, direnv, hooks, CI): marked on
    /// the proposal, never auto-accepted, written only after a second confirmation. The text says
    /// why, for the person ("runs commands when VS Code opens the folder").
    Protected(&'static str),
    /// Never written by a proposal; the text is the whole message for the person.
    Refused(String),
}

/// Said whenever a proposal reaches into `.git`.
pub const GIT_REFUSAL: &str = "Redline does not edit git's own files; use git";

/// Project paths (prefixes end with `/`) that make other tools run code, with why.
const PROTECTED: &[(&str, &str)] = &[
    (".redline/", "Redline's own project settings (tool servers, rules)"),
    (".vscode/", "VS Code runs its tasks, launch configurations and settings"),
    (".idea/", "JetBrains IDEs run its run configurations and settings"),
    (".envrc", "direnv runs it when a shell enters the folder"),
    (".husky/", "husky runs these scripts as git hooks"),
    (".devcontainer/", "dev containers run its commands when the folder is opened"),
    (".devcontainer.json", "dev containers run its commands when the folder is opened"),
    (".github/workflows/", "GitHub Actions runs these workflows"),
    (".gitlab-ci.yml", "GitLab CI runs this pipeline"),
    (".pre-commit-config.yaml", "pre-commit runs these hooks on every commit"),
];

/// The rules of one project: the table above plus its git hooks folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProtectedPaths {
    /// `core.hooksPath` as a project-relative folder with a trailing `/`, when it is inside.
    hooks: Option<String>,
}

impl ProtectedPaths {
    /// `hooks_path` is git's `core.hooksPath` relative to the project root, if set and inside it.
    pub fn new(hooks_path: Option<&str>) -> Self {
        let hooks = hooks_path
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty() && *p != ".")
            .map(|p| format!("{}/", p.trim_start_matches("./")));
        ProtectedPaths { hooks }
    }

    /// The rule for a `/`-separated project-relative path.
    pub fn rule(&self, path: &str) -> PathRule {
        if let Some(c) = path.chars().find(|c| is_unprintable(*c)) {
            return PathRule::Refused(format!(
                "the file name contains the control character U+{:04X}; Redline does not create names a terminal would misprint",
                c as u32
            ));
        }
        if path.split('/').any(is_git_dir_name) {
            return PathRule::Refused(GIT_REFUSAL.to_owned());
        }
        if let Some(hooks) = &self.hooks {
            if path.starts_with(hooks.as_str()) || path == hooks.trim_end_matches('/') {
                return PathRule::Protected("git runs these scripts as hooks (core.hooksPath)");
            }
        }
        let protected = PROTECTED.iter().find(|(prefix, _)| match prefix.strip_suffix('/') {
            Some(folder) => path.starts_with(prefix) || path == folder,
            None => path == *prefix,
        });
        match protected {
            Some((_, why)) => PathRule::Protected(why),
            None => PathRule::Editable,
        }
    }
}

/// `.git`, also as a case-insensitive file system or git's own trailing-dot tolerance sees it.
fn is_git_dir_name(component: &str) -> bool {
    component.trim_end_matches(['.', ' ']).eq_ignore_ascii_case(".git")
}

/// C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what a
/// terminal or review shows.
pub fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_files_are_refused_anywhere_and_in_any_case() {
        let rules = ProtectedPaths::default();
        for path in
            [".git/config", ".git/hooks/pre-commit", "sub/.git/config", ".GIT/config", ".git", ".git./x"]
        {
            assert_eq!(rules.rule(path), PathRule::Refused(GIT_REFUSAL.into()), "{path}");
        }
        assert_eq!(rules.rule(".gitignore"), PathRule::Editable);
        assert_eq!(rules.rule("src/git/mod.rs"), PathRule::Editable);
    }

    #[test]
    fn files_that_run_code_elsewhere_are_protected() {
        let rules = ProtectedPaths::new(Some(".githooks"));
        for path in [
            ".vscode/tasks.json",
            ".envrc",
            ".husky/pre-commit",
            ".github/workflows/ci.yml",
            ".redline/mcp.json",
            ".devcontainer/devcontainer.json",
            ".githooks/pre-push",
        ] {
            assert!(matches!(rules.rule(path), PathRule::Protected(_)), "{path}");
        }
        for path in ["src/.envrc.md", ".github/CODEOWNERS", "vscode/tasks.json", "githooks.md"] {
            assert_eq!(rules.rule(path), PathRule::Editable, "{path}");
        }
    }

    #[test]
    fn names_with_control_or_bidi_characters_are_refused() {
        let rules = ProtectedPaths::default();
        for path in ["a\u{1b}]0;pwned\u{7}.txt", "new\nline.rs", "x\u{202E}txt.exe", "del\u{7f}"] {
            assert!(matches!(rules.rule(path), PathRule::Refused(_)), "{path:?}");
        }
    }
}
