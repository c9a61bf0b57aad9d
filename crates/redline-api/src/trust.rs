//! Workspace trust: the person trusts a folder (keyed by its identity, never its path alone),
//! revokes it, lists what they trust; and the notes that say what an untrusted folder did not get.
//!
//! Untrusted is the default. It means nothing from inside the folder runs: not its
//! `node_modules/.bin` tools or executable configs, not its MCP servers, not its saved test
//! command, and its `.redline/` settings are ignored. A command the person approves explicitly
//! still runs: that is their call, made with the command line in front of them.

use std::path::Path;

use redline_project::{ProjectIdentity, Trust};

use crate::{ApiResult, App, ProjectInfo, TrustedProject};

/// What the banner and the CLI say an untrusted folder does not get.
pub(crate) const UNTRUSTED_REASON: &str = "Redline runs nothing from this folder until you trust it: its own formatters and linters (node_modules/.bin, JavaScript configs, plugins), its MCP servers (.redline/mcp.json), its saved test command and its .redline/ settings stay off. Checks that only read configuration (rustfmt, ruff, black, gofmt) still run, with the tools on your own PATH.";

impl App {
    /// Trusts the open folder: from now on its tools, servers and test command run as before.
    pub fn trust_project(&self) -> ApiResult<ProjectInfo> {
        let project = self.project()?;
        let identity = project.identity().clone();
        let path = identity.path.display().to_string();
        self.with_store(|s| s.trust_project(&identity.key(), &path, crate::step::now_ms()))?;
        project.set_trust(Trust::Trusted);
        self.forget_mcp_servers();
        Ok(project.info())
    }

    /// Stops trusting the project known as `identity` (from [`App::trusted_projects`] or
    /// `ProjectInfo::identity`); when it is the open folder, that takes effect at once.
    pub fn revoke_trust(&self, identity: &str) -> ApiResult<()> {
        self.with_store(|s| s.revoke_trust(identity))?;
        if let Ok(project) = self.project() {
            if project.identity().key() == identity {
                project.set_trust(Trust::Untrusted);
                self.forget_mcp_servers();
            }
        }
        Ok(())
    }

    /// Every folder the person trusts, most recent first.
    pub fn trusted_projects(&self) -> ApiResult<Vec<TrustedProject>> {
        let rows = self.with_store(|s| s.trusted_projects())?;
        Ok(rows
            .into_iter()
            .map(|r| TrustedProject {
                // Whether a trusted folder is still there: the folder itself, not a file in it.
                #[allow(clippy::disallowed_methods)]
                exists: Path::new(&r.path).exists(),
                identity: r.identity,
                path: r.path,
                trusted_at: r.trusted_at,
            })
            .collect())
    }

    /// Whether the open folder is trusted; no folder open means nothing to run anyway.
    pub(crate) fn trust(&self) -> Trust {
        self.project().map(|p| p.trust()).unwrap_or_default()
    }

    /// What the store says of `identity`; a database that cannot answer means untrusted.
    pub(crate) fn stored_trust(&self, identity: &ProjectIdentity) -> Trust {
        match self.with_store(|s| s.is_trusted(&identity.key())) {
            Ok(true) => Trust::Trusted,
            Ok(false) => Trust::Untrusted,
            Err(e) => {
                tracing::warn!("trust unknown, treated as untrusted: {}", e.message);
                Trust::Untrusted
            }
        }
    }

    /// Remembers that `what` was left off for trust ("prettier (node_modules/.bin) not run"),
    /// once, for a headless command to report.
    pub(crate) fn note_untrusted(&self, what: String) {
        let mut notes = self.trust_notes.lock();
        if !notes.contains(&what) {
            notes.push(what);
        }
    }

    /// What was left off for trust since the last call, each once; the CLI prints these.
    pub fn take_trust_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.trust_notes.lock())
    }

    /// Servers started under the old decision must not outlive it: the next agent turn starts
    /// them again with the new one.
    fn forget_mcp_servers(&self) {
        if let Ok(mut running) = self.mcp.try_lock() {
            running.take();
        }
    }
}
