//! `read_file`: a range of a text file's lines, numbered. A file up to the whole-read limit is
//! read capped and passed through the outbound gate whole (so a key block is recognised even when
//! the range starts inside it); a larger one is streamed by range and the picked lines are gated.
//! Redaction keeps line counts, so the numbers shown are the file's own.

use std::io::{BufRead, BufReader, Read};

use redline_project::outbound::{gate, Source};
use redline_project::{read_capped, ProjectError, ProjectRoot, Redaction, Visibility};
use serde::Deserialize;

use super::{lenient_number, ToolOutput};

/// At most this many lines per call.
pub const READ_MAX_LINES: usize = 2_000;
/// At most this many bytes of numbered text per call.
pub const READ_MAX_BYTES: usize = 64 * 1024;
/// Larger files must be read by line range.
pub const READ_WHOLE_LIMIT: u64 = 2 * 1024 * 1024;
/// A longer line (minified code) is cut, so one line never fills the whole answer.
const LINE_MAX_CHARS: usize = 2_000;
/// Like git, NUL bytes among the first 8000 make a file binary.
const SNIFF_LEN: usize = 8000;

#[derive(Debug, Deserialize)]
pub(crate) struct ReadArgs {
    path: String,
    #[serde(default, deserialize_with = "lenient_number")]
    start_line: Option<u64>,
    #[serde(default, deserialize_with = "lenient_number")]
    end_line: Option<u64>,
}

pub(crate) fn read_file(root: &ProjectRoot, args: ReadArgs) -> ToolOutput {
    match read(root, &args) {
        Ok(output) => output,
        Err(message) => ToolOutput::error(message),
    }
}

fn read(root: &ProjectRoot, args: &ReadArgs) -> Result<ToolOutput, String> {
    let path = args.path.trim();
    let abs = root.resolve(path).map_err(|e| e.to_string())?;
    let meta = root.metadata(path).map_err(|e| match e {
        ProjectError::NotFound(_) => {
            format!("{path} does not exist; use list_files or search to find the right path")
        }
        e => e.to_string(),
    })?;
    if meta.is_dir() {
        return Err(format!("{path} is a folder; use list_files to see what it holds"));
    }
    let visibility = Visibility::new(root.path());
    let rel = root.relative(&abs).unwrap_or_else(|| path.to_owned());
    // A link inside the project to an ignored file is as ignored as the file itself.
    if let Some(why) = visibility.hidden_followed(&abs, false) {
        return Err(why.reason(path));
    }
    let start = args.start_line.unwrap_or(1);
    if start == 0 || args.end_line == Some(0) {
        return Err("line numbers start at 1".to_owned());
    }
    if args.end_line.is_some_and(|end| end < start) {
        return Err(format!(
            "end_line ({}) is before start_line ({start})",
            args.end_line.unwrap_or_default()
        ));
    }
    let ranged = args.start_line.is_some() || args.end_line.is_some();
    if meta.len() > READ_WHOLE_LIMIT && !ranged {
        return Err(format!(
            "{path} is {:.1} MB, too large to read whole (limit {} MB); read a part with start_line and end_line, \
             or use search to find the lines you need",
            meta.len() as f64 / 1_048_576.0,
            READ_WHOLE_LIMIT / 1_048_576
        ));
    }
    let binary = || format!("{path} is a binary file ({} bytes); only text files can be read", meta.len());
    let cannot = |e: &dyn std::fmt::Display| format!("cannot read {path}: {e}");
    let (picked, redactions) = if meta.len() <= READ_WHOLE_LIMIT {
        let capped = read_capped(root, &rel, READ_WHOLE_LIMIT as usize).map_err(|e| e.to_string())?;
        if capped.bytes[..capped.bytes.len().min(SNIFF_LEN)].contains(&0) {
            return Err(binary());
        }
        let gated = gate(&visibility, Source::File(&rel), &String::from_utf8_lossy(&capped.bytes));
        if let Some(why) = gated.refused {
            return Err(why);
        }
        let picked = numbered_lines(gated.text.as_bytes(), start, args.end_line).map_err(|e| cannot(&e))?;
        (picked, gated.redactions)
    } else {
        let file = root.open_file(&rel).map_err(|e| e.to_string())?;
        let mut reader = BufReader::new(file);
        let head = reader.fill_buf().map_err(|e| cannot(&e))?;
        if head[..head.len().min(SNIFF_LEN)].contains(&0) {
            return Err(binary());
        }
        let picked = numbered_lines(reader, start, args.end_line).map_err(|e| cannot(&e))?;
        gate_picked(&visibility, &rel, picked)?
    };
    let mut output = render(path, start, picked);
    if let Some(note) = redline_project::redact::describe(&redactions) {
        output.summary = format!("{} ({note})", output.summary);
    }
    Ok(output)
}

