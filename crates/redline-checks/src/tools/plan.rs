//! Which tools apply to a file in a project: configured by the project and installed.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// How to read what a tool printed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Parser {
    Rustfmt,
    UnifiedDiff,
    Ruff,
    Eslint,
    FormattedText,
}

/// One tool invocation, fully decided before anything runs.
#[derive(Debug)]
pub(crate) struct Tool {
    pub(crate) name: &'static str,
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    /// Files the tool reads from the project, relative to the root.
    pub(crate) configs: Vec<PathBuf>,
    /// Feed the proposed text on stdin rather than only writing it to the scratch file.
    pub(crate) stdin: bool,
    /// Run in the file's folder inside the scratch dir (rustfmt looks for its config from there).
    pub(crate) cwd_is_file_folder: bool,
    pub(crate) link_node_modules: bool,
    pub(crate) parser: Parser,
}

const ESLINT_CONFIGS: &[&str] = &[
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    "eslint.config.cts",
    ".eslintrc",
    ".eslintrc.js",
    ".eslintrc.cjs",
    ".eslintrc.json",
    ".eslintrc.yml",
    ".eslintrc.yaml",
];
const PRETTIER_CONFIGS: &[&str] = &[
    ".prettierrc",
    ".prettierrc.json",
    ".prettierrc.json5",
    ".prettierrc.yaml",
    ".prettierrc.yml",
    ".prettierrc.toml",
    ".prettierrc.js",
    ".prettierrc.cjs",
    ".prettierrc.mjs",
    "prettier.config.js",
    "prettier.config.cjs",
    "prettier.config.mjs",
];
const JS_EXTENSIONS: &[&str] = &["js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"];
const PRETTIER_EXTENSIONS: &[&str] = &[
    "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "json", "yaml", "yml", "css", "scss", "less", "md",
    "html", "vue",
];

pub(crate) fn tools_for(root: &Path, path: &str, env: &[(String, String)]) -> Vec<Tool> {
    let extension = Path::new(path).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let mut tools = Vec::new();
    match extension.as_str() {
        "rs" => tools.extend(rustfmt(root, path, env)),
        "py" | "pyi" => {
            tools.extend(ruff(root, path, env));
            tools.extend(black(root, path, env));
        }
        "go" => tools.extend(gofmt(root, path, env)),
        _ => {}
    }
    if JS_EXTENSIONS.contains(&extension.as_str()) {
        tools.extend(eslint(root, path));
    }
    if PRETTIER_EXTENSIONS.contains(&extension.as_str()) {
        tools.extend(prettier(root, path));
    }
    tools
}

fn tool(
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    configs: Vec<PathBuf>,
    parser: Parser,
) -> Tool {
    Tool {
        name,
        program,
        args,
        configs,
        stdin: false,
        cwd_is_file_folder: false,
        link_node_modules: false,
        parser,
    }
}

fn rustfmt(root: &Path, path: &str, env: &[(String, String)]) -> Option<Tool> {
    let manifests = ancestors_within(root, path).filter(|dir| root.join(dir).join("Cargo.toml").is_file());
    let manifests: Vec<PathBuf> = manifests.map(|dir| dir.join("Cargo.toml")).collect();
    if manifests.is_empty() {
        return None;
    }
    let program = on_path("rustfmt", env)?;
    let edition = manifests
        .iter()
        .find_map(|manifest| edition_in(&root.join(manifest)))
        .unwrap_or_else(|| "2021".into());
    let configs = ancestors_within(root, path)
        .flat_map(|dir| ["rustfmt.toml", ".rustfmt.toml"].map(|name| dir.join(name)))
        .filter(|config| root.join(config).is_file())
        .collect();
    let args = ["--check", "--color", "never", "--edition", &edition].map(String::from).to_vec();
    // Through stdin, so `mod foo;` does not make rustfmt look for files the scratch dir lacks.
    Some(Tool {
        stdin: true,
        cwd_is_file_folder: true,
        ..tool("rustfmt", program, args, configs, Parser::Rustfmt)
    })
}

fn edition_in(manifest: &Path) -> Option<String> {
    static EDITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*edition\s*=\s*"(\d{4})""#).expect("edition pattern is a valid regex")
    });
    let text = std::fs::read_to_string(manifest).ok()?;
    Some(EDITION.captures(&text)?.get(1)?.as_str().to_owned())
}

