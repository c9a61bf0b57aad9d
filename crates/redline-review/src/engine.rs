//! The accept engine: the one way a decided proposal becomes bytes on disk, for the app, the
//! CLI and the agent alike. Every step is a transition of one file from the image Redline last
//! knew to the image the person's decisions ask for — created, changed, removed, moved — and
//! every write is conditional on the disk still holding what was just read. A file that changed
//! since is merged three-way (keeping its line endings, BOM and final newline); a conflict
//! writes nothing. Hashes decide, not timestamps.

use redline_edits::{merge3, sha256_hex, Conflict, TextShape};
use redline_project::{
    delete_if_unchanged, read_current, rename_file, replace_if_unchanged, ProjectRoot, Replaced,
};

use crate::{FileImage, ReviewError};

/// How often a write re-reads, merges and retries when the file keeps changing under it.
const MAX_ATTEMPTS: usize = 8;

/// Files above this are not edited: merging and diffing them would stall the window.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// What a transition did to its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The file still held what Redline expected; it now holds what was asked.
    Written,
    /// The file had changed since; the decided changes were merged onto it and written.
    Merged,
    /// The file already was as asked; nothing was written.
    Unchanged,
    /// The file changed since in the same lines; nothing was written.
    Conflict(Conflict),
}

/// Moves the file from `from` (what Redline last knew of it) to `to` (what the person's
/// decisions ask for). A move renames first (never over an existing file) and is undone if the
/// text that follows cannot be written.
pub fn transition(root: &ProjectRoot, from: &FileImage, to: &FileImage) -> Result<Applied, ReviewError> {
    if from.path != to.path {
        return moved(root, from, to);
    }
    let path = &to.path;
    match (&from.text, &to.text) {
        (None, None) => Ok(Applied::Unchanged),
        (None, Some(text)) => create(root, path, text),
        (Some(expected), None) => remove(root, path, expected),
        (Some(expected), Some(text)) => replace(root, path, expected, text),
    }
}

fn moved(root: &ProjectRoot, from: &FileImage, to: &FileImage) -> Result<Applied, ReviewError> {
    let (Some(expected), Some(text)) = (&from.text, &to.text) else {
        return Err(ReviewError::InvalidInput(format!(
            "moving {} to {} needs the file on both sides",
            from.path, to.path
        )));
    };
    if read_text(root, &from.path)?.as_deref() != Some(expected.as_str()) {
        // A moved file is only moved as Redline left it: the person's later edits stay put.
        return Err(ReviewError::Stale(format!(
            "{} changed since the reply was written; it was not moved to {}",
            from.path, to.path
        )));
    }
    rename_file(root, &from.path, &to.path)?;
    match replace(root, &to.path, expected, text) {
        Ok(Applied::Unchanged) => Ok(Applied::Written),
        Ok(applied @ (Applied::Written | Applied::Merged)) => Ok(applied),
        failed => {
            if let Err(e) = rename_file(root, &to.path, &from.path) {
                return Err(ReviewError::Stale(format!(
                    "{} could not be written after moving it from {}, and moving it back failed: {e}",
                    to.path, from.path
                )));
            }
            failed
        }
    }
}

/// Writes `text` over `path`, which Redline expected to hold `expected`: unchanged, it is
/// replaced; changed, the decided changes are merged onto what is there.
pub fn replace(root: &ProjectRoot, path: &str, expected: &str, text: &str) -> Result<Applied, ReviewError> {
    let expected_hash = sha256_hex(expected);
    let mut merged = false;
    for _ in 0..MAX_ATTEMPTS {
        let Some(current) = read_text(root, path)? else {
            return Err(ReviewError::Stale(format!("{path} no longer exists; nothing was written")));
        };
        let current_hash = sha256_hex(&current);
        let target = if current_hash == expected_hash {
            text.to_owned()
        } else {
            merged = true;
            match merge_onto(expected, &current, text) {
                Ok(merged) => merged,
                Err(conflict) => return Ok(Applied::Conflict(conflict)),
            }
        };
        if target == current {
            return Ok(Applied::Unchanged);
        }
        match replace_if_unchanged(root, path, Some(&current_hash), target.as_bytes())? {
            Replaced::Written if merged => return Ok(Applied::Merged),
            Replaced::Written => return Ok(Applied::Written),
            Replaced::Changed { .. } => merged = true,
        }
    }
    Err(ReviewError::Stale(format!("{path} kept changing while the edit was being written; try again")))
}

/// Creates `path` with `text`, only if it still does not exist.
pub fn create(root: &ProjectRoot, path: &str, text: &str) -> Result<Applied, ReviewError> {
    match replace_if_unchanged(root, path, None, text.as_bytes())? {
        Replaced::Written => Ok(Applied::Written),
        Replaced::Changed { current: Some(c) } if c == text.as_bytes() => Ok(Applied::Unchanged),
        Replaced::Changed { .. } => Err(ReviewError::Stale(format!(
            "{path} was created by someone else meanwhile; it was left as it is"
        ))),
    }
}

/// Removes `path` only if it still holds `expected`.
pub fn remove(root: &ProjectRoot, path: &str, expected: &str) -> Result<Applied, ReviewError> {
    match delete_if_unchanged(root, path, &sha256_hex(expected))? {
        Replaced::Written => Ok(Applied::Written),
        Replaced::Changed { current: None } => Ok(Applied::Unchanged),
        Replaced::Changed { .. } => {
            Err(ReviewError::Stale(format!("{path} changed since the reply was written; it was not removed")))
        }
    }
}

