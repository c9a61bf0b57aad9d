//! Scores the engine on the edit cases collected from other tools' test suites
//! (../shared/eval/edit-cases). Prints per-file tallies; fails only on a wrong write: a file or
//! parse that differs from a literal expectation, or a write where the upstream test expected a
//! refusal.

// The eval case files are test data read with std::fs (see the workspace clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use redline_edits::aider_compat::{find_filename, strip_quoted_wrapping};
use redline_edits::{
    apply_file, parse_apply_patch_call, parse_reply_with, plan_edits, plan_reply_with, DiffLine, Edit,
    EditKind, EmptySearch, FileOutcome, FileResult, FileStatus, Format, FormatChoice, MatchOptions,
    ParseOptions,
};
use serde_json::Value;

/// How one case came out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Exact,
    /// The engine refused (with an error) where the upstream tool produced a result.
    Refused(String),
    /// The engine produced something other than a non-literal (reference-implementation)
    /// expectation: reported, reviewed by hand, not a failure.
    Divergent(String),
    /// A result that differs from a literal expectation, or a write where refusal was expected.
    Wrong(String),
    /// No ground truth: only checked for panics and garbage.
    Unlabeled,
}

#[derive(Default)]
struct Tally {
    exact: usize,
    refused: BTreeMap<String, usize>,
    divergent: BTreeMap<String, usize>,
    wrong: Vec<String>,
    unlabeled: usize,
    notes: Vec<String>,
}

impl Tally {
    fn add(&mut self, id: &str, verdict: Verdict) {
        match verdict {
            Verdict::Exact => self.exact += 1,
            Verdict::Refused(cat) => {
                self.notes.push(format!("  refused   {id}: {cat}"));
                *self.refused.entry(category(&cat)).or_default() += 1;
            }
            Verdict::Divergent(why) => {
                self.notes.push(format!("  divergent {id}: {why}"));
                *self.divergent.entry(category(&why)).or_default() += 1;
            }
            Verdict::Wrong(why) => self.wrong.push(format!("{id}: {why}")),
            Verdict::Unlabeled => self.unlabeled += 1,
        }
    }

    fn print(&self, file: &str, total: usize) {
        println!(
            "{file}: {total} cases | exact {} | refused-with-error {} | divergent-from-reference {} | wrong {} | unlabeled {}",
            self.exact,
            self.refused.values().sum::<usize>(),
            self.divergent.values().sum::<usize>(),
            self.wrong.len(),
            self.unlabeled
        );
        for (cat, n) in &self.refused {
            println!("    refused   {n:>3}  {cat}");
        }
        for (cat, n) in &self.divergent {
            println!("    divergent {n:>3}  {cat}");
        }
        for w in &self.wrong {
            println!("    WRONG {w}");
        }
        if std::env::var_os("EVAL_VERBOSE").is_some() {
            self.notes.iter().for_each(|n| println!("{n}"));
        }
    }
}

/// The category is the part of a reason before the first colon.
fn category(reason: &str) -> String {
    reason.split(':').next().unwrap_or(reason).trim().to_string()
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/edit-cases")
}

