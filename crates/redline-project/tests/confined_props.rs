//! Property: whatever the tree — folders, files, symlinks in, out, looping, dangling, absolute,
//! odd names — every read and write through the public API either stays inside the project or
//! is refused. Outside the project, beside it, sits a sentinel folder (and the folders above);
//! after every operation they must be byte-identical, with nothing created, no read may
//! return a sentinel's bytes and no look (metadata, listing) may describe a file outside. Each case runs with the kernel's `openat2` and with the fd walk.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use redline_project::{
    delete_if_unchanged, read_capped, read_current, read_text, rename_file, replace_if_unchanged, sha256_hex,
    write_atomic, ProjectRoot,
};

/// In every sentinel file: a read that returns it has left the project.
const SECRET: &str = "SENTINEL-SECRET";

/// Names chosen to be awkward: spaces, dots, non-ASCII, leading dashes, a control character.
const NAMES: &[&str] = &["a", "b", "sub", "c d", ".h", "ünï", "x..y", "-dash", "#", "tab\tname"];

/// Where symlinks point: inside, outside (relative and absolute), loops, dangling, the root.
#[derive(Debug, Clone)]
enum LinkTo {
    Inside(String),
    Up(usize, String),
    Sentinel(String),
    AbsoluteInside(String),
    AbsoluteSentinel,
    ItsOwnName,
    Dangling,
}

#[derive(Debug, Clone)]
enum Node {
    Folder,
    File(Vec<u8>),
    Link(LinkTo),
}

#[derive(Debug, Clone)]
enum Op {
    Read(String),
    Look(String),
    Write(String, Vec<u8>),
    Create(String, Vec<u8>),
    ReplaceCurrent(String, Vec<u8>),
    DeleteCurrent(String),
    Rename(String, String),
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(NAMES).prop_map(str::to_owned)
}

/// A project-relative path: one to three names, sometimes with `.`/`..`, sometimes absolute.
fn path() -> impl Strategy<Value = String> {
    let part = prop_oneof![6 => name(), 1 => Just("..".to_owned()), 1 => Just(".".to_owned())];
    (prop::collection::vec(part, 1..4), prop::bool::weighted(0.1)).prop_map(|(parts, absolute)| {
        let joined = parts.join("/");
        if absolute {
            format!("@ROOT@/{joined}")
        } else {
            joined
        }
    })
}

fn link_to() -> impl Strategy<Value = LinkTo> {
    prop_oneof![
        path().prop_map(LinkTo::Inside),
        (1..4usize, name()).prop_map(|(n, s)| LinkTo::Up(n, s)),
        name().prop_map(LinkTo::Sentinel),
        path().prop_map(LinkTo::AbsoluteInside),
        Just(LinkTo::AbsoluteSentinel),
        Just(LinkTo::ItsOwnName),
        Just(LinkTo::Dangling),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        2 => Just(Node::Folder),
        3 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Node::File),
        3 => link_to().prop_map(Node::Link),
    ]
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..32)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        path().prop_map(Op::Read),
        path().prop_map(Op::Look),
        (path(), bytes()).prop_map(|(p, b)| Op::Write(p, b)),
        (path(), bytes()).prop_map(|(p, b)| Op::Create(p, b)),
        (path(), bytes()).prop_map(|(p, b)| Op::ReplaceCurrent(p, b)),
        path().prop_map(Op::DeleteCurrent),
        (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
    ]
}

/// `base/g1/g2/outer/{project,sentinel}`: a link climbing three levels out of the project still
/// lands in a folder that is watched.
struct World {
    base: tempfile::TempDir,
    project: PathBuf,
    sentinel: PathBuf,
}

fn world() -> World {
    let base = tempfile::tempdir().expect("tmp");
    let outer = base.path().join("g1/g2/outer");
    let project = outer.join("project");
    let sentinel = outer.join("sentinel");
    fs::create_dir_all(&project).expect("mkdir project");
    fs::create_dir_all(sentinel.join("sub")).expect("mkdir sentinel");
    for name in NAMES.iter().filter(|n| **n != "sub") {
        fs::write(sentinel.join(name), format!("{SECRET} {name}\n")).expect("sentinel file");
    }
    fs::write(sentinel.join("sub/a"), format!("{SECRET} sub\n")).expect("sentinel file");
    fs::write(base.path().join("g1/above"), format!("{SECRET} above\n")).expect("above file");
    World { base, project, sentinel }
}

fn rooted(world: &World, path: &str) -> String {
    path.replace("@ROOT@", &world.project.canonicalize().expect("canon").display().to_string())
}

fn plant(world: &World, rel: &str, node: &Node) {
    let at = world.project.join(rel);
    if at.symlink_metadata().is_ok() {
        return;
    }
    if let Some(parent) = at.parent() {
        if fs::create_dir_all(parent).is_err() {
            return; // a file or link is in the way: this entry is skipped
        }
    }
    let _ = match node {
        Node::Folder => fs::create_dir(&at),
        Node::File(bytes) => fs::write(&at, bytes),
        Node::Link(to) => symlink(link_target(world, rel, to), &at),
    };
}

fn link_target(world: &World, rel: &str, to: &LinkTo) -> PathBuf {
    match to {
        LinkTo::Inside(path) => PathBuf::from(rooted(world, path)),
        LinkTo::Up(n, name) => PathBuf::from(format!("{}{name}", "../".repeat(*n))),
        LinkTo::Sentinel(name) => {
            let depth = rel.matches('/').count() + 1;
            PathBuf::from(format!("{}sentinel/{name}", "../".repeat(depth)))
        }
        LinkTo::AbsoluteInside(path) => world.project.join(rooted(world, path).trim_start_matches('/')),
        LinkTo::AbsoluteSentinel => world.sentinel.clone(),
        LinkTo::ItsOwnName => PathBuf::from(Path::new(rel).file_name().expect("name")),
        LinkTo::Dangling => PathBuf::from("nowhere/at/all"),
    }
}

