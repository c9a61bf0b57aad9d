//! Accepting while another writer keeps appending to the same file: no byte of theirs is lost,
//! and ours lands unless a conflict is reported.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redline_project::ProjectRoot;
use redline_review::{transition, Applied, FileImage};

const ITERATIONS: usize = 1000;
/// The appender's pause between lines, cycled over the iterations (0: as fast as it can).
const PAUSES_US: [u64; 3] = [0, 300, 3000];

/// Accepts `accepted` over `path`, expected to hold `base`, through the review's one engine;
/// an error comes back as its message.
fn accept(root: &ProjectRoot, path: &str, base: &str, accepted: &str) -> Result<Applied, String> {
    let image = |text: &str| FileImage { path: path.into(), text: Some(text.into()) };
    transition(root, &image(base), &image(accepted)).map_err(|e| e.to_string())
}

/// A small deterministic generator, so a failing iteration can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

/// Appends `w<iteration>-<n>` lines, opening the file for each line like a logger or an editor
/// plugin would, pausing `pause_us` between lines, until told to stop.
fn spawn_appender(
    path: &Path,
    iteration: usize,
    pause_us: u64,
    stop: Arc<AtomicBool>,
    written: Arc<AtomicUsize>,
) -> std::thread::JoinHandle<()> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::Acquire) {
            let mut file = OpenOptions::new().append(true).open(&path).expect("open for append");
            file.write_all(format!("w{iteration}-{n}\n").as_bytes()).expect("append");
            drop(file);
            n += 1;
            written.store(n, Ordering::Release);
            if pause_us > 0 {
                std::thread::sleep(Duration::from_micros(pause_us));
            }
        }
    })
}

#[derive(Debug, Default)]
struct Tally {
    written: usize,
    merged: usize,
    unchanged: usize,
    conflicts: usize,
    /// Gave up because the file kept changing (expected only against a writer that never pauses).
    gave_up: usize,
    lines_appended: usize,
}

#[test]
fn accept_under_a_concurrent_appender_never_loses_their_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = ProjectRoot::open(dir.path()).expect("open");
    let path = dir.path().join("shared.txt");
    let base: String = (0..40).map(|i| format!("line {i}\n")).collect();
    let mut rng = XorShift(0x5eed_1234_abcd_ef01);
    let mut tallies: Vec<Tally> = PAUSES_US.iter().map(|_| Tally::default()).collect();
    let started = Instant::now();
    for iteration in 0..ITERATIONS {
        std::fs::write(&path, &base).expect("reset");
        let accepted = base.replacen("line 0\n", &format!("ACCEPTED {iteration}\n"), 1);
        let (stop, written) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        let bucket = iteration % PAUSES_US.len();
        let pause = PAUSES_US[bucket];
        let tally = &mut tallies[bucket];
        let writer = spawn_appender(&path, iteration, pause, stop.clone(), written.clone());
        // Start the accept before, during or after the writer's first lines.
        let wait_for = rng.next(4) as usize;
        while written.load(Ordering::Acquire) < wait_for {
            std::hint::spin_loop();
        }
        let outcome = accept(&root, "shared.txt", &base, &accepted);
        // Let the writer go on a little after the accept, then stop it.
        let after = written.load(Ordering::Acquire) + 2;
        while written.load(Ordering::Acquire) < after {
            std::hint::spin_loop();
        }
        stop.store(true, Ordering::Release);
        writer.join().expect("writer");
        let lines_written = written.load(Ordering::Acquire);
        tally.lines_appended += lines_written;

        let text = std::fs::read_to_string(&path).expect("read");
        let present: std::collections::HashSet<&str> = text.lines().collect();
        let lost: Vec<String> = (0..lines_written)
            .map(|n| format!("w{iteration}-{n}"))
            .filter(|line| !present.contains(line.as_str()))
            .collect();
        assert!(
            lost.is_empty(),
            "iteration {iteration} ({outcome:?}) lost {lost:?} of {lines_written}:\n{text}"
        );
        let ours = present.contains(format!("ACCEPTED {iteration}").as_str());
        match outcome {
            Ok(Applied::Written) => tally.written += 1,
            Ok(Applied::Merged) => tally.merged += 1,
            Ok(Applied::Unchanged) => tally.unchanged += 1,
            Ok(Applied::Conflict(_)) => tally.conflicts += 1,
            Err(ref message) => {
                assert!(message.contains("kept changing"), "iteration {iteration}: {message}");
                tally.gave_up += 1
            }
        }
        match outcome {
            Ok(Applied::Written) | Ok(Applied::Merged) | Ok(Applied::Unchanged) => {
                assert!(ours, "iteration {iteration}: {outcome:?} but the accepted line is missing:\n{text}")
            }
            _ => assert!(!ours, "iteration {iteration}: {outcome:?} yet the accepted line was written"),
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read dir")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(redline_project::write::TEMP_SUFFIX))
            .collect();
        assert!(leftovers.is_empty(), "iteration {iteration}: temp files left: {leftovers:?}");
    }
    eprintln!("{ITERATIONS} iterations in {:.1?}", started.elapsed());
    for (pause, tally) in PAUSES_US.iter().zip(&tallies) {
        eprintln!("  appender pausing {pause} µs: {tally:?}");
        assert_eq!(tally.conflicts, 0, "appends at the end never overlap a change at the top");
    }
    // Giving up (nothing written, said so) is allowed: a write takes a temp file and an fsync,
    // and a writer faster than that wins every time. The merge path must still be exercised;
    // whether a plain write ever wins the race depends on timing, so the unit tests cover it.
    let merged: usize = tallies.iter().map(|t| t.merged).sum();
    assert!(merged > 0, "the merge path was never exercised: {tallies:?}");
}

#[test]
fn accept_of_a_file_that_changed_in_the_same_place_is_a_conflict_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = ProjectRoot::open(dir.path()).expect("open");
    std::fs::write(dir.path().join("f.txt"), "a\nmine\nc\n").expect("write");
    let outcome = accept(&root, "f.txt", "a\nb\nc\n", "a\ntheirs\nc\n");
    assert!(matches!(outcome, Ok(Applied::Conflict(_))), "{outcome:?}");
    assert_eq!(std::fs::read_to_string(dir.path().join("f.txt")).expect("read"), "a\nmine\nc\n");
}
