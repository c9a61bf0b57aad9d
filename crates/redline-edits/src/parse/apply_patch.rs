//! OpenAI's apply_patch format ("V4A"), the edit format GPT-5, GPT-4.1 and the Codex models
//! are trained on:
//!
//! ```text
//! *** Begin Patch
//! *** Add File: path          the content follows, every line prefixed `+`
//! *** Delete File: path
//! *** Update File: path       optionally `*** Move to: new/path`, then chunks:
//! @@ class Greeter            anchors: whole lines of the file the chunk comes after
//! @@     def greet(self):
//!      context
//! -    removed
//! +    added
//! *** End of File             optional: the chunk ends at the file's last line
//! *** End Patch
//! ```
//!
//! A patch is read bare or fenced anywhere in a reply, and from an `apply_patch` tool call.
//! As in codex's reference parser, markers may carry surrounding whitespace, but a patch
//! without `*** End Patch`, or with a line that fits nowhere, is refused whole: nothing in it
//! is applied, since its sections can no longer be told apart for sure.

use serde_json::Value;

use super::{Item, ItemKind, Parsed};
use crate::edit::{DiffLine, Edit, EditKind, ParseError, PatchChunk};
use crate::text::{chomp, lines_keep};

const BEGIN: &str = "*** Begin Patch";
const END: &str = "*** End Patch";
const ADD: &str = "*** Add File:";
const DELETE: &str = "*** Delete File:";
const UPDATE: &str = "*** Update File:";
const MOVE: &str = "*** Move to:";
const END_OF_FILE: &str = "*** End of File";

/// Whether a reply line is `*** Begin Patch` (the format's unmistakable marker).
pub(crate) fn is_begin(line: &str) -> bool {
    chomp(line).trim() == BEGIN
}

/// Reads every patch in a reply. A patch's edits are settled together at its `*** End Patch`.
pub(crate) fn parse(text: &str) -> Parsed {
    let lines = lines_keep(text);
    let mut parsed = Parsed::default();
    let mut block = 0;
    let mut i = 0;
    while i < lines.len() {
        if !is_begin(lines[i]) {
            i += 1;
            continue;
        }
        let Some(end) = find_end(&lines, i) else {
            parsed.errors.push(ParseError {
                line: i + 1,
                message: format!(
                    "the patch that begins here has no `{END}` line, so nothing in it was applied; \
                     end every patch with `{END}`"
                ),
            });
            i = (i + 1..lines.len()).find(|&j| is_begin(lines[j])).unwrap_or(lines.len());
            continue;
        };
        match read_patch(&lines[i + 1..end], i + 1, block) {
            Ok(edits) => {
                block = edits.last().map_or(block, |e| e.block + 1);
                parsed.items.extend(edits.into_iter().map(|e| Item { kind: ItemKind::Edit(e) }));
            }
            Err(error) => parsed.errors.push(error),
        }
        i = end + 1;
    }
    parsed
}

/// Reads an `apply_patch` tool call's arguments — `{"input": "<patch>"}`, the same object as a
/// JSON string, the raw patch (a freeform call), or codex's `{"command": ["apply_patch",
/// "<patch>"]}` — into the edits a reply holding that patch gives. Any error refuses the call.
pub fn parse_apply_patch_call(arguments: &Value) -> Result<Vec<Edit>, ParseError> {
    let patch = call_patch_text(arguments)?;
    let parsed = parse(&patch);
    if let Some(error) = parsed.errors.into_iter().next() {
        return Err(error);
    }
    let edits: Vec<Edit> = parsed
        .items
        .into_iter()
        .filter_map(|item| match item.kind {
            ItemKind::Edit(edit) => Some(edit),
            ItemKind::Shell(_) => None,
        })
        .collect();
    if edits.is_empty() {
        return Err(ParseError {
            line: 1,
            message: format!("the apply_patch input holds no patch: it must start with `{BEGIN}`"),
        });
    }
    Ok(edits)
}