/// Everything outside the project, by path: file bytes, link targets, folders.
fn outside_snapshot(world: &World) -> BTreeMap<PathBuf, String> {
    let mut seen = BTreeMap::new();
    snapshot_into(world.base.path(), &world.project, &mut seen);
    seen
}

fn snapshot_into(dir: &Path, skip: &Path, seen: &mut BTreeMap<PathBuf, String>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path == skip {
            continue;
        }
        let Ok(meta) = path.symlink_metadata() else { continue };
        let what = if meta.file_type().is_symlink() {
            format!("link {:?}", fs::read_link(&path).ok())
        } else if meta.is_dir() {
            snapshot_into(&path, skip, seen);
            format!("folder {:o}", meta.mode_bits())
        } else {
            format!("file {:o} {:?}", meta.mode_bits(), fs::read(&path).ok())
        };
        seen.insert(path, what);
    }
}

/// Every file, folder and link outside the project, and the folders that hold the project, by
/// `(device, inode)`: a look that describes one of them has left the project.
fn outside_inodes(world: &World) -> BTreeSet<(u64, u64)> {
    let mut inodes = BTreeSet::new();
    let mut pending = vec![world.base.path().to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(meta) = dir.symlink_metadata() else { continue };
        inodes.insert((meta.dev(), meta.ino()));
        if meta.is_dir() && dir != world.project {
            pending.extend(fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.path()));
        }
    }
    let project = world.project.symlink_metadata().expect("project");
    inodes.remove(&(project.dev(), project.ino()));
    inodes
}

trait ModeBits {
    fn mode_bits(&self) -> u32;
}

impl ModeBits for fs::Metadata {
    fn mode_bits(&self) -> u32 {
        std::os::unix::fs::PermissionsExt::mode(&self.permissions())
    }
}

/// Runs one operation; what a read returned, if anything, comes back for the secret check, and
/// what a look described, by `(device, inode)`, for the outside check.
fn run(root: &ProjectRoot, world: &World, op: &Op) -> (Vec<Vec<u8>>, Vec<(u64, u64)>) {
    let mut read = Vec::new();
    let mut looked = Vec::new();
    match op {
        Op::Look(path) => {
            let path = rooted(world, path);
            let inode = |meta: fs::Metadata| (meta.dev(), meta.ino());
            looked.extend(root.metadata(&path).ok().map(inode));
            looked.extend(root.symlink_metadata(&path).ok().map(inode));
            if root.read_dir_names(&path).is_ok() {
                // What was listed is the folder `metadata` describes: it must be inside too.
                looked.push(root.metadata(&path).map(inode).unwrap_or((0, 0)));
            }
            let _ = root.read_link(&path);
        }
        Op::Read(path) => {
            let path = rooted(world, path);
            if let Ok(file) = read_text(root, &path, |_| String::new()) {
                read.extend(file.text.map(String::into_bytes));
            }
            if let Ok(capped) = read_capped(root, &path, 1024) {
                read.push(capped.bytes);
            }
            if let Ok(Some(bytes)) = read_current(root, &path) {
                read.push(bytes);
            }
        }
        Op::Write(path, bytes) => {
            let _ = write_atomic(root, &rooted(world, path), bytes);
        }
        Op::Create(path, bytes) => {
            let _ = replace_if_unchanged(root, &rooted(world, path), None, bytes);
        }
        Op::ReplaceCurrent(path, bytes) => {
            let path = rooted(world, path);
            // The current bytes as the layer itself sees them, so the replace really happens.
            if let Ok(Some(current)) = read_current(root, &path) {
                read.push(current.clone());
                let _ = replace_if_unchanged(root, &path, Some(&sha256_hex(&current)), bytes);
            }
        }
        Op::DeleteCurrent(path) => {
            let path = rooted(world, path);
            if let Ok(Some(current)) = read_current(root, &path) {
                read.push(current.clone());
                let _ = delete_if_unchanged(root, &path, &sha256_hex(&current));
            }
        }
        Op::Rename(from, to) => {
            let _ = rename_file(root, &rooted(world, from), &rooted(world, to));
        }
    }
    (read, looked)
}

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        rng_seed: RngSeed::Fixed(0x0005_eed0_fc0f_14ed),
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_read_look_and_write_stays_inside_the_project_or_is_refused(
        tree in prop::collection::vec((path(), node()), 0..14),
        ops in prop::collection::vec(op(), 1..10),
        fd_walk in any::<bool>(),
    ) {
        let world = world();
        for (rel, node) in &tree {
            if !rel.starts_with("@ROOT@") && !rel.split('/').any(|p| p == ".." || p == ".") {
                plant(&world, rel, node);
            }
        }
        let root = ProjectRoot::open(&world.project).expect("open");
        prop_assert!(root.uses_openat2(), "this kernel has openat2; the property needs both resolvers");
        let root = if fd_walk { root.resolving_by_fd_walk() } else { root };
        let before = outside_snapshot(&world);
        let outside = outside_inodes(&world);
        for op in &ops {
            let (read, looked) = run(&root, &world, op);
            let after = outside_snapshot(&world);
            prop_assert_eq!(&before, &after, "{:?} changed something outside the project", op);
            for bytes in read {
                prop_assert!(
                    !String::from_utf8_lossy(&bytes).contains(SECRET),
                    "{:?} read a file outside the project", op
                );
            }
            for inode in looked {
                prop_assert!(!outside.contains(&inode), "{:?} described something outside the project", op);
            }
        }
    }
}
