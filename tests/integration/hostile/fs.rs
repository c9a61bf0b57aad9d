//! Filesystem edges of the trust boundary: a folder swapped for a symlink while Redline writes
//! in it, and writes aimed at git's own files through the write layer.

use std::fs;
use std::os::unix::fs::symlink;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redline_project::{replace_if_unchanged, write_atomic, ProjectRoot, WriteError, GIT_REFUSAL};

use super::traps::Traps;

/// How long the race runs at least; thousands of writes on this machine.
const RACE_FOR: Duration = Duration::from_secs(2);
/// Swaps the race needs to mean anything; on a loaded machine it runs on until it has them.
const MIN_SWAPS: u32 = 10;
/// The longest it runs on for them.
const RACE_CAP: Duration = Duration::from_secs(20);

fn race_a_swapped_folder(fd_walk: bool) {
    let base = tempfile::tempdir().expect("tmp");
    let project = base.path().join("project");
    let outside = base.path().join("outside");
    fs::create_dir_all(project.join("work")).expect("mkdir");
    fs::create_dir(&outside).expect("mkdir");
    fs::write(outside.join("keep.txt"), "outside, untouched\n").expect("write");
    let root = ProjectRoot::open(&project).expect("open");
    assert!(root.uses_openat2(), "this kernel has openat2; the race needs both resolvers");
    let root = if fd_walk { root.resolving_by_fd_walk() } else { root };
    let mut traps = Traps::new();
    traps.freeze_tree(&outside);
    for i in 0..64 {
        traps.freeze(&outside.join(format!("f{i}.txt"))); // must stay missing
    }
    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicU32::new(0));
    let swapper = {
        let (stop, swaps, project, outside) = (stop.clone(), swaps.clone(), project.clone(), outside.clone());
        std::thread::spawn(move || {
            use rustix::fs::{renameat_with, RenameFlags, CWD};
            let (work, link) = (project.join("work"), project.join("link"));
            symlink(&outside, &link).expect("link to the outside");
            // The folder and the link trade places atomically, so `work` is never missing: a
            // writer that recreated a missing folder would make the swap fail, and on a loaded
            // machine the race then swapped a handful of times in 20 s.
            let exchange = || renameat_with(CWD, &work, CWD, &link, RenameFlags::EXCHANGE).is_ok();
            while !stop.load(Ordering::Relaxed) {
                if exchange() {
                    swaps.fetch_add(1, Ordering::Relaxed);
                    std::thread::yield_now();
                    // Back again; it can only fail while the kernel is busy with the other name.
                    let _ = (0..1000).find(|_| exchange());
                    std::thread::yield_now();
                }
            }
        })
    };
    let started = Instant::now();
    let (mut writes, mut written) = (0u32, 0u32);
    let racing = |elapsed: Duration| {
        elapsed < RACE_FOR || (swaps.load(Ordering::Relaxed) <= MIN_SWAPS && elapsed < RACE_CAP)
    };
    while racing(started.elapsed()) {
        let path = format!("work/f{}.txt", writes % 64);
        let ok = if writes % 2 == 0 {
            write_atomic(&root, &path, b"ours\n").is_ok()
        } else {
            replace_if_unchanged(&root, &path, None, b"ours\n").is_ok()
        };
        written += u32::from(ok);
        writes += 1;
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().expect("swapper");
    let swaps = swaps.load(Ordering::Relaxed);
    eprintln!("{writes} writes ({written} landed inside) against {swaps} swaps");
    assert!(writes > 500 && swaps > MIN_SWAPS, "the race barely ran: {writes} writes, {swaps} swaps");
    assert_eq!(fs::read_dir(&outside).expect("ls").count(), 1, "a write landed outside");
    traps.assert_quiet(&[]);
}

#[test]
fn hostile_fs_folder_swapped_for_an_outside_link_never_redirects_a_write() {
    race_a_swapped_folder(false);
}

#[test]
fn hostile_fs_folder_swapped_for_an_outside_link_never_redirects_a_write_by_fd_walk() {
    race_a_swapped_folder(true);
}

#[test]
fn hostile_fs_writes_to_git_config_and_hooks_are_refused_and_git_stays_byte_identical() {
    let dir = tempfile::tempdir().expect("tmp");
    let git = dir.path().join(".git");
    fs::create_dir_all(git.join("hooks")).expect("mkdir");
    fs::write(git.join("config"), "[core]\n\trepositoryformatversion = 0\n").expect("write");
    let mut traps = Traps::new();
    traps.freeze_tree(&git);
    traps.freeze(&git.join("hooks/pre-commit"));
    let root = ProjectRoot::open(dir.path()).expect("open");
    let fsmonitor = b"[core]\n\tfsmonitor = touch /tmp/pwned\n";
    for path in [".git/config", ".git/hooks/pre-commit"] {
        for got in [
            write_atomic(&root, path, fsmonitor),
            replace_if_unchanged(&root, path, None, fsmonitor).map(|_| ()),
        ] {
            match got {
                Err(e @ WriteError::Refused { .. }) => assert_eq!(e.to_string(), GIT_REFUSAL),
                other => panic!("{path}: {other:?}"),
            }
        }
    }
    traps.assert_quiet(&[]);
}
