use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use redline_api::{App, ChatEvent, EventSink, Progress, ProjectChanged, SendInput};
use redline_edits::{Format, FormatChoice};
use redline_review::{apply_reply, ApplyOptions, FileReport, ReportStatus};

use crate::terminal;

/// Redline: chat with a language model about a project and review every change it proposes.
#[derive(Debug, Parser)]
#[command(name = "redline", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// The folder to open. Without it, Redline shows the welcome screen.
    pub folder: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lists the models that are set up (providers in Settings) or found on this machine.
    Models {
        /// One JSON object with the models and any provider problems.
        #[arg(long)]
        json: bool,
    },
    /// Answers one question about a project, streaming the answer to stdout.
    Ask {
        /// The project folder (default: the current folder).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// `provider/model`; the default model when absent.
        #[arg(long)]
        model: Option<String>,
        /// A file or folder to attach (like an @-mention); may be repeated.
        #[arg(long = "attach")]
        attach: Vec<String>,
        /// Attach the working tree's uncommitted changes.
        #[arg(long)]
        diff: bool,
        /// Write the model's text byte for byte, for a pipe; by default control characters
        /// (escape sequences, bidi overrides) are shown as escapes like `\x1b`.
        #[arg(long)]
        raw: bool,
        question: String,
    },
    /// Applies a model's reply (read from stdin) to the files of a project: each file is written
    /// atomically, merged if it changed meanwhile, and left untouched if any of its edits fails.
    /// Exits 0 when every edit applied, 1 when any failed, 2 for usage errors.
    Apply {
        /// The project folder (default: the current folder).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The edit format of the reply.
        #[arg(long, value_enum, default_value_t = ReplyFormat::Auto)]
        format: ReplyFormat,
        /// Write nothing; print the unified diff of what would change.
        #[arg(long)]
        dry_run: bool,
        /// One JSON object per file and line: path, status, error, hunks.
        #[arg(long)]
        json: bool,
        /// Also write protected files (`.vscode/`, `.envrc`, hooks, CI workflows, …), which make
        /// other tools run code; without it they are refused. Git's own files are always refused.
        #[arg(long)]
        allow_protected: bool,
        /// Write diffs and paths byte for byte, for a pipe; by default control characters are
        /// shown as escapes and odd file names quoted, as git does.
        #[arg(long)]
        raw: bool,
    },
    /// Trusts a folder, so Redline runs its own tools (node_modules/.bin, JavaScript configs),
    /// MCP servers and test command; prints the folder's identity and the new state.
    Trust(TrustArgs),
}

/// Trust is an identity and a decision, not a path: `redline trust` prints both.
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    /// The project folder (default: the current folder).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Stop trusting the folder: its own tools, servers and test command stay off again.
    #[arg(long, conflicts_with = "list")]
    revoke: bool,
    /// List the trusted folders instead.
    #[arg(long)]
    list: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplyFormat {
    /// Decided by the reply's first unmistakable marker.
    Auto,
    /// JSON tool calls (`edit_file`, `create_file`, …).
    Tool,
    /// SEARCH/REPLACE blocks.
    SearchReplace,
    /// Unified diffs.
    Udiff,
    /// Whole files.
    Whole,
    /// OpenAI's apply_patch (`*** Begin Patch` … `*** End Patch`).
    ApplyPatch,
}

impl ReplyFormat {
    fn choice(self) -> FormatChoice {
        match self {
            ReplyFormat::Auto => FormatChoice::Auto,
            ReplyFormat::Tool => FormatChoice::Exact(Format::ToolCalls),
            ReplyFormat::SearchReplace => FormatChoice::Exact(Format::SearchReplace),
            ReplyFormat::Udiff => FormatChoice::Exact(Format::UnifiedDiff),
            ReplyFormat::Whole => FormatChoice::Exact(Format::WholeFile),
            ReplyFormat::ApplyPatch => FormatChoice::Exact(Format::ApplyPatch),
        }
    }
}

impl Cli {
    /// The folder to open, absolute, checked to exist.
    pub fn initial_folder(&self) -> Result<Option<String>, String> {
        let Some(folder) = &self.folder else { return Ok(None) };
        absolute_folder(folder).map(Some)
    }
}

