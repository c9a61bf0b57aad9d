//! The environment Redline gives the processes it starts in a project (approved commands,
//! formatters, linters, tool servers): enough to find the toolchains, never a credential.

/// Variables passed through unchanged. Everything else is dropped, so an API key exported in
/// the shell that launched Redline never reaches a command the model asked for.
const KEPT: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TERM",
    "TZ",
    "TMPDIR",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "GOPATH",
    "GOROOT",
    "GOCACHE",
    "GOMODCACHE",
    "JAVA_HOME",
    "NODE_PATH",
    "NVM_DIR",
    "PYENV_ROOT",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
];

/// Kept variables that still look like they carry a secret are dropped anyway.
fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL"].iter().any(|w| upper.contains(w))
}

/// The variables to start a project process with (after clearing the inherited environment).
pub fn command_env() -> Vec<(String, String)> {
    command_env_from(std::env::vars())
}

fn command_env_from(vars: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> =
        vars.filter(|(k, _)| KEPT.contains(&k.as_str()) && !looks_secret(k)).collect();
    if !env.iter().any(|(k, _)| k == "PATH") {
        env.push(("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()));
    }
    env.sort();
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_unknown_variables_are_dropped_and_toolchain_paths_kept() {
        let vars = [
            ("PATH", "/usr/bin"),
            ("OPENAI_API_KEY", "sk-live"),
            ("ANTHROPIC_API_KEY", "sk-ant"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
            ("GITHUB_TOKEN", "ghp"),
            ("CARGO_HOME", "/c"),
            ("SOMETHING_ELSE", "y"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let env = command_env_from(vars.into_iter());
        let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["CARGO_HOME", "PATH"]);
    }

    #[test]
    fn a_missing_path_gets_the_system_default() {
        let env = command_env_from(std::iter::empty());
        assert_eq!(env, [("PATH".to_owned(), "/usr/local/bin:/usr/bin:/bin".to_owned())]);
    }
}
