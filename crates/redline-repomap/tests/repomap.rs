//! The map over a small fixture project: ranking, focus, budget, incremental updates and
//! ignore rules. The benchmark over this repository's own crates is `--ignored`.

// Fixture projects are built with std::fs (see the workspace clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::Path;
use std::time::Instant;

use redline_repomap::{identifiers_in, Focus, RepoMap};
use tempfile::TempDir;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("fixture paths have a folder")).expect("create folder");
    fs::write(path, text).expect("write fixture file");
}

/// `src/util.rs` defines `normalize_path`, called from two Rust files and one Python file;
/// `src/billing.rs` defines `compute_invoice_total`, called only from `scripts/invoice.py`.
fn fixture() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "src/util.rs", "use std::path::Path;\n\npub fn normalize_path(p: &str) -> String {\n    p.replace('\\\\', \"/\")\n}\n\npub fn rarely_used() {}\n");
    write(
        root,
        "src/a.rs",
        "use crate::util;\n\npub fn load_a() -> String {\n    util::normalize_path(\"a\")\n}\n",
    );
    write(
        root,
        "src/b.rs",
        "use crate::util::normalize_path;\n\npub fn load_b() -> String {\n    normalize_path(\"b\")\n}\n",
    );
    write(
        root,
        "scripts/tool.py",
        "from util import normalize_path\n\ndef run_tool():\n    return normalize_path('x')\n",
    );
    write(root, "src/billing.rs", "pub struct Invoice;\n\npub fn compute_invoice_total(lines: &[u32]) -> u32 {\n    lines.iter().sum()\n}\n");
    write(root, "scripts/invoice.py", "def main():\n    return compute_invoice_total([1, 2])\n");
    for i in 0..12 {
        let body: String = (0..4)
            .map(|j| {
                format!(
                    "pub fn module_{i}_function_{j}(first: u32, second: u32) -> u32 {{ first + second }}\n\n"
                )
            })
            .collect();
        write(root, &format!("src/filler/m{i}.rs"), &body);
    }
    write(root, ".gitignore", "generated/\n");
    write(root, "generated/gen.rs", "pub fn secret_generated_fn() {}\n");
    write(root, ".redlineignore", "vendor/\n");
    write(root, "vendor/dep.py", "def vendored_secret():\n    pass\n");
    dir
}

fn scanned(dir: &TempDir) -> RepoMap {
    let mut map = RepoMap::new(dir.path());
    map.scan();
    map
}

const BIG: usize = 100_000;

/// Index of the first map line that contains `needle`.
fn position(map_text: &str, needle: &str) -> usize {
    map_text
        .lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in map:\n{map_text}"))
}

#[test]
fn the_definition_called_from_three_files_comes_first() {
    let dir = fixture();
    let text = scanned(&dir).render(&Focus::default(), BIG);
    let first_definition = text.lines().find(|l| l.starts_with('│')).expect("map has definitions");
    assert!(first_definition.contains("pub fn normalize_path"), "map:\n{text}");
    assert!(text.starts_with("src/util.rs:\n"), "map:\n{text}");
}

#[test]
fn focusing_a_file_moves_what_it_uses_up() {
    let dir = fixture();
    let map = scanned(&dir);
    let plain = map.render(&Focus::default(), BIG);
    let focus = Focus { files: vec!["scripts/invoice.py".into()], idents: vec![] };
    let focused = map.render(&focus, BIG);
    assert!(position(&focused, "compute_invoice_total") < position(&plain, "compute_invoice_total"));
    assert!(focused.starts_with("src/billing.rs:\n"), "map:\n{focused}");
}

#[test]
fn focusing_an_identifier_moves_its_definition_up() {
    let dir = fixture();
    let map = scanned(&dir);
    let plain = map.render(&Focus::default(), BIG);
    let focus = Focus { files: vec![], idents: identifiers_in("where is module_7_function_2 used?") };
    let focused = map.render(&focus, BIG);
    assert!(position(&focused, "module_7_function_2") < position(&plain, "module_7_function_2"));
}

#[test]
fn files_in_focus_are_left_out_of_the_map() {
    let dir = fixture();
    let focus = Focus { files: vec!["src/util.rs".into()], idents: vec![] };
    let text = scanned(&dir).render(&focus, BIG);
    assert!(!text.contains("src/util.rs"), "map:\n{text}");
    assert!(text.contains("src/billing.rs"), "map:\n{text}");
}

#[test]
fn a_focus_file_is_shown_when_it_is_the_only_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.py", "def only_one():\n    pass\n");
    let focus = Focus { files: vec!["main.py".into()], idents: vec![] };
    let text = scanned(&dir).render(&focus, BIG);
    assert!(text.contains("def only_one"), "map:\n{text}");
}