fn ruff(root: &Path, path: &str, env: &[(String, String)]) -> Option<Tool> {
    let mut configs = existing(root, &["ruff.toml", ".ruff.toml"]);
    if pyproject_has(root, "[tool.ruff") {
        configs.push("pyproject.toml".into());
    }
    if configs.is_empty() {
        return None;
    }
    let program = on_path("ruff", env)?;
    let args = ["check", "--output-format", "concise", "--no-cache", "--force-exclude", path]
        .map(String::from)
        .to_vec();
    Some(tool("ruff", program, args, configs, Parser::Ruff))
}

fn black(root: &Path, path: &str, env: &[(String, String)]) -> Option<Tool> {
    if !pyproject_has(root, "[tool.black]") {
        return None;
    }
    let program = on_path("black", env)?;
    let args = ["--check", "--diff", "--quiet", path].map(String::from).to_vec();
    Some(tool("black", program, args, vec!["pyproject.toml".into()], Parser::UnifiedDiff))
}

fn gofmt(root: &Path, path: &str, env: &[(String, String)]) -> Option<Tool> {
    if !ancestors_within(root, path).any(|dir| root.join(dir).join("go.mod").is_file()) {
        return None;
    }
    let program = on_path("gofmt", env)?;
    Some(tool("gofmt", program, vec!["-d".into(), path.into()], Vec::new(), Parser::UnifiedDiff))
}

fn eslint(root: &Path, path: &str) -> Option<Tool> {
    let mut configs = existing(root, ESLINT_CONFIGS);
    if configs.is_empty() && !package_json_has(root, "\"eslintConfig\"") {
        return None;
    }
    let program = node_bin(root, "eslint")?;
    configs.extend(existing(root, &["package.json", ".eslintignore", "tsconfig.json"]));
    let args = ["--format", "json", path].map(String::from).to_vec();
    Some(Tool { link_node_modules: true, ..tool("eslint", program, args, configs, Parser::Eslint) })
}

fn prettier(root: &Path, path: &str) -> Option<Tool> {
    let mut configs = existing(root, PRETTIER_CONFIGS);
    if configs.is_empty() && !package_json_has(root, "\"prettier\"") {
        return None;
    }
    let program = node_bin(root, "prettier")?;
    configs.extend(existing(root, &["package.json", ".prettierignore", ".editorconfig"]));
    let args = vec!["--stdin-filepath".into(), path.into()];
    Some(Tool {
        stdin: true,
        link_node_modules: true,
        ..tool("prettier", program, args, configs, Parser::FormattedText)
    })
}

/// The folders from the root down to the file's folder, relative to the root ("" first).
fn ancestors_within<'a>(root: &'a Path, path: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
    let mut folders: Vec<PathBuf> = Path::new(path).ancestors().skip(1).map(Path::to_path_buf).collect();
    folders.reverse();
    folders.into_iter().filter(move |dir| root.join(dir).is_dir())
}

fn existing(root: &Path, names: &[&str]) -> Vec<PathBuf> {
    names.iter().map(PathBuf::from).filter(|name| root.join(name).is_file()).collect()
}

fn pyproject_has(root: &Path, table: &str) -> bool {
    std::fs::read_to_string(root.join("pyproject.toml"))
        .is_ok_and(|text| text.lines().any(|l| l.trim_start().starts_with(table)))
}

fn package_json_has(root: &Path, key: &str) -> bool {
    std::fs::read_to_string(root.join("package.json")).is_ok_and(|text| text.contains(key))
}

/// The project's own copy; a global eslint or prettier may not match the project's config.
fn node_bin(root: &Path, name: &str) -> Option<PathBuf> {
    let program = root.join("node_modules").join(".bin").join(name);
    is_executable(&program).then_some(program)
}

/// `name` in the PATH of the environment the tool will run with.
pub(crate) fn on_path(name: &str, env: &[(String, String)]) -> Option<PathBuf> {
    let path = env.iter().find(|(key, _)| key == "PATH").map(|(_, value)| value.as_str())?;
    std::env::split_paths(path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}
