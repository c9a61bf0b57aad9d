//! Streaming equals one-shot parsing on real replies split anywhere, and nothing panics or
//! invents text on arbitrary input.

// The eval case files are test data read with std::fs (see the workspace clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use redline_edits::{
    parse_reply_with, plan_reply, Format, FormatChoice, ParseOptions, ParseOutput, StreamParser,
};

fn stream(reply: &str, cuts: &[usize], choice: FormatChoice) -> ParseOutput {
    stream_with(reply, cuts, choice, &ParseOptions::default())
}

/// Everything a stream emits for `reply` pushed in chunks cut at `cuts`.
fn stream_with(reply: &str, cuts: &[usize], choice: FormatChoice, opts: &ParseOptions) -> ParseOutput {
    let mut parser = StreamParser::new(choice, opts.clone());
    let mut out = ParseOutput::default();
    let mut last = 0;
    for &cut in cuts {
        out.extend(parser.push(&reply[last..cut]));
        last = cut;
    }
    out.extend(parser.push(&reply[last..]));
    out.extend(parser.finish());
    out
}

fn eval_replies() -> Vec<String> {
    replies_of(&[
        "aider_chat-history-real.jsonl",
        "roo-code_diff-strategies.jsonl",
        "unlabeled/gpt-engineer_real-chats.jsonl",
    ])
}

fn replies_of(files: &[&str]) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/edit-cases");
    let mut replies = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            continue;
        };
        for line in text.lines() {
            let case: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
            if let Some(reply) = case.get("model_output").and_then(|v| v.as_str()) {
                replies.push(reply.to_string());
            }
        }
    }
    replies
}

#[test]
fn streaming_any_split_of_eval_replies_equals_one_shot_parse() {
    let replies = eval_replies();
    if replies.is_empty() {
        println!("edit cases not found; skipping");
        return;
    }
    for choice in [FormatChoice::Auto, FormatChoice::Exact(Format::SearchReplace)] {
        // Every char boundary for a sample of short replies.
        for reply in replies.iter().filter(|r| r.len() <= 1200).step_by(7).take(25) {
            let whole = parse_reply_with(reply, choice, &ParseOptions::default());
            for (cut, _) in reply.char_indices().skip(1) {
                assert_eq!(stream(reply, &[cut], choice), whole, "split at {cut} of {reply:?}");
            }
        }
        // Many small chunks for every reply.
        for reply in &replies {
            let whole = parse_reply_with(reply, choice, &ParseOptions::default());
            let cuts: Vec<usize> = reply.char_indices().map(|(i, _)| i).filter(|i| i % 13 == 5).collect();
            assert_eq!(stream(reply, &cuts, choice), whole);
        }
    }
}

#[test]
fn streaming_any_split_of_apply_patch_replies_equals_one_shot_parse() {
    let replies = replies_of(&["codex_apply-patch-scenarios.jsonl"]);
    for reply in &replies {
        for choice in [FormatChoice::Auto, FormatChoice::Exact(Format::ApplyPatch)] {
            let whole = parse_reply_with(reply, choice, &ParseOptions::default());
            for (cut, _) in reply.char_indices().skip(1) {
                assert_eq!(stream(reply, &[cut], choice), whole, "split at {cut} of {reply:?}");
            }
        }
    }
}

/// One model reply of an eval case, with what to read it with.
struct EvalReply {
    /// `file#id` (and `[n]` for cases holding several replies), for failure messages.
    name: String,
    text: String,
    /// The format the case's reply is written in; `None` for formats Redline does not read yet.
    format: Option<Format>,
    /// The options the eval reads the case with (fence, known files, default file).
    opts: ParseOptions,
}

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/edit-cases")
}