fn absolute_folder(folder: &std::path::Path) -> Result<String, String> {
    let root = redline_project::ProjectRoot::open(folder).map_err(|e| match e {
        redline_project::ProjectError::NotFound(_) => {
            format!("cannot open {}: no such folder", folder.display())
        }
        e => e.to_string(),
    })?;
    Ok(root.path().display().to_string())
}

/// Headless commands have no window to send events to.
struct NoWindow;

impl EventSink for NoWindow {
    fn project_changed(&self, _: ProjectChanged) {}
    fn progress(&self, _: Progress) {}
}

/// Runs a headless command; returns the process exit code.
pub fn run(command: Command) -> i32 {
    // Applying needs no data folder, runtime or model: it only touches the project.
    if let Command::Apply { root, format, dry_run, json, allow_protected, raw } = command {
        return apply(
            &root,
            format,
            ApplyOptions { dry_run, allow_protected },
            json,
            terminal::Stdout { raw },
        );
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("redline: {e}");
            return 1;
        }
    };
    let app = App::new(&redline_api::default_data_dir(), None, Arc::new(NoWindow));
    runtime.block_on(async {
        match command {
            Command::Models { json } => models(&app, json).await,
            Command::Ask { root, model, attach, diff, raw, question } => {
                ask(&app, &root, model, attach, diff, question, terminal::Stdout { raw }).await
            }
            Command::Apply { .. } => 2,
            Command::Trust(args) => trust(&app, args),
        }
    })
}

async fn models(app: &App, json: bool) -> i32 {
    let view = app.models(true).await;
    // Model names come from servers, provider names from settings: both escaped.
    for warning in app.providers().iter().filter_map(|p| p.warning.as_deref()) {
        eprintln!("redline: warning: {}", terminal::text(warning));
    }
    if json {
        println!("{}", terminal::json(&serde_json::to_string_pretty(&view).unwrap_or_default()));
        return 0;
    }
    for m in &view.models {
        let default = if view.default_model.as_ref() == Some(&m.id) { "  (default)" } else { "" };
        let found = if m.detected { "  [found on this machine]" } else { "" };
        println!("{}\t{}{found}{default}", terminal::text(&m.id), terminal::text(&m.provider_name));
    }
    for problem in &view.problems {
        eprintln!("redline: {}", terminal::text(problem));
    }
    if view.models.is_empty() {
        eprintln!("redline: no model is set up; add a provider in the app's Settings, or start Ollama");
        return 1;
    }
    0
}

async fn ask(
    app: &App,
    root: &std::path::Path,
    model: Option<String>,
    attach: Vec<String>,
    diff: bool,
    question: String,
    stdout: terminal::Stdout,
) -> i32 {
    let folder = match absolute_folder(root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("redline: {e}");
            return 2;
        }
    };
    if let Err(e) = app.open_project(&folder) {
        eprintln!("redline: {}", e.message);
        return 2;
    }
    let input = SendInput { model, attachments: attach, include_diff: diff, ..SendInput::new(question) };
    let escaper = std::sync::Mutex::new(terminal::TextStream::default());
    let emit = |event: ChatEvent| match event {
        ChatEvent::Render { delta, .. } => {
            let shown = if stdout.raw {
                delta
            } else {
                escaper.lock().unwrap_or_else(|e| e.into_inner()).push(&delta)
            };
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(shown.as_bytes());
            let _ = out.flush();
        }
        ChatEvent::Started { meter, .. } if !meter.dropped.is_empty() => {
            let dropped: Vec<_> = meter.dropped.iter().map(|p| terminal::path(p)).collect();
            eprintln!("redline: dropped to fit the context window: {}", dropped.join(", "));
        }
        ChatEvent::Retrying { attempt, delay_ms, message } => {
            let message = terminal::text(&message);
            eprintln!("redline: retry {attempt} in {:.1} s: {message}", delay_ms as f64 / 1000.0);
        }
        _ => {}
    };
    let result = app.send_message(input, &emit).await;
    let rest = escaper.lock().unwrap_or_else(|e| e.into_inner()).finish();
    say_untrusted(app);
    match result {
        Ok(reply) => {
            println!("{rest}");
            match reply.error {
                Some(e) => {
                    eprintln!("redline: {:?}: {}", e.code, terminal::text(&e.message));
                    1
                }
                None => 0,
            }
        }
        Err(e) => {
            eprintln!("redline: {:?}: {}", e.code, terminal::text(&e.message));
            1
        }
    }
}

