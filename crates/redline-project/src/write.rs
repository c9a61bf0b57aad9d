//! The only way Redline writes a project file: confined to the root, atomic (temp file in the
//! same folder, fsync, rename), and conditional on the file still holding what the caller saw.
//!
//! Every path goes through [`ProjectRoot::resolve`] first, so `..`, foreign absolute paths and
//! symlinks leading out of the root are refused before anything is opened. A symlink that stays
//! inside the root is written through (the link is kept, its target replaced).
//!
//! Temp files are named `.<name>.<random>.redline-tmp` next to their target. They are removed on
//! every error; only a crash (power loss, SIGKILL) between creating one and renaming it can leave
//! one behind, and the target is then still entirely its old self.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::{renameat_with, RenameFlags, CWD};
use rustix::io::Errno;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::{ProjectError, ProjectRoot};

/// The suffix every temp file of ours ends with, so leftovers of a crash can be recognised.
pub const TEMP_SUFFIX: &str = ".redline-tmp";

/// Why a write was refused or failed. Nothing was changed on disk when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The path is outside the project (or a symlink leads out of it).
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error("{path} already exists; Redline does not overwrite it")]
    AlreadyExists { path: String },
    #[error("{path} does not exist")]
    Missing { path: String },
    #[error("{path} is not a regular file")]
    NotAFile { path: String },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// The result of a conditional write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replaced {
    /// The new bytes are in place (for a delete: the file is gone).
    Written,
    /// The file no longer held the expected content and nothing was written; `current` is what
    /// it holds now (`None`: it does not exist), so the caller can merge and try again.
    Changed { current: Option<Vec<u8>> },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), source }
}

/// Hex SHA-256 of some bytes (the same value `redline_edits::sha256_hex` gives for text).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The exact bytes of a project file, `None` when it does not exist: what a conditional write
/// compares against.
pub fn read_current(root: &ProjectRoot, path: &str) -> Result<Option<Vec<u8>>, WriteError> {
    let abs = target(root, path)?;
    read_optional(&abs)
}

fn read_optional(abs: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    match fs::read(abs) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(abs)(e)),
    }
}

/// Resolves `path` inside the root; an existing file is followed to its real location (so a
/// symlink inside the project is written through, not replaced) and must be a regular file.
fn target(root: &ProjectRoot, path: &str) -> Result<PathBuf, WriteError> {
    let lexical = root.resolve(path)?;
    match fs::symlink_metadata(&lexical) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(lexical),
        Err(e) => Err(io_err(&lexical)(e)),
        Ok(_) => {
            let real = lexical.canonicalize().map_err(io_err(&lexical))?;
            if !real.starts_with(root.path()) {
                return Err(ProjectError::OutsideProject { path: path.to_owned() }.into());
            }
            if !real.is_file() {
                return Err(WriteError::NotAFile { path: path.to_owned() });
            }
            Ok(real)
        }
    }
}

/// A temp file next to `abs`, holding `bytes`, synced, with `abs`'s mode when it exists (the
/// usual `0666 & !umask` otherwise). Dropped, it removes itself.
fn temp_with(abs: &Path, bytes: &[u8]) -> Result<NamedTempFile, WriteError> {
    let dir = abs.parent().ok_or_else(|| WriteError::NotAFile { path: abs.display().to_string() })?;
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let existing_mode = fs::metadata(abs).ok().map(|m| m.permissions().mode());
    let name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    if let Some(mode) = existing_mode {
        // fchmod is not subject to the umask: the exact mode, setuid/setgid bits included.
        tmp.as_file().set_permissions(Permissions::from_mode(mode)).map_err(io_err(tmp.path()))?;
    }
    tmp.write_all(bytes).map_err(io_err(abs))?;
    tmp.as_file().sync_all().map_err(io_err(abs))?;
    Ok(tmp)
}