fn load(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("readable case file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

fn s<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
    case.get(key).and_then(Value::as_str)
}

/// Literal expectations are binding; "reference-implementation-output" is one tool's opinion.
fn is_literal(case: &Value) -> bool {
    let from = s(case, "expected_from").unwrap_or("");
    !from.starts_with("reference-implementation-output")
}

#[test]
fn eval_edit_cases() {
    let dir = cases_dir();
    if !dir.is_dir() {
        println!("edit cases not found at {}; skipping the eval", dir.display());
        return;
    }
    let files = [
        "aider_chat-history-real.jsonl",
        "aider_unit-tests.jsonl",
        "roo-code_diff-strategies.jsonl",
        "cline_construct-new-file-content.jsonl",
        "continue_lazy-apply.jsonl",
        "codex_apply-patch-scenarios.jsonl",
        "unlabeled/gpt-engineer_real-chats.jsonl",
    ];
    let mut wrong = 0;
    for file in files {
        let path = dir.join(file);
        if !path.is_file() {
            println!("{file}: missing, skipped");
            continue;
        }
        let cases = load(&path);
        let mut tally = Tally::default();
        for case in &cases {
            let id = s(case, "id").unwrap_or("?");
            tally.add(id, run_case(case));
        }
        tally.print(file, cases.len());
        wrong += tally.wrong.len();
    }
    assert_eq!(wrong, 0, "the engine wrote something wrong; see WRONG lines above");
}

fn run_case(case: &Value) -> Verdict {
    let task = s(case, "task").unwrap_or("");
    let format = s(case, "format").unwrap_or("");
    match task {
        "parse" if format == "aider-udiff" => aider_udiff_parse(case),
        "parse" => aider_block_parse(case),
        "apply_search_replace" => aider_search_replace(case),
        "apply_model_output" => aider_model_output(case),
        "helper:find_filename" => helper_find_filename(case),
        "helper:strip_quoted_wrapping" => helper_strip_quoted(case),
        "validate" => roo_validate(case),
        "apply" if format.starts_with("lazy-whole-file") => continue_lazy(case),
        "apply" if format.starts_with("v4a") => v4a_apply(case),
        "apply" => single_file_apply(case),
        "apply (unlabeled)" => unlabeled_apply(case),
        other => Verdict::Wrong(format!("unknown task {other}")),
    }
}

fn aider_fence(case: &Value) -> String {
    case.pointer("/params/fence/0").and_then(Value::as_str).unwrap_or("```").to_string()
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Aider's `find_original_update_blocks`: blocks `[file, search, replace]`, shell `[null, cmd]`.
fn aider_block_parse(case: &Value) -> Verdict {
    let opts = ParseOptions {
        fence: aider_fence(case),
        known_paths: string_list(case.pointer("/params/valid_fnames")),
        default_path: None,
    };
    let out = parse_reply_with(
        s(case, "model_output").unwrap_or(""),
        FormatChoice::Exact(Format::SearchReplace),
        &opts,
    );
    let got_blocks: Vec<(String, String, String)> = out
        .edits
        .iter()
        .filter_map(|e| match &e.kind {
            EditKind::Replace { old_text, new_text, .. } => {
                Some((e.path.clone(), old_text.clone(), new_text.clone()))
            }
            _ => None,
        })
        .collect();
    let got_shell: Vec<String> = out.shell.iter().map(|b| b.command.clone()).collect();
    let Some(expected) = case.get("expected_blocks").and_then(Value::as_array) else {
        // Aider raised: we must report an error too (blocks read before it may stand).
        return if out.errors.is_empty() {
            Verdict::Wrong("accepted a reply Aider refuses to parse".into())
        } else {
            Verdict::Exact
        };
    };
    let mut want_blocks = Vec::new();
    let mut want_shell = Vec::new();
    for block in expected {
        let part = |i: usize| block.get(i).and_then(Value::as_str).unwrap_or("").to_string();
        if block.get(0).is_some_and(Value::is_null) {
            want_shell.push(part(1));
        } else {
            want_blocks.push((part(0), part(1), part(2)));
        }
    }
    compare_blocks(case, &got_blocks, &want_blocks, &got_shell, &want_shell, &out.errors)
}

fn compare_blocks(
    case: &Value,
    got: &[(String, String, String)],
    want: &[(String, String, String)],
    got_shell: &[String],
    want_shell: &[String],
    errors: &[redline_edits::ParseError],
) -> Verdict {
    if got == want && got_shell == want_shell && errors.is_empty() {
        return Verdict::Exact;
    }
    let is_prefix = want.starts_with(got);
    if !errors.is_empty() && is_prefix {
        return Verdict::Refused(format!("parse-error: {}", errors[0].message));
    }
    let first_diff = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
    let why = format!(
        "blocks differ: got {} want {} (first difference at block {}), shell got {} want {}, errors {:?}",
        got.len(),
        want.len(),
        first_diff + 1,
        got_shell.len(),
        want_shell.len(),
        errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()
    );
    if is_literal(case) {
        Verdict::Wrong(why)
    } else {
        Verdict::Divergent(why)
    }
}

fn aider_udiff_parse(case: &Value) -> Verdict {
    let out = parse_reply_with(
        s(case, "model_output").unwrap_or(""),
        FormatChoice::Exact(Format::UnifiedDiff),
        &ParseOptions::default(),
    );
    let got: Vec<(String, Vec<String>)> = out
        .edits
        .iter()
        .flat_map(|e| match &e.kind {
            EditKind::UnifiedDiff { hunks } => {
                hunks.iter().map(|h| (e.path.clone(), hunk_lines(&h.lines))).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    let want: Vec<(String, Vec<String>)> = case
        .get("expected_edits")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|e| (e[0].as_str().unwrap_or("").to_string(), string_list(e.get(1)))).collect())
        .unwrap_or_default();
    if got == want {
        Verdict::Exact
    } else {
        let why = format!("udiff parse differs: got {got:?} want {want:?}");
        if is_literal(case) {
            Verdict::Wrong(why)
        } else {
            Verdict::Divergent(why)
        }
    }
}

fn hunk_lines(lines: &[DiffLine]) -> Vec<String> {
    lines
        .iter()
        .map(|l| match l {
            DiffLine::Context(t) if t.trim().is_empty() && !t.starts_with(' ') => format!(" {t}"),
            DiffLine::Context(t) => format!(" {t}"),
            DiffLine::Removed(t) => format!("-{t}"),
            DiffLine::Added(t) => format!("+{t}"),
        })
        .collect()
}

fn aider_options() -> MatchOptions {
    // Aider has no fuzzy layer in use and appends on an empty SEARCH.
    MatchOptions { fuzzy_floor: None, empty_search: EmptySearch::Append, ..MatchOptions::default() }
}

fn aider_search_replace(case: &Value) -> Verdict {
    let edit = Edit {
        path: "file".into(),
        kind: EditKind::Replace {
            old_text: s(case, "search").unwrap_or("").into(),
            new_text: s(case, "replace").unwrap_or("").into(),
            line_hint: None,
            replace_all: false,
        },
        block: 0,
    };
    let got = apply_file(s(case, "original_file"), &[&edit], &aider_options());
    judge_file(case, &got.result, got.errors.first().map(|e| format!("{}: {e}", e.category())))
}

/// Compares a file result with `expected_file` / `expected_error`.
fn judge_file(case: &Value, result: &FileResult, error: Option<String>) -> Verdict {
    let original = s(case, "original_file").unwrap_or("");
    let text = match result {
        FileResult::Modified(t) | FileResult::Created(t) | FileResult::Renamed { text: t, .. } => {
            Some(t.as_str())
        }
        FileResult::Unchanged => Some(original),
        FileResult::Deleted | FileResult::Failed => None,
    };
    let expected = s(case, "expected_file");
    let expects_failure = case.get("expected_error").is_some_and(|e| !e.is_null()) && expected.is_none();
    match (text, expected) {
        (Some(t), Some(want)) if t == want => Verdict::Exact,
        (None, _) if expects_failure => Verdict::Exact,
        (None, Some(_)) => Verdict::Refused(error.unwrap_or_else(|| "refused: no error text".into())),
        (None, None) => Verdict::Unlabeled,
        (Some(_), None) if expects_failure => {
            Verdict::Wrong("wrote a file where the upstream test expects a refusal".into())
        }
        (Some(_), None) => Verdict::Unlabeled,
        (Some(t), Some(want)) => {
            let why = format!("different text: got {t:?} want {want:?}");
            if is_literal(case) {
                Verdict::Wrong(why)
            } else {
                Verdict::Divergent(why)
            }
        }
    }
}

/// Aider's whole-file and edit-block coders on a set of files.
fn aider_model_output(case: &Value) -> Verdict {
    let originals: BTreeMap<String, Option<String>> = case
        .get("original_files")
        .and_then(Value::as_object)
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string))).collect())
        .unwrap_or_default();
    let format =
        if s(case, "format") == Some("aider-wholefile") { Format::WholeFile } else { Format::SearchReplace };
    let opts = ParseOptions { known_paths: originals.keys().cloned().collect(), ..ParseOptions::default() };
    let read = |p: &str| originals.get(p).cloned().flatten();
    let plan = plan_reply_with(
        s(case, "model_output").unwrap_or(""),
        FormatChoice::Exact(format),
        &read,
        &opts,
        &aider_options(),
    );
    let Some(expected) = case.get("expected_files").and_then(Value::as_object) else {
        return Verdict::Unlabeled;
    };
    for (path, want) in expected {
        let got = plan.iter().find(|o| &o.path == path);
        let text = got.and_then(|o| o.new_text.clone()).or_else(|| read(path).filter(|_| got.is_none()));
        if text.as_deref() != want.as_str() {
            let failed = got.filter(|o| o.status == FileStatus::Failed);
            if let Some(f) = failed {
                return Verdict::Refused(format!("refused: {}", f.error.clone().unwrap_or_default()));
            }
            let why = format!("{path}: got {text:?} want {want}");
            return if is_literal(case) { Verdict::Wrong(why) } else { Verdict::Divergent(why) };
        }
    }
    Verdict::Exact
}

