//! Opening project paths through directory handles, so that a symlink swapped in between a check
//! and the use cannot redirect a read or a write out of the root.
//!
//! Every lookup starts at the root's directory descriptor, held since [`ProjectRoot::open`]; no
//! path is ever resolved by name from `/`. Two resolvers give the same answers:
//! - the kernel's `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS` (Linux 5.6+), which
//!   refuses in one step anything that would leave the root;
//! - an fd-by-fd walk: each component is opened with `O_NOFOLLOW` relative to the folder before
//!   it, and a symlink met on the way is read and followed by hand from the folder that holds it,
//!   at most [`MAX_LINK_HOPS`] times. It is used where `openat2` is missing or filtered, to say
//!   *why* the kernel refused (the kernel only says "no"), and for what the kernel will not do
//!   for us: following an absolute symlink that points back inside the root.
//!
//! A symlink that leads out of the root, loops or dangles is refused with
//! [`ProjectError::OutsideProject`]. Paths from callers are first normalized lexically (`..`
//! pops the previous name, as [`ProjectRoot::resolve`] does); `..` inside a symlink's target is
//! followed for real, from the folder the link is in.
//!
//! What this does not cover: a folder *moved* (renamed, not swapped for a link) out of the root
//! after it was opened keeps its descriptor. Doing that needs write access outside the project,
//! which is already more than a hostile repository or a model reply has.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{
    mkdirat, openat, openat2, readlinkat, statat, AtFlags, Dir, FileType, Mode, OFlags, ResolveFlags,
};
use rustix::io::Errno;

use crate::{ProjectError, ProjectRoot};

/// Linux's own limit on symlinks followed in one lookup (`MAXSYMLINKS`).
pub(crate) const MAX_LINK_HOPS: u32 = 40;

/// Flags for a read: never block on a FIFO a hostile repository planted, never become its
/// controlling terminal.
const READ_FLAGS: OFlags =
    OFlags::RDONLY.union(OFlags::NONBLOCK).union(OFlags::NOCTTY).union(OFlags::CLOEXEC);

const FOLDER_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::CLOEXEC);

/// Flags for a look at what a name is (`O_PATH`): nothing is opened for reading, so a FIFO or a
/// device a hostile repository planted is never touched, only described.
const LOOK_FLAGS: OFlags = OFlags::PATH.union(OFlags::CLOEXEC);

/// A folder beneath the root, held open, and where it really is: `rel` holds no symlinks.
#[derive(Debug)]
pub(crate) struct Folder {
    fd: FolderFd,
    rel: Vec<OsString>,
}

#[derive(Debug)]
enum FolderFd {
    Root(Arc<OwnedFd>),
    Below(OwnedFd),
}

impl Folder {
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        match &self.fd {
            FolderFd::Root(fd) => fd.as_fd(),
            FolderFd::Below(fd) => fd.as_fd(),
        }
    }

    /// The folder's real place, `/`-separated and relative to the root (`""` for the root).
    pub(crate) fn rel(&self) -> String {
        join_slash(&self.rel)
    }

    pub(crate) fn rel_parts(&self) -> &[OsString] {
        &self.rel
    }
}

/// Where a lookup ended: a folder beneath the root and, unless the path named a folder itself,
/// the final name in it (which may not exist yet).
#[derive(Debug)]
pub(crate) struct Located {
    pub(crate) folder: Folder,
    pub(crate) name: Option<OsString>,
}

impl Located {
    /// The real place of what was looked up, `/`-separated and relative to the root.
    pub(crate) fn rel(&self) -> String {
        match &self.name {
            Some(name) if self.folder.rel.is_empty() => name.to_string_lossy().into_owned(),
            Some(name) => format!("{}/{}", self.folder.rel(), name.to_string_lossy()),
            None => self.folder.rel(),
        }
    }
}

/// How a lookup treats its last component and missing folders.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lookup {
    /// A final symlink is followed (reads, writes through a link) rather than named (rename).
    pub(crate) follow_final: bool,
    /// Missing folders on the way are created (`mkdirat`, beneath the root).
    pub(crate) create_folders: bool,
}

