//! Which tools apply to a file in a project: configured by the project and installed, and which
//! of those stay off because the folder is not trusted.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use redline_project::{read_capped, ProjectRoot, Trust};
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
    /// The tool loads code from the project: JavaScript configs, plugins from `node_modules`,
    /// or a program inside the folder. It runs only in a trusted folder.
    pub(crate) runs_project_code: bool,
    pub(crate) parser: Parser,
}

/// A configured tool left off because the folder is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedTool {
    pub name: &'static str,
    /// What would have run, for a person: "node_modules/.bin", "eslint.config.js".
    pub what: String,
}

impl std::fmt::Display for SkippedTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.what)
    }
}

/// What runs for one file, and what was left off for trust.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) tools: Vec<Tool>,
    pub(crate) skipped: Vec<SkippedTool>,
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
/// A config file larger than this is not read (nor copied for a tool): one that big is
/// generated, and reading it for every check would cost more than it tells.
pub(crate) const CONFIG_SIZE_LIMIT: usize = 4 * 1024 * 1024;

const JS_EXTENSIONS: &[&str] = &["js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"];
const PRETTIER_EXTENSIONS: &[&str] = &[
    "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "json", "yaml", "yml", "css", "scss", "less", "md",
    "html", "vue",
];

/// The tools for `path`; `env` is what they will run with (its PATH already cut to folders
/// outside the project, see [`redline_project::path_outside_project`]).
pub(crate) fn plan_for(project: &ProjectRoot, path: &str, env: &[(String, String)], trust: Trust) -> Plan {
    let (tools, untrusted): (Vec<Tool>, Vec<Tool>) = tools_for(project, path, env)
        .into_iter()
        .partition(|tool| trust.is_trusted() || !tool.runs_project_code);
    let root = project.path();
    let skipped =
        untrusted.iter().map(|tool| SkippedTool { name: tool.name, what: what_runs(root, tool) }).collect();
    Plan { tools, skipped }
}

/// The program when it is the project's own, else the config that is code or may load plugins.
fn what_runs(root: &Path, tool: &Tool) -> String {
    if tool.program.starts_with(root) {
        return tool
            .program
            .parent()
            .and_then(|dir| dir.strip_prefix(root).ok())
            .unwrap_or(Path::new(""))
            .display()
            .to_string();
    }
    match tool.configs.first() {
        Some(config) => config.display().to_string(),
        None => "package.json".into(),
    }
}

pub(crate) fn tools_for(root: &ProjectRoot, path: &str, env: &[(String, String)]) -> Vec<Tool> {
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
        tools.extend(eslint(root, path, env));
    }
    if PRETTIER_EXTENSIONS.contains(&extension.as_str()) {
        tools.extend(prettier(root, path, env));
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
        runs_project_code: false,
        parser,
    }
}

fn rustfmt(root: &ProjectRoot, path: &str, env: &[(String, String)]) -> Option<Tool> {
    let manifests = ancestors_within(root, path).filter(|dir| is_file(root, &dir.join("Cargo.toml")));
    let manifests: Vec<PathBuf> = manifests.map(|dir| dir.join("Cargo.toml")).collect();
    if manifests.is_empty() {
        return None;
    }
    let program = on_path("rustfmt", env)?;
    let edition =
        manifests.iter().find_map(|manifest| edition_in(root, manifest)).unwrap_or_else(|| "2021".into());
    let configs = ancestors_within(root, path)
        .flat_map(|dir| ["rustfmt.toml", ".rustfmt.toml"].map(|name| dir.join(name)))
        .filter(|config| is_file(root, config))
        .collect();
    let args = ["--check", "--color", "never", "--edition", &edition].map(String::from).to_vec();
    // Through stdin, so `mod foo;` does not make rustfmt look for files the scratch dir lacks.
    Some(Tool {
        stdin: true,
        cwd_is_file_folder: true,
        ..tool("rustfmt", program, args, configs, Parser::Rustfmt)
    })
}

fn edition_in(root: &ProjectRoot, manifest: &Path) -> Option<String> {
    static EDITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*edition\s*=\s*"(\d{4})""#).expect("edition pattern is a valid regex")
    });
    let text = read_config(root, manifest)?;
    Some(EDITION.captures(&text)?.get(1)?.as_str().to_owned())
}