/// The file's text, `None` when it does not exist; refused when it is not UTF-8 or too big.
pub fn read_text(root: &ProjectRoot, path: &str) -> Result<Option<String>, ReviewError> {
    let Some(bytes) = read_current(root, path)? else { return Ok(None) };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReviewError::TooLarge { path: path.to_owned(), limit_mb: MAX_FILE_BYTES >> 20 });
    }
    String::from_utf8(bytes).map(Some).map_err(|_| ReviewError::NotText { path: path.to_owned() })
}

/// `merge3` onto the file on disk. When the three texts are not laid out alike (someone switched
/// the file to CRLF, say), they are merged as LF and the result takes the file's shape.
fn merge_onto(base: &str, current: &str, accepted: &str) -> Result<String, Conflict> {
    let shape = TextShape::of(current);
    if TextShape::of(base) == shape && TextShape::of(accepted) == shape {
        return merge3(base, current, accepted);
    }
    let merged = merge3(&lf_form(base), &lf_form(current), &lf_form(accepted))?;
    Ok(shape.restore(&merged))
}

/// No BOM, LF line breaks, a final newline: the form texts of different shapes are merged in.
fn lf_form(text: &str) -> String {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    if body.is_empty() || body.ends_with('\n') {
        body
    } else {
        body + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{project, read};
    use std::fs;

    fn image(path: &str, text: Option<&str>) -> FileImage {
        FileImage { path: path.into(), text: text.map(Into::into) }
    }

    #[test]
    fn unchanged_file_gets_the_accepted_text() {
        let (dir, root) = project(&[("f.txt", "a\nb\n")]);
        assert_eq!(replace(&root, "f.txt", "a\nb\n", "a\nB\n").expect("ok"), Applied::Written);
        assert_eq!(read(&dir, "f.txt"), "a\nB\n");
    }

    #[test]
    fn file_changed_elsewhere_is_merged_not_overwritten() {
        let (dir, root) = project(&[("f.txt", "A\nb\nc\nd\n")]);
        assert_eq!(replace(&root, "f.txt", "a\nb\nc\nd\n", "a\nb\nc\nD\n").expect("ok"), Applied::Merged);
        assert_eq!(read(&dir, "f.txt"), "A\nb\nc\nD\n");
    }

    #[test]
    fn conflicting_change_writes_nothing() {
        let (dir, root) = project(&[("f.txt", "a\nX\nc\n")]);
        let got = replace(&root, "f.txt", "a\nb\nc\n", "a\nY\nc\n").expect("ok");
        assert!(matches!(got, Applied::Conflict(_)));
        assert_eq!(read(&dir, "f.txt"), "a\nX\nc\n");
    }

    #[test]
    fn merge_keeps_the_crlf_bom_and_missing_final_newline_on_disk() {
        let (dir, root) = project(&[("f.txt", "\u{feff}A\r\nb\r\nc\r\nd")]);
        let got = replace(&root, "f.txt", "a\nb\nc\nd\n", "a\nb\nc\nD\n").expect("ok");
        assert_eq!(got, Applied::Merged);
        assert_eq!(read(&dir, "f.txt"), "\u{feff}A\r\nb\r\nc\r\nD");
    }

    #[test]
    fn a_move_with_changes_lands_under_the_new_name() {
        let (dir, root) = project(&[("a.txt", "a\n")]);
        let got = transition(&root, &image("a.txt", Some("a\n")), &image("b.txt", Some("A\n")));
        assert_eq!(got.expect("moved"), Applied::Written);
        assert!(!dir.path().join("a.txt").exists());
        assert_eq!(read(&dir, "b.txt"), "A\n");
    }

    #[test]
    fn a_move_back_restores_the_old_name() {
        let (dir, root) = project(&[("b.txt", "A\n")]);
        transition(&root, &image("b.txt", Some("A\n")), &image("a.txt", Some("a\n"))).expect("moved back");
        assert_eq!(read(&dir, "a.txt"), "a\n");
        assert!(!dir.path().join("b.txt").exists());
    }

    #[test]
    fn a_move_refuses_an_existing_target_and_keeps_both_files() {
        let (dir, root) = project(&[("a.txt", "a\n"), ("b.txt", "b\n")]);
        assert!(transition(&root, &image("a.txt", Some("a\n")), &image("b.txt", Some("A\n"))).is_err());
        assert_eq!((read(&dir, "a.txt"), read(&dir, "b.txt")), ("a\n".to_string(), "b\n".to_string()));
    }

    #[test]
    fn a_file_changed_since_is_not_moved() {
        let (dir, root) = project(&[("a.txt", "mine\n")]);
        let got = transition(&root, &image("a.txt", Some("a\n")), &image("b.txt", Some("a\n")));
        assert_eq!(got.expect_err("stale").code(), crate::ReviewCode::Stale);
        assert_eq!(read(&dir, "a.txt"), "mine\n");
    }

    #[test]
    fn removing_a_file_someone_changed_is_refused() {
        let (dir, root) = project(&[("f.txt", "theirs\n")]);
        let got = transition(&root, &image("f.txt", Some("ours\n")), &image("f.txt", None));
        assert_eq!(got.expect_err("stale").code(), crate::ReviewCode::Stale);
        assert_eq!(read(&dir, "f.txt"), "theirs\n");
    }

    #[test]
    fn a_binary_file_is_left_alone_with_a_reason() {
        let (dir, root) = project(&[]);
        fs::write(dir.path().join("b.bin"), [0xff, 0xfe, 0x00]).expect("write");
        let got = replace(&root, "b.bin", "x", "y");
        assert_eq!(got.expect_err("not text").code(), crate::ReviewCode::NotText);
    }

    #[test]
    fn a_path_outside_the_project_is_named_as_such() {
        let (_dir, root) = project(&[]);
        let got = create(&root, "../escape.txt", "hi\n");
        assert_eq!(got.expect_err("outside").code(), crate::ReviewCode::OutsideProject);
    }
}
