//! `scripts/bench [REPOSITORY]`: Redline's backend against the reference tools, in one run.
//!
//! Prints, for a repository of at least 50,000 files (generated when none is given): full git
//! status against `git status --porcelain` (ratio), per-path re-status, open → tree and status
//! ready, watcher setup and write→event latency (p50/p95), and highlighting lines/s against
//! `batcat --color=always` on the same large file (ratio); for the agent (`agent`): its search
//! tool against `git grep`, the repo map's tree-sitter scan against a `git grep` for definitions,
//! and the checks before review against highlighting the same file; for the streaming edit parser
//! (`parse`), a long reply's cost per line over a short one's. Numbers, never pass/fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use redline_api::{App, EventSink, Progress, ProjectChanged};
use redline_git::Repo;
use redline_highlight::Document;
use redline_project::{IgnoreRules, Watcher};

const RUNS: usize = 5;

fn main() -> anyhow::Result<()> {
    // `REDLINE_BENCH_ONLY=status` (or open, watcher, highlight, stream, parse, review, local, agent)
    // runs one part, e.g. under a profiler.
    let only = std::env::var("REDLINE_BENCH_ONLY").ok();
    let wanted = |part: &str| only.as_deref().is_none_or(|o| o == part);
    if ["status", "open", "watcher"].iter().any(|p| wanted(p)) {
        let repo = match std::env::args().nth(1) {
            Some(path) => PathBuf::from(path),
            None => redline_tests::bench_repo(50_000)?,
        }
        .canonicalize()?;
        let files = Command::new("git").arg("-C").arg(&repo).args(["ls-files"]).output()?.stdout;
        let tracked = files.iter().filter(|b| **b == b'\n').count();
        println!("repository: {} ({tracked} tracked files)", repo.display());
        if wanted("status") {
            status(&repo)?;
        }
        if wanted("open") {
            open_to_ready(&repo)?;
        }
        if wanted("watcher") {
            watcher(&repo)?;
        }
    }
    if wanted("highlight") {
        highlight()?;
    }
    if wanted("stream") {
        streaming()?;
    }
    if wanted("parse") {
        streaming_parse();
    }
    if wanted("review") {
        review_click()?;
    }
    if wanted("local") {
        local_engine()?;
    }
    if wanted("agent") {
        agent()?;
    }
    Ok(())
}

/// Copies the files under `from` (no symlinks) to `to`.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_tree(&source, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target)?;
        }
    }
    Ok(())
}