/// Which resolver a [`ProjectRoot`] uses; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolver {
    Openat2,
    FdWalk,
}

impl Resolver {
    /// `openat2` when this kernel has it (and no seccomp filter hides it) for `dir`.
    pub(crate) fn probe(dir: &OwnedFd) -> Resolver {
        let flags = OFlags::PATH.union(OFlags::DIRECTORY).union(OFlags::CLOEXEC);
        match openat2(dir, ".", flags, Mode::empty(), beneath()) {
            Err(e) if openat2_unusable(e) => Resolver::FdWalk,
            _ => Resolver::Openat2,
        }
    }
}

fn beneath() -> ResolveFlags {
    ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS
}

/// Errors that mean "this kernel (or its seccomp filter) has no usable `openat2`".
fn openat2_unusable(e: Errno) -> bool {
    matches!(e, Errno::NOSYS | Errno::PERM | Errno::TOOBIG | Errno::INVAL)
}

/// A caller's path as project-relative names: an absolute path must lie inside the root, `.` is
/// dropped and `..` removes the previous name; climbing above the root is refused.
pub(crate) fn normalize(root: &Path, path: &str) -> Result<Vec<OsString>, ProjectError> {
    let outside = || ProjectError::OutsideProject { path: path.to_owned() };
    let requested = Path::new(path);
    let relative = if requested.is_absolute() {
        requested.strip_prefix(root).map_err(|_| outside())?
    } else {
        requested
    };
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop().ok_or_else(outside)?;
            }
            Component::RootDir | Component::Prefix(_) => return Err(outside()),
        }
    }
    Ok(parts)
}

pub(crate) fn join_slash(parts: &[OsString]) -> String {
    let parts: Vec<_> = parts.iter().map(|p| p.to_string_lossy()).collect();
    parts.join("/")
}

fn as_path(parts: &[OsString]) -> PathBuf {
    if parts.is_empty() {
        PathBuf::from(".")
    } else {
        parts.iter().collect()
    }
}

/// Opens a project file for reading, following symlinks that stay inside the root. The file may
/// be anything but a folder (callers check what they got with `fstat`).
pub(crate) fn open_read(root: &ProjectRoot, path: &str) -> Result<File, ProjectError> {
    let parts = normalize(root.path(), path)?;
    if root.resolver() == Resolver::Openat2 {
        // Any refusal is re-examined by the walk, which says why (or follows an absolute link
        // back inside, which RESOLVE_BENEATH never does).
        if let Ok(fd) = openat2(root.dir(), as_path(&parts), READ_FLAGS, Mode::empty(), beneath()) {
            return Ok(File::from(fd));
        }
    }
    let lookup = Lookup { follow_final: true, create_folders: false };
    let located = walk(root, path, parts, lookup)?;
    let Some(name) = &located.name else {
        return Err(ProjectError::Unreadable {
            path: root.path().join(located.rel()),
            source: std::io::Error::other("it is a folder"),
        });
    };
    // O_NOFOLLOW: had the name become a symlink since the walk looked, this fails (ELOOP).
    match openat(located.folder.fd(), name.as_os_str(), READ_FLAGS | OFlags::NOFOLLOW, Mode::empty()) {
        Ok(fd) => Ok(File::from(fd)),
        Err(Errno::LOOP) => Err(ProjectError::OutsideProject { path: path.to_owned() }),
        Err(e) => Err(ProjectError::io(root.path().join(located.rel()), e.into())),
    }
}

