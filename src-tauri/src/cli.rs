use std::path::PathBuf;

use clap::Parser;

/// Redline: chat with a language model about a project and review every change it proposes.
#[derive(Debug, Parser)]
#[command(name = "redline", version, about)]
pub struct Cli {
    /// The folder to open. Without it, Redline shows the welcome screen.
    pub folder: Option<PathBuf>,
}

impl Cli {
    /// The folder to open, absolute, checked to exist.
    pub fn initial_folder(&self) -> Result<Option<String>, String> {
        let Some(folder) = &self.folder else { return Ok(None) };
        let absolute = folder.canonicalize().map_err(|e| format!("cannot open {}: {e}", folder.display()))?;
        if !absolute.is_dir() {
            return Err(format!("{} is not a folder", folder.display()));
        }
        Ok(Some(absolute.display().to_string()))
    }
}