/// The agent's search tool over the 50,000-file repository, the repo map over this repository's
/// own crates, and the checks before review on a 20,000-line C file, each beside a reference
/// doing a simpler version of the same job in the same run.
fn agent() -> anyhow::Result<()> {
    let repo = redline_tests::bench_repo(50_000)?.canonicalize()?;
    let root = redline_project::ProjectRoot::open(&repo)?;
    let args = serde_json::json!({"pattern": "fn f4242\\b", "max_results": 50});
    let git_grep = median(
        (0..RUNS)
            .map(|_| {
                time(|| {
                    let _ = Command::new("git")
                        .arg("-C")
                        .arg(&repo)
                        .args(["grep", "-n", "-E", "fn f4242\\b"])
                        .stdout(Stdio::null())
                        .status();
                })
            })
            .collect(),
    );
    let ours = median(
        (0..RUNS)
            .map(|_| {
                time(|| {
                    let out = redline_agent::tools::run_read_only(&root, "search", &args);
                    assert!(!out.is_error, "{}", out.content);
                })
            })
            .collect(),
    );
    println!("\n## agent tools (median of {RUNS})");
    println!("git grep -n over 50k files   {}", ms(git_grep));
    println!("search tool (gitignore-aware) {}   ratio {:.2}x git grep", ms(ours), ratio(ours, git_grep));

    // A copy of this repository's crates: real code, and a file to change without touching ours.
    let copy = tempfile::tempdir()?;
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates"), copy.path())?;
    Command::new("git").arg("-C").arg(copy.path()).args(["init", "-q"]).status()?;
    Command::new("git").arg("-C").arg(copy.path()).args(["add", "."]).status()?;
    let crates = copy.path().canonicalize()?;
    let defs = median(
        (0..3)
            .map(|_| {
                time(|| {
                    let _ = Command::new("git")
                        .arg("-C")
                        .arg(&crates)
                        .args([
                            "grep",
                            "-n",
                            "-E",
                            r"^\s*(pub(\(crate\))? )?(fn|struct|enum|trait|impl|mod) ",
                        ])
                        .stdout(Stdio::null())
                        .status();
                })
            })
            .collect(),
    );
    let mut map = redline_repomap::RepoMap::new(&crates);
    let scan = time(|| map.scan());
    let (files, definitions) = map.stats();
    let focus = redline_repomap::Focus { files: Vec::new(), idents: vec!["Proposal".into()] };
    let render = median((0..3).map(|_| time(|| drop(map.render(&focus, 2048)))).collect());
    let file = crates.join("redline-api/src/agent.rs");
    std::fs::write(&file, std::fs::read_to_string(&file)? + "\nfn added_by_the_bench() {}\n")?;
    let update = time(|| map.update(&["redline-api/src/agent.rs".to_owned()]));
    println!("\n## repo map of crates/ ({files} files, {definitions} definitions)");
    println!("git grep for definitions      {}", ms(defs));
    println!("tree-sitter scan (cold)       {}   ratio {:.1}x git grep", ms(scan), ratio(scan, defs));
    println!("rank + render 2,048 tokens    {}", ms(render));
    println!("update after one file changed {}", ms(update));

    let c_file = redline_tests::bench_c_file(20_000)?;
    let text = std::fs::read_to_string(&c_file)?;
    let lines = text.lines().count();
    let changed = text.replacen("long total = 0;", "long total = 0", 1);
    let highlight = median(
        (0..3)
            .map(|_| {
                time(|| {
                    let mut doc = Document::new("big.c", changed.clone());
                    assert_eq!(doc.lines_html(0, lines).len(), lines);
                })
            })
            .collect(),
    );
    let checks = median(
        (0..3)
            .map(|_| {
                time(|| {
                    let found = redline_checks::static_checks("big.c", Some(&text), &changed);
                    assert!(!found.is_empty(), "the missing semicolon is found");
                })
            })
            .collect(),
    );
    println!("\n## checks before review, {lines} lines of C with one change (median of 3)");
    println!("highlighting the file         {}", ms(highlight));
    println!(
        "static checks (parse, secrets, risky code) {}   ratio {:.2}x highlighting",
        ms(checks),
        ratio(checks, highlight)
    );
    Ok(())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn status(repo: &Path) -> anyhow::Result<()> {
    let git_cli = median(
        (0..RUNS)
            .map(|_| {
                time(|| {
                    let _ = Command::new("git")
                        .arg("-C")
                        .arg(repo)
                        .args(["status", "--porcelain"])
                        .stdout(Stdio::null())
                        .status();
                })
            })
            .collect(),
    );
    let full = median(
        (0..RUNS)
            .map(|_| {
                time(|| {
                    let mut r = Repo::discover(repo).ok().flatten().expect("repository");
                    r.full_status().expect("status");
                })
            })
            .collect(),
    );
    let mut r = Repo::discover(repo)?.ok_or_else(|| anyhow::anyhow!("not a repository"))?;
    r.full_status()?;
    let one_path = vec![first_tracked_file(repo)?];
    let refresh = median((0..RUNS).map(|_| time(|| drop(r.refresh_paths(&one_path)))).collect());
    println!("\n## git status (warm, median of {RUNS})");
    println!("git status --porcelain      {}", ms(git_cli));
    println!("Redline full status         {}   ratio {:.2}x git", ms(full), ratio(full, git_cli));
    println!("Redline re-status of 1 path {}   ratio {:.3}x git", ms(refresh), ratio(refresh, git_cli));
    Ok(())
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

fn first_tracked_file(repo: &Path) -> anyhow::Result<String> {
    let out = Command::new("git").arg("-C").arg(repo).args(["ls-files"]).output()?.stdout;
    let list = String::from_utf8(out)?;
    list.lines()
        .nth(1000)
        .or(list.lines().next())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no files"))
}

struct Quiet;
impl EventSink for Quiet {
    fn project_changed(&self, _: ProjectChanged) {}
    fn progress(&self, _: Progress) {}
}

fn open_to_ready(repo: &Path) -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let samples: Vec<(Duration, Duration)> = (0..RUNS)
        .map(|_| {
            let app = App::new(data.path(), None, Arc::new(Quiet));
            let start = Instant::now();
            app.open_project(&repo.display().to_string()).expect("open");
            app.list_dir("", false).expect("tree");
            let tree = start.elapsed();
            app.git_state().expect("status");
            (tree, start.elapsed())
        })
        .collect();
    println!("\n## open → ready (median of {RUNS})");
    println!("tree shown                  {}", ms(median(samples.iter().map(|s| s.0).collect())));
    println!("tree and git status ready   {}", ms(median(samples.iter().map(|s| s.1).collect())));
    Ok(())
}

fn watcher(repo: &Path) -> anyhow::Result<()> {
    let rules = Arc::new(IgnoreRules::new(repo));
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let git_dir = repo.join(".git");
    let watcher = Watcher::start(repo, Some(&git_dir), rules, move |batch| {
        let _ = tx.send((Instant::now(), batch));
    })?;
    let setup = start.elapsed();
    let probe = repo.join("redline-bench-probe.txt");
    let mut latencies = Vec::new();
    for i in 0..40 {
        std::thread::sleep(Duration::from_millis(20));
        while rx.try_recv().is_ok() {}
        let written = Instant::now();
        std::fs::write(&probe, format!("{i}"))?;
        let (seen, _) = rx.recv_timeout(Duration::from_secs(5))?;
        latencies.push(seen - written);
    }
    std::fs::remove_file(&probe)?;
    drop(watcher);
    println!("\n## watcher");
    println!("setup (all non-ignored folders)  {}", ms(setup));
    println!(
        "write → batch delivered, incl. debounce  p50 {}  p95 {}",
        ms(percentile(&mut latencies, 0.5)),
        ms(percentile(&mut latencies, 0.95))
    );
    Ok(())
}

fn highlight() -> anyhow::Result<()> {
    let file = redline_tests::bench_c_file(200_000)?;
    let text = std::fs::read_to_string(&file)?;
    let lines = text.lines().count();
    let bat = median(
        (0..3)
            .map(|_| {
                time(|| {
                    let _ = Command::new("batcat")
                        .args(["--color=always", "--paging=never", "--style=plain"])
                        .arg(&file)
                        .stdout(Stdio::null())
                        .status();
                })
            })
            .collect(),
    );
    let ours = median(
        (0..3)
            .map(|_| {
                time(|| {
                    let mut doc = Document::new("big.c", text.clone());
                    let html = doc.lines_html(0, lines);
                    assert_eq!(html.len(), lines);
                })
            })
            .collect(),
    );
    let per_sec = |d: Duration| lines as f64 / d.as_secs_f64();
    println!("\n## highlighting {lines} lines of C (median of 3)");
    println!("batcat --color=always   {:>9.0} lines/s", per_sec(bat));
    println!(
        "Redline                 {:>9.0} lines/s   ratio {:.2}x bat",
        per_sec(ours),
        per_sec(ours) / per_sec(bat)
    );
    Ok(())
}

/// A reply of about `tokens` tokens, one token per SSE frame as servers send them: paragraphs
/// and code blocks in turn, so blocks keep closing while it streams.
/// An app whose default model is `m` on the scripted server at `url`, with `project` open; the
/// data folder goes with it.
fn scripted_app(url: &str, project: &Path) -> anyhow::Result<(App, tempfile::TempDir)> {
    let data = tempfile::tempdir()?;
    let settings = format!(
        "detect_local_servers = false\ndefault_model = \"bench/m\"\n[[provider]]\nid = \"bench\"\nname = \"Bench\"\nwire = \"openai\"\nbase_url = \"{url}/v1\"\nmodels = [\"m\"]\n"
    );
    std::fs::write(data.path().join("settings.toml"), settings)?;
    let app = App::with_memory_keys(data.path(), Arc::new(Quiet));
    app.open_project(&project.display().to_string())?;
    Ok((app, data))
}

fn reply_frames(tokens: usize) -> Vec<String> {
    let mut pieces = Vec::with_capacity(tokens + 8);
    for i in 0..tokens {
        let piece = match i % 120 {
            0 => "Some prose about the code ".to_owned(),
            59 => "\n\n```rust\n".to_owned(),
            99 => "\n```\n\n".to_owned(),
            n if (60..99).contains(&n) => format!("let x{n} = {n};\n"),
            n => format!("word{n} "),
        };
        pieces.push(piece);
    }
    let mut frames: Vec<String> = pieces
        .iter()
        .map(|p| format!("data: {}\n\n", serde_json::json!({"choices":[{"index":0,"delta":{"content":p}}]})))
        .collect();
    frames.push("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n".into());
    frames.push("data: [DONE]\n\n".into());
    frames
}

/// Per-token cost of a streamed reply through the whole backend (HTTP, SSE, decoding,
/// block rendering, batching, saving) for 1k, 10k and 50k tokens; flat means the ratio
/// 50k/1k stays near 1.
fn streaming() -> anyhow::Result<()> {
    use redline_tests::model_server::{Ending, ModelServer, Reply};
    let runtime = tokio::runtime::Runtime::new()?;
    let mut per_token = Vec::new();
    for tokens in [1_000usize, 10_000, 50_000] {
        let cost = runtime.block_on(async {
            let server = ModelServer::start(vec![Reply::Sse {
                frames: reply_frames(tokens),
                pace: Duration::ZERO,
                ending: Ending::Complete,
            }])
            .await;
            let project = tempfile::tempdir()?;
            let (app, _data) = scripted_app(&server.url, project.path())?;
            let updates = std::sync::atomic::AtomicUsize::new(0);
            let emit = |_: redline_api::ChatEvent| {
                updates.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            };
            let input = redline_api::SendInput::new("stream");
            let started = Instant::now();
            let reply = app.send_message(input, &emit).await?;
            let elapsed = started.elapsed();
            anyhow::ensure!(reply.status == "complete", "reply ended {}: {:?}", reply.status, reply.error);
            println!(
                "stream {tokens:>6} tokens: {} total, {:.2} µs/token, {} UI updates",
                ms(elapsed),
                elapsed.as_secs_f64() * 1e6 / tokens as f64,
                updates.load(std::sync::atomic::Ordering::Relaxed)
            );
            anyhow::Ok(elapsed.as_secs_f64() / tokens as f64)
        })?;
        per_token.push(cost);
    }
    println!("stream per-token cost 50k/1k: {:.2} (target ≤ 1.5)", per_token[2] / per_token[0]);
    Ok(())
}

/// The streaming edit parser: a long reply's cost per line over a short one's, each pushed in
/// 20-byte chunks as a model streams it (1 when parsing is linear). The best of 9 runs taken in
/// turn, each streaming the reply enough times to last a while, so a busy machine slows both
/// sizes alike.
fn streaming_parse() {
    use redline_edits::stream_bench::{search_replace_reply, stream_in_chunks, whole_file_reply};
    use redline_edits::FormatChoice;
    let per_line = |reply: &str| {
        let lines = reply.lines().count();
        let repeats = (100_000 / lines).max(1);
        let elapsed = time(|| {
            for _ in 0..repeats {
                std::hint::black_box(stream_in_chunks(reply, FormatChoice::Auto, 20));
            }
        });
        elapsed.as_secs_f64() / (repeats * lines) as f64
    };
    println!("\n## streaming parse (Auto, 20-byte chunks, best of 9)");
    let cases = [
        ("SEARCH/REPLACE, many blocks", "10,000", search_replace_reply(500), search_replace_reply(10_000)),
        ("whole file", "5,000", whole_file_reply(500), whole_file_reply(5_000)),
    ];
    for (name, size, small, large) in cases {
        let (mut best_small, mut best_large) = (f64::MAX, f64::MAX);
        for _ in 0..9 {
            best_small = best_small.min(per_line(&small));
            best_large = best_large.min(per_line(&large));
        }
        println!(
            "streaming parse: per-line cost at {size} lines / at 500 lines = {:.2} (target ≤ 1.5)   {name}, {:.0} ns/line",
            best_large / best_small,
            best_large * 1e9
        );
    }
}

/// One accept click on a conversation with 20 proposals (3 hunks each): the backend time and the
/// bytes sent to the UI when the UI refetches the review and the conversation after the click
/// (what it did before the review slice), against `set_hunks` alone, whose answer carries the one
/// updated proposal the UI writes in place. Both measured on this build; the refetched
/// conversation no longer carries highlighted hunks, so the refetch figure is below what the old
/// code sent.
fn review_click() -> anyhow::Result<()> {
    use redline_api::HunkStateView::Accepted;
    use redline_tests::model_server::{Ending, ModelServer, Reply};
    const FILES: usize = 20;
    let runtime = tokio::runtime::Runtime::new()?;
    let project = tempfile::tempdir()?;
    let mut reply = String::new();
    for f in 0..FILES {
        let lines: String = (0..300).map(|i| format!("fn line_{f}_{i}() -> u32 {{ {i} }}\n")).collect();
        std::fs::write(project.path().join(format!("f{f}.rs")), lines)?;
        for at in [20, 150, 280] {
            let old = format!("fn line_{f}_{at}() -> u32 {{ {at} }}");
            let new = format!("fn line_{f}_{at}() -> u32 {{ {at} + 1 }}");
            reply.push_str(&format!("f{f}.rs\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE\n\n"));
        }
    }
    let (app, conversation, ids, _data, _server) = runtime.block_on(async {
        let frames = redline_tests::model_server::openai_text_frames(&reply, 64, None);
        let server =
            ModelServer::start(vec![Reply::Sse { frames, pace: Duration::ZERO, ending: Ending::Complete }])
                .await;
        let (app, data) = scripted_app(&server.url, project.path())?;
        let sent = app.send_message(redline_api::SendInput::new("edit"), &|_| {}).await?;
        let conversation = app.conversations("")?[0].id;
        let ids: Vec<i64> = sent.proposals.iter().map(|p| p.id).collect();
        anyhow::Ok((app, conversation, ids, data, server))
    })?;
    anyhow::ensure!(ids.len() == FILES, "{} proposals, not {FILES}", ids.len());
    let (mut refetch, mut in_place) = (Vec::new(), Vec::new());
    let (mut refetch_bytes, mut in_place_bytes) = (0, 0);
    for (i, id) in ids.iter().enumerate() {
        let hunk = (i % 3) as u32;
        if i % 2 == 0 {
            let started = Instant::now();
            let outcome = app.set_hunks(*id, vec![hunk], Accepted)?;
            let review = app.review(conversation)?;
            let detail = app.conversation(conversation)?;
            let sent = serde_json::to_vec(&outcome)?.len()
                + serde_json::to_vec(&review)?.len()
                + serde_json::to_vec(&detail)?.len();
            refetch.push(started.elapsed());
            refetch_bytes = sent;
        } else {
            let started = Instant::now();
            let outcome = app.set_hunks(*id, vec![hunk], Accepted)?;
            let sent = serde_json::to_vec(&outcome)?.len();
            in_place.push(started.elapsed());
            in_place_bytes = sent;
        }
    }
    let (refetch, in_place) = (median(refetch), median(in_place));
    println!("\n## one accept click, {FILES} proposals of 3 hunks (median of {} clicks each)", FILES / 2);
    println!(
        "set_hunks + review + conversation (UI refetch)  {}  {} KB to the UI",
        ms(refetch),
        refetch_bytes / 1024
    );
    println!(
        "set_hunks, view written in place                {}  {} KB to the UI   time {:.2}x, bytes {:.3}x",
        ms(in_place),
        in_place_bytes / 1024,
        ratio(in_place, refetch),
        in_place_bytes as f64 / refetch_bytes.max(1) as f64
    );
    Ok(())
}

/// The built-in engine against a bare llama-cpp-2 decode loop on the same GGUF, threads and
/// context size, in this process: prompt and generation tokens/s (ratio; target ≥ 0.95) and
/// time to first token. The model is `REDLINE_TEST_GGUF` or target/models/ (scripts/fetch-model);
/// `REDLINE_BENCH_THREADS` sets the threads (1 by default: steadiest on a shared machine).
fn local_engine() -> anyhow::Result<()> {
    use llama_cpp_2::context::params::LlamaContextParams;
    use llama_cpp_2::llama_batch::LlamaBatch;
    use llama_cpp_2::model::LlamaChatMessage;
    use llama_cpp_2::sampling::LlamaSampler;
    use redline_llm::{Delivery, LanguageModel, Message, Request, StreamEvent};
    use redline_local::{LocalModel, LocalOptions};

    const RUNS: usize = 3;
    const MAX_TOKENS: u32 = 128;
    let path = std::env::var_os("REDLINE_TEST_GGUF").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    });
    if !path.is_file() {
        println!("local: skipped, no model at {} (run scripts/fetch-model)", path.display());
        return Ok(());
    }
    let threads: usize =
        std::env::var("REDLINE_BENCH_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(1);
    let n_ctx = 4096u32;
    let code =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/model_server.rs"))?;
    let snippet: String = code.lines().take(60).collect::<Vec<_>>().join("\n");
    // A different system line per run, so no run reuses the previous one's context.
    let request = |run: usize| {
        let mut r =
            Request::new("builtin/bench", vec![Message::user(format!("Explain this code:\n\n{snippet}"))]);
        r.system = Some(format!("Run {run}. You are a helpful assistant who explains code."));
        r.temperature = Some(0.0);
        r.max_tokens = MAX_TOKENS;
        r
    };

    // Redline's engine, through the LanguageModel trait.
    let model = LocalModel::new(&path)
        .with_options(LocalOptions { threads: Some(threads), context_size: Some(n_ctx) });
    let runtime = tokio::runtime::Runtime::new()?;
    let through_engine = |run: usize| {
        runtime.block_on(async {
            let started = Instant::now();
            let mut stream = model.stream(request(run));
            let (mut first, mut usage) = (None, None);
            while let Some(item) = stream.next().await {
                match item? {
                    Delivery::Event(StreamEvent::Text(_)) if first.is_none() => {
                        first = Some(started.elapsed())
                    }
                    Delivery::Event(StreamEvent::Usage(u)) => usage = Some(u),
                    _ => {}
                }
            }
            let total = started.elapsed();
            let first = first.ok_or_else(|| anyhow::anyhow!("no text"))?;
            let usage = usage.ok_or_else(|| anyhow::anyhow!("no usage"))?;
            anyhow::Ok((first, total, usage.input as usize, usage.output as usize))
        })
    };
    let load = Instant::now();
    through_engine(0)?; // loads the model
    println!("local: model loaded and first reply in {} ({} threads)", ms(load.elapsed()), threads);

    // The bare loop: the same prompt text, one decode for the prompt, greedy sampling.
    let backend = redline_local::backend()?;
    let bare_model = redline_local::load_model(&path)?;
    let template = bare_model.chat_template(None)?;
    let mut ctx = bare_model.new_context(
        backend,
        LlamaContextParams::default()
            .with_n_ctx(std::num::NonZeroU32::new(n_ctx))
            .with_n_batch(n_ctx)
            .with_n_threads(threads as i32)
            .with_n_threads_batch(threads as i32),
    )?;
    let mut bare = |run: usize, generate: usize| -> anyhow::Result<(Duration, Duration, usize)> {
        let r = request(run);
        let chat = vec![
            LlamaChatMessage::new("system".into(), r.system.clone().unwrap_or_default())?,
            LlamaChatMessage::new("user".into(), format!("Explain this code:\n\n{snippet}"))?,
        ];
        let prompt = bare_model.apply_chat_template(&template, &chat, true)?;
        let started = Instant::now();
        let tokens = bare_model.vocab().tokenize(prompt.as_bytes(), true, true);
        ctx.clear_kv_cache();
        let mut batch = LlamaBatch::new(tokens.len().max(1), 1);
        batch.add_sequence(&tokens, 0, false)?;
        ctx.decode(&mut batch)?;
        let mut sampler = LlamaSampler::greedy();
        let mut token = sampler.sample(&ctx, batch.n_tokens() - 1);
        let _ = bare_model.vocab().token_to_piece(token, false, None);
        let first = started.elapsed();
        for pos in tokens.len() as i32..(tokens.len() + generate - 1) as i32 {
            batch.clear();
            batch.add(token, pos, &[0], true)?;
            ctx.decode(&mut batch)?;
            token = sampler.sample(&ctx, 0);
            let _ = bare_model.vocab().token_to_piece(token, false, None);
        }
        Ok((first, started.elapsed(), tokens.len()))
    };
    bare(0, 8)?; // warms the context

    let mut prompt_tokens = 0;
    let (mut engine_prompt, mut engine_gen, mut engine_first) = (Vec::new(), Vec::new(), Vec::new());
    let (mut bare_prompt, mut bare_gen, mut bare_first) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=RUNS {
        let (first, total, input, output) = through_engine(run)?;
        prompt_tokens = input;
        engine_first.push(first);
        engine_prompt.push(input as f64 / first.as_secs_f64());
        engine_gen.push(output.saturating_sub(1) as f64 / (total - first).as_secs_f64());
        let (first, total, input) = bare(run, output.max(2))?;
        bare_first.push(first);
        bare_prompt.push(input as f64 / first.as_secs_f64());
        bare_gen.push(output.max(2).saturating_sub(1) as f64 / (total - first).as_secs_f64());
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (ep, eg, bp, bg) = (med(engine_prompt), med(engine_gen), med(bare_prompt), med(bare_gen));
    println!("local prompt:     Redline {ep:>6.1} tok/s, bare llama.cpp {bp:>6.1} tok/s, ratio {:.2} (target ≥ 0.95)", ep / bp);
    println!("local generation: Redline {eg:>6.1} tok/s, bare llama.cpp {bg:>6.1} tok/s, ratio {:.2} (target ≥ 0.95)", eg / bg);
    println!(
        "local first token: Redline {}, bare llama.cpp {} (prompt of {prompt_tokens} tokens, model loaded)",
        ms(median(engine_first)),
        ms(median(bare_first)),
    );
    Ok(())
}