/// Makes a rename durable. Best effort: the rename already happened, so a failure here is only
/// logged.
fn sync_dir(abs: &Path) {
    if let Some(dir) = abs.parent() {
        if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
            tracing::warn!("cannot sync folder {}: {e}", dir.display());
        }
    }
}

/// Replaces (or creates) a project file with `bytes` atomically: readers see the old content or
/// the new, never a mix, and a crash at any point leaves the old file intact. Missing parent
/// folders inside the root are created; the existing file's permissions are kept.
pub fn write_atomic(root: &ProjectRoot, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
    let abs = target(root, path)?;
    let tmp = temp_with(&abs, bytes)?;
    tmp.persist(&abs).map_err(|e| io_err(&abs)(e.error))?;
    sync_dir(&abs);
    Ok(())
}

fn unsupported(e: Errno) -> bool {
    e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP
}

/// Writes `bytes` only if the file still hashes to `expected_sha256` (`None`: only if it does
/// not exist). Otherwise nothing is written and the current content comes back in
/// [`Replaced::Changed`].
///
/// How tight this is, on Linux:
/// - Creating (`None`) uses `renameat2(RENAME_NOREPLACE)`: the check and the write are one
///   atomic step.
/// - Replacing swaps the temp file in with `renameat2(RENAME_EXCHANGE)` and *then* checks what
///   was swapped out. From the swap on, whoever opens the file by name gets the new one; anyone
///   still holding the old one open is waited for (up to 2 s, found through `/proc/*/fd`) before
///   the check, so their last write is seen. If the old file no longer has the expected hash it
///   is swapped back and reported as changed; bytes appended to our file by someone who opened
///   it in between are replayed onto the restored file.
/// - What remains: a process we cannot see in `/proc` (another user's, without privileges) or
///   one that keeps the old file open for more than 2 s and writes to it after the check; an
///   `open` already in flight during the swap; and, after a swap-back, a non-append change made
///   to our short-lived file (kept next to it as a temp file and reported as an error, not
///   lost). An accept that keeps losing against a writer faster than one temp file + fsync gives
///   up and says so; it never overwrites.
/// - Where `RENAME_EXCHANGE` is not supported (some network and FUSE file systems), the file is
///   re-read and compared just before a plain rename: a write between the two is lost.
pub fn replace_if_unchanged(
    root: &ProjectRoot,
    path: &str,
    expected_sha256: Option<&str>,
    bytes: &[u8],
) -> Result<Replaced, WriteError> {
    let abs = target(root, path)?;
    let tmp = temp_with(&abs, bytes)?;
    match expected_sha256 {
        None => create_new(&abs, tmp),
        Some(expected) => exchange_if(&abs, tmp, expected, bytes),
    }
}

fn changed_if_not(current: Option<Vec<u8>>, expected: Option<&str>) -> Option<Replaced> {
    let hash = current.as_deref().map(sha256_hex);
    (hash.as_deref() != expected).then_some(Replaced::Changed { current })
}

fn create_new(abs: &Path, tmp: NamedTempFile) -> Result<Replaced, WriteError> {
    match renameat_with(CWD, tmp.path(), CWD, abs, RenameFlags::NOREPLACE) {
        Ok(()) => {
            // The temp path no longer exists; dropping the handle must not remove anything.
            let _ = tmp.into_temp_path().keep();
            sync_dir(abs);
            Ok(Replaced::Written)
        }
        Err(Errno::EXIST) => Ok(Replaced::Changed { current: read_optional(abs)? }),
        Err(e) if unsupported(e) => {
            // A hard link fails if the name exists: still an atomic create-if-absent.
            match fs::hard_link(tmp.path(), abs) {
                Ok(()) => {
                    drop(tmp);
                    sync_dir(abs);
                    Ok(Replaced::Written)
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    Ok(Replaced::Changed { current: read_optional(abs)? })
                }
                Err(_) => recheck_and_rename(abs, tmp, None),
            }
        }
        Err(e) => Err(io_err(abs)(e.into())),
    }
}