fn helper_find_filename(case: &Value) -> Verdict {
    let args = case.get("args").and_then(Value::as_array).cloned().unwrap_or_default();
    // Aider's find_filename reverses its argument in place, so the captured list is reversed.
    let mut lines = string_list(args.first());
    lines.reverse();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let fence = args.get(1).and_then(|f| f.get(0)).and_then(Value::as_str).unwrap_or("```");
    let valid = string_list(args.get(2));
    // Aider looks at the last three lines before the block.
    let tail = &lines[lines.len().saturating_sub(3)..];
    let got = find_filename(tail, fence, &valid);
    let want = s(case, "expected");
    if got.as_deref() == want {
        Verdict::Exact
    } else {
        Verdict::Wrong(format!("find_filename got {got:?} want {want:?}"))
    }
}

fn helper_strip_quoted(case: &Value) -> Verdict {
    let args = case.get("args").and_then(Value::as_array).cloned().unwrap_or_default();
    let text = args.first().and_then(Value::as_str).unwrap_or("");
    let name = args.get(1).and_then(Value::as_str);
    let got = strip_quoted_wrapping(text, name, "```");
    if Some(got.as_str()) == s(case, "expected") {
        Verdict::Exact
    } else {
        Verdict::Wrong(format!("strip_quoted_wrapping got {got:?}"))
    }
}

