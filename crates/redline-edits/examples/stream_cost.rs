//! `cargo run --release -p redline-edits --example stream_cost`: the cost per line of streaming
//! a long reply over a short one, pushed in 20-byte chunks (the workspace bench prints the same
//! ratios). Parsing is linear when the ratios stay near 1.

use std::time::{Duration, Instant};

use redline_edits::stream_bench::{search_replace_reply, stream_in_chunks, whole_file_reply};
use redline_edits::{Format, FormatChoice};

/// Time per line of one run that streams the reply enough times to last a while.
fn per_line(reply: &str, choice: FormatChoice) -> Duration {
    let lines = reply.lines().count();
    let repeats = (100_000 / lines).max(1);
    let started = Instant::now();
    for _ in 0..repeats {
        std::hint::black_box(stream_in_chunks(reply, choice, 20));
    }
    started.elapsed() / u32::try_from(repeats * lines).unwrap_or(u32::MAX)
}

/// The best per-line times of the short and the long reply over runs taken in turn, so a
/// machine busy with something else slows both alike.
fn best_per_line(small: &str, large: &str, choice: FormatChoice) -> (Duration, Duration) {
    (0..9)
        .map(|_| (per_line(small, choice), per_line(large, choice)))
        .fold((Duration::MAX, Duration::MAX), |(s, l), (a, b)| (s.min(a), l.min(b)))
}

fn main() {
    let whole_file = FormatChoice::Exact(Format::WholeFile);
    let cases = [
        (
            "SEARCH/REPLACE blocks, Auto",
            search_replace_reply(500),
            search_replace_reply(10_000),
            FormatChoice::Auto,
        ),
        ("whole file, Auto", whole_file_reply(500), whole_file_reply(5_000), FormatChoice::Auto),
        ("whole file, WholeFile", whole_file_reply(500), whole_file_reply(5_000), whole_file),
    ];
    for (name, small, large, choice) in cases {
        let (small_cost, large_cost) = best_per_line(&small, &large, choice);
        println!(
            "streaming parse ({name}): per-line cost at {} lines {large_cost:?} / at {} lines {small_cost:?} = {:.2} (target ≤ 1.5)",
            large.lines().count(),
            small.lines().count(),
            large_cost.as_secs_f64() / small_cost.as_secs_f64()
        );
    }
}
