//! The only way Redline writes a project file: confined to the root, atomic (temp file in the
//! same folder, fsync, rename), and conditional on the file still holding what the caller saw.
//!
//! Every write works relative to its folder's directory handle, opened beneath the root by
//! [`crate::confined`]: the temp file is created in that folder (`O_CREAT | O_EXCL`), and the
//! renames (`renameat2` with `RENAME_NOREPLACE` or `RENAME_EXCHANGE`) name both ends through
//! folder handles. A folder swapped for a symlink between the check and the write therefore
//! cannot carry the write out of the root: the handle still refers to the folder that was
//! checked. A symlink that stays inside the root is written through (the link is kept, its
//! target replaced); its real place is resolved beneath the root first. Missing folders are
//! created beneath the root with `mkdirat`.
//!
//! As defence in depth, paths the rules refuse outright (git's own files, names with control
//! characters; see [`ProtectedPaths`]) are refused here too, by the requested path and by the
//! real one. Which paths are merely *protected* is decided above this layer.
//!
//! Temp files are named `.<name>.<random>.redline-tmp` next to their target. They are removed on
//! every error; only a crash (power loss, SIGKILL) between creating one and renaming it can leave
//! one behind, and the target is then still entirely its old self.

use std::collections::hash_map::RandomState;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rustix::fs::{
    fchmod, fsync, linkat, openat, readlinkat, renameat, renameat_with, statat, unlinkat, AtFlags, FileType,
    Mode, OFlags, RenameFlags,
};
use rustix::io::Errno;
use sha2::{Digest, Sha256};

use crate::confined::{self, Located, Lookup};
use crate::{PathRule, ProjectError, ProjectRoot, ProtectedPaths};

/// The suffix every temp file of ours ends with, so leftovers of a crash can be recognised.
pub const TEMP_SUFFIX: &str = ".redline-tmp";

/// Why a write was refused or failed. Nothing was changed on disk when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The path is outside the project (or a symlink leads out of it).
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// The path is one Redline never writes (git's own files, a name with control characters),
    /// or a rename would make a symlink point outside; `reason` is the whole message.
    #[error("{reason}")]
    Refused { path: String, reason: String },
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

/// Hex SHA-256 of some bytes (the same value `redline_edits::sha256_hex` gives for text).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file a write is aimed at: its folder held open beneath the root, its final name there (never
/// a symlink when it was located), and where it is, for messages.
struct Target {
    at: Located,
    name: OsString,
    abs: PathBuf,
}

impl Target {
    fn dir(&self) -> BorrowedFd<'_> {
        self.at.folder.fd()
    }

    fn io_err(&self) -> impl FnOnce(io::Error) -> WriteError + '_ {
        move |source| WriteError::Io { path: self.abs.clone(), source }
    }

    fn errno(&self) -> impl FnOnce(Errno) -> WriteError + '_ {
        move |e| WriteError::Io { path: self.abs.clone(), source: e.into() }
    }

    /// The mode of the file there now, if it is a regular file.
    fn existing_mode(&self) -> Option<u32> {
        let st = statat(self.dir(), &self.name, AtFlags::SYMLINK_NOFOLLOW).ok()?;
        (FileType::from_raw_mode(st.st_mode) == FileType::RegularFile).then_some(st.st_mode & 0o7777)
    }

    /// What the file holds now (`None`: it does not exist). `O_NOFOLLOW`: a symlink swapped in
    /// for the file is an error, never followed.
    fn read_current(&self) -> Result<Option<Vec<u8>>, WriteError> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        match openat(self.dir(), &self.name, flags, Mode::empty()) {
            Ok(fd) => read_all(&mut File::from(fd)).map(Some).map_err(self.io_err()),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(self.errno()(e)),
        }
    }

    /// Makes a rename durable. Best effort: the rename already happened, so a failure here is
    /// only logged.
    fn sync_dir(&self) {
        if let Err(e) = fsync(self.dir()) {
            tracing::warn!("cannot sync the folder of {}: {e}", self.abs.display());
        }
    }
}

/// Refuses what the rules never let a proposal write, by a `/`-separated project path.
fn refuse_by_rule(path: &str, rel: &str) -> Result<(), WriteError> {
    match ProtectedPaths::default().rule(rel) {
        PathRule::Refused(reason) => Err(WriteError::Refused { path: path.to_owned(), reason }),
        _ => Ok(()),
    }
}

