//! Traps for the hostile suite. A trap is armed before the hostile action and checked after it;
//! `assert_quiet` names every trap that fired.

use std::path::{Path, PathBuf};

/// An executable script at `path` (inside a hostile folder) that, if anything ever runs it,
/// creates `marker` (outside the folder) and prints what a real tool would print.
pub fn planted_script(path: &Path, marker: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir for planted script");
    }
    let script = format!("#!/bin/sh\necho ran \"$0\" \"$@\" >> '{}'\ncat\n", marker.display());
    std::fs::write(path, script).expect("write planted script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod planted script");
}

/// The traps of one test.
#[derive(Default)]
pub struct Traps {
    /// Files that must never come to exist (a planted program ran).
    markers: Vec<PathBuf>,
    /// Files whose bytes must not change (`.git/config`, files outside the project).
    frozen: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Strings that must not appear in anything captured (outside secrets).
    secrets: Vec<String>,
}

impl Traps {
    pub fn new() -> Traps {
        Traps::default()
    }

    /// A marker path in `dir` (a folder outside the project) that a planted program would create.
    pub fn marker(&mut self, dir: &Path, name: &str) -> PathBuf {
        let marker = dir.join(format!("{name}.ran"));
        self.markers.push(marker.clone());
        marker
    }

    /// `path` must hold the same bytes (or stay missing) when checked.
    pub fn freeze(&mut self, path: &Path) {
        self.frozen.push((path.to_path_buf(), std::fs::read(path).ok()));
    }

    /// Every file under `dir` must stay as it is (`.git/` after a hostile apply).
    pub fn freeze_tree(&mut self, dir: &Path) {
        for entry in walk(dir) {
            self.freeze(&entry);
        }
    }

    /// `secret` must not appear in any text given to [`Traps::assert_quiet`].
    pub fn secret(&mut self, secret: &str) {
        self.secrets.push(secret.to_owned());
    }

    /// Fails naming every trap that fired; `captured` is everything that left (request bodies,
    /// stdout, prompts).
    pub fn assert_quiet(&self, captured: &[String]) {
        let mut fired = Vec::new();
        for marker in &self.markers {
            if marker.exists() {
                let ran = std::fs::read_to_string(marker).unwrap_or_default();
                fired.push(format!("a planted program ran ({}): {ran}", marker.display()));
            }
        }
        for (path, before) in &self.frozen {
            if std::fs::read(path).ok() != *before {
                fired.push(format!("{} changed", path.display()));
            }
        }
        for secret in &self.secrets {
            if let Some(at) = captured.iter().position(|text| text.contains(secret.as_str())) {
                fired.push(format!("the secret {secret:?} left in captured text #{at}"));
            }
        }
        assert!(fired.is_empty(), "traps fired:\n  {}", fired.join("\n  "));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => out.extend(walk(&path)),
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
    out
}