/// Roo's `validate`: is the reply a well-formed set of blocks?
fn roo_validate(case: &Value) -> Verdict {
    let opts = ParseOptions { default_path: Some("file".into()), ..ParseOptions::default() };
    let out = parse_reply_with(
        s(case, "model_output").unwrap_or(""),
        FormatChoice::Exact(Format::SearchReplace),
        &opts,
    );
    let valid = out.errors.is_empty() && !out.edits.is_empty();
    let want = case.get("expected_valid").and_then(Value::as_bool).unwrap_or(false);
    match (valid, want) {
        (a, b) if a == b => Verdict::Exact,
        (false, true) => Verdict::Refused(format!(
            "validate-stricter: {}",
            out.errors.first().map(|e| e.message.clone()).unwrap_or_else(|| "no blocks".into())
        )),
        _ => Verdict::Divergent("validate-lenient: accepted markers Roo rejects".into()),
    }
}

/// Tolerances of the upstream tool for this case.
fn tool_options(case: &Value) -> MatchOptions {
    let ctor = case.pointer("/params/strategy_ctor");
    let threshold = ctor
        .and_then(|c| c.get("fuzzyThreshold").or_else(|| c.get("confidenceThreshold")))
        .and_then(Value::as_f64);
    let window = ctor.and_then(|c| c.get("bufferLines")).and_then(Value::as_u64).unwrap_or(40);
    MatchOptions {
        fuzzy_floor: match threshold {
            Some(t) if t >= 1.0 => None,
            Some(t) => Some(t),
            None => Some(0.9),
        },
        hint_window: usize::try_from(window).unwrap_or(40),
        hint_restricts: true,
        ..MatchOptions::default()
    }
}