fn ruff(root: &ProjectRoot, path: &str, env: &[(String, String)]) -> Option<Tool> {
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

fn black(root: &ProjectRoot, path: &str, env: &[(String, String)]) -> Option<Tool> {
    if !pyproject_has(root, "[tool.black]") {
        return None;
    }
    let program = on_path("black", env)?;
    let args = ["--check", "--diff", "--quiet", path].map(String::from).to_vec();
    Some(tool("black", program, args, vec!["pyproject.toml".into()], Parser::UnifiedDiff))
}

fn gofmt(root: &ProjectRoot, path: &str, env: &[(String, String)]) -> Option<Tool> {
    if !ancestors_within(root, path).any(|dir| is_file(root, &dir.join("go.mod"))) {
        return None;
    }
    let program = on_path("gofmt", env)?;
    Some(tool("gofmt", program, vec!["-d".into(), path.into()], Vec::new(), Parser::UnifiedDiff))
}

fn eslint(root: &ProjectRoot, path: &str, env: &[(String, String)]) -> Option<Tool> {
    let mut configs = existing(root, ESLINT_CONFIGS);
    if configs.is_empty() && !package_json_has(root, "\"eslintConfig\"") {
        return None;
    }
    let program = node_bin(root, "eslint", env)?;
    configs.extend(existing(root, &["package.json", ".eslintignore", "tsconfig.json"]));
    let args = ["--format", "json", path].map(String::from).to_vec();
    Some(Tool {
        link_node_modules: true,
        runs_project_code: true,
        ..tool("eslint", program, args, configs, Parser::Eslint)
    })
}

fn prettier(root: &ProjectRoot, path: &str, env: &[(String, String)]) -> Option<Tool> {
    let mut configs = existing(root, PRETTIER_CONFIGS);
    if configs.is_empty() && !package_json_has(root, "\"prettier\"") {
        return None;
    }
    let program = node_bin(root, "prettier", env)?;
    configs.extend(existing(root, &["package.json", ".prettierignore", ".editorconfig"]));
    let args = vec!["--stdin-filepath".into(), path.into()];
    Some(Tool {
        stdin: true,
        link_node_modules: true,
        runs_project_code: true,
        ..tool("prettier", program, args, configs, Parser::FormattedText)
    })
}

/// The folders from the root down to the file's folder, relative to the root ("" first).
fn ancestors_within<'a>(root: &'a ProjectRoot, path: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
    let mut folders: Vec<PathBuf> = Path::new(path).ancestors().skip(1).map(Path::to_path_buf).collect();
    folders.reverse();
    folders.into_iter().filter(move |dir| is_dir(root, dir))
}

fn existing(root: &ProjectRoot, names: &[&str]) -> Vec<PathBuf> {
    names.iter().map(PathBuf::from).filter(|name| is_file(root, name)).collect()
}

fn pyproject_has(root: &ProjectRoot, table: &str) -> bool {
    read_config(root, Path::new("pyproject.toml"))
        .is_some_and(|text| text.lines().any(|l| l.trim_start().starts_with(table)))
}

fn package_json_has(root: &ProjectRoot, key: &str) -> bool {
    read_config(root, Path::new("package.json")).is_some_and(|text| text.contains(key))
}

/// Whether the project holds a regular file at `rel`, through its directory handle (symlinks
/// followed only while they stay inside).
fn is_file(root: &ProjectRoot, rel: &Path) -> bool {
    rel.to_str().is_some_and(|rel| root.metadata(rel).is_ok_and(|meta| meta.is_file()))
}

fn is_dir(root: &ProjectRoot, rel: &Path) -> bool {
    rel.to_str().is_some_and(|rel| root.metadata(rel).is_ok_and(|meta| meta.is_dir()))
}

/// A project config file's text, read confined and capped; `None` when it is missing, leads
/// out of the project, is larger than [`CONFIG_SIZE_LIMIT`] or is not UTF-8.
fn read_config(root: &ProjectRoot, rel: &Path) -> Option<String> {
    let read = read_capped(root, rel.to_str()?, CONFIG_SIZE_LIMIT).ok()?;
    if read.truncated {
        return None;
    }
    String::from_utf8(read.bytes).ok()
}

/// The project's own copy first (a global eslint or prettier may not match the project's
/// config), else the person's own from PATH. The project's copy is looked at through the
/// project's handle: a `.bin` entry linked out of the project is not the project's own.
fn node_bin(root: &ProjectRoot, name: &str, env: &[(String, String)]) -> Option<PathBuf> {
    let rel = format!("node_modules/.bin/{name}");
    let own = root.metadata(&rel).is_ok_and(|meta| meta.is_file() && is_executable_mode(&meta));
    own.then(|| root.path().join(&rel)).or_else(|| on_path(name, env))
}

/// `name` in the PATH of the environment the tool will run with.
pub(crate) fn on_path(name: &str, env: &[(String, String)]) -> Option<PathBuf> {
    let path = env.iter().find(|(key, _)| key == "PATH").map(|(_, value)| value.as_str())?;
    std::env::split_paths(path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable_mode(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable_mode(_: &std::fs::Metadata) -> bool {
    true
}

/// Whether a program on PATH can run. PATH was cut to folders outside the project
/// (`path_outside_project`), so this never looks at a project file.
#[allow(clippy::disallowed_methods)]
fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && is_executable_mode(&meta))
}
