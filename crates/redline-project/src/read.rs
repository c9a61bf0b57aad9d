//! Reading project files for the view and for context: through the root's directory handle,
//! measured on the opened file, and never more than a cap.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use crate::{FileSummary, ProjectError, ProjectRoot};

/// Files larger than this are not loaded into the view.
pub const VIEW_SIZE_LIMIT: u64 = 16 * 1024 * 1024;

/// How many leading bytes decide whether a file is binary (git looks at 8000).
const SNIFF_LEN: usize = 8000;

/// A file as the view gets it: its summary, and its text when it is text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFile {
    pub summary: FileSummary,
    pub text: Option<String>,
}

/// Reads a project file for display, through the root's directory handle. The size is checked
/// on the opened file before reading, so a 200 MB file costs one `fstat`, and the read is capped
/// at the limit whatever the size claimed; a file with NUL bytes near the start is binary;
/// invalid UTF-8 is replaced and flagged `lossy` rather than refused, so the person still sees
/// the file.
pub fn read_text(
    root: &ProjectRoot,
    path: &str,
    language_of: impl Fn(&str) -> String,
) -> Result<TextFile, ProjectError> {
    let (file, size, abs) = open_regular(root, path)?;
    if size > VIEW_SIZE_LIMIT {
        return Ok(TextFile { summary: FileSummary::TooLarge { size, limit: VIEW_SIZE_LIMIT }, text: None });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(VIEW_SIZE_LIMIT + 1).read_to_end(&mut bytes).map_err(|e| ProjectError::io(&abs, e))?;
    let size = bytes.len() as u64;
    if size > VIEW_SIZE_LIMIT {
        // It grew past the limit while we read it.
        return Ok(TextFile { summary: FileSummary::TooLarge { size, limit: VIEW_SIZE_LIMIT }, text: None });
    }
    if bytes[..bytes.len().min(SNIFF_LEN)].contains(&0) {
        return Ok(TextFile { summary: FileSummary::Binary { size }, text: None });
    }
    let (text, lossy) = match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    };
    let line_count = line_count(&text);
    let summary = FileSummary::Text { size, line_count, lossy, language: language_of(&text) };
    Ok(TextFile { summary, text: Some(text) })
}

/// At most `cap` bytes of a project file, and whether it holds more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedBytes {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

/// Reads at most `cap` bytes of a project file (confined to the root): a 10 GB file costs `cap`
/// bytes, never more, whatever its size claims. Folders, FIFOs and devices are refused.
pub fn read_capped(root: &ProjectRoot, path: &str, cap: usize) -> Result<CappedBytes, ProjectError> {
    let (file, size, abs) = open_regular(root, path)?;
    let mut bytes = Vec::with_capacity((size as usize).min(cap) + 1);
    file.take(cap as u64 + 1).read_to_end(&mut bytes).map_err(|e| ProjectError::io(&abs, e))?;
    let truncated = bytes.len() > cap;
    bytes.truncate(cap);
    Ok(CappedBytes { bytes, truncated })
}

/// Opens a regular project file and gives its size from `fstat` on the opened descriptor (what
/// is read is what was measured), with its path for messages.
fn open_regular(root: &ProjectRoot, path: &str) -> Result<(File, u64, PathBuf), ProjectError> {
    let abs = root.path().join(path);
    let file = root.open_file(path)?;
    let meta = file.metadata().map_err(|e| ProjectError::io(&abs, e))?;
    let refuse =
        |why: &str| ProjectError::Unreadable { path: abs.clone(), source: std::io::Error::other(why) };
    if meta.is_dir() {
        return Err(refuse("it is a folder"));
    }
    if !meta.is_file() {
        // A FIFO would block the reader forever and a device never ends.
        return Err(refuse("it is not a regular file"));
    }
    Ok((file, meta.len(), abs))
}

/// Lines as an editor counts them: a final newline does not start another line.
fn line_count(text: &str) -> u32 {
    let newlines = text.bytes().filter(|b| *b == b'\n').count();
    let count = if text.is_empty() || text.ends_with('\n') { newlines } else { newlines + 1 };
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn setup() -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().expect("tmp");
        let root = ProjectRoot::open(dir.path()).expect("open");
        (dir, root)
    }

    fn plain(_: &str) -> String {
        "Plain Text".into()
    }

    #[test]
    fn reads_utf8_text_with_line_count() {
        let (dir, root) = setup();
        fs::write(dir.path().join("a.txt"), "one\ntwo\n").expect("write");
        let file = read_text(&root, "a.txt", plain).expect("read");
        assert_eq!(file.text.as_deref(), Some("one\ntwo\n"));
        assert!(matches!(file.summary, FileSummary::Text { line_count: 2, lossy: false, .. }));
    }

    #[test]
    fn binary_file_is_summarized_not_loaded() {
        let (dir, root) = setup();
        fs::write(dir.path().join("b.bin"), [0x89, b'P', 0, 1, 2]).expect("write");
        let file = read_text(&root, "b.bin", plain).expect("read");
        assert_eq!(file.summary, FileSummary::Binary { size: 5 });
        assert!(file.text.is_none());
    }

    #[test]
    fn latin1_file_is_shown_lossy() {
        let (dir, root) = setup();
        fs::write(dir.path().join("l.txt"), b"caf\xe9\n").expect("write");
        let file = read_text(&root, "l.txt", plain).expect("read");
        assert!(matches!(file.summary, FileSummary::Text { lossy: true, .. }));
        assert_eq!(file.text.as_deref(), Some("caf\u{fffd}\n"));
    }

    #[test]
    fn oversized_file_is_not_read() {
        let (dir, root) = setup();
        let f = fs::File::create(dir.path().join("huge.txt")).expect("create");
        f.set_len(200 * 1024 * 1024).expect("sparse file");
        let file = read_text(&root, "huge.txt", plain).expect("read");
        assert!(matches!(file.summary, FileSummary::TooLarge { size, .. } if size == 200 * 1024 * 1024));
    }

    #[test]
    fn missing_and_outside_files_are_errors() {
        let (_dir, root) = setup();
        assert!(matches!(read_text(&root, "nope", plain), Err(ProjectError::NotFound(_))));
        assert!(matches!(read_text(&root, "../x", plain), Err(ProjectError::OutsideProject { .. })));
    }
}