/// Roo and Cline: one file, a reply of blocks (or a diff) for it.
fn single_file_apply(case: &Value) -> Verdict {
    let format = s(case, "format").unwrap_or("");
    let format = if format.starts_with("unified-diff") { Format::UnifiedDiff } else { Format::SearchReplace };
    let opts = ParseOptions { default_path: Some("file".into()), ..ParseOptions::default() };
    let out = parse_reply_with(s(case, "model_output").unwrap_or(""), FormatChoice::Exact(format), &opts);
    if let Some(err) = out.errors.first() {
        let verdict = judge_file(case, &FileResult::Failed, Some(format!("parse-error: {}", err.message)));
        return verdict;
    }
    if out.edits.is_empty() {
        return judge_file(
            case,
            &FileResult::Failed,
            Some("no-edits-found: unsupported dialect or no markers".into()),
        );
    }
    let hint =
        case.pointer("/params/start_line").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
    let edits: Vec<Edit> = out.edits.into_iter().map(|e| with_default_hint(e, hint)).collect();
    let refs: Vec<&Edit> = edits.iter().collect();
    let got = apply_file(s(case, "original_file"), &refs, &tool_options(case));
    if !got.errors.is_empty() && s(case, "expected_file").is_some() && case.get("partial_failures").is_none()
    {
        let e = &got.errors[0];
        return match judge_file(case, &got.result, None) {
            Verdict::Exact => Verdict::Exact,
            Verdict::Wrong(w) | Verdict::Divergent(w) if !matches!(got.result, FileResult::Failed) => {
                Verdict::Refused(format!("{}: partial apply ({w}) {e}", e.category()))
            }
            _ => Verdict::Refused(format!("{}: {e}", e.category())),
        };
    }
    let error = got.errors.first().map(|e| format!("{}: {e}", e.category()));
    if !got.errors.is_empty() && s(case, "expected_file").is_none() {
        // Upstream refused; we also refused at least one block. Blocks that matched stand.
        return Verdict::Exact;
    }
    judge_file(case, &got.result, error)
}

/// Roo's legacy strategy takes the start line as an argument instead of in the block.
fn with_default_hint(mut edit: Edit, hint: Option<usize>) -> Edit {
    if let EditKind::Replace { line_hint, .. } = &mut edit.kind {
        if line_hint.is_none() {
            *line_hint = hint;
        }
    }
    edit
}

/// Continue's lazy whole-file apply; whitespace-only lines are compared as empty, as upstream.
fn continue_lazy(case: &Value) -> Verdict {
    let edit = Edit {
        path: "file".into(),
        kind: EditKind::Whole { content: s(case, "model_output").unwrap_or("").into() },
        block: 0,
    };
    let original = s(case, "original_file");
    let got = apply_file(original, &[&edit], &MatchOptions::default());
    let Some(want) = s(case, "expected_file") else {
        return Verdict::Unlabeled;
    };
    let text = match &got.result {
        FileResult::Modified(t) | FileResult::Created(t) => Some(t.clone()),
        FileResult::Unchanged => original.map(str::to_string),
        _ => None,
    };
    let norm =
        |t: &str| t.lines().map(|l| if l.trim().is_empty() { "" } else { l }).collect::<Vec<_>>().join("\n");
    match text {
        Some(t) if norm(&t) == norm(want) => Verdict::Exact,
        Some(t) => Verdict::Wrong(format!("lazy expansion differs: got {t:?}")),
        None => {
            Verdict::Refused(got.errors.first().map(|e| format!("{}: {e}", e.category())).unwrap_or_default())
        }
    }
}

/// gpt-engineer chats: no ground truth; never panic, and never write a line that is in neither
/// the original nor the reply.
fn unlabeled_apply(case: &Value) -> Verdict {
    let originals: BTreeMap<String, String> = case
        .get("original_files")
        .and_then(Value::as_object)
        .map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|t| (k.clone(), t.to_string()))).collect())
        .unwrap_or_default();
    let reply = s(case, "model_output").unwrap_or("");
    let opts = ParseOptions { known_paths: originals.keys().cloned().collect(), ..ParseOptions::default() };
    let read = |p: &str| originals.get(p).cloned();
    let plan = plan_reply_with(reply, FormatChoice::Auto, &read, &opts, &MatchOptions::default());
    for outcome in &plan {
        let original = originals.get(&outcome.path).cloned().unwrap_or_default();
        for line in outcome.new_text.as_deref().unwrap_or("").lines() {
            let known = original.lines().any(|l| l == line) || reply.contains(line);
            if !known {
                return Verdict::Wrong(format!("{}: wrote a line from nowhere: {line:?}", outcome.path));
            }
        }
    }
    Verdict::Unlabeled
}