/// Describes a project path through the root's handle. With `follow_final`, symlinks are
/// followed while they stay inside the root (as [`open_read`] does); without, the final name is
/// described itself (a symlink as a symlink), and only the folders on the way are followed.
pub(crate) fn metadata(root: &ProjectRoot, path: &str, follow_final: bool) -> Result<Metadata, ProjectError> {
    let parts = normalize(root.path(), path)?;
    let flags = if follow_final { LOOK_FLAGS } else { LOOK_FLAGS | OFlags::NOFOLLOW };
    if root.resolver() == Resolver::Openat2 {
        // A refusal goes to the walk, which says why (or follows an absolute link back inside).
        if let Ok(fd) = openat2(root.dir(), as_path(&parts), flags, Mode::empty(), beneath()) {
            let abs = root.path().join(join_slash(&parts));
            return File::from(fd).metadata().map_err(|e| ProjectError::io(abs, e));
        }
    }
    let located = walk(root, path, parts, Lookup { follow_final, create_folders: false })?;
    let abs = root.path().join(located.rel());
    let name = located.name.unwrap_or_else(|| OsString::from("."));
    // O_NOFOLLOW either way: the walk has followed what was to be followed, and a name that has
    // become a symlink since is described as one rather than followed blindly.
    let fd = openat(located.folder.fd(), name.as_os_str(), LOOK_FLAGS | OFlags::NOFOLLOW, Mode::empty())
        .map_err(|e| ProjectError::io(&abs, e.into()))?;
    let meta = File::from(fd).metadata().map_err(|e| ProjectError::io(&abs, e))?;
    if follow_final && meta.file_type().is_symlink() {
        return Err(ProjectError::OutsideProject { path: path.to_owned() });
    }
    Ok(meta)
}

/// The target of a symlink beneath the root, as written in the link (it may name a place
/// outside; nothing there is looked at). The link itself is not followed; folders on the way
/// are, while they stay inside.
pub(crate) fn read_link(root: &ProjectRoot, path: &str) -> Result<PathBuf, ProjectError> {
    let located = locate(root, path, Lookup { follow_final: false, create_folders: false })?;
    let abs = root.path().join(located.rel());
    let not_a_link = |abs: PathBuf| ProjectError::Unreadable {
        path: abs,
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "it is not a symlink"),
    };
    let Some(name) = &located.name else { return Err(not_a_link(abs)) };
    match readlinkat(located.folder.fd(), name.as_os_str(), Vec::new()) {
        Ok(target) => Ok(PathBuf::from(OsString::from_vec(target.into_bytes()))),
        Err(Errno::INVAL) => Err(not_a_link(abs)),
        Err(e) => Err(ProjectError::io(abs, e.into())),
    }
}

/// The names in a project folder (without `.` and `..`, in no particular order), read from a
/// descriptor opened through the root's handle: a folder reached through a symlink that leads
/// out is refused, never listed.
pub(crate) fn read_dir_names(root: &ProjectRoot, path: &str) -> Result<Vec<OsString>, ProjectError> {
    let folder = open_folder(root, path)?;
    let abs = || root.path().join(path);
    let mut names = Vec::new();
    for entry in Dir::new(folder).map_err(|e| ProjectError::io(abs(), e.into()))? {
        let entry = entry.map_err(|e| ProjectError::io(abs(), e.into()))?;
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            names.push(OsString::from_vec(name.to_vec()));
        }
    }
    Ok(names)
}

/// Opens a project folder for listing, following symlinks while they stay inside.
fn open_folder(root: &ProjectRoot, path: &str) -> Result<OwnedFd, ProjectError> {
    let parts = normalize(root.path(), path)?;
    if root.resolver() == Resolver::Openat2 {
        if let Ok(fd) = openat2(root.dir(), as_path(&parts), FOLDER_FLAGS, Mode::empty(), beneath()) {
            return Ok(fd);
        }
    }
    let located = walk(root, path, parts, Lookup { follow_final: true, create_folders: false })?;
    let abs = root.path().join(located.rel());
    let name = located.name.unwrap_or_else(|| OsString::from("."));
    // O_NOFOLLOW: had the name become a symlink since the walk looked, this fails (ELOOP).
    match openat(located.folder.fd(), name.as_os_str(), FOLDER_FLAGS | OFlags::NOFOLLOW, Mode::empty()) {
        Ok(fd) => Ok(fd),
        Err(Errno::NOTDIR) => Err(ProjectError::NotADirectory(abs)),
        Err(Errno::LOOP) => Err(ProjectError::OutsideProject { path: path.to_owned() }),
        Err(e) => Err(ProjectError::io(abs, e.into())),
    }
}