/// The lines picked from a large file, through the gate as one text (line counts are kept, so
/// each line maps back to its number).
fn gate_picked(
    visibility: &Visibility,
    rel: &str,
    mut picked: Picked,
) -> Result<(Picked, Vec<Redaction>), String> {
    let joined: Vec<&str> = picked.lines.iter().map(|(_, text)| text.as_str()).collect();
    let gated = gate(visibility, Source::File(rel), &joined.join("\n"));
    if let Some(why) = gated.refused {
        return Err(why);
    }
    let first = picked.lines.first().map_or(1, |l| l.0);
    let redactions =
        gated.redactions.into_iter().map(|r| Redaction { line: r.line + first as u32 - 1, ..r }).collect();
    for ((_, text), gated_line) in picked.lines.iter_mut().zip(gated.text.split('\n')) {
        *text = gated_line.to_owned();
    }
    Ok((picked, redactions))
}

/// The lines picked from a file, and how many it has in all.
struct Picked {
    lines: Vec<(u64, String)>,
    total: u64,
    /// The caps stopped the range early.
    cut: bool,
}

fn numbered_lines(mut reader: impl BufRead, start: u64, end: Option<u64>) -> std::io::Result<Picked> {
    let mut picked = Picked { lines: Vec::new(), total: 0, cut: false };
    let (mut bytes, mut buf) = (0usize, Vec::new());
    loop {
        buf.clear();
        // Long lines are read whole only up to a bound; the rest is skipped, not held in memory.
        let bound = LINE_MAX_CHARS as u64 * 4;
        let n = (&mut reader).take(bound).read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        let overlong = n as u64 == bound && !buf.ends_with(b"\n");
        if overlong {
            skip_rest_of_line(&mut reader)?;
        }
        picked.total += 1;
        let number = picked.total;
        let wanted = number >= start && end.is_none_or(|end| number <= end);
        if !wanted || picked.cut {
            continue;
        }
        let text = line_text(&buf, overlong);
        if picked.lines.len() >= READ_MAX_LINES || bytes + text.len() + 8 > READ_MAX_BYTES {
            picked.cut = true;
            continue;
        }
        bytes += text.len() + 8;
        picked.lines.push((number, text));
    }
    Ok(picked)
}

fn skip_rest_of_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let len = buf.len();
                reader.consume(len);
            }
        }
    }
}

fn line_text(raw: &[u8], overlong: bool) -> String {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let text = String::from_utf8_lossy(raw);
    if overlong || text.chars().count() > LINE_MAX_CHARS {
        let kept: String = text.chars().take(LINE_MAX_CHARS).collect();
        return format!("{kept}… (line cut at {LINE_MAX_CHARS} characters)");
    }
    text.into_owned()
}