/// codex's apply_patch scenarios: files, a patch, and the files after it (or a refusal). The
/// patch is read from the reply and again as an `apply_patch` tool call; both must agree.
fn v4a_apply(case: &Value) -> Verdict {
    let originals: BTreeMap<String, String> = case
        .get("original_files")
        .and_then(Value::as_object)
        .map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|t| (k.clone(), t.to_string()))).collect())
        .unwrap_or_default();
    let read = |p: &str| originals.get(p).cloned();
    let patch = s(case, "model_output").unwrap_or("");
    let opts = MatchOptions::default();
    let plan = plan_reply_with(patch, FormatChoice::Auto, &read, &ParseOptions::default(), &opts);
    let after = files_after(&originals, &plan);
    let call_plan = match parse_apply_patch_call(&serde_json::json!({ "input": patch })) {
        Ok(edits) => plan_edits(&edits, &read, &opts),
        Err(_) => Vec::new(),
    };
    if files_after(&originals, &call_plan) != after {
        return Verdict::Wrong("the apply_patch tool call and the reply give different files".into());
    }
    let refusal = plan.iter().find(|o| o.status == FileStatus::Failed).and_then(|o| o.error.clone());
    let Some(expected) = case.get("expected_files").and_then(Value::as_object) else {
        return if after == originals {
            Verdict::Exact
        } else {
            Verdict::Wrong("wrote files where codex refuses the patch".into())
        };
    };
    let want: BTreeMap<String, String> =
        expected.iter().filter_map(|(k, v)| v.as_str().map(|t| (k.clone(), t.to_string()))).collect();
    if after == want {
        return Verdict::Exact;
    }
    let differing: Vec<&String> =
        after.keys().chain(want.keys()).filter(|p| after.get(*p) != want.get(*p)).collect();
    let untouched = differing.iter().all(|p| after.get(*p) == originals.get(*p));
    match refusal {
        // Redline refuses a move or add onto an existing file, and writes no part of a failed
        // file, where codex overwrites or keeps what it wrote.
        Some(error) if untouched && case.get("policy").is_some() => {
            Verdict::Divergent(format!("policy-refusal: {error}"))
        }
        Some(error) if untouched => Verdict::Refused(format!("refused: {error}")),
        _ if differing.iter().all(|p| kept_context_only(after.get(*p), want.get(*p), originals.get(*p))) => {
            Verdict::Divergent("policy-context-kept: context lines keep the file's own bytes".into())
        }
        _ => {
            let why = format!("files differ: got {after:?} want {want:?}");
            if is_literal(case) {
                Verdict::Wrong(why)
            } else {
                Verdict::Divergent(why)
            }
        }
    }
}

/// The project's files once the plan's outcomes are written.
fn files_after(originals: &BTreeMap<String, String>, plan: &[FileOutcome]) -> BTreeMap<String, String> {
    let mut files = originals.clone();
    for outcome in plan {
        let text = outcome.new_text.clone().unwrap_or_default();
        match (outcome.status, &outcome.renamed_to) {
            (FileStatus::Failed, _) => {}
            (FileStatus::Deleted, _) => {
                files.remove(&outcome.path);
            }
            (FileStatus::Renamed, Some(to)) => {
                files.remove(&outcome.path);
                files.insert(to.clone(), text);
            }
            _ => {
                files.insert(outcome.path.clone(), text);
            }
        }
    }
    files
}

/// Whether `got` differs from `want` only in lines that are the original file's own, where
/// codex wrote the patch's version of a context line matched leniently (trimmed, typographic
/// punctuation as ASCII).
fn kept_context_only(got: Option<&String>, want: Option<&String>, original: Option<&String>) -> bool {
    let (Some(got), Some(want), Some(original)) = (got, want, original) else {
        return false;
    };
    let plain = |l: &str| {
        l.trim()
            .chars()
            .map(|c| match c {
                '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                '\u{2018}'..='\u{201b}' => '\'',
                '\u{201c}'..='\u{201f}' => '"',
                c if c.is_whitespace() => ' ',
                c => c,
            })
            .collect::<String>()
    };
    got.lines().count() == want.lines().count()
        && got
            .lines()
            .zip(want.lines())
            .all(|(g, w)| g == w || (original.lines().any(|o| o == g) && plain(g) == plain(w)))
}