fn jsonl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(jsonl_files(&path));
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The format a case's `format` field names.
fn case_format(format: &str) -> Option<Format> {
    let search_replace = ["aider-editblock", "cline-search-replace", "roo-"];
    let unified_diff = ["aider-udiff", "unified-diff", "gpt-engineer-udiff"];
    let whole_file = ["aider-wholefile", "lazy-whole-file"];
    if unified_diff.iter().any(|f| format.starts_with(f)) {
        Some(Format::UnifiedDiff)
    } else if search_replace.iter().any(|f| format.starts_with(f)) {
        Some(Format::SearchReplace)
    } else if whole_file.iter().any(|f| format.starts_with(f)) {
        Some(Format::WholeFile)
    } else if format.starts_with("v4a apply_patch") {
        Some(Format::ApplyPatch)
    } else {
        panic!("eval case format {format:?} is not mapped to a Format in case_format")
    }
}

/// The options `tests/eval.rs` reads a case with.
fn case_options(case: &serde_json::Value) -> ParseOptions {
    let fence = case.pointer("/params/fence/0").and_then(|f| f.as_str()).unwrap_or("```").to_string();
    let mut known_paths: Vec<String> = case
        .pointer("/params/valid_fnames")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if let Some(files) = case.get("original_files").and_then(|f| f.as_object()) {
        known_paths.extend(files.keys().cloned());
    }
    let single_file = case.get("original_file").is_some_and(|f| f.is_string());
    let default_path = single_file.then(|| "file".to_string());
    ParseOptions { fence, known_paths, default_path }
}