/// Finds where `path` lives beneath the root: its folder, held open, and its final name.
pub(crate) fn locate(root: &ProjectRoot, path: &str, lookup: Lookup) -> Result<Located, ProjectError> {
    let parts = normalize(root.path(), path)?;
    if root.resolver() == Resolver::Openat2 {
        if let Some(located) = locate_by_openat2(root, &parts, lookup) {
            return Ok(located);
        }
    }
    walk(root, path, parts, lookup)
}

/// The common case in one syscall: a parent folder reached without any symlink
/// (`RESOLVE_NO_SYMLINKS`, so its lexical path is its real one). Anything else — a symlink on
/// the way or at the end, a missing folder, a refusal — goes to the walk.
fn locate_by_openat2(root: &ProjectRoot, parts: &[OsString], lookup: Lookup) -> Option<Located> {
    let (name, dirs) = parts.split_last()?;
    let fd = if dirs.is_empty() {
        FolderFd::Root(Arc::clone(root.dir_arc()))
    } else {
        let resolve = beneath() | ResolveFlags::NO_SYMLINKS;
        FolderFd::Below(openat2(root.dir(), as_path(dirs), FOLDER_FLAGS, Mode::empty(), resolve).ok()?)
    };
    let folder = Folder { fd, rel: dirs.to_vec() };
    if lookup.follow_final {
        if let Ok(FileType::Symlink) = kind_of(folder.fd(), name) {
            return None;
        }
    }
    Some(Located { folder, name: Some(name.clone()) })
}

fn kind_of(dir: BorrowedFd<'_>, name: &OsStr) -> Result<FileType, Errno> {
    statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map(|st| FileType::from_raw_mode(st.st_mode))
}

/// One name still to resolve; `from_link` when it came out of a symlink's target, so that its
/// absence means a dangling link rather than a file not created yet.
struct Step {
    name: OsString,
    from_link: bool,
}

/// The fd-by-fd walk: see the module docs.
struct Walk<'r> {
    root: &'r ProjectRoot,
    path: &'r str,
    lookup: Lookup,
    queue: VecDeque<Step>,
    /// Folders entered so far, below the root, with their names.
    stack: Vec<(OwnedFd, OsString)>,
    hops: u32,
}

fn walk(
    root: &ProjectRoot,
    path: &str,
    parts: Vec<OsString>,
    lookup: Lookup,
) -> Result<Located, ProjectError> {
    let queue = parts.into_iter().map(|name| Step { name, from_link: false }).collect();
    let mut walk = Walk { root, path, lookup, queue, stack: Vec::new(), hops: 0 };
    while let Some(step) = walk.queue.pop_front() {
        if let Some(name) = walk.step(step)? {
            return Ok(walk.finish(Some(name)));
        }
    }
    Ok(walk.finish(None))
}