/// The fallback without `RENAME_EXCHANGE`: compare, then rename; a write in between is lost.
fn recheck_and_rename(
    abs: &Path,
    tmp: NamedTempFile,
    expected: Option<&str>,
) -> Result<Replaced, WriteError> {
    if let Some(changed) = changed_if_not(read_optional(abs)?, expected) {
        return Ok(changed);
    }
    tmp.persist(abs).map_err(|e| io_err(abs)(e.error))?;
    sync_dir(abs);
    Ok(Replaced::Written)
}

fn read_all(file: &mut File) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Swaps `tmp` in, then checks what came out; see [`replace_if_unchanged`].
fn exchange_if(
    abs: &Path,
    mut tmp: NamedTempFile,
    expected: &str,
    bytes: &[u8],
) -> Result<Replaced, WriteError> {
    // A cheap first look avoids swapping at all when the file is plainly different.
    if let Some(changed) = changed_if_not(read_optional(abs)?, Some(expected)) {
        return Ok(changed);
    }
    match renameat_with(CWD, tmp.path(), CWD, abs, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        Err(Errno::NOENT) => return Ok(Replaced::Changed { current: None }),
        Err(e) if unsupported(e) => return recheck_and_rename(abs, tmp, Some(expected)),
        Err(e) => return Err(io_err(abs)(e.into())),
    }
    // `tmp.path()` now names the old file and `abs` ours: whoever opens the file by name from
    // now on gets ours. Wait for those who still hold the old one to close it, so that their
    // last write is in what we check.
    let swapped_out = File::open(tmp.path()).and_then(|mut old| {
        wait_for_other_holders(&old);
        read_all(&mut old)
    });
    let old_bytes = match swapped_out {
        Ok(bytes) => bytes,
        Err(e) => {
            swap_back(abs, &tmp)?;
            return Err(io_err(abs)(e));
        }
    };
    if sha256_hex(&old_bytes) == expected {
        drop(tmp); // unlinks the old file
        sync_dir(abs);
        return Ok(Replaced::Written);
    }
    swap_back(abs, &tmp)?;
    // Someone may have opened ours by name in between and written to it: replay appends onto
    // the file now in place; anything else is kept aside rather than lost.
    wait_for_other_holders(tmp.as_file());
    let ours_now = read_all(tmp.as_file_mut()).map_err(io_err(abs))?;
    if ours_now == bytes {
        return Ok(Replaced::Changed { current: Some(old_bytes) });
    }
    match ours_now.strip_prefix(bytes) {
        Some(appended) => {
            let mut file = OpenOptions::new().append(true).open(abs).map_err(io_err(abs))?;
            file.write_all(appended).map_err(io_err(abs))?;
            Ok(Replaced::Changed { current: read_optional(abs)? })
        }
        None => {
            let kept = tmp.into_temp_path().keep().map_err(|e| io_err(abs)(e.error))?;
            Err(io_err(abs)(io::Error::other(format!(
                "the file changed twice while it was replaced; the other change is kept in {}",
                kept.display()
            ))))
        }
    }
}

/// How long a replace waits for other processes to close the file it swapped out.
const HOLDER_WAIT: Duration = Duration::from_secs(2);