/// Every model reply of every eval case file (a case holds one reply, several as
/// `[{content}, ...]`, or none when it tests a helper).
fn all_eval_replies() -> Vec<EvalReply> {
    let dir = eval_dir();
    let mut replies = Vec::new();
    for file in jsonl_files(&dir) {
        let text = std::fs::read_to_string(&file).expect("readable case file");
        let file_name = file.strip_prefix(&dir).unwrap_or(&file).display().to_string();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
            let id = case.get("id").and_then(|v| v.as_str()).unwrap_or("?");
            let format = case_format(case.get("format").and_then(|v| v.as_str()).unwrap_or(""));
            let texts: Vec<String> = match case.get("model_output") {
                Some(serde_json::Value::String(reply)) => vec![reply.clone()],
                Some(serde_json::Value::Array(parts)) => parts
                    .iter()
                    .filter_map(|p| p.get("content").and_then(|c| c.as_str()).map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let several = texts.len() > 1;
            for (n, text) in texts.into_iter().enumerate() {
                let name =
                    if several { format!("{file_name}#{id}[{n}]") } else { format!("{file_name}#{id}") };
                replies.push(EvalReply { name, text, format, opts: case_options(&case) });
            }
        }
    }
    replies
}

/// A small deterministic generator (SplitMix64), so a failure names a split that can be replayed.
struct Splits(u64);

impl Splits {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Cut points at random distances of 1 to `max_chunk` bytes, on character boundaries.
    fn cuts(&mut self, text: &str, max_chunk: usize) -> Vec<usize> {
        let mut cuts = Vec::new();
        let mut at = 0;
        loop {
            at += 1 + (self.next() % max_chunk as u64) as usize;
            while at < text.len() && !text.is_char_boundary(at) {
                at += 1;
            }
            if at >= text.len() {
                return cuts;
            }
            cuts.push(at);
        }
    }
}

/// Streams `reply` cut at `cuts` and compares with the one-shot parse; a description of the
/// first difference, if any.
fn stream_difference(
    reply: &EvalReply,
    choice: FormatChoice,
    opts: &ParseOptions,
    cuts: &[usize],
) -> Option<String> {
    let whole = parse_reply_with(&reply.text, choice, opts);
    let streamed = stream_with(&reply.text, cuts, choice, opts);
    if streamed == whole {
        return None;
    }
    let what = if streamed.edits != whole.edits {
        let at = streamed.edits.iter().zip(&whole.edits).position(|(a, b)| a != b);
        format!(
            "edits differ (streamed {}, one-shot {}, first difference at {:?})",
            streamed.edits.len(),
            whole.edits.len(),
            at
        )
    } else if streamed.shell != whole.shell {
        format!("shell blocks differ: streamed {:?}, one-shot {:?}", streamed.shell, whole.shell)
    } else {
        format!("errors differ: streamed {:?}, one-shot {:?}", streamed.errors, whole.errors)
    };
    Some(format!("{} read as {choice:?}, cut at {cuts:?}: {what}", reply.name))
}

/// Streams every eval reply in random chunks, several times, and in 1-byte chunks for every
/// tenth reply, with default options and with the case's own options.
fn check_eval_replies_stream_like_one_shot(choice_for: impl Fn(&EvalReply) -> Option<FormatChoice>) {
    let replies = all_eval_replies();
    if replies.is_empty() {
        println!("edit cases not found at {}; skipping", eval_dir().display());
        return;
    }
    let mut splits = Splits(0x5eed_2026);
    let mut failures = Vec::new();
    let mut streams = 0;
    for (i, reply) in replies.iter().enumerate() {
        let Some(choice) = choice_for(reply) else { continue };
        for opts in [ParseOptions::default(), reply.opts.clone()] {
            let mut cut_sets: Vec<Vec<usize>> = (0..3).map(|_| splits.cuts(&reply.text, 40)).collect();
            cut_sets.push(splits.cuts(&reply.text, 400));
            if i % 10 == 0 {
                cut_sets.push(reply.text.char_indices().map(|(at, _)| at).skip(1).collect());
            }
            for cuts in &cut_sets {
                streams += 1;
                failures.extend(stream_difference(reply, choice, &opts, cuts));
            }
        }
    }
    println!("{streams} streams of {} eval replies", replies.len());
    assert!(
        failures.is_empty(),
        "{} of {streams} streams differ from the one-shot parse, e.g.:\n{}",
        failures.len(),
        failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_eval_reply_streamed_in_random_chunks_equals_its_one_shot_parse_in_auto() {
    check_eval_replies_stream_like_one_shot(|_| Some(FormatChoice::Auto));
}

#[test]
fn every_eval_reply_streamed_in_random_chunks_equals_its_one_shot_parse_in_its_own_format() {
    check_eval_replies_stream_like_one_shot(|reply| reply.format.map(FormatChoice::Exact));
}

const ORIGINAL: &str = "fn main() {\n    let x = 1;\n    println!(\"{x}\");\n}\n";

fn reply_strategy() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<<<<<<< SEARCH\n", "=======\n", ">>>>>>> REPLACE\n", "------- SEARCH\n", "+++++++ REPLACE\n",
        ":start_line:2\n", "-------\n", "src/main.rs\n", "```\n", "```rust\n", "--- a/src/main.rs\n",
        "+++ b/src/main.rs\n", "@@ -1,3 +1,3 @@\n", " fn main() {\n", "-    let x = 1;\n", "+    let x = 2;\n",
        "    let x = 1;\n", "    let x = 2;\n", "// ... existing code ...\n", "...\n", "}\n", "\n",
        "[{\"name\":\"edit_file\",\"arguments\":{\"path\":\"src/main.rs\",\"old_text\":\"x = 1\",\"new_text\":\"x = 3\"}}]",
        "*** Begin Patch\n", "*** End Patch\n", "*** Update File: src/main.rs\n", "*** Add File: src/new.rs\n",
        "*** Delete File: src/main.rs\n", "*** Move to: src/moved.rs\n", "@@ fn main() {\n", "@@\n",
        "*** End of File\n", "     println!(\"{x}\");\n",
    ]);
    prop::collection::vec(prop_oneof![pieces.prop_map(str::to_string), ".{0,12}"], 0..24)
        .prop_map(|v| v.concat())
}