/// One line on stderr naming what an untrusted folder did not get, when anything was left off.
fn say_untrusted(app: &App) {
    let notes = app.take_trust_notes();
    if !notes.is_empty() {
        let notes = notes.join(", ");
        let notes = terminal::text(&notes);
        eprintln!("redline: this folder is not trusted: {notes}; run `redline trust` to allow it");
    }
}

fn trust(app: &App, args: TrustArgs) -> i32 {
    if args.list {
        return list_trusted(app);
    }
    let folder = match absolute_folder(&args.root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("redline: {e}");
            return 2;
        }
    };
    let changed = app.open_project(&folder).and_then(|info| {
        if args.revoke {
            app.revoke_trust(&info.identity).map(|()| (info.identity, false))
        } else {
            app.trust_project().map(|info| (info.identity, info.trusted))
        }
    });
    match changed {
        Ok((identity, trusted)) => {
            let state = if trusted { "trusted" } else { "not trusted" };
            println!("{}\t{state}", terminal::text(&identity));
            0
        }
        Err(e) => {
            eprintln!("redline: {}", terminal::text(&e.message));
            1
        }
    }
}

fn list_trusted(app: &App) -> i32 {
    match app.trusted_projects() {
        Ok(projects) => {
            for p in projects {
                let gone = if p.exists { "" } else { "\t(missing)" };
                println!("{}\t{}{gone}", terminal::path(&p.path), terminal::text(&p.identity));
            }
            0
        }
        Err(e) => {
            eprintln!("redline: {}", terminal::text(&e.message));
            1
        }
    }
}

fn apply(
    root: &std::path::Path,
    format: ReplyFormat,
    options: ApplyOptions,
    json: bool,
    stdout: terminal::Stdout,
) -> i32 {
    let dry_run = options.dry_run;
    let project = match absolute_folder(root)
        .and_then(|f| redline_project::ProjectRoot::open(&f).map_err(|e| e.to_string()))
    {
        Ok(project) => project,
        Err(e) => {
            eprintln!("redline: {e}");
            return 2;
        }
    };
    let mut reply = String::new();
    if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut reply) {
        eprintln!("redline: cannot read the reply from stdin: {e}");
        return 2;
    }
    let reports = apply_reply(&project, &reply, format.choice(), options);
    if reports.is_empty() {
        eprintln!("redline: the reply holds no edits");
        return 1;
    }
    let mut out = std::io::stdout().lock();
    for report in &reports {
        let _ = if json {
            print_json(&mut out, report, dry_run)
        } else {
            print_plain(&mut out, report, dry_run, stdout)
        };
    }
    let _ = out.flush();
    if reports.iter().any(|r| r.status == ReportStatus::Failed) {
        1
    } else {
        0
    }
}

fn print_json(out: &mut impl Write, report: &FileReport, dry_run: bool) -> std::io::Result<()> {
    let mut value = serde_json::json!({
        "path": report.path,
        "status": report.status,
        "error": report.error,
        "hunks": report.hunks,
    });
    if let Some(to) = &report.renamed_to {
        value["renamed_to"] = to.as_str().into();
    }
    if report.merged {
        value["merged"] = true.into();
    }
    if dry_run {
        value["diff"] = report.diff.as_str().into();
    }
    writeln!(out, "{}", terminal::json(&value.to_string()))
}

fn print_plain(
    out: &mut impl Write,
    report: &FileReport,
    dry_run: bool,
    stdout: terminal::Stdout,
) -> std::io::Result<()> {
    if dry_run {
        out.write_all(stdout.text(&report.diff).as_bytes())?;
    }
    let status = serde_json::to_value(report.status).ok();
    let status = status.as_ref().and_then(|s| s.as_str()).unwrap_or("?");
    let target = report.renamed_to.as_ref().map(|to| format!(" -> {}", stdout.path(to))).unwrap_or_default();
    let path = stdout.path(&report.path);
    let merged = if report.merged { ", merged with changes on disk" } else { "" };
    let hunks = report.hunks.changed;
    match &report.error {
        Some(error) => {
            let name = if report.path.is_empty() { "reply".into() } else { terminal::path(&report.path) };
            eprintln!("redline: {name}: {}", terminal::text(error));
            writeln!(out, "{status}\t{path}{target}")
        }
        None => writeln!(out, "{status}\t{path}{target} ({hunks} hunk(s){merged})"),
    }
}