fn call_patch_text(arguments: &Value) -> Result<String, ParseError> {
    let unreadable = || ParseError {
        line: 1,
        message: "the apply_patch arguments hold no patch: pass it as {\"input\": \"<patch>\"}".to_string(),
    };
    match arguments {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(inner @ (Value::Object(_) | Value::String(_))) => call_patch_text(&inner),
            _ => Ok(text.clone()),
        },
        Value::Object(map) => {
            if let Some(text) = ["input", "patch"].iter().find_map(|k| map.get(*k).and_then(Value::as_str)) {
                return Ok(text.to_string());
            }
            let argv = map.get("command").and_then(Value::as_array).ok_or_else(unreadable)?;
            match argv.as_slice() {
                [cmd, patch] if matches!(cmd.as_str(), Some("apply_patch" | "applypatch")) => {
                    patch.as_str().map(str::to_string).ok_or_else(unreadable)
                }
                _ => Err(unreadable()),
            }
        }
        _ => Err(unreadable()),
    }
}

/// The index of the `*** End Patch` closing the patch that begins at `begin`; `None` when the
/// reply ends, or another patch begins, first. A marker indented like a context line
/// (` *** End Patch` in a file that documents the format) ends the patch only when no unindented
/// one follows.
fn find_end(lines: &[&str], begin: usize) -> Option<usize> {
    let unindented = |line: &str, marker: &str| chomp(line).trim_end() == marker;
    let rest = lines.iter().enumerate().skip(begin + 1);
    let rest: Vec<(usize, &&str)> = rest.take_while(|(_, l)| !unindented(l, BEGIN)).collect();
    if let Some((j, _)) = rest.iter().find(|(_, l)| unindented(l, END)) {
        return Some(*j);
    }
    rest.iter().find(|(_, l)| chomp(l).trim() == END).map(|(j, _)| *j)
}

/// The lines between `*** Begin Patch` and `*** End Patch`; `offset` is the reply index of the
/// first, for errors.
struct Body<'a> {
    lines: &'a [&'a str],
    offset: usize,
}

impl Body<'_> {
    fn line(&self, k: usize) -> &str {
        chomp(self.lines[k])
    }

    fn error(&self, k: usize, message: String) -> ParseError {
        ParseError {
            line: self.offset + k + 1,
            message: format!("{message}; nothing in this patch was applied"),
        }
    }
}

fn read_patch(lines: &[&str], offset: usize, first_block: usize) -> Result<Vec<Edit>, ParseError> {
    let body = Body { lines, offset };
    let mut edits = Vec::new();
    let mut block = first_block;
    let mut k = 0;
    while k < lines.len() {
        let header = body.line(k).trim();
        if header.is_empty() {
            k += 1;
            continue;
        }
        let edit = |path: &str, kind: EditKind| Edit { path: path.to_string(), kind, block };
        if let Some(path) = header_path(&body, k, ADD)? {
            let (content, next) = read_added(&body, k + 1);
            edits.push(edit(&path, EditKind::Create { content }));
            k = next;
        } else if let Some(path) = header_path(&body, k, DELETE)? {
            edits.push(edit(&path, EditKind::Delete));
            k += 1;
        } else if let Some(path) = header_path(&body, k, UPDATE)? {
            let (update, next) = read_update(&body, k + 1, &path)?;
            if !update.chunks.is_empty() {
                edits.push(edit(&path, EditKind::Patch { chunks: update.chunks }));
            }
            if let Some(to) = update.move_to {
                edits.push(edit(&path, EditKind::Rename { to }));
            }
            k = next;
        } else {
            return Err(body.error(
                k,
                format!(
                    "`{header}` is not a file header: every section starts with `{ADD} <path>`, \
                     `{DELETE} <path>` or `{UPDATE} <path>`"
                ),
            ));
        }
        block += 1;
    }
    if edits.is_empty() {
        return Err(body.error(0, "the patch holds no file sections".to_string()));
    }
    Ok(edits)
}

/// The path of a `marker <path>` header line; `Ok(None)` for another line.
fn header_path(body: &Body, k: usize, marker: &str) -> Result<Option<String>, ParseError> {
    let Some(path) = body.line(k).trim().strip_prefix(marker) else {
        return Ok(None);
    };
    let path = path.trim();
    if path.is_empty() {
        return Err(body.error(k, format!("`{marker}` names no file")));
    }
    Ok(Some(path.to_string()))
}