/// Patches made of the format's own pieces, so many of them get as far as applying.
fn patch_strategy() -> impl Strategy<Value = String> {
    let header = prop::sample::select(vec![
        "*** Update File: src/main.rs\n",
        "*** Update File: src/main.rs\n*** Move to: src/moved.rs\n",
        "*** Add File: src/new.rs\n",
        "*** Delete File: src/main.rs\n",
    ]);
    let line = prop::sample::select(vec![
        "@@ fn main() {\n",
        "@@\n",
        "@@ -1,3 +1,3 @@\n",
        "*** End of File\n",
        " fn main() {\n",
        "-    let x = 1;\n",
        "+    let x = 2;\n",
        "     println!(\"{x}\");\n",
        " }\n",
        "-}\n",
        "+// ... existing code ...\n",
        "\n",
        "  let x = 1;\n",
        "-    let x = 1; \n",
        "+x\n",
        "junk\n",
        "*** End Patch\n",
    ]);
    let section =
        (header, prop::collection::vec(line, 0..6)).prop_map(|(h, body)| format!("{h}{}", body.concat()));
    (prop::collection::vec(section, 0..4), any::<bool>()).prop_map(|(sections, fenced)| {
        let patch = format!("*** Begin Patch\n{}*** End Patch\n", sections.concat());
        if fenced {
            format!("Here:\n```patch\n{patch}```\n")
        } else {
            patch
        }
    })
}

/// A fixed seed keeps CI deterministic (failures found by random runs are kept in the
/// `.proptest-regressions` file next to this one); `REDLINE_FUZZ_SEED=<n>` explores elsewhere.
fn fuzz_config() -> ProptestConfig {
    let seed = std::env::var("REDLINE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_2026);
    ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(fuzz_config())]
    #[test]
    fn parsers_and_plan_never_panic_and_never_invent_text(reply in reply_strategy()) {
        for choice in [
            FormatChoice::Auto,
            FormatChoice::Exact(Format::SearchReplace),
            FormatChoice::Exact(Format::UnifiedDiff),
            FormatChoice::Exact(Format::WholeFile),
            FormatChoice::Exact(Format::ToolCalls),
            FormatChoice::Exact(Format::ApplyPatch),
        ] {
            let read = |p: &str| (p == "src/main.rs").then(|| ORIGINAL.to_string());
            for outcome in plan_reply(&reply, choice, &read) {
                for line in outcome.new_text.as_deref().unwrap_or("").lines() {
                    let t = line.trim();
                    // The strategy's one tool call replaces part of a line ("x = 1" → "x = 3"),
                    // so that line is legitimately new.
                    let edited = ORIGINAL.replace("x = 1", "x = 3");
                    prop_assert!(
                        ORIGINAL.contains(t) || reply.contains(t) || edited.contains(t),
                        "invented line {:?}",
                        line
                    );
                    prop_assert!(!t.contains("... existing code ..."), "wrote a placeholder");
                }
            }
        }
    }

    #[test]
    fn patches_never_invent_text_and_stream_like_one_shot(reply in patch_strategy(), cut in 0usize..400) {
        let read = |p: &str| (p == "src/main.rs").then(|| ORIGINAL.to_string());
        for outcome in plan_reply(&reply, FormatChoice::Auto, &read) {
            for line in outcome.new_text.as_deref().unwrap_or("").lines() {
                let t = line.trim();
                prop_assert!(ORIGINAL.contains(t) || reply.contains(t), "invented line {:?}", line);
                prop_assert!(!t.contains("... existing code ..."), "wrote a placeholder");
            }
        }
        let cut = (0..=cut.min(reply.len())).rev().find(|c| reply.is_char_boundary(*c)).unwrap_or(0);
        let whole = parse_reply_with(&reply, FormatChoice::Auto, &ParseOptions::default());
        prop_assert_eq!(stream(&reply, &[cut], FormatChoice::Auto), whole);
    }

    #[test]
    fn arbitrary_text_never_panics_the_stream(reply in ".{0,200}", cut in 0usize..200) {
        let cut = (0..=cut.min(reply.len())).rev().find(|c| reply.is_char_boundary(*c)).unwrap_or(0);
        let whole = parse_reply_with(&reply, FormatChoice::Auto, &ParseOptions::default());
        prop_assert_eq!(stream(&reply, &[cut], FormatChoice::Auto), whole);
    }
}