/// Waits (up to [`HOLDER_WAIT`]) until no descriptor other than `file` refers to its inode, by
/// looking through `/proc/*/fd`. Processes whose descriptors we may not see (another user's,
/// without privileges) are not waited for.
fn wait_for_other_holders(file: &File) {
    let Ok(meta) = file.metadata() else { return };
    let started = Instant::now();
    while held_elsewhere(meta.dev(), meta.ino(), file.as_raw_fd()) {
        if started.elapsed() > HOLDER_WAIT {
            tracing::warn!("a file being replaced is still held open by another process");
            return;
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

fn held_elsewhere(dev: u64, ino: u64, own_fd: i32) -> bool {
    let own_pid = std::process::id().to_string();
    let Ok(procs) = fs::read_dir("/proc") else { return false };
    procs.flatten().any(|proc_entry| {
        let pid = proc_entry.file_name();
        let pid = pid.to_string_lossy();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let Ok(fds) = fs::read_dir(proc_entry.path().join("fd")) else { return false };
        fds.flatten().any(|fd| {
            if pid == own_pid && fd.file_name().to_string_lossy() == own_fd.to_string() {
                return false;
            }
            fs::metadata(fd.path()).is_ok_and(|m| m.dev() == dev && m.ino() == ino)
        })
    })
}

fn swap_back(abs: &Path, tmp: &NamedTempFile) -> Result<(), WriteError> {
    renameat_with(CWD, tmp.path(), CWD, abs, RenameFlags::EXCHANGE).map_err(|e| io_err(abs)(e.into()))
}

/// Deletes a project file only if it still hashes to `expected_sha256`. The file is first moved
/// to a private temp name (atomic), checked there, and moved back if it changed.
pub fn delete_if_unchanged(
    root: &ProjectRoot,
    path: &str,
    expected_sha256: &str,
) -> Result<Replaced, WriteError> {
    let abs = target(root, path)?;
    if let Some(changed) = changed_if_not(read_optional(&abs)?, Some(expected_sha256)) {
        return Ok(changed);
    }
    let aside = temp_with(&abs, b"")?.into_temp_path();
    match fs::rename(&abs, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Replaced::Changed { current: None }),
        Err(e) => return Err(io_err(&abs)(e)),
    }
    let moved = fs::read(&aside).map_err(io_err(&abs))?;
    if sha256_hex(&moved) == expected_sha256 {
        drop(aside);
        sync_dir(&abs);
        return Ok(Replaced::Written);
    }
    // Put it back; if someone created the file meanwhile, keep theirs and ours side by side.
    match renameat_with(CWD, &*aside, CWD, &abs, RenameFlags::NOREPLACE) {
        Ok(()) => {
            let _ = aside.keep();
            Ok(Replaced::Changed { current: Some(moved) })
        }
        Err(e) => {
            let kept = aside.keep().map_err(|e| io_err(&abs)(e.error))?;
            Err(io_err(&abs)(io::Error::other(format!(
                "{e}; its changed content was kept as {}",
                kept.display()
            ))))
        }
    }
}

/// Renames a project file, refusing to overwrite an existing target. Missing parent folders of
/// the target inside the root are created.
pub fn rename_file(root: &ProjectRoot, from: &str, to: &str) -> Result<(), WriteError> {
    // Lexical paths: a symlink inside the project is moved as a link, not followed.
    let src = root.resolve(from)?;
    let dst = root.resolve(to)?;
    if fs::symlink_metadata(&src).is_err() {
        return Err(WriteError::Missing { path: from.to_owned() });
    }
    if let Some(dir) = dst.parent() {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    match renameat_with(CWD, &src, CWD, &dst, RenameFlags::NOREPLACE) {
        Ok(()) => {}
        Err(Errno::EXIST) => return Err(WriteError::AlreadyExists { path: to.to_owned() }),
        Err(e) if unsupported(e) => {
            // link + unlink: the link refuses an existing target atomically.
            fs::hard_link(&src, &dst).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => WriteError::AlreadyExists { path: to.to_owned() },
                _ => io_err(&dst)(e),
            })?;
            fs::remove_file(&src).map_err(io_err(&src))?;
        }
        Err(e) => return Err(io_err(&dst)(e.into())),
    }
    sync_dir(&dst);
    sync_dir(&src);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = ProjectRoot::open(dir.path()).expect("open");
        (dir, root)
    }

    fn temp_files(dir: &Path) -> Vec<String> {
        let mut found = Vec::new();
        for entry in walk(dir) {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.ends_with(TEMP_SUFFIX) {
                found.push(name);
            }
        }
        found
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            }
            out.push(path);
        }
        out
    }

    #[test]
    fn write_atomic_keeps_the_existing_permissions() {
        let (dir, root) = project();
        let file = dir.path().join("run.sh");
        fs::write(&file, "echo old\n").expect("write");
        fs::set_permissions(&file, Permissions::from_mode(0o751)).expect("chmod");
        write_atomic(&root, "run.sh", b"echo new\n").expect("write_atomic");
        assert_eq!(fs::read(&file).expect("read"), b"echo new\n");
        assert_eq!(fs::metadata(&file).expect("meta").permissions().mode() & 0o7777, 0o751);
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn write_atomic_creates_missing_folders_inside_the_root() {
        let (dir, root) = project();
        write_atomic(&root, "a/b/c.txt", b"hi\n").expect("write_atomic");
        assert_eq!(fs::read(dir.path().join("a/b/c.txt")).expect("read"), b"hi\n");
    }

    #[test]
    fn new_file_gets_the_usual_mode_not_the_temp_file_mode() {
        let (dir, root) = project();
        write_atomic(&root, "new.txt", b"x").expect("write_atomic");
        let mode = fs::metadata(dir.path().join("new.txt")).expect("meta").permissions().mode();
        assert_ne!(mode & 0o044, 0, "a new file is readable by others as the umask allows: {mode:o}");
    }

    #[test]
    fn temp_file_is_cleaned_up_when_the_write_fails() {
        let (dir, root) = project();
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        fs::write(dir.path().join("sub/keep.txt"), "old\n").expect("write");
        // Renaming a file over a non-empty folder fails after the temp file was written.
        fs::create_dir(dir.path().join("sub/folder")).expect("mkdir");
        fs::write(dir.path().join("sub/folder/x"), "x").expect("write");
        let lexical = dir.path().join("sub/folder");
        let tmp = temp_with(&lexical, b"new\n").expect("temp");
        let err = tmp.persist(&lexical).expect_err("cannot rename over a folder");
        drop(err);
        assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
        assert!(matches!(write_atomic(&root, "sub/folder", b"new\n"), Err(WriteError::NotAFile { .. })));
        assert!(temp_files(dir.path()).is_empty());
        assert_eq!(fs::read(dir.path().join("sub/keep.txt")).expect("read"), b"old\n");
    }

    #[test]
    fn temp_file_is_cleaned_up_when_the_file_changed() {
        let (dir, root) = project();
        fs::write(dir.path().join("f.txt"), "theirs\n").expect("write");
        let got =
            replace_if_unchanged(&root, "f.txt", Some(&sha256_hex(b"base\n")), b"ours\n").expect("replace");
        assert_eq!(got, Replaced::Changed { current: Some(b"theirs\n".to_vec()) });
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn outside_root_is_refused_for_every_write() {
        let (dir, root) = project();
        let outside = tempfile::tempdir().expect("outside");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).expect("symlink");
        for path in ["../x", "out/x", "/etc/passwd"] {
            assert!(matches!(write_atomic(&root, path, b"x"), Err(WriteError::Project(_))), "{path}");
            assert!(matches!(replace_if_unchanged(&root, path, None, b"x"), Err(WriteError::Project(_))));
            assert!(matches!(delete_if_unchanged(&root, path, "0"), Err(WriteError::Project(_))));
            assert!(matches!(rename_file(&root, path, "y"), Err(WriteError::Project(_))));
        }
        fs::write(dir.path().join("in.txt"), "x").expect("write");
        assert!(matches!(rename_file(&root, "in.txt", "out/stolen"), Err(WriteError::Project(_))));
        assert_eq!(fs::read_dir(outside.path()).expect("read").count(), 0);
    }

    #[test]
    fn symlink_inside_the_root_is_written_through() {
        let (dir, root) = project();
        fs::write(dir.path().join("real.txt"), "old\n").expect("write");
        std::os::unix::fs::symlink("real.txt", dir.path().join("link.txt")).expect("symlink");
        write_atomic(&root, "link.txt", b"new\n").expect("write");
        assert!(fs::symlink_metadata(dir.path().join("link.txt")).expect("meta").file_type().is_symlink());
        assert_eq!(fs::read(dir.path().join("real.txt")).expect("read"), b"new\n");
    }

    #[test]
    fn changed_file_is_refused_and_left_alone() {
        let (dir, root) = project();
        let file = dir.path().join("f.txt");
        fs::write(&file, "base\n").expect("write");
        let base = sha256_hex(b"base\n");
        fs::write(&file, "edited by someone\n").expect("write");
        let got = replace_if_unchanged(&root, "f.txt", Some(&base), b"ours\n").expect("replace");
        assert!(matches!(got, Replaced::Changed { current: Some(ref c) } if c == b"edited by someone\n"));
        assert_eq!(fs::read(&file).expect("read"), b"edited by someone\n");
    }

    #[test]
    fn unchanged_file_is_replaced_with_its_mode() {
        let (dir, root) = project();
        let file = dir.path().join("f.txt");
        fs::write(&file, "base\n").expect("write");
        fs::set_permissions(&file, Permissions::from_mode(0o640)).expect("chmod");
        let got =
            replace_if_unchanged(&root, "f.txt", Some(&sha256_hex(b"base\n")), b"ours\n").expect("replace");
        assert_eq!(got, Replaced::Written);
        assert_eq!(fs::read(&file).expect("read"), b"ours\n");
        assert_eq!(fs::metadata(&file).expect("meta").permissions().mode() & 0o777, 0o640);
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn create_refuses_a_file_that_appeared() {
        let (dir, root) = project();
        fs::write(dir.path().join("f.txt"), "someone else's\n").expect("write");
        let got = replace_if_unchanged(&root, "f.txt", None, b"ours\n").expect("replace");
        assert!(matches!(got, Replaced::Changed { current: Some(_) }));
        assert_eq!(fs::read(dir.path().join("f.txt")).expect("read"), b"someone else's\n");
        assert_eq!(replace_if_unchanged(&root, "g.txt", None, b"ours\n").expect("create"), Replaced::Written);
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn missing_file_is_changed_not_recreated() {
        let (dir, root) = project();
        let got = replace_if_unchanged(&root, "gone.txt", Some(&sha256_hex(b"x")), b"y").expect("replace");
        assert_eq!(got, Replaced::Changed { current: None });
        assert!(!dir.path().join("gone.txt").exists());
    }

    #[test]
    fn delete_refuses_a_changed_file() {
        let (dir, root) = project();
        fs::write(dir.path().join("f.txt"), "edited\n").expect("write");
        let got = delete_if_unchanged(&root, "f.txt", &sha256_hex(b"base\n")).expect("delete");
        assert!(matches!(got, Replaced::Changed { .. }));
        assert!(dir.path().join("f.txt").exists());
        let got = delete_if_unchanged(&root, "f.txt", &sha256_hex(b"edited\n")).expect("delete");
        assert_eq!(got, Replaced::Written);
        assert!(!dir.path().join("f.txt").exists());
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn rename_refuses_to_overwrite_an_existing_target() {
        let (dir, root) = project();
        fs::write(dir.path().join("a.txt"), "a\n").expect("write");
        fs::write(dir.path().join("b.txt"), "b\n").expect("write");
        assert!(matches!(rename_file(&root, "a.txt", "b.txt"), Err(WriteError::AlreadyExists { .. })));
        assert_eq!(fs::read(dir.path().join("b.txt")).expect("read"), b"b\n");
        rename_file(&root, "a.txt", "sub/c.txt").expect("rename");
        assert_eq!(fs::read(dir.path().join("sub/c.txt")).expect("read"), b"a\n");
        assert!(!dir.path().join("a.txt").exists());
        assert!(matches!(rename_file(&root, "a.txt", "d.txt"), Err(WriteError::Missing { .. })));
    }
}