/// The `+` lines of an Add File section and the index after them. A blank line between `+`
/// lines is an empty line whose `+` the model left out (nothing else can follow it there).
fn read_added(body: &Body, start: usize) -> (String, usize) {
    let mut content = String::new();
    let mut k = start;
    while k < body.lines.len() {
        if let Some(text) = body.line(k).strip_prefix('+') {
            content.push_str(text);
            content.push('\n');
            k += 1;
            continue;
        }
        let blanks = (k..body.lines.len()).take_while(|&j| body.line(j).trim().is_empty()).count();
        let more_content = blanks > 0 && body.lines.get(k + blanks).is_some_and(|l| l.starts_with('+'));
        if !more_content {
            break;
        }
        content.push_str(&"\n".repeat(blanks));
        k += blanks;
    }
    (content, k)
}

/// What an Update File section says.
struct Update {
    move_to: Option<String>,
    chunks: Vec<PatchChunk>,
}

/// A chunk being read: anchors, then lines.
#[derive(Default)]
struct Open {
    anchors: Vec<String>,
    lines: Vec<DiffLine>,
    /// An `@@` line or a chunk line was seen (blank lines before that separate, after it they
    /// are empty context lines, as in codex).
    started: bool,
}

/// An Update File section from `start` to the next section header (or the end of the patch).
fn read_update(body: &Body, start: usize, path: &str) -> Result<(Update, usize), ParseError> {
    let mut update = Update { move_to: None, chunks: Vec::new() };
    let mut open = Open::default();
    let mut k = start;
    while k < body.lines.len() {
        let line = body.line(k);
        let marker = line.trim();
        if marker == END_OF_FILE {
            if open.lines.is_empty() {
                return Err(body.error(k, format!("`{END_OF_FILE}` must follow a chunk's lines")));
            }
            close_chunk(body, k, &mut open, &mut update, true)?;
        } else if let Some(to) = marker.strip_prefix(MOVE) {
            if update.move_to.is_some() || open.started || !update.chunks.is_empty() {
                return Err(body.error(k, format!("`{MOVE}` must come right after `{UPDATE} {path}`")));
            }
            update.move_to = Some(to.trim().to_string()).filter(|t| !t.is_empty());
            if update.move_to.is_none() {
                return Err(body.error(k, format!("`{MOVE}` names no file")));
            }
        } else if line.starts_with("***") || [ADD, DELETE, UPDATE].iter().any(|h| marker.starts_with(h)) {
            // The next section; an indented `***` line is context (` *** WARNING ***`).
            break;
        } else if let Some(rest) = line.strip_prefix("@@") {
            if !open.lines.is_empty() {
                close_chunk(body, k, &mut open, &mut update, false)?;
            }
            open.started = true;
            open.anchors.extend(anchor(rest));
        } else {
            read_chunk_line(body, k, &mut open)?;
        }
        k += 1;
    }
    if open.started {
        close_chunk(body, k.saturating_sub(1), &mut open, &mut update, false)?;
    }
    if update.chunks.is_empty() && update.move_to.is_none() {
        return Err(body.error(
            start.saturating_sub(1),
            format!("`{UPDATE} {path}` has no chunks: follow it with @@ and the lines to change"),
        ));
    }
    Ok((update, k))
}

fn read_chunk_line(body: &Body, k: usize, open: &mut Open) -> Result<(), ParseError> {
    let line = body.line(k);
    let text = |rest: &str| format!("{rest}\n");
    let diff_line = match line.chars().next() {
        Some(' ') => DiffLine::Context(text(&line[1..])),
        Some('-') => DiffLine::Removed(text(&line[1..])),
        Some('+') => DiffLine::Added(text(&line[1..])),
        None if open.started => DiffLine::Context(text("")),
        None => return Ok(()),
        Some(_) => {
            return Err(body.error(
                k,
                format!(
                    "`{line}` is not a chunk line: in an update every line starts with ' ' \
                     (context), '-' (remove) or '+' (add), or is an @@ line"
                ),
            ))
        }
    };
    open.started = true;
    open.lines.push(diff_line);
    Ok(())
}

