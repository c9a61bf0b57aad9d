//! A parallel walk of a work tree that stats each file relative to its open folder (`statat`),
//! not by absolute path: the kernel then looks up one component instead of the whole path,
//! which is where a status walk spends its time. Ignore rules are git's: `.gitignore` per
//! folder (deeper wins), `info/exclude`, and the global excludes file; `.ignore` is not git's.

use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use ignore::gitignore::{gitconfig_excludes_path, Gitignore, GitignoreBuilder};
use ignore::Match;
use rustix::fs::{openat, statat, AtFlags, Dir, FileType, Mode, OFlags, CWD};

/// The stat fields a status compares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileStat {
    pub size: u64,
    pub mtime: (i64, u32),
    pub ctime_secs: i64,
    pub ino: u64,
    pub mode: u32,
}

impl FileStat {
    pub fn is_symlink(&self) -> bool {
        FileType::from_raw_mode(self.mode) == FileType::Symlink
    }

    pub fn is_file(&self) -> bool {
        FileType::from_raw_mode(self.mode) == FileType::RegularFile
    }

    pub fn is_dir(&self) -> bool {
        FileType::from_raw_mode(self.mode) == FileType::Directory
    }

    // The field types of `Stat` differ between targets; the casts are no-ops only on some.
    #[allow(clippy::unnecessary_cast)]
    fn from_stat(st: &rustix::fs::Stat) -> FileStat {
        FileStat {
            size: st.st_size as u64,
            mtime: (st.st_mtime as i64, st.st_mtime_nsec as u32),
            ctime_secs: st.st_ctime as i64,
            ino: st.st_ino as u64,
            mode: st.st_mode as u32,
        }
    }
}

/// lstat of one path (for files the walk did not meet).
pub(crate) fn lstat(path: &Path) -> Option<FileStat> {
    statat(CWD, path, AtFlags::SYMLINK_NOFOLLOW).ok().map(|st| FileStat::from_stat(&st))
}

/// Every file met (work-tree relative path, lstat), and the folders holding other repositories.
#[derive(Default)]
pub(crate) struct Walked {
    pub files: Vec<(Vec<u8>, FileStat)>,
    pub nested: Vec<Vec<u8>>,
}

/// Ignore rules in effect for a folder: its own `.gitignore` and its ancestors', each with the
/// length of its folder's relative path prefix.
type Chain = Arc<Vec<(usize, Arc<Gitignore>)>>;

struct Job {
    dir: OwnedFd,
    rel: Vec<u8>,
    chain: Chain,
}

struct Queue {
    jobs: Vec<Job>,
    busy: usize,
}

pub(crate) fn walk(workdir: &Path, git_dir: &Path) -> Walked {
    let repo_wide = repo_wide_rules(workdir, git_dir);
    let Ok(root) = openat(CWD, workdir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
    else {
        return Walked::default();
    };
    let queue =
        Mutex::new(Queue { jobs: vec![Job { dir: root, rel: Vec::new(), chain: Arc::default() }], busy: 0 });
    let wake = Condvar::new();
    let results = Mutex::new(Walked::default());
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(8);
    let worker = Worker { workdir, repo_wide: &repo_wide, queue: &queue, wake: &wake, results: &results };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| worker.run());
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

fn repo_wide_rules(workdir: &Path, git_dir: &Path) -> Vec<Gitignore> {
    let mut files = vec![git_dir.join("info/exclude")];
    files.extend(gitconfig_excludes_path());
    files
        .into_iter()
        .filter(|f| f.is_file())
        .filter_map(|f| {
            let mut builder = GitignoreBuilder::new(workdir);
            builder.add(f);
            builder.build().ok()
        })
        .collect()
}

struct Worker<'a> {
    workdir: &'a Path,
    repo_wide: &'a [Gitignore],
    queue: &'a Mutex<Queue>,
    wake: &'a Condvar,
    results: &'a Mutex<Walked>,
}

impl Worker<'_> {
    fn run(&self) {
        let mut found = Walked::default();
        while let Some(job) = self.next_job() {
            let children = self.visit(job, &mut found);
            let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.jobs.extend(children);
            queue.busy -= 1;
            self.wake.notify_all();
        }
        let mut results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        results.files.append(&mut found.files);
        results.nested.append(&mut found.nested);
    }

    /// The next folder to read; `None` once every folder is done.
    fn next_job(&self) -> Option<Job> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(job) = queue.jobs.pop() {
                queue.busy += 1;
                return Some(job);
            }
            if queue.busy == 0 {
                return None;
            }
            queue = self.wake.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Reads one folder: records its files, returns its subfolders to walk.
    fn visit(&self, job: Job, found: &mut Walked) -> Vec<Job> {
        let Ok(dir) = Dir::read_from(&job.dir) else { return Vec::new() };
        let entries: Vec<(Vec<u8>, FileType)> = dir
            .filter_map(Result::ok)
            .map(|e| (e.file_name().to_bytes().to_vec(), e.file_type()))
            .filter(|(name, _)| name != b"." && name != b"..")
            .collect();
        if !job.rel.is_empty() && entries.iter().any(|(name, _)| name == b".git") {
            found.nested.push(job.rel);
            return Vec::new();
        }
        let chain = self.extend_chain(&job, &entries);
        let mut children = Vec::new();
        for (name, kind) in entries {
            if name == b".git" {
                continue;
            }
            let mut rel = job.rel.clone();
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel.extend_from_slice(&name);
            let name = OsStr::from_bytes(&name);
            let stat = if kind == FileType::Directory {
                None
            } else {
                match statat(&job.dir, name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => Some(FileStat::from_stat(&st)),
                    Err(_) => continue,
                }
            };
            let is_dir = stat.is_none_or(|s| s.is_dir());
            if self.ignored(&chain, &rel, is_dir) {
                continue;
            }
            match stat {
                Some(stat) if !is_dir => found.files.push((rel, stat)),
                _ => {
                    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
                    if let Ok(dir) = openat(&job.dir, name, flags, Mode::empty()) {
                        children.push(Job { dir, rel, chain: chain.clone() });
                    }
                }
            }
        }
        children
    }

    fn extend_chain(&self, job: &Job, entries: &[(Vec<u8>, FileType)]) -> Chain {
        if !entries.iter().any(|(name, _)| name == b".gitignore") {
            return job.chain.clone();
        }
        let folder: PathBuf = self.workdir.join(OsStr::from_bytes(&job.rel));
        let mut builder = GitignoreBuilder::new(&folder);
        builder.add(folder.join(".gitignore"));
        let Ok(rules) = builder.build() else { return job.chain.clone() };
        let prefix = if job.rel.is_empty() { 0 } else { job.rel.len() + 1 };
        let mut chain = (*job.chain).clone();
        chain.push((prefix, Arc::new(rules)));
        Arc::new(chain)
    }

    fn ignored(&self, chain: &Chain, rel: &[u8], is_dir: bool) -> bool {
        for (prefix, rules) in chain.iter().rev() {
            match rules.matched(Path::new(OsStr::from_bytes(&rel[*prefix..])), is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        let path = Path::new(OsStr::from_bytes(rel));
        for rules in self.repo_wide {
            match rules.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}