fn render(path: &str, start: u64, picked: Picked) -> ToolOutput {
    let Picked { lines, total, cut } = picked;
    let (Some(first), Some(last)) = (lines.first().map(|l| l.0), lines.last().map(|l| l.0)) else {
        if total == 0 {
            return ToolOutput::ok(format!("{path} is empty"), format!("read {path} (empty)"));
        }
        return ToolOutput::error(format!("{path} has {total} lines; start_line {start} is past the end"));
    };
    let width = last.to_string().len().max(4);
    let mut content = String::new();
    for (number, text) in &lines {
        content.push_str(&format!("{number:>width$}│{text}\n"));
    }
    if cut {
        content.push_str(&format!(
            "… stopped at line {last} ({READ_MAX_LINES} lines / {} KB per call); call read_file with start_line {} to read on\n",
            READ_MAX_BYTES / 1024,
            last + 1
        ));
    }
    let summary = format!("read {path} lines {first}–{last} ({} of {total})", lines.len());
    ToolOutput { content, summary, is_error: false }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::tools::run_read_only;
    use crate::tools::testing::project;

    fn numbered(n: usize) -> Vec<u8> {
        (1..=n).map(|i| format!("line {i}\n")).collect::<String>().into_bytes()
    }

    #[test]
    fn a_whole_file_comes_back_numbered_with_a_summary() {
        let (_d, root) = project(&[("src/lib.rs", b"fn a() {}\nfn b() {}\n")]);
        let out = run_read_only(&root, "read_file", &json!({"path": "src/lib.rs"}));
        assert!(!out.is_error, "{out:?}");
        assert_eq!(out.content, "   1│fn a() {}\n   2│fn b() {}\n");
        assert_eq!(out.summary, "read src/lib.rs lines 1–2 (2 of 2)");
    }

    #[test]
    fn a_range_is_inclusive_and_clamped_to_the_end() {
        let (_d, root) = project(&[("f.txt", &numbered(10))]);
        let out =
            run_read_only(&root, "read_file", &json!({"path": "f.txt", "start_line": 3, "end_line": 4}));
        assert_eq!(out.content, "   3│line 3\n   4│line 4\n");
        assert_eq!(out.summary, "read f.txt lines 3–4 (2 of 10)");
        let tail =
            run_read_only(&root, "read_file", &json!({"path": "f.txt", "start_line": 9, "end_line": 50}));
        assert_eq!(tail.summary, "read f.txt lines 9–10 (2 of 10)");
        let past = run_read_only(&root, "read_file", &json!({"path": "f.txt", "start_line": 11}));
        assert!(past.is_error && past.content.contains("has 10 lines"), "{past:?}");
        let reversed =
            run_read_only(&root, "read_file", &json!({"path": "f.txt", "start_line": 5, "end_line": 2}));
        assert!(reversed.is_error, "{reversed:?}");
    }

    #[test]
    fn more_than_two_thousand_lines_are_cut_with_where_to_read_on() {
        let (_d, root) = project(&[("big.txt", &numbered(2_500))]);
        let out = run_read_only(&root, "read_file", &json!({"path": "big.txt"}));
        assert!(
            out.content.contains("2000│line 2000\n") && !out.content.contains("│line 2001"),
            "{}",
            out.summary
        );
        assert!(out.content.contains("start_line 2001"), "{}", &out.content[out.content.len() - 200..]);
        assert_eq!(out.summary, "read big.txt lines 1–2000 (2000 of 2500)");
    }

    #[test]
    fn the_byte_cap_stops_before_sixty_four_kilobytes() {
        let long_lines: String = (0..400).map(|i| format!("{i:03}{}\n", "x".repeat(400))).collect();
        let (_d, root) = project(&[("wide.txt", long_lines.as_bytes())]);
        let out = run_read_only(&root, "read_file", &json!({"path": "wide.txt"}));
        assert!(out.content.len() <= 64 * 1024 + 200, "{}", out.content.len());
        assert!(out.content.contains("to read on"), "{}", out.summary);
    }

    #[test]
    fn a_single_huge_line_is_cut_not_returned_whole() {
        let mut text = "a".repeat(100_000);
        text.push_str("\nsecond\n");
        let (_d, root) = project(&[("min.js", text.as_bytes())]);
        let out = run_read_only(&root, "read_file", &json!({"path": "min.js"}));
        assert!(
            out.content.contains("line cut at 2000 characters") && out.content.contains("   2│second"),
            "{}",
            out.summary
        );
        assert!(out.content.len() < 3_000);
    }

    #[test]
    fn paths_outside_the_root_are_refused_even_through_a_symlink() {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::write(outside.path().join("secret.txt"), "top secret\n").expect("write");
        let (dir, root) = project(&[("a.txt", b"a\n")]);
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).expect("symlink");
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("s.txt"))
            .expect("symlink");
        for path in ["../x", "link/secret.txt", "s.txt", "/etc/passwd"] {
            let out = run_read_only(&root, "read_file", &json!({ "path": path }));
            assert!(out.is_error && out.content.contains("outside the project"), "{path}: {out:?}");
            assert!(!out.content.contains("top secret"));
        }
    }

    #[test]
    fn ignored_files_are_refused_saying_which_rule() {
        let (_d, root) = project(&[
            (".gitignore", b".env\n"),
            (".env", b"KEY=1\n"),
            (".redlineignore", b"private/\n"),
            ("private/notes.md", b"notes\n"),
        ]);
        let env = run_read_only(&root, "read_file", &json!({"path": ".env"}));
        assert!(
            env.is_error && env.content.contains(".gitignore") && !env.content.contains("KEY"),
            "{env:?}"
        );
        let notes = run_read_only(&root, "read_file", &json!({"path": "private/notes.md"}));
        assert!(notes.is_error && notes.content.contains(".redlineignore"), "{notes:?}");
    }

    #[test]
    fn a_symlink_to_an_ignored_file_is_refused_like_the_file() {
        let (dir, root) = project(&[(".gitignore", b".env\n"), (".env", b"KEY=1\n")]);
        std::os::unix::fs::symlink(".env", dir.path().join("config.txt")).expect("symlink");
        let out = run_read_only(&root, "read_file", &json!({"path": "config.txt"}));
        assert!(out.is_error && !out.content.contains("KEY"), "{out:?}");
    }

    #[test]
    fn secrets_are_redacted_by_the_files_own_path_and_line_numbers_stay_true() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
        let text = format!("first\n{key}last = 1\n");
        let (_d, root) =
            project(&[("deploy/notes.txt", text.as_bytes()), ("app/.envrc", b"export TOKEN=abc\n")]);
        let out = run_read_only(&root, "read_file", &json!({"path": "deploy/notes.txt", "start_line": 3}));
        assert_eq!(out.content, "   3│\n   4│\n   5│last = 1\n", "a range inside a key still hides it");
        let whole = run_read_only(&root, "read_file", &json!({"path": "deploy/notes.txt"}));
        assert!(!whole.content.contains("b3BlbnNz") && whole.content.contains("   5│last = 1"), "{whole:?}");
        assert!(whole.summary.contains("private key on line 2"), "{}", whole.summary);
        let envrc = run_read_only(&root, "read_file", &json!({"path": "app/.envrc"}));
        assert_eq!(envrc.content, "   1│export TOKEN=[REDACTED]\n");
    }

    #[test]
    fn binary_missing_and_folder_paths_are_refused() {
        let (_d, root) = project(&[("img.png", b"\x89PNG\0\0\x01"), ("src/a.rs", b"")]);
        let png = run_read_only(&root, "read_file", &json!({"path": "img.png"}));
        assert!(png.is_error && png.content.contains("binary"), "{png:?}");
        let missing = run_read_only(&root, "read_file", &json!({"path": "nope.rs"}));
        assert!(missing.is_error && missing.content.contains("does not exist"), "{missing:?}");
        let folder = run_read_only(&root, "read_file", &json!({"path": "src"}));
        assert!(folder.is_error && folder.content.contains("list_files"), "{folder:?}");
    }

    #[test]
    fn a_file_over_two_megabytes_needs_a_range_and_can_be_read_by_one() {
        let (dir, root) = project(&[]);
        let mut text = numbered(300_000);
        text.extend_from_slice(b"last\n");
        std::fs::write(dir.path().join("log.txt"), &text).expect("write");
        let whole = run_read_only(&root, "read_file", &json!({"path": "log.txt"}));
        assert!(whole.is_error && whole.content.contains("start_line"), "{whole:?}");
        let part = run_read_only(&root, "read_file", &json!({"path": "log.txt", "start_line": 300_001}));
        assert_eq!(part.content, "300001│last\n");
        assert_eq!(part.summary, "read log.txt lines 300001–300001 (1 of 300001)");
    }
}