fn close_chunk(
    body: &Body,
    k: usize,
    open: &mut Open,
    update: &mut Update,
    end_of_file: bool,
) -> Result<(), ParseError> {
    let Open { anchors, lines, .. } = std::mem::take(open);
    if lines.is_empty() {
        if anchors.is_empty() {
            return Ok(());
        }
        return Err(body.error(k, "an @@ line has no chunk lines after it".to_string()));
    }
    update.chunks.push(PatchChunk { anchors, lines, end_of_file });
    Ok(())
}

/// The anchor of an `@@` line (the text after `@@ `), `None` for a bare `@@`. A unified-diff
/// range a model adds out of habit (`@@ -12,5 +12,6 @@ fn run()`) is dropped; the function
/// name git puts after it is an anchor like any other.
fn anchor(rest: &str) -> Option<String> {
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let trimmed = rest.trim_start();
    let is_range = trimmed.strip_prefix('-').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    let rest = match trimmed.find("@@") {
        Some(at) if is_range => trimmed[at + 2..].trim_start(),
        _ => rest,
    };
    let rest = rest.trim_end();
    (!rest.trim().is_empty()).then(|| rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(reply: &str) -> Vec<Edit> {
        let parsed = parse(reply);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed.into_output().edits
    }

    fn errors(reply: &str) -> Vec<ParseError> {
        let parsed = parse(reply);
        assert!(parsed.items.is_empty(), "a refused patch yields no edits: {:?}", parsed.items);
        parsed.errors
    }

    #[test]
    fn every_section_kind_is_read() {
        let reply = "*** Begin Patch\n*** Add File: new.txt\n+one\n+two\n*** Delete File: old.txt\n\
                     *** Update File: a.py\n*** Move to: b.py\n@@ def f():\n-    pass\n+    return 1\n\
                     *** End Patch\n";
        let got = edits(reply);
        assert_eq!(got[0].kind, EditKind::Create { content: "one\ntwo\n".into() });
        assert_eq!(got[1].kind, EditKind::Delete);
        let EditKind::Patch { chunks } = &got[2].kind else { panic!("expected a patch: {:?}", got[2]) };
        assert_eq!(chunks[0].anchors, vec!["def f():".to_string()]);
        assert_eq!(
            chunks[0].lines,
            vec![DiffLine::Removed("    pass\n".into()), DiffLine::Added("    return 1\n".into())]
        );
        assert_eq!(
            got[3],
            Edit { path: "a.py".into(), kind: EditKind::Rename { to: "b.py".into() }, block: 2 }
        );
        assert_eq!(got.iter().map(|e| e.block).collect::<Vec<_>>(), vec![0, 1, 2, 2]);
    }

    #[test]
    fn prose_and_fences_around_the_patch_are_ignored() {
        let reply = "Here is the change:\n\n```diff\n*** Begin Patch\n*** Update File: a.txt\n@@\n-x\n+y\n\
                     *** End Patch\n```\nDone.\n";
        assert_eq!(edits(reply).len(), 1);
        let patch = "```patch\n*** Begin Patch\r\n*** Delete File: a.txt\r\n*** End Patch\r\n```";
        assert_eq!(edits(patch)[0].path, "a.txt");
    }

    #[test]
    fn consecutive_at_lines_are_nested_anchors() {
        let reply = "*** Begin Patch\n*** Update File: a.py\n@@ class B:\n@@     def f(self):\n-        x\n+        y\n\
                     @@\n-z\n+w\n*** End of File\n*** End Patch\n";
        let EditKind::Patch { chunks } = &edits(reply)[0].kind else { panic!("expected a patch") };
        assert_eq!(chunks[0].anchors, vec!["class B:".to_string(), "    def f(self):".to_string()]);
        assert!(chunks[1].anchors.is_empty() && chunks[1].end_of_file && !chunks[0].end_of_file);
    }

    #[test]
    fn unified_diff_ranges_on_at_lines_are_not_anchors() {
        assert_eq!(anchor(" -12,5 +12,6 @@"), None);
        assert_eq!(anchor(" -1 +1 @@ fn run() {"), Some("fn run() {".into()));
        assert_eq!(anchor(""), None);
    }

    #[test]
    fn blank_lines_inside_a_chunk_are_empty_context_and_between_sections_are_skipped() {
        let reply = "*** Begin Patch\n\n*** Update File: a\n\n@@\n a\n\n-b\n+c\n\n*** Add File: n\n+1\n\n+2\n\n*** End Patch\n";
        let got = edits(reply);
        let EditKind::Patch { chunks } = &got[0].kind else { panic!("expected a patch") };
        let blank = DiffLine::Context("\n".into());
        assert_eq!(chunks[0].lines[1], blank);
        assert_eq!(chunks[0].lines.last(), Some(&blank));
        assert_eq!(got[1].kind, EditKind::Create { content: "1\n\n2\n".into() });
    }

    #[test]
    fn a_patch_without_end_is_refused_whole() {
        let errs = errors("*** Begin Patch\n*** Add File: a\n+x\n*** Update File: b\n@@\n-y\n");
        assert_eq!(errs[0].line, 1);
        assert!(errs[0].message.contains("*** End Patch"), "{}", errs[0].message);
        // A later complete patch still stands.
        let parsed = parse(
            "*** Begin Patch\n*** Add File: a\n+x\n*** Begin Patch\n*** Delete File: b\n*** End Patch\n",
        );
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.items.len(), 1);
    }

    #[test]
    fn malformed_patches_are_refused_with_the_line() {
        let bad_header = errors("*** Begin Patch\n*** Frobnicate File: a\n*** End Patch\n");
        assert_eq!(bad_header[0].line, 2);
        let empty_update = errors("*** Begin Patch\n*** Update File: a\n*** End Patch\n");
        assert!(empty_update[0].message.contains("no chunks"), "{}", empty_update[0].message);
        let bad_line = errors("*** Begin Patch\n*** Update File: a\n@@\n-x\nnot prefixed\n*** End Patch\n");
        assert_eq!(bad_line[0].line, 5);
        assert_eq!(errors("*** Begin Patch\n*** End Patch\n").len(), 1);
        let dangling_anchor =
            errors("*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n@@ fn f\n*** End Patch\n");
        assert!(dangling_anchor[0].message.contains("no chunk lines"), "{}", dangling_anchor[0].message);
    }

    #[test]
    fn marker_lines_quoted_as_context_stay_context() {
        let chunk = "@@\n *** End Patch\n *** WARNING ***\n-old\n+new\n";
        let reply = format!("*** Begin Patch\n*** Update File: doc.md\n{chunk}*** End Patch\n");
        let EditKind::Patch { chunks } = &edits(&reply)[0].kind else { panic!("expected a patch") };
        assert_eq!(chunks[0].lines[0], DiffLine::Context("*** End Patch\n".into()));
        assert_eq!(chunks[0].lines[1], DiffLine::Context("*** WARNING ***\n".into()));
        assert_eq!(chunks[0].lines.len(), 4);
    }

    #[test]
    fn padded_markers_are_accepted() {
        let reply = " *** Begin Patch\n  *** Update File: f.txt \n@@\n-one\n+two\n*** End Patch \n";
        assert_eq!(edits(reply)[0].path, "f.txt");
    }

    #[test]
    fn tool_call_arguments_in_every_shape_read_the_same() {
        let patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n";
        let want = edits(patch);
        let shapes = [
            serde_json::json!({ "input": patch }),
            serde_json::json!(serde_json::json!({ "input": patch }).to_string()),
            serde_json::json!(patch),
            serde_json::json!({ "command": ["apply_patch", patch] }),
            serde_json::json!(format!("<<'EOF'\n{patch}EOF\n")),
        ];
        for args in shapes {
            assert_eq!(parse_apply_patch_call(&args), Ok(want.clone()), "{args}");
        }
        assert!(parse_apply_patch_call(&serde_json::json!({ "path": "a" })).is_err());
        assert!(parse_apply_patch_call(&serde_json::json!("no patch here")).is_err());
        assert!(parse_apply_patch_call(&serde_json::json!("*** Begin Patch\n*** Add File: a\n+x\n")).is_err());
    }
}