impl Walk<'_> {
    fn outside(&self) -> ProjectError {
        ProjectError::OutsideProject { path: self.path.to_owned() }
    }

    fn here(&self) -> BorrowedFd<'_> {
        match self.stack.last() {
            Some((fd, _)) => fd.as_fd(),
            None => self.root.dir(),
        }
    }

    /// Where `name` would be, for messages.
    fn abs(&self, name: &OsStr) -> PathBuf {
        let mut abs = self.root.path().to_path_buf();
        abs.extend(self.stack.iter().map(|(_, n)| n));
        abs.push(name);
        abs
    }

    /// Resolves one name; `Some(name)` when it is the final one and the walk is done.
    fn step(&mut self, step: Step) -> Result<Option<OsString>, ProjectError> {
        let name = step.name.as_os_str();
        if name == ".." {
            return match self.stack.pop() {
                Some(_) => Ok(None),
                None => Err(self.outside()),
            };
        }
        if name.is_empty() || name == "." {
            return Ok(None);
        }
        let is_final = self.queue.is_empty();
        let kind = match kind_of(self.here(), name) {
            Ok(kind) => Some(kind),
            Err(Errno::NOENT) => None,
            Err(e) => return Err(ProjectError::io(self.abs(name), e.into())),
        };
        match kind {
            Some(FileType::Symlink) if !is_final || self.lookup.follow_final => {
                self.follow(name)?;
                Ok(None)
            }
            None if step.from_link => Err(self.outside()),
            _ if is_final => Ok(Some(step.name)),
            Some(FileType::Directory) => self.enter(step),
            Some(_) => Err(ProjectError::NotADirectory(self.abs(name))),
            None if self.lookup.create_folders => self.create(step),
            None => Err(ProjectError::NotFound(self.abs(name))),
        }
    }

    /// Opens a folder below the current one. `O_NOFOLLOW`: if it was swapped for a symlink since
    /// it was looked at, the open fails and the name is looked at again (counted as a hop, so a
    /// swapping loop cannot keep us here).
    fn enter(&mut self, step: Step) -> Result<Option<OsString>, ProjectError> {
        match openat(self.here(), step.name.as_os_str(), FOLDER_FLAGS | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => {
                self.stack.push((fd, step.name));
                Ok(None)
            }
            Err(Errno::LOOP | Errno::NOTDIR | Errno::NOENT) => {
                self.count_hop()?;
                self.queue.push_front(step);
                Ok(None)
            }
            Err(e) => Err(ProjectError::io(self.abs(&step.name), e.into())),
        }
    }

    /// Creates a missing folder beneath the root (never inside git's own files) and enters it.
    fn create(&mut self, step: Step) -> Result<Option<OsString>, ProjectError> {
        let abs = self.abs(&step.name);
        let rel = abs.strip_prefix(self.root.path()).map(crate::root::to_slash).unwrap_or_default();
        if matches!(crate::ProtectedPaths::default().rule(&rel), crate::PathRule::Refused(_)) {
            // The write layer turns this into the rule's own refusal.
            return Err(ProjectError::NotFound(abs));
        }
        match mkdirat(self.here(), step.name.as_os_str(), Mode::from_raw_mode(0o777)) {
            Ok(()) | Err(Errno::EXIST) => self.enter(step),
            Err(e) => Err(ProjectError::io(abs, e.into())),
        }
    }

    fn count_hop(&mut self) -> Result<(), ProjectError> {
        self.hops += 1;
        if self.hops > MAX_LINK_HOPS {
            return Err(self.outside());
        }
        Ok(())
    }

    /// Replaces a symlink by its target's names, read from the folder that holds the link. An
    /// absolute target must point inside the root; it restarts the walk there.
    fn follow(&mut self, name: &OsStr) -> Result<(), ProjectError> {
        self.count_hop()?;
        let target = readlinkat(self.here(), name, Vec::new())
            .map_err(|e| ProjectError::io(self.abs(name), e.into()))?;
        let target = PathBuf::from(OsStr::from_bytes(target.as_bytes()));
        let relative = if target.is_absolute() {
            let inside = target.strip_prefix(self.root.path()).map_err(|_| self.outside())?;
            self.stack.clear();
            inside.to_path_buf()
        } else {
            target
        };
        for component in relative.components().rev() {
            let name = match component {
                Component::Normal(part) => part.to_owned(),
                Component::ParentDir => OsString::from(".."),
                _ => continue,
            };
            self.queue.push_front(Step { name, from_link: true });
        }
        Ok(())
    }

    fn finish(mut self, name: Option<OsString>) -> Located {
        let rel = self.stack.iter().map(|(_, n)| n.clone()).collect();
        let fd = match self.stack.pop() {
            Some((fd, _)) => FolderFd::Below(fd),
            None => FolderFd::Root(Arc::clone(self.root.dir_arc())),
        };
        Located { folder: Folder { fd, rel }, name }
    }
}

/// Whether a symlink with `target`, placed in the folder at `folder` (its real place, relative
/// to the root, as [`Folder::rel_parts`] or [`real_folder_of`] give it), would resolve inside the
/// root (it may dangle there). Used before a rename moves a link, since a relative target
/// changes meaning.
pub(crate) fn link_stays_inside(root: &ProjectRoot, folder: &[OsString], target: &Path) -> bool {
    let lookup = Lookup { follow_final: true, create_folders: false };
    let mut parts: Vec<OsString> = folder.to_vec();
    if target.is_absolute() {
        let Ok(inside) = target.strip_prefix(root.path()) else { return false };
        parts = inside.components().map(|c| c.as_os_str().to_owned()).collect();
    } else {
        parts.extend(target.components().map(|c| c.as_os_str().to_owned()));
    }
    // The walk, not `normalize`: `..` after a symlinked folder must go where the kernel would.
    let path = join_slash(&parts);
    match walk(root, &path, parts, lookup) {
        Ok(_) | Err(ProjectError::NotFound(_)) | Err(ProjectError::NotADirectory(_)) => true,
        Err(_) => false,
    }
}

