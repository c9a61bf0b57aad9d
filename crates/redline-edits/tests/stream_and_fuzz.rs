//! Streaming equals one-shot parsing on real replies split anywhere, and nothing panics or
//! invents text on arbitrary input.

use std::path::Path;

use proptest::prelude::*;
use redline_edits::{
    parse_reply_with, plan_reply, Format, FormatChoice, ParseEvent, ParseOptions, ParseOutput, StreamParser,
};

fn stream(reply: &str, cuts: &[usize], choice: FormatChoice) -> ParseOutput {
    let mut parser = StreamParser::new(choice, ParseOptions::default());
    let mut events = Vec::new();
    let mut last = 0;
    for &cut in cuts {
        events.extend(parser.push(&reply[last..cut]));
        last = cut;
    }
    events.extend(parser.push(&reply[last..]));
    events.extend(parser.finish());
    let mut out = ParseOutput::default();
    for event in events {
        match event {
            ParseEvent::Edit(e) => out.edits.push(e),
            ParseEvent::Shell(s) => out.shell.push(s),
            ParseEvent::Error(e) => out.errors.push(e),
        }
    }
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