#[test]
fn the_map_fits_the_budget_and_grows_with_it() {
    let dir = fixture();
    let map = scanned(&dir);
    let small = map.render(&Focus::default(), 200);
    let large = map.render(&Focus::default(), 2000);
    assert!(!small.is_empty());
    assert!(small.len().div_ceil(4) <= 200, "{} bytes for 200 tokens", small.len());
    assert!(large.len().div_ceil(4) <= 2000);
    assert!(large.len() > small.len(), "a bigger budget shows more");
    assert!(map.render(&Focus::default(), 0).is_empty());
}

#[test]
fn lines_are_rendered_with_gap_markers_like_aider() {
    let dir = fixture();
    let text = scanned(&dir).render(&Focus::default(), BIG);
    let block: Vec<&str> = text.split("\n\n").next().expect("one file block").lines().collect();
    assert_eq!(block[0], "src/util.rs:");
    assert_eq!(block[1], "⋮");
    assert!(block.contains(&"│pub fn normalize_path(p: &str) -> String {"), "{block:?}");
}

#[test]
fn the_same_project_renders_the_same_text() {
    let dir = fixture();
    let first = scanned(&dir).render(&Focus::default(), 500);
    let second = scanned(&dir).render(&Focus::default(), 500);
    assert_eq!(first, second);
}

#[test]
fn an_empty_project_renders_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let map = scanned(&dir);
    assert_eq!(map.render(&Focus::default(), 1000), "");
    assert_eq!(map.stats(), (0, 0));
}

#[test]
fn ignored_hidden_binary_and_huge_files_are_absent() {
    let dir = fixture();
    let root = dir.path();
    write(root, ".hidden/h.rs", "pub fn hidden_secret() {}\n");
    fs::write(root.join("src/blob.rs"), b"pub fn binary_secret() {}\0\0").expect("write binary");
    let huge = "pub fn huge_secret() {}\n".repeat(50_000);
    write(root, "src/huge.rs", &huge);
    let text = scanned(&dir).render(&Focus::default(), BIG);
    for secret in ["secret_generated_fn", "vendored_secret", "hidden_secret", "binary_secret", "huge_secret"]
    {
        assert!(!text.contains(secret), "{secret} leaked into the map:\n{text}");
    }
}

#[test]
fn update_rereads_an_edited_file_and_nothing_else() {
    let dir = fixture();
    let mut map = scanned(&dir);
    let (files, definitions) = map.stats();
    write(dir.path(), "src/b.rs", "pub fn load_b() {}\npub fn freshly_added_function() {}\n");
    // Not reported to `update`, so it must stay unknown: proof there was no rescan.
    write(dir.path(), "src/unreported.rs", "pub fn unreported_function() {}\n");
    map.update(&["src/b.rs".to_string()]);
    assert_eq!(map.stats(), (files, definitions + 1));
    let text = map.render(&Focus::default(), BIG);
    assert!(text.contains("freshly_added_function"));
    assert!(!text.contains("unreported_function"));
}

#[test]
fn update_forgets_a_deleted_file() {
    let dir = fixture();
    let mut map = scanned(&dir);
    let (files, definitions) = map.stats();
    fs::remove_file(dir.path().join("src/a.rs")).expect("delete");
    map.update(&["src/a.rs".to_string()]);
    assert_eq!(map.stats(), (files - 1, definitions - 1));
    assert!(!map.render(&Focus::default(), BIG).contains("load_a"));
}

#[test]
fn update_of_a_folder_reads_its_new_files_and_forgets_a_deleted_one() {
    let dir = fixture();
    let mut map = scanned(&dir);
    let (files, _) = map.stats();
    write(dir.path(), "src/newmod/x.rs", "pub fn in_new_folder() {}\n");
    write(dir.path(), "src/newmod/deep/y.py", "def deeper_still():\n    pass\n");
    map.update(&["src/newmod".to_string()]);
    assert_eq!(map.stats().0, files + 2);
    fs::remove_dir_all(dir.path().join("src/newmod")).expect("delete folder");
    map.update(&["src/newmod".to_string()]);
    assert_eq!(map.stats().0, files);
}

#[test]
fn update_does_not_admit_an_ignored_file() {
    let dir = fixture();
    let mut map = scanned(&dir);
    let before = map.stats();
    write(dir.path(), "generated/new.rs", "pub fn still_ignored() {}\n");
    write(dir.path(), "vendor/more.py", "def also_ignored():\n    pass\n");
    map.update(&["generated/new.rs".to_string(), "vendor/more.py".to_string(), "../outside.rs".to_string()]);
    assert_eq!(map.stats(), before);
}

#[test]
fn a_changed_ignore_file_drops_newly_ignored_files() {
    let dir = fixture();
    let mut map = scanned(&dir);
    assert!(map.render(&Focus::default(), BIG).contains("module_3_function_1"));
    write(dir.path(), ".redlineignore", "vendor/\nsrc/filler/\n");
    map.update(&[".redlineignore".to_string()]);
    assert!(!map.render(&Focus::default(), BIG).contains("module_3_function_1"));
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_project_is_not_followed() {
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "secret.rs", "pub fn outside_secret() {}\n");
    let dir = fixture();
    std::os::unix::fs::symlink(outside.path().join("secret.rs"), dir.path().join("src/link.rs"))
        .expect("link");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("src/linked_dir")).expect("link");
    let mut map = scanned(&dir);
    map.update(&["src/link.rs".to_string(), "src/linked_dir".to_string()]);
    assert!(!map.render(&Focus::default(), BIG).contains("outside_secret"));
}