/// The real place, relative to the root, of the folder `path` would be created in: its existing
/// folders resolved through the root's handle (symlinks followed while they stay inside), the
/// missing ones after them by name, since what does not exist yet holds no symlink. Nothing is
/// created.
pub(crate) fn real_folder_of(root: &ProjectRoot, path: &str) -> Result<Vec<OsString>, ProjectError> {
    let mut existing = normalize(root.path(), path)?;
    existing.pop();
    let mut missing = Vec::new();
    loop {
        let lookup = Lookup { follow_final: true, create_folders: false };
        match walk(root, path, existing.clone(), lookup) {
            Ok(located) => {
                let mut real = located.folder.rel_parts().to_vec();
                real.extend(located.name);
                real.extend(missing.into_iter().rev());
                return Ok(real);
            }
            Err(ProjectError::NotFound(_)) => match existing.pop() {
                Some(name) => missing.push(name),
                None => return Err(ProjectError::NotFound(root.path().to_path_buf())),
            },
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::unix::fs::symlink;

    use super::*;

    /// A project beside an outside folder, opened once per resolver.
    struct Fixture {
        _base: tempfile::TempDir,
        project: PathBuf,
        outside: PathBuf,
    }

    fn fixture() -> Fixture {
        let base = tempfile::tempdir().expect("tmp");
        let project = base.path().join("project");
        let outside = base.path().join("outside");
        std::fs::create_dir_all(project.join("src/deep")).expect("mkdir");
        std::fs::create_dir(&outside).expect("mkdir");
        std::fs::write(project.join("src/lib.rs"), "in\n").expect("write");
        std::fs::write(outside.join("secret"), "outside\n").expect("write");
        symlink("src", project.join("src-link")).expect("symlink");
        symlink("../lib.rs", project.join("src/deep/up")).expect("symlink");
        symlink(project.join("src/lib.rs"), project.join("abs-in")).expect("symlink");
        symlink(&outside, project.join("out")).expect("symlink");
        symlink("../outside/secret", project.join("rel-out")).expect("symlink");
        symlink("missing", project.join("dangling")).expect("symlink");
        symlink("loop-b", project.join("loop-a")).expect("symlink");
        symlink("loop-a", project.join("loop-b")).expect("symlink");
        Fixture { _base: base, project, outside }
    }

    /// The same project through both resolvers, so each test runs both paths on this kernel.
    fn roots(fixture: &Fixture) -> [ProjectRoot; 2] {
        let kernel = ProjectRoot::open(&fixture.project).expect("open");
        assert_eq!(kernel.resolver(), Resolver::Openat2, "this kernel has openat2; the tests need it");
        let walk = ProjectRoot::open(&fixture.project).expect("open").resolving_by_fd_walk();
        [kernel, walk]
    }

    fn read(root: &ProjectRoot, path: &str) -> Result<String, ProjectError> {
        let mut text = String::new();
        open_read(root, path)?.read_to_string(&mut text).expect("read");
        Ok(text)
    }

    #[test]
    fn reads_follow_symlinks_that_stay_inside() {
        let fixture = fixture();
        for root in roots(&fixture) {
            for path in ["src/lib.rs", "src-link/lib.rs", "src/deep/up", "abs-in", "src/deep/../lib.rs"] {
                assert_eq!(read(&root, path).expect(path), "in\n", "{path} via {:?}", root.resolver());
            }
        }
    }

    #[test]
    fn reads_refuse_links_that_leave_loop_or_dangle() {
        let fixture = fixture();
        for root in roots(&fixture) {
            for path in ["out/secret", "rel-out", "dangling", "loop-a", "../outside/secret", "/etc/passwd"] {
                let got = read(&root, path);
                assert!(
                    matches!(got, Err(ProjectError::OutsideProject { .. })),
                    "{path} via {:?}: {got:?}",
                    root.resolver()
                );
            }
        }
    }

    #[test]
    fn metadata_follows_links_that_stay_inside_and_refuses_the_rest() {
        let fixture = fixture();
        for root in roots(&fixture) {
            let via = root.resolver();
            for path in ["src/lib.rs", "src-link/lib.rs", "src/deep/up", "abs-in"] {
                let meta = root.metadata(path).expect(path);
                assert!(meta.is_file() && meta.len() == 3, "{path} via {via:?}");
            }
            assert!(root.metadata("src-link").expect("folder link").is_dir());
            assert!(root.metadata("").expect("the root").is_dir());
            for path in ["out", "out/secret", "rel-out", "dangling", "loop-a", "../outside", "/etc/passwd"] {
                let got = root.metadata(path);
                assert!(
                    matches!(got, Err(ProjectError::OutsideProject { .. })),
                    "{path} via {via:?}: {got:?}"
                );
            }
            assert!(matches!(root.metadata("src/nope.rs"), Err(ProjectError::NotFound(_))));
        }
    }

    #[test]
    fn symlink_metadata_describes_a_link_without_following_it() {
        let fixture = fixture();
        for root in roots(&fixture) {
            let via = root.resolver();
            for path in ["rel-out", "out", "dangling", "loop-a", "src-link"] {
                let meta = root.symlink_metadata(path).expect(path);
                assert!(meta.file_type().is_symlink(), "{path} via {via:?}");
            }
            assert!(root.symlink_metadata("src-link/lib.rs").expect("inside").is_file());
            // A link leading out on the way is not walked through, even to describe a name.
            let got = root.symlink_metadata("out/secret");
            assert!(matches!(got, Err(ProjectError::OutsideProject { .. })), "via {via:?}: {got:?}");
        }
    }

    #[test]
    fn read_link_reads_the_link_and_never_what_it_points_at() {
        let fixture = fixture();
        for root in roots(&fixture) {
            let via = root.resolver();
            assert_eq!(root.read_link("rel-out").expect("link"), Path::new("../outside/secret"), "{via:?}");
            assert_eq!(root.read_link("src-link/deep/up").expect("link"), Path::new("../lib.rs"));
            assert_eq!(root.read_link("out").expect("link"), fixture.outside, "via {via:?}");
            let got = root.read_link("out/secret");
            assert!(matches!(got, Err(ProjectError::OutsideProject { .. })), "via {via:?}: {got:?}");
            assert!(matches!(root.read_link("src/lib.rs"), Err(ProjectError::Unreadable { .. })));
            assert!(matches!(root.read_link("src/nope"), Err(ProjectError::NotFound(_))));
        }
    }

    #[test]
    fn read_dir_names_lists_inside_folders_and_refuses_folders_outside() {
        let fixture = fixture();
        for root in roots(&fixture) {
            let via = root.resolver();
            let mut names = root.read_dir_names("src-link").expect("folder link inside");
            names.sort();
            assert_eq!(names, ["deep", "lib.rs"], "via {via:?}");
            assert!(root.read_dir_names("").expect("the root").iter().any(|n| n == "src"));
            for path in ["out", "dangling", "loop-a", "../outside"] {
                let got = root.read_dir_names(path);
                assert!(
                    matches!(got, Err(ProjectError::OutsideProject { .. })),
                    "{path} via {via:?}: {got:?}"
                );
            }
            let got = root.read_dir_names("src/lib.rs");
            assert!(matches!(got, Err(ProjectError::NotADirectory(_))), "via {via:?}: {got:?}");
        }
    }

    #[test]
    fn a_folder_swapped_for_a_link_out_is_neither_listed_nor_described() {
        let fixture = fixture();
        for root in roots(&fixture) {
            // Checked by name first, then swapped: the handle-based calls see the swap.
            assert!(root.metadata("src/deep").expect("before").is_dir());
            std::fs::rename(fixture.project.join("src/deep"), fixture.project.join("deep-aside"))
                .expect("aside");
            symlink(&fixture.outside, fixture.project.join("src/deep")).expect("swap in a link");
            let via = root.resolver();
            let listed = root.read_dir_names("src/deep");
            assert!(matches!(listed, Err(ProjectError::OutsideProject { .. })), "via {via:?}: {listed:?}");
            let described = root.metadata("src/deep/secret");
            assert!(
                matches!(described, Err(ProjectError::OutsideProject { .. })),
                "via {via:?}: {described:?}"
            );
            std::fs::remove_file(fixture.project.join("src/deep")).expect("unlink");
            std::fs::rename(fixture.project.join("deep-aside"), fixture.project.join("src/deep"))
                .expect("back");
        }
    }

    #[test]
    fn missing_files_and_folders_are_not_found_not_outside() {
        let fixture = fixture();
        for root in roots(&fixture) {
            assert!(matches!(read(&root, "src/nope.rs"), Err(ProjectError::NotFound(_))));
            assert!(matches!(read(&root, "nope/x.rs"), Err(ProjectError::NotFound(_))));
            assert!(matches!(read(&root, "src/lib.rs/x"), Err(ProjectError::NotADirectory(_))));
        }
    }

    #[test]
    fn locate_gives_the_real_folder_of_a_written_through_link() {
        let fixture = fixture();
        let lookup = Lookup { follow_final: true, create_folders: false };
        for root in roots(&fixture) {
            let located = locate(&root, "src/deep/up", lookup).expect("locate");
            assert_eq!(located.rel(), "src/lib.rs", "via {:?}", root.resolver());
            let located = locate(&root, "src-link/new.rs", lookup).expect("locate");
            assert_eq!(located.rel(), "src/new.rs", "via {:?}", root.resolver());
            let named =
                locate(&root, "src/deep/up", Lookup { follow_final: false, ..lookup }).expect("locate");
            assert_eq!(named.rel(), "src/deep/up");
        }
    }

    #[test]
    fn locate_creates_missing_folders_beneath_the_root_only() {
        let fixture = fixture();
        let lookup = Lookup { follow_final: true, create_folders: true };
        for (i, root) in roots(&fixture).iter().enumerate() {
            let path = format!("new{i}/a/b.txt");
            let located = locate(root, &path, lookup).expect("locate");
            assert_eq!(located.rel(), path);
            assert!(fixture.project.join(format!("new{i}/a")).is_dir());
            assert!(matches!(locate(root, "out/made/x", lookup), Err(ProjectError::OutsideProject { .. })));
            assert!(matches!(locate(root, ".git/hooks/x", lookup), Err(ProjectError::NotFound(_))));
        }
        assert_eq!(std::fs::read_dir(&fixture.outside).expect("ls").count(), 1, "nothing created outside");
        assert!(!fixture.project.join(".git").exists(), "no folder created for git's files");
    }

    #[test]
    fn a_swapping_link_loop_is_bounded() {
        let fixture = fixture();
        for root in roots(&fixture) {
            let lookup = Lookup { follow_final: true, create_folders: false };
            assert!(matches!(locate(&root, "loop-a/x", lookup), Err(ProjectError::OutsideProject { .. })));
        }
    }

    #[test]
    fn moved_links_are_checked_from_their_new_folder() {
        let fixture = fixture();
        for root in roots(&fixture) {
            let top = locate(&root, "x", Lookup { follow_final: false, create_folders: false }).expect("top");
            let deep = locate(&root, "src/deep/x", Lookup { follow_final: false, create_folders: false })
                .expect("deep");
            assert!(link_stays_inside(&root, deep.folder.rel_parts(), Path::new("../lib.rs")));
            assert!(!link_stays_inside(&root, top.folder.rel_parts(), Path::new("../lib.rs")));
            assert!(!link_stays_inside(&root, top.folder.rel_parts(), Path::new("/etc/passwd")));
            assert!(link_stays_inside(&root, top.folder.rel_parts(), Path::new("not-yet")));
        }
    }
}