/// Finds `path` beneath the root. A missing folder in a place the rules refuse (reached through
/// a symlink into `.git`, say) is reported as the rule's refusal, not as missing.
fn locate(root: &ProjectRoot, path: &str, lookup: Lookup) -> Result<Located, WriteError> {
    match confined::locate(root, path, lookup) {
        Ok(at) => Ok(at),
        Err(ProjectError::NotFound(abs)) => {
            let rel = abs.strip_prefix(root.path()).map(crate::root::to_slash).unwrap_or_default();
            refuse_by_rule(path, &rel)?;
            Err(ProjectError::NotFound(abs).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Resolves a file to write beneath the root: the requested path and its real place (after
/// in-root symlinks) are checked against the rules; an existing file must be a regular file.
fn target(root: &ProjectRoot, path: &str, create_folders: bool) -> Result<Target, WriteError> {
    refuse_by_rule(path, &confined::join_slash(&confined::normalize(root.path(), path)?))?;
    let at = locate(root, path, Lookup { follow_final: true, create_folders })?;
    let target = file_at(root, path, at)?;
    refuse_by_rule(path, &target.at.rel())?;
    Ok(target)
}

fn file_at(root: &ProjectRoot, path: &str, at: Located) -> Result<Target, WriteError> {
    let Some(name) = at.name.clone() else { return Err(WriteError::NotAFile { path: path.to_owned() }) };
    match statat(at.folder.fd(), &name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile => {
            return Err(WriteError::NotAFile { path: path.to_owned() });
        }
        Ok(_) | Err(Errno::NOENT) => {}
        Err(e) => return Err(WriteError::Io { path: root.path().join(at.rel()), source: e.into() }),
    }
    let abs = root.path().join(at.rel());
    Ok(Target { at, name, abs })
}

/// A file that the caller may find missing: `None` instead of an error when its folder is.
fn existing_target(root: &ProjectRoot, path: &str) -> Result<Option<Target>, WriteError> {
    match target(root, path, false) {
        Ok(target) => Ok(Some(target)),
        Err(WriteError::Project(ProjectError::NotFound(_))) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The exact bytes of a project file, `None` when it does not exist: what a conditional write
/// compares against. Read through the folder's handle like the write that follows; the rules
/// of what may be written do not apply to reading.
pub fn read_current(root: &ProjectRoot, path: &str) -> Result<Option<Vec<u8>>, WriteError> {
    match confined::locate(root, path, Lookup { follow_final: true, create_folders: false }) {
        Ok(at) => file_at(root, path, at)?.read_current(),
        Err(ProjectError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A temp file of ours in a target's folder; dropped while still named, it removes itself.
struct TempFile<'t> {
    dir: BorrowedFd<'t>,
    name: OsString,
    file: File,
    named: bool,
}

impl<'t> TempFile<'t> {
    /// Creates `.<name>.<random>.redline-tmp` beside the target, exclusively and never through a
    /// symlink (`O_CREAT | O_EXCL` does not follow one).
    fn create(target: &'t Target) -> Result<TempFile<'t>, WriteError> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut last = Errno::EXIST;
        for _ in 0..100 {
            let name = temp_name(&target.name);
            match openat(target.dir(), &name, flags, Mode::from_raw_mode(0o666)) {
                Ok(fd) => return Ok(TempFile { dir: target.dir(), name, file: File::from(fd), named: true }),
                Err(Errno::EXIST) => last = Errno::EXIST,
                Err(e) => return Err(target.errno()(e)),
            }
        }
        Err(target.errno()(last))
    }

    /// The rename moved it: nothing left to remove.
    fn renamed(mut self) {
        self.named = false;
    }

    /// Leaves the file where it is and says where, for a message.
    fn keep(mut self, target: &Target) -> PathBuf {
        self.named = false;
        target.abs.with_file_name(&self.name)
    }
}

impl Drop for TempFile<'_> {
    fn drop(&mut self) {
        if self.named {
            if let Err(e) = unlinkat(self.dir, &self.name, AtFlags::empty()) {
                tracing::warn!("cannot remove the temp file {}: {e}", self.name.to_string_lossy());
            }
        }
    }
}

/// `.<name>.<random>.redline-tmp`, short enough for any file system however long `name` is.
fn temp_name(name: &OsStr) -> OsString {
    let bytes = name.as_bytes();
    let stem = OsStr::from_bytes(&bytes[..bytes.len().min(200)]);
    // RandomState's keys are random per process and stepped per call; the counter and the pid
    // only make a repeat less likely still. O_EXCL decides in the end.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    let mut temp = OsString::from(".");
    temp.push(stem);
    temp.push(format!(".{:016x}{TEMP_SUFFIX}", hasher.finish()));
    temp
}

/// A temp file beside `target`, holding `bytes`, synced, with the target's mode when it exists
/// (the usual `0666 & !umask` otherwise).
fn temp_with<'t>(target: &'t Target, bytes: &[u8]) -> Result<TempFile<'t>, WriteError> {
    let mut tmp = TempFile::create(target)?;
    if let Some(mode) = target.existing_mode() {
        // fchmod is not subject to the umask: the exact mode, setuid/setgid bits included.
        fchmod(&tmp.file, Mode::from_raw_mode(mode)).map_err(target.errno())?;
    }
    tmp.file.write_all(bytes).map_err(target.io_err())?;
    tmp.file.sync_all().map_err(target.io_err())?;
    Ok(tmp)
}

/// Replaces (or creates) a project file with `bytes` atomically: readers see the old content or
/// the new, never a mix, and a crash at any point leaves the old file intact. Missing parent
/// folders inside the root are created; the existing file's permissions are kept.
pub fn write_atomic(root: &ProjectRoot, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
    let target = target(root, path, true)?;
    let tmp = temp_with(&target, bytes)?;
    renameat(target.dir(), &tmp.name, target.dir(), &target.name).map_err(target.errno())?;
    tmp.renamed();
    target.sync_dir();
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
    let Some(expected) = expected_sha256 else {
        let target = target(root, path, true)?;
        let tmp = temp_with(&target, bytes)?;
        return create_new(&target, tmp);
    };
    // A file whose folder is gone has changed: it does not exist any more.
    let Some(target) = existing_target(root, path)? else { return Ok(Replaced::Changed { current: None }) };
    let tmp = temp_with(&target, bytes)?;
    exchange_if(&target, tmp, expected, bytes)
}

fn changed_if_not(current: Option<Vec<u8>>, expected: Option<&str>) -> Option<Replaced> {
    let hash = current.as_deref().map(sha256_hex);
    (hash.as_deref() != expected).then_some(Replaced::Changed { current })
}

fn create_new(target: &Target, tmp: TempFile<'_>) -> Result<Replaced, WriteError> {
    match renameat_with(target.dir(), &tmp.name, target.dir(), &target.name, RenameFlags::NOREPLACE) {
        Ok(()) => {
            tmp.renamed();
            target.sync_dir();
            Ok(Replaced::Written)
        }
        Err(Errno::EXIST) => Ok(Replaced::Changed { current: target.read_current()? }),
        Err(e) if unsupported(e) => {
            // A hard link fails if the name exists: still an atomic create-if-absent.
            match linkat(target.dir(), &tmp.name, target.dir(), &target.name, AtFlags::empty()) {
                Ok(()) => {
                    drop(tmp);
                    target.sync_dir();
                    Ok(Replaced::Written)
                }
                Err(Errno::EXIST) => Ok(Replaced::Changed { current: target.read_current()? }),
                Err(_) => recheck_and_rename(target, tmp, None),
            }
        }
        Err(e) => Err(target.errno()(e)),
    }
}

/// The fallback without `RENAME_EXCHANGE`: compare, then rename; a write in between is lost.
fn recheck_and_rename(
    target: &Target,
    tmp: TempFile<'_>,
    expected: Option<&str>,
) -> Result<Replaced, WriteError> {
    if let Some(changed) = changed_if_not(target.read_current()?, expected) {
        return Ok(changed);
    }
    renameat(target.dir(), &tmp.name, target.dir(), &target.name).map_err(target.errno())?;
    tmp.renamed();
    target.sync_dir();
    Ok(Replaced::Written)
}

fn read_all(file: &mut File) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens a name in the target's folder, never through a symlink.
fn open_in(target: &Target, name: &OsStr, flags: OFlags) -> Result<File, WriteError> {
    let flags = flags | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    openat(target.dir(), name, flags, Mode::empty()).map(File::from).map_err(target.errno())
}

/// Swaps `tmp` in, then checks what came out; see [`replace_if_unchanged`].
fn exchange_if(
    target: &Target,
    tmp: TempFile<'_>,
    expected: &str,
    bytes: &[u8],
) -> Result<Replaced, WriteError> {
    // A cheap first look avoids swapping at all when the file is plainly different.
    if let Some(changed) = changed_if_not(target.read_current()?, Some(expected)) {
        return Ok(changed);
    }
    match renameat_with(target.dir(), &tmp.name, target.dir(), &target.name, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        Err(Errno::NOENT) => return Ok(Replaced::Changed { current: None }),
        Err(e) if unsupported(e) => return recheck_and_rename(target, tmp, Some(expected)),
        Err(e) => return Err(target.errno()(e)),
    }
    // `tmp.name` now names the old file and the target's name ours: whoever opens the file by
    // name from now on gets ours. Wait for those who still hold the old one to close it, so that
    // their last write is in what we check.
    let swapped_out = open_in(target, &tmp.name, OFlags::RDONLY).and_then(|mut old| {
        wait_for_other_holders(&old);
        read_all(&mut old).map_err(target.io_err())
    });
    let old_bytes = match swapped_out {
        Ok(bytes) => bytes,
        Err(e) => {
            swap_back(target, &tmp)?;
            return Err(e);
        }
    };
    if sha256_hex(&old_bytes) == expected {
        drop(tmp); // unlinks the old file
        target.sync_dir();
        return Ok(Replaced::Written);
    }
    swap_back(target, &tmp)?;
    replay_onto_restored(target, tmp, bytes, old_bytes)
}

/// After a swap-back: someone may have opened ours by name in between and written to it. Appends
/// are replayed onto the file now in place; anything else is kept aside rather than lost.
fn replay_onto_restored(
    target: &Target,
    tmp: TempFile<'_>,
    bytes: &[u8],
    old_bytes: Vec<u8>,
) -> Result<Replaced, WriteError> {
    wait_for_other_holders(&tmp.file);
    let ours_now = open_in(target, &tmp.name, OFlags::RDONLY)
        .and_then(|mut ours| read_all(&mut ours).map_err(target.io_err()))?;
    if ours_now == bytes {
        return Ok(Replaced::Changed { current: Some(old_bytes) });
    }
    match ours_now.strip_prefix(bytes) {
        Some(appended) => {
            let mut file = open_in(target, &target.name, OFlags::WRONLY | OFlags::APPEND)?;
            file.write_all(appended).map_err(target.io_err())?;
            Ok(Replaced::Changed { current: target.read_current()? })
        }
        None => {
            let kept = tmp.keep(target);
            Err(target.io_err()(io::Error::other(format!(
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

fn swap_back(target: &Target, tmp: &TempFile<'_>) -> Result<(), WriteError> {
    renameat_with(target.dir(), &tmp.name, target.dir(), &target.name, RenameFlags::EXCHANGE)
        .map_err(target.errno())
}

/// Deletes a project file only if it still hashes to `expected_sha256`. The file is first moved
/// to a private temp name in its folder (atomic), checked there, and moved back if it changed.
pub fn delete_if_unchanged(
    root: &ProjectRoot,
    path: &str,
    expected_sha256: &str,
) -> Result<Replaced, WriteError> {
    let Some(target) = existing_target(root, path)? else { return Ok(Replaced::Changed { current: None }) };
    if let Some(changed) = changed_if_not(target.read_current()?, Some(expected_sha256)) {
        return Ok(changed);
    }
    let aside = TempFile::create(&target)?;
    match renameat(target.dir(), &target.name, target.dir(), &aside.name) {
        Ok(()) => {}
        Err(Errno::NOENT) => return Ok(Replaced::Changed { current: None }),
        Err(e) => return Err(target.errno()(e)),
    }
    let moved = open_in(&target, &aside.name, OFlags::RDONLY)
        .and_then(|mut file| read_all(&mut file).map_err(target.io_err()))?;
    if sha256_hex(&moved) == expected_sha256 {
        drop(aside);
        target.sync_dir();
        return Ok(Replaced::Written);
    }
    // Put it back; if someone created the file meanwhile, keep theirs and ours side by side.
    match renameat_with(target.dir(), &aside.name, target.dir(), &target.name, RenameFlags::NOREPLACE) {
        Ok(()) => {
            aside.renamed();
            Ok(Replaced::Changed { current: Some(moved) })
        }
        Err(e) => {
            let kept = aside.keep(&target);
            Err(target.io_err()(io::Error::other(format!(
                "{e}; its changed content was kept as {}",
                kept.display()
            ))))
        }
    }
}

/// Renames a project file (or a symlink, as a link), refusing to overwrite an existing target.
/// Missing parent folders of the target inside the root are created. A symlink whose target
/// would resolve outside the root from its new folder is refused.
pub fn rename_file(root: &ProjectRoot, from: &str, to: &str) -> Result<(), WriteError> {
    for path in [from, to] {
        refuse_by_rule(path, &confined::join_slash(&confined::normalize(root.path(), path)?))?;
    }
    // Not following the final name: a symlink inside the project is moved as a link.
    let named = Lookup { follow_final: false, create_folders: false };
    let src = match confined::locate(root, from, named) {
        Err(ProjectError::NotFound(_)) => return Err(WriteError::Missing { path: from.to_owned() }),
        other => other?,
    };
    let src_name = src.name.clone().ok_or_else(|| WriteError::NotAFile { path: from.to_owned() })?;
    let kind = match statat(src.folder.fd(), &src_name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => FileType::from_raw_mode(st.st_mode),
        Err(_) => return Err(WriteError::Missing { path: from.to_owned() }),
    };
    let dst = locate(root, to, Lookup { create_folders: true, ..named })?;
    let dst_name = dst.name.clone().ok_or_else(|| WriteError::AlreadyExists { path: to.to_owned() })?;
    refuse_by_rule(from, &src.rel())?;
    refuse_by_rule(to, &dst.rel())?;
    if kind == FileType::Symlink {
        refuse_link_leaving(root, &src, &src_name, &dst, to)?;
    }
    let dst_abs = root.path().join(dst.rel());
    let errno = |e: Errno| WriteError::Io { path: dst_abs.clone(), source: e.into() };
    let (sdir, ddir) = (src.folder.fd(), dst.folder.fd());
    match renameat_with(sdir, &src_name, ddir, &dst_name, RenameFlags::NOREPLACE) {
        Ok(()) => {}
        Err(Errno::EXIST) => return Err(WriteError::AlreadyExists { path: to.to_owned() }),
        Err(e) if unsupported(e) => {
            // link + unlink: the link refuses an existing target atomically.
            linkat(sdir, &src_name, ddir, &dst_name, AtFlags::empty()).map_err(|e| match e {
                Errno::EXIST => WriteError::AlreadyExists { path: to.to_owned() },
                e => errno(e),
            })?;
            unlinkat(sdir, &src_name, AtFlags::empty()).map_err(errno)?;
        }
        Err(e) => return Err(errno(e)),
    }
    for dir in [ddir, sdir] {
        if let Err(e) = fsync(dir) {
            tracing::warn!("cannot sync a folder after renaming {from} to {to}: {e}");
        }
    }
    Ok(())
}

/// The target of `from` when it is a project symlink that, moved to `to`, would point outside
/// the project (a relative target is read from the link's new folder): the check
/// [`rename_file`] makes before it moves a link, for saying so before anyone accepts the rename.
/// `Ok(None)` when `from` is no symlink or would still point inside. Nothing is created or moved;
/// every lookup goes through the root's directory handle.
pub fn link_leaving_on_rename(
    root: &ProjectRoot,
    from: &str,
    to: &str,
) -> Result<Option<PathBuf>, ProjectError> {
    if !root.symlink_metadata(from)?.file_type().is_symlink() {
        return Ok(None);
    }
    let target = root.read_link(from)?;
    let folder = confined::real_folder_of(root, to)?;
    Ok((!confined::link_stays_inside(root, &folder, &target)).then_some(target))
}

/// A relative symlink means something else from another folder: refuse the move when, from its
/// new folder, it would point outside the root.
fn refuse_link_leaving(
    root: &ProjectRoot,
    src: &Located,
    src_name: &OsStr,
    dst: &Located,
    to: &str,
) -> Result<(), WriteError> {
    let target = readlinkat(src.folder.fd(), src_name, Vec::new())
        .map_err(|e| WriteError::Io { path: root.path().join(src.rel()), source: e.into() })?;
    let target = PathBuf::from(OsStr::from_bytes(target.as_bytes()));
    if confined::link_stays_inside(root, dst.folder.rel_parts(), &target) {
        return Ok(());
    }
    Err(WriteError::Refused {
        path: to.to_owned(),
        reason: format!(
            "{to} is a symlink to {}; moved there it would point outside the project, so Redline does not move it",
            target.display()
        ),
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{symlink, PermissionsExt};
    use std::path::Path;

    use fs::Permissions;

    use super::*;
    use crate::GIT_REFUSAL;

    fn project() -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = ProjectRoot::open(dir.path()).expect("open");
        (dir, root)
    }

    /// The same project through the kernel's openat2 and through the fd-by-fd walk.
    fn both(root: &ProjectRoot) -> [ProjectRoot; 2] {
        assert!(root.uses_openat2(), "this kernel has openat2; the tests need both resolvers");
        [root.clone(), root.clone().resolving_by_fd_walk()]
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
            if path.is_dir() && !path.is_symlink() {
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
    fn write_atomic_keeps_setuid_and_setgid_bits() {
        let (dir, root) = project();
        let file = dir.path().join("tool");
        fs::write(&file, "old\n").expect("write");
        fs::set_permissions(&file, Permissions::from_mode(0o6755)).expect("chmod");
        let before = fs::metadata(&file).expect("meta").permissions().mode() & 0o7777;
        write_atomic(&root, "tool", b"new\n").expect("write_atomic");
        assert_eq!(fs::metadata(&file).expect("meta").permissions().mode() & 0o7777, before);
    }

    #[test]
    fn write_atomic_creates_missing_folders_inside_the_root() {
        let (dir, root) = project();
        for (i, root) in both(&root).iter().enumerate() {
            write_atomic(root, &format!("a{i}/b/c.txt"), b"hi\n").expect("write_atomic");
            assert_eq!(fs::read(dir.path().join(format!("a{i}/b/c.txt"))).expect("read"), b"hi\n");
        }
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
        fs::create_dir(dir.path().join("sub/folder")).expect("mkdir");
        fs::write(dir.path().join("sub/folder/x"), "x").expect("write");
        // Renaming a file over a non-empty folder fails after the temp file was written.
        let beside = target(&root, "sub/keep.txt", false).expect("target");
        let tmp = temp_with(&beside, b"new\n").expect("temp");
        assert!(renameat(beside.dir(), &tmp.name, beside.dir(), "folder").is_err());
        drop(tmp);
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
        symlink(outside.path(), dir.path().join("out")).expect("symlink");
        fs::write(dir.path().join("in.txt"), "x").expect("write");
        for root in both(&root) {
            for path in ["../x", "out/x", "/etc/passwd", "out/new/x"] {
                assert!(matches!(write_atomic(&root, path, b"x"), Err(WriteError::Project(_))), "{path}");
                assert!(matches!(replace_if_unchanged(&root, path, None, b"x"), Err(WriteError::Project(_))));
                assert!(matches!(delete_if_unchanged(&root, path, "0"), Err(WriteError::Project(_))));
                assert!(matches!(rename_file(&root, path, "y"), Err(WriteError::Project(_))));
            }
            assert!(matches!(rename_file(&root, "in.txt", "out/stolen"), Err(WriteError::Project(_))));
        }
        assert_eq!(fs::read_dir(outside.path()).expect("read").count(), 0);
    }

    #[test]
    fn symlink_inside_the_root_is_written_through() {
        let (dir, root) = project();
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        fs::write(dir.path().join("real.txt"), "old\n").expect("write");
        symlink("real.txt", dir.path().join("link.txt")).expect("symlink");
        symlink("../real.txt", dir.path().join("sub/up.txt")).expect("symlink");
        for (i, root) in both(&root).iter().enumerate() {
            let text = format!("new {i}\n");
            write_atomic(root, "link.txt", text.as_bytes()).expect("write");
            assert!(fs::symlink_metadata(dir.path().join("link.txt"))
                .expect("meta")
                .file_type()
                .is_symlink());
            assert_eq!(fs::read(dir.path().join("real.txt")).expect("read"), text.as_bytes());
            let got =
                replace_if_unchanged(root, "sub/up.txt", Some(&sha256_hex(text.as_bytes())), b"via up\n")
                    .expect("replace");
            assert_eq!(got, Replaced::Written);
            assert_eq!(fs::read(dir.path().join("real.txt")).expect("read"), b"via up\n");
            assert!(fs::symlink_metadata(dir.path().join("sub/up.txt"))
                .expect("meta")
                .file_type()
                .is_symlink());
        }
    }

    #[test]
    fn a_folder_swapped_for_a_symlink_after_the_check_does_not_redirect_the_write() {
        let (dir, root) = project();
        let outside = tempfile::tempdir().expect("outside");
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        for root in both(&root) {
            // The check: the folder is located beneath the root and held open.
            let checked = target(&root, "sub/f.txt", false).expect("target");
            // The swap: the folder moves aside and a symlink to the outside takes its name.
            fs::rename(dir.path().join("sub"), dir.path().join("sub-aside")).expect("move aside");
            symlink(outside.path(), dir.path().join("sub")).expect("symlink");
            // The write lands in the folder that was checked, never behind the link.
            let tmp = temp_with(&checked, b"x").expect("temp");
            assert_eq!(create_new(&checked, tmp).expect("create"), Replaced::Written);
            assert_eq!(fs::read_dir(outside.path()).expect("ls").count(), 0, "written outside");
            assert_eq!(fs::read(dir.path().join("sub-aside/f.txt")).expect("read"), b"x");
            fs::remove_file(dir.path().join("sub")).expect("unlink");
            fs::remove_file(dir.path().join("sub-aside/f.txt")).expect("rm");
            fs::rename(dir.path().join("sub-aside"), dir.path().join("sub")).expect("move back");
        }
    }

    #[test]
    fn git_files_are_refused_by_every_write_with_the_rules_message() {
        let (dir, root) = project();
        fs::create_dir_all(dir.path().join(".git/hooks")).expect("mkdir");
        fs::write(dir.path().join(".git/config"), "[core]\n").expect("write");
        fs::write(dir.path().join("a.txt"), "a\n").expect("write");
        symlink(".git/config", dir.path().join("cfg")).expect("symlink");
        symlink(".git", dir.path().join("gitdir")).expect("symlink");
        let refused = |got: Result<(), WriteError>, path: &str| match got {
            Err(e @ WriteError::Refused { .. }) => assert_eq!(e.to_string(), GIT_REFUSAL, "{path}"),
            other => panic!("{path}: {other:?}"),
        };
        for root in both(&root) {
            for path in [
                ".git/config",
                ".git/hooks/pre-commit",
                "src/../.git/config",
                "cfg",
                "gitdir/hooks/x",
                "gitdir/new/x",
            ] {
                refused(write_atomic(&root, path, b"x"), path);
                refused(replace_if_unchanged(&root, path, None, b"x").map(|_| ()), path);
                refused(
                    replace_if_unchanged(&root, path, Some(&sha256_hex(b"[core]\n")), b"x").map(|_| ()),
                    path,
                );
                refused(delete_if_unchanged(&root, path, &sha256_hex(b"[core]\n")).map(|_| ()), path);
                if path != "cfg" {
                    refused(rename_file(&root, "a.txt", path), path);
                }
            }
            // A rename names links, never writes through them: the link is in the way.
            assert!(matches!(rename_file(&root, "a.txt", "cfg"), Err(WriteError::AlreadyExists { .. })));
            refused(rename_file(&root, ".git/config", "stolen"), ".git/config");
        }
        assert_eq!(fs::read(dir.path().join(".git/config")).expect("read"), b"[core]\n");
        assert_eq!(fs::read_dir(dir.path().join(".git/hooks")).expect("ls").count(), 0);
        assert_eq!(fs::read_dir(dir.path().join(".git")).expect("ls").count(), 2);
    }

    #[test]
    fn names_with_control_characters_are_refused() {
        let (dir, root) = project();
        let got = write_atomic(&root, "evil\u{1b}]0;title\u{7}.txt", b"x");
        assert!(matches!(got, Err(WriteError::Refused { .. })), "{got:?}");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 0);
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
        for root in both(&root) {
            let current = fs::read(&file).expect("read");
            let got = replace_if_unchanged(&root, "f.txt", Some(&sha256_hex(&current)), b"ours\n")
                .expect("replace");
            assert_eq!(got, Replaced::Written);
            assert_eq!(fs::read(&file).expect("read"), b"ours\n");
            assert_eq!(fs::metadata(&file).expect("meta").permissions().mode() & 0o777, 0o640);
        }
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
        for root in both(&root) {
            for path in ["gone.txt", "gone/too.txt"] {
                let got = replace_if_unchanged(&root, path, Some(&sha256_hex(b"x")), b"y").expect("replace");
                assert_eq!(got, Replaced::Changed { current: None });
                assert_eq!(read_current(&root, path).expect("read"), None);
            }
        }
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 0);
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

    #[test]
    fn rename_refuses_a_link_that_would_point_outside_from_its_new_folder() {
        let (dir, root) = project();
        fs::create_dir_all(dir.path().join("sub/deeper")).expect("mkdir");
        fs::write(dir.path().join("a.txt"), "a\n").expect("write");
        symlink("../a.txt", dir.path().join("sub/link")).expect("symlink");
        for root in both(&root) {
            let got = rename_file(&root, "sub/link", "moved");
            match got {
                Err(e @ WriteError::Refused { .. }) => {
                    assert!(e.to_string().contains("would point outside the project"), "{e}")
                }
                other => panic!("{other:?}"),
            }
            assert!(fs::symlink_metadata(dir.path().join("sub/link")).is_ok(), "the link stays where it was");
            assert!(fs::symlink_metadata(dir.path().join("moved")).is_err());
        }
        // Moved where it still points inside, a link is moved as a link.
        fs::write(dir.path().join("sub/a.txt"), "sub a\n").expect("write");
        rename_file(&root, "sub/link", "sub/deeper/link").expect("rename inside");
        let moved = dir.path().join("sub/deeper/link");
        assert_eq!(fs::read_link(&moved).expect("readlink"), Path::new("../a.txt"));
        assert_eq!(fs::read(&moved).expect("read through"), b"sub a\n");
    }

    #[test]
    fn link_leaving_on_rename_reads_the_link_from_its_real_new_folder_and_moves_nothing() {
        let (dir, root) = project();
        let outside = tempfile::tempdir().expect("outside");
        fs::create_dir_all(dir.path().join("sub/deeper")).expect("mkdir");
        fs::write(dir.path().join("a.txt"), "a\n").expect("write");
        symlink("../a.txt", dir.path().join("sub/link")).expect("symlink");
        // `d` is the folder sub/deeper by another name: the link is read from there, not from `d`.
        symlink("sub/deeper", dir.path().join("d")).expect("symlink");
        symlink(outside.path(), dir.path().join("out")).expect("symlink");
        for root in both(&root) {
            let leaving = |to: &str| link_leaving_on_rename(&root, "sub/link", to);
            assert_eq!(leaving("moved").expect("check"), Some(PathBuf::from("../a.txt")));
            assert_eq!(leaving("sub/deeper/link").expect("check"), None);
            assert_eq!(leaving("d/link").expect("check"), None, "read from sub/deeper, where it stays in");
            assert_eq!(leaving("new/folder/link").expect("check"), None, "new/a.txt: inside, not there yet");
            assert_eq!(leaving("new-top").expect("check"), Some(PathBuf::from("../a.txt")));
            assert!(matches!(leaving("out/link"), Err(ProjectError::OutsideProject { .. })));
            assert_eq!(link_leaving_on_rename(&root, "a.txt", "sub/deeper/a.txt").expect("file"), None);
            assert!(matches!(link_leaving_on_rename(&root, "nope", "x"), Err(ProjectError::NotFound(_))));
        }
        assert!(!dir.path().join("new").exists(), "no folder created by a check");
        assert!(fs::symlink_metadata(dir.path().join("sub/link")).is_ok(), "nothing moved");
        assert_eq!(fs::read_dir(outside.path()).expect("ls").count(), 0);
    }
}