#[cfg(unix)]
#[test]
fn a_folder_swapped_for_a_link_out_after_the_scan_is_not_read() {
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "lib.rs", "pub fn outside_secret() {}\n");
    write(outside.path(), "deeper/mod.rs", "pub fn deeper_secret() {}\n");
    let dir = fixture();
    let mut map = scanned(&dir);
    assert!(map.render(&Focus::default(), BIG).contains("normalize_path"));
    fs::rename(dir.path().join("src"), dir.path().join("src-aside")).expect("move aside");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("src")).expect("swap in a link");
    map.update(&["src".to_string(), "src/lib.rs".to_string(), "src/deeper".to_string()]);
    let text = map.render(&Focus::default(), BIG);
    assert!(!text.contains("outside_secret") && !text.contains("deeper_secret"), "map:\n{text}");
    assert!(!text.contains("normalize_path"), "files under the swapped folder are forgotten");
}

#[test]
fn files_with_syntax_errors_do_not_stop_the_scan() {
    let dir = fixture();
    write(dir.path(), "src/broken.rs", "pub fn survives() {}\nfn broken( {{{ impl for <\n");
    write(dir.path(), "scripts/broken.py", "def ok():\n    pass\ndef bad(:\n  )))\n");
    write(dir.path(), "web/broken.ts", "export class { ; function (((\n");
    let text = scanned(&dir).render(&Focus::default(), BIG);
    assert!(text.contains("normalize_path"));
    assert!(text.contains("survives"), "map:\n{text}");
}

#[test]
fn every_language_is_read_from_a_small_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snippets = [
        ("a.rs", "fn rust_def() {}\n", "rust_def"),
        ("b.py", "def python_def():\n    pass\n", "python_def"),
        ("c.js", "function jsDef() {}\n", "jsDef"),
        ("d.ts", "export function tsDef(): void {}\n", "tsDef"),
        ("e.go", "package e\nfunc GoDef() {}\n", "GoDef"),
        ("F.java", "class JavaDef { void run() {} }\n", "JavaDef"),
        ("g.c", "int c_def(void) { return 0; }\n", "c_def"),
        ("h.cpp", "namespace n { int cpp_def() { return 0; } }\n", "cpp_def"),
    ];
    for (name, text, _) in &snippets {
        write(dir.path(), name, text);
    }
    let map = scanned(&dir);
    let text = map.render(&Focus::default(), BIG);
    assert_eq!(map.stats().0, snippets.len());
    for (name, _, definition) in &snippets {
        assert!(text.contains(definition), "{name}: {definition} missing from:\n{text}");
    }
}

/// Run with `cargo test -p redline-repomap --release -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark: prints timings of this repository's crates folder"]
fn benchmark_on_this_repository() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates folder");
    let copy = tempfile::tempdir().expect("tempdir");
    for entry in ignore::WalkBuilder::new(crates).build().filter_map(Result::ok) {
        let rel = entry.path().strip_prefix(crates).expect("inside crates");
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let target = copy.path().join(rel);
            fs::create_dir_all(target.parent().expect("has folder")).expect("mkdir");
            fs::copy(entry.path(), target).expect("copy");
        }
    }
    let mut map = RepoMap::new(copy.path());
    let started = Instant::now();
    map.scan();
    let scan = started.elapsed();
    let started = Instant::now();
    map.scan();
    let rescan = started.elapsed();
    let (files, definitions) = map.stats();
    println!("scan: {files} files, {definitions} definitions in {scan:?}; unchanged rescan {rescan:?}");

    for budget in [1024, 4096] {
        let started = Instant::now();
        let text = map.render(&Focus::default(), budget);
        println!("render {budget} tokens: {:?}, {} bytes", started.elapsed(), text.len());
    }
    let focus =
        Focus { files: vec!["redline-repomap/src/lib.rs".into()], idents: identifiers_in("rank render") };
    let started = Instant::now();
    let text = map.render(&focus, 1024);
    println!("render 1024 tokens with focus: {:?}, {} bytes", started.elapsed(), text.len());
    println!("--- head of the focused map ---\n{}", text.lines().take(40).collect::<Vec<_>>().join("\n"));

    let edited = "redline-repomap/src/rank.rs";
    let mut source = fs::read_to_string(copy.path().join(edited)).expect("read");
    source.push_str("\npub fn benchmark_marker() {}\n");
    fs::write(copy.path().join(edited), source).expect("write");
    let started = Instant::now();
    map.update(&[edited.to_string()]);
    println!("update of one file: {:?}", started.elapsed());
    assert_eq!(map.stats().1, definitions + 1);
}
