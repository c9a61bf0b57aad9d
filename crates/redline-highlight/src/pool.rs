//! Documents live on one thread of their own: syntect's parser state holds Oniguruma regions,
//! which may not cross threads, and parser checkpoints are what make range highlighting cheap.

use std::collections::HashMap;
use std::sync::mpsc::{self, Sender};

use crate::Document;

enum Job {
    Open { key: String, path: String, text: String },
    Close { key: String },
    Lines { key: String, start: usize, count: usize, reply: Sender<Option<Vec<String>>> },
}

/// A handle to the highlighting thread; cheap to share, `Send + Sync`. The thread ends when the
/// last handle is dropped.
#[derive(Debug, Clone)]
pub struct DocumentPool {
    jobs: Sender<Job>,
}

impl Default for DocumentPool {
    fn default() -> Self {
        Self::new()
    }
}

impl DocumentPool {
    pub fn new() -> DocumentPool {
        let (jobs, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new().name("redline-highlight".into()).spawn(move || {
            let mut documents: HashMap<String, Document> = HashMap::new();
            for job in rx {
                match job {
                    Job::Open { key, path, text } => {
                        documents.insert(key, Document::new(&path, text));
                    }
                    Job::Close { key } => {
                        documents.remove(&key);
                    }
                    Job::Lines { key, start, count, reply } => {
                        let _ = reply.send(documents.get_mut(&key).map(|d| d.lines_html(start, count)));
                    }
                }
            }
        });
        if let Err(e) = spawned {
            // Without the thread every `lines` call answers `None`: files show as unavailable.
            eprintln!("redline: cannot start the highlighting thread: {e}");
        }
        DocumentPool { jobs }
    }

    /// Adds (or replaces) the document known as `key`.
    pub fn open(&self, key: &str, path: &str, text: String) {
        let _ = self.jobs.send(Job::Open { key: key.to_owned(), path: path.to_owned(), text });
    }

    pub fn close(&self, key: &str) {
        let _ = self.jobs.send(Job::Close { key: key.to_owned() });
    }

    /// HTML of lines `[start, start + count)` of `key`; `None` when no such document is open.
    pub fn lines(&self, key: &str, start: usize, count: usize) -> Option<Vec<String>> {
        let (reply, answer) = mpsc::channel();
        self.jobs.send(Job::Lines { key: key.to_owned(), start, count, reply }).ok()?;
        answer.recv().ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_serves_lines_of_open_documents_only() {
        let pool = DocumentPool::new();
        pool.open("a", "a.rs", "fn a() {}\nfn b() {}\n".into());
        assert_eq!(pool.lines("a", 1, 5).map(|l| l.len()), Some(1));
        assert_eq!(pool.lines("missing", 0, 1), None);
        pool.close("a");
        assert_eq!(pool.lines("a", 0, 1), None);
    }

    #[test]
    fn pool_handle_is_usable_from_other_threads() {
        let pool = DocumentPool::new();
        pool.open("x", "x.py", "print(1)\n".into());
        let other = pool.clone();
        let lines = std::thread::spawn(move || other.lines("x", 0, 1)).join().expect("thread");
        assert!(lines.is_some_and(|l| l[0].contains("hl-")));
    }
}
