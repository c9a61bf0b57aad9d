//! Applying one file's edits, in reply order, to its base text. Pure: the base comes in as a
//! string and the result goes out as a string.

use crate::edit::{DiffHunk, DiffLine, Edit, EditKind, PatchChunk};
use crate::error::{EditError, EditErrorKind};
use crate::lazy;
use crate::matching::{
    find_anchor, fit_added_lines, locate_run, refuse_new_elisions_lines, replace_in, split_lines,
    EmptySearch, Layer, LineRun, MatchOptions, Request,
};
use crate::text::{chomp, is_elision, to_lf, with_final_newline, TextShape};

/// What became of a file once all of its edits were tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileResult {
    Modified(String),
    Created(String),
    Deleted,
    Renamed {
        to: String,
        text: String,
    },
    Unchanged,
    /// No edit applied; nothing must be written.
    Failed,
}

/// The result of [`apply_file`]: the new file plus each edit that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct FileApply {
    pub result: FileResult,
    pub applied: usize,
    pub errors: Vec<EditError>,
    /// The layer each applied replacement matched at (for review badges).
    pub layers: Vec<Layer>,
}

/// Working state: LF text that ends in a newline, plus how to write it back.
struct State {
    exists: bool,
    text: String,
    shape: TextShape,
    created: bool,
    deleted: bool,
    renamed_to: Option<String>,
    /// Lines added minus removed so far, to keep later line hints pointing at the right place.
    line_delta: isize,
}

/// Applies `edits` (all for one path) to `base` (`None` when the file does not exist).
/// Edits that fail are reported and skipped; the others still apply — except with an
/// apply_patch update among them: then any failure leaves the file untouched, as the format
/// means a file's sections to apply together.
pub fn apply_file(base: Option<&str>, edits: &[&Edit], opts: &MatchOptions) -> FileApply {
    let mut state = State {
        exists: base.is_some(),
        text: base.map(|b| with_final_newline(&to_lf(b))).unwrap_or_default(),
        shape: base.map(TextShape::of).unwrap_or_default(),
        created: false,
        deleted: false,
        renamed_to: None,
        line_delta: 0,
    };
    let mut out =
        FileApply { result: FileResult::Failed, applied: 0, errors: Vec::new(), layers: Vec::new() };
    for edit in edits {
        match apply_one(&mut state, edit, opts) {
            Ok(layers) => {
                out.applied += 1;
                out.layers.extend(layers);
            }
            Err(kind) => out.errors.push(EditError { path: edit.path.clone(), block: edit.block, kind }),
        }
    }
    let all_or_nothing = edits.iter().any(|e| matches!(e.kind, EditKind::Patch { .. }));
    out.result = if all_or_nothing && !out.errors.is_empty() {
        FileResult::Failed
    } else {
        finish(state, base, out.applied)
    };
    out
}

fn finish(state: State, base: Option<&str>, applied: usize) -> FileResult {
    if applied == 0 {
        return FileResult::Failed;
    }
    if state.deleted {
        return FileResult::Deleted;
    }
    let text = state.shape.restore(&state.text);
    if let Some(to) = state.renamed_to {
        return FileResult::Renamed { to, text };
    }
    match base {
        None => FileResult::Created(text),
        Some(b) if b == text => FileResult::Unchanged,
        Some(_) if state.created => FileResult::Created(text),
        Some(_) => FileResult::Modified(text),
    }
}

fn apply_one(state: &mut State, edit: &Edit, opts: &MatchOptions) -> Result<Vec<Layer>, EditErrorKind> {
    if state.deleted {
        return Err(EditErrorKind::FileMissing);
    }
    match &edit.kind {
        EditKind::Replace { old_text, new_text, line_hint, replace_all } => {
            let req = Request {
                search: &to_lf(old_text),
                replace: &to_lf(new_text),
                hint: *line_hint,
                replace_all: *replace_all,
            };
            replace(state, &req, opts).map(|l| vec![l])
        }
        EditKind::UnifiedDiff { hunks } => apply_hunks(state, hunks, opts),
        EditKind::Patch { chunks } => apply_patch(state, chunks, opts),
        EditKind::Create { content } => create(state, content).map(|()| vec![]),
        EditKind::Whole { content } => whole(state, content).map(|()| vec![]),
        EditKind::Delete => require_exists(state).map(|()| {
            state.deleted = true;
            vec![]
        }),
        EditKind::Rename { to } => require_exists(state).map(|()| {
            state.renamed_to = Some(to.clone());
            vec![]
        }),
    }
}

fn require_exists(state: &State) -> Result<(), EditErrorKind> {
    if state.exists {
        Ok(())
    } else {
        Err(EditErrorKind::FileMissing)
    }
}

/// A SEARCH/REPLACE (or tool-call) replacement, including the empty-SEARCH cases.
fn replace(state: &mut State, req: &Request, opts: &MatchOptions) -> Result<Layer, EditErrorKind> {
    if req.search.trim().is_empty() {
        return empty_search(state, req.replace, opts).map(|()| Layer::Exact);
    }
    if !state.exists {
        return Err(EditErrorKind::FileMissing);
    }
    let hint = req.hint.map(|h| h.saturating_add_signed(state.line_delta).max(1));
    let shifted = Request { hint, ..*req };
    let (text, layer) = replace_in(&state.text, &shifted, opts)?;
    set_text(state, text);
    Ok(layer)
}

/// Empty SEARCH: creates a missing or empty file; on a file with content it appends only when
/// asked to (Aider's reading), otherwise it is refused.
fn empty_search(state: &mut State, replace: &str, opts: &MatchOptions) -> Result<(), EditErrorKind> {
    if !state.exists || state.text.trim().is_empty() {
        if !state.exists {
            state.shape = TextShape::of(replace);
        }
        state.created = !state.exists;
        state.exists = true;
        set_text(state, with_final_newline(replace));
        return Ok(());
    }
    match opts.empty_search {
        EmptySearch::Append => {
            let text = format!("{}{}", state.text, with_final_newline(replace));
            set_text(state, text);
            Ok(())
        }
        EmptySearch::Refuse => Err(EditErrorKind::EmptySearchOnExistingFile),
    }
}

fn set_text(state: &mut State, text: String) {
    let before = state.text.matches('\n').count() as isize;
    state.line_delta += text.matches('\n').count() as isize - before;
    state.text = text;
}

fn create(state: &mut State, content: &str) -> Result<(), EditErrorKind> {
    let content_lf = with_final_newline(&to_lf(content));
    if state.exists && !state.text.trim().is_empty() && state.text != content_lf {
        return Err(EditErrorKind::FileExists);
    }
    if content.lines().any(is_elision) {
        return Err(EditErrorKind::ElisionInReplacement);
    }
    state.shape = TextShape::of(content);
    state.created = !state.exists;
    state.exists = true;
    state.text = content_lf;
    Ok(())
}

/// A whole new content: placeholders are expanded from the current text or refused.
fn whole(state: &mut State, content: &str) -> Result<(), EditErrorKind> {
    let content = with_final_newline(&to_lf(content));
    if !state.exists {
        return create(state, &content);
    }
    if content.trim().is_empty() && !state.text.trim().is_empty() {
        return Err(EditErrorKind::WouldEmptyFile);
    }
    let text = match lazy::expand(&state.text, &content)? {
        Some(expanded) => expanded,
        None if lazy::looks_like_fragment(&state.text, &content) => {
            return Err(EditErrorKind::LooksLikeFragment)
        }
        None => content,
    };
    set_text(state, text);
    Ok(())
}

/// Each hunk is a replacement of its context+removed lines by its context+added lines; a hunk
/// that only adds lines needs a line number.
fn apply_hunks(
    state: &mut State,
    hunks: &[DiffHunk],
    opts: &MatchOptions,
) -> Result<Vec<Layer>, EditErrorKind> {
    let only_additions = hunks.iter().all(|h| h.before_text().trim().is_empty());
    if !state.exists || (only_additions && state.text.trim().is_empty()) {
        if !only_additions {
            return Err(EditErrorKind::FileMissing);
        }
        let content: String = hunks.iter().map(DiffHunk::after_text).collect();
        return empty_search(state, &content, opts).map(|()| vec![Layer::Exact]);
    }
    let mut layers = Vec::new();
    for hunk in hunks {
        layers.push(apply_hunk(state, hunk, opts)?);
    }
    Ok(layers)
}

fn apply_hunk(state: &mut State, hunk: &DiffHunk, opts: &MatchOptions) -> Result<Layer, EditErrorKind> {
    let before = to_lf(&hunk.before_text());
    let after = to_lf(&hunk.after_text());
    if !before.trim().is_empty() {
        let req = Request { search: &before, replace: &after, hint: hunk.old_start, replace_all: false };
        return replace(state, &req, opts);
    }
    let Some(start) = hunk.old_start else {
        return Err(EditErrorKind::NoAnchor);
    };
    // `@@ -N,0 +M @@` inserts after old line N.
    let at = start.saturating_add_signed(state.line_delta);
    let lines = split_lines(&state.text);
    if at > lines.len() {
        return Err(EditErrorKind::NoAnchor);
    }
    let mut text: String = lines[..at].iter().map(|l| format!("{l}\n")).collect();
    text.push_str(&after);
    text.extend(lines[at..].iter().map(|l| format!("{l}\n")));
    set_text(state, text);
    Ok(Layer::Exact)
}

/// Part of a file's lines to replace: `len` lines at `start` (0-based) become `with`.
struct Splice {
    start: usize,
    len: usize,
    with: Vec<String>,
}

/// An apply_patch update: each chunk is placed in order in the text as it was before the
/// update, after its anchors and after the chunk before it; then all are spliced at once. Any
/// chunk that cannot be placed refuses the whole update.
fn apply_patch(
    state: &mut State,
    chunks: &[PatchChunk],
    opts: &MatchOptions,
) -> Result<Vec<Layer>, EditErrorKind> {
    require_exists(state)?;
    if !chunks.iter().any(PatchChunk::changes_something) {
        return Err(EditErrorKind::NoChange);
    }
    let lines = split_lines(&state.text);
    let mut from = 0;
    let mut splices = Vec::new();
    let mut layers = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let in_chunk = |cause| EditErrorKind::InChunk { chunk: i, cause: Box::new(cause) };
        let (splice, layer, next) = place_chunk(&lines, chunk, from, opts).map_err(in_chunk)?;
        from = next;
        splices.push(splice);
        layers.push(layer);
    }
    // Additions at the end of the file can come before later chunks in patch order.
    splices.sort_by_key(|s| s.start);
    let mut text = String::new();
    let mut at = 0;
    for splice in &splices {
        // Chunks are placed in order, so splices never overlap.
        let kept = lines.get(at..splice.start).unwrap_or_default();
        for line in kept.iter().copied().chain(splice.with.iter().map(String::as_str)) {
            text.push_str(line);
            text.push('\n');
        }
        at = at.max(splice.start + splice.len);
    }
    for line in lines.get(at..).unwrap_or_default() {
        text.push_str(line);
        text.push('\n');
    }
    set_text(state, text);
    Ok(layers)
}

/// Where one chunk goes, the layer it matched at, and where the next chunk may start.
fn place_chunk(
    lines: &[&str],
    chunk: &PatchChunk,
    mut from: usize,
    opts: &MatchOptions,
) -> Result<(Splice, Layer, usize), EditErrorKind> {
    for anchor in &chunk.anchors {
        let at = find_anchor(lines, anchor, from, opts)
            .ok_or_else(|| EditErrorKind::AnchorNotFound { anchor: anchor.clone() })?;
        from = at + 1;
    }
    if old_lines(&chunk.lines).next().is_none() {
        return place_addition(lines, chunk, from);
    }
    let (chunk_lines, start, layer) = locate_chunk(lines, chunk, from, opts)?;
    let old: Vec<&str> = old_lines(chunk_lines).collect();
    let region = &lines[start..start + old.len()];
    let added: Vec<&str> = chunk_lines
        .iter()
        .filter_map(|l| match l {
            DiffLine::Added(t) => Some(chomp(t)),
            _ => None,
        })
        .collect();
    let added = fit_added_lines(layer, region, &old, &added);
    refuse_new_elisions_lines(&added, region)?;
    let with = merge_chunk(chunk_lines, region, added);
    Ok((Splice { start, len: old.len(), with }, layer, start + old.len()))
}

/// The chunk's lines as matched (blank context lines at its edges dropped if that is what it
/// took), where its old lines start, and the layer. Where the anchors or the previous chunk
/// left off is a line hint (it settles ties only); the first chunk without anchors must match
/// exactly once in the file.
fn locate_chunk<'c>(
    lines: &[&str],
    chunk: &'c PatchChunk,
    from: usize,
    opts: &MatchOptions,
) -> Result<(&'c [DiffLine], usize, Layer), EditErrorKind> {
    let hint = (from > 0).then_some(from + 1);
    let locate = |chunk_lines: &[DiffLine]| {
        let old: Vec<&str> = old_lines(chunk_lines).collect();
        locate_run(lines, &LineRun { lines: &old, from, hint, at_end: chunk.end_of_file }, opts)
    };
    let first = match locate(&chunk.lines) {
        Ok((start, layer)) => return Ok((&chunk.lines, start, layer)),
        Err(ambiguous @ EditErrorKind::Ambiguous { .. }) => return Err(ambiguous),
        Err(not_found) => not_found,
    };
    // Blank lines a model leaves at a chunk's edges (often standing for the final newline)
    // need not be in the file.
    let trimmed = without_blank_edges(&chunk.lines);
    if trimmed.len() == chunk.lines.len() || old_lines(trimmed).next().is_none() {
        return Err(first);
    }
    let (start, layer) = locate(trimmed).map_err(|_| first)?;
    Ok((trimmed, start, layer))
}

/// A chunk of `+` lines only: inserted right after its last anchor, or at the end of the file
/// when it has none (codex's reading) or is marked `*** End of File`.
fn place_addition(
    lines: &[&str],
    chunk: &PatchChunk,
    from: usize,
) -> Result<(Splice, Layer, usize), EditErrorKind> {
    let with: Vec<String> = chunk
        .lines
        .iter()
        .filter_map(|l| match l {
            DiffLine::Added(t) => Some(chomp(t).to_string()),
            _ => None,
        })
        .collect();
    refuse_new_elisions_lines(&with, &[])?;
    let after_anchor = !chunk.anchors.is_empty() && !chunk.end_of_file;
    let start = if after_anchor { from } else { lines.len() };
    Ok((Splice { start, len: 0, with }, Layer::Exact, from))
}

/// The chunk's old lines (context and removed) without their line breaks.
fn old_lines(lines: &[DiffLine]) -> impl Iterator<Item = &str> {
    lines.iter().filter_map(|l| match l {
        DiffLine::Context(t) | DiffLine::Removed(t) => Some(chomp(t)),
        DiffLine::Added(_) => None,
    })
}

fn without_blank_edges(lines: &[DiffLine]) -> &[DiffLine] {
    let blank = |l: &DiffLine| matches!(l, DiffLine::Context(t) if t.trim().is_empty());
    let lead = lines.iter().take_while(|l| blank(l)).count();
    let trail = lines[lead..].iter().rev().take_while(|l| blank(l)).count();
    &lines[lead..lines.len() - trail]
}

/// The new lines for a matched region: context lines are the file's own bytes (a lenient match
/// never rewrites them), `-` lines go, `+` lines come in.
fn merge_chunk(chunk_lines: &[DiffLine], region: &[&str], added: Vec<String>) -> Vec<String> {
    let mut region = region.iter();
    let mut added = added.into_iter();
    let mut out = Vec::new();
    for line in chunk_lines {
        match line {
            DiffLine::Context(_) => out.extend(region.next().map(|l| l.to_string())),
            DiffLine::Removed(_) => {
                region.next();
            }
            DiffLine::Added(_) => out.extend(added.next()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace_edit(old: &str, new: &str, block: usize) -> Edit {
        let kind = EditKind::Replace {
            old_text: old.into(),
            new_text: new.into(),
            line_hint: None,
            replace_all: false,
        };
        Edit { path: "f.txt".into(), kind, block }
    }

    #[test]
    fn crlf_bom_and_missing_final_newline_survive_an_edit() {
        let base = "\u{feff}one\r\ntwo\r\nthree";
        let edit = replace_edit("three\n", "THREE\n", 0);
        let got = apply_file(Some(base), &[&edit], &MatchOptions::default());
        assert_eq!(got.result, FileResult::Modified("\u{feff}one\r\ntwo\r\nTHREE".into()));
    }

    #[test]
    fn blocks_that_match_stand_when_another_fails() {
        let a = replace_edit("one\n", "1\n", 0);
        let b = replace_edit("nothing like it\n", "x\n", 1);
        let got = apply_file(Some("one\ntwo\n"), &[&a, &b], &MatchOptions::default());
        assert_eq!(got.result, FileResult::Modified("1\ntwo\n".into()));
        assert_eq!(got.errors.len(), 1);
        assert_eq!(got.errors[0].block, 1);
    }

    #[test]
    fn failed_file_is_never_emptied() {
        let a = replace_edit("absent\n", "", 0);
        let got = apply_file(Some("keep me\n"), &[&a], &MatchOptions::default());
        assert_eq!(got.result, FileResult::Failed);
    }

    #[test]
    fn empty_search_creates_a_missing_file_and_refuses_on_content() {
        let a = replace_edit("", "hello\n", 0);
        assert_eq!(
            apply_file(None, &[&a], &MatchOptions::default()).result,
            FileResult::Created("hello\n".into())
        );
        assert_eq!(apply_file(Some("x\n"), &[&a], &MatchOptions::default()).result, FileResult::Failed);
    }

    #[test]
    fn blocks_out_of_order_apply() {
        let a = replace_edit("three\n", "3\n", 0);
        let b = replace_edit("one\n", "1\n", 1);
        let got = apply_file(Some("one\ntwo\nthree\n"), &[&a, &b], &MatchOptions::default());
        assert_eq!(got.result, FileResult::Modified("1\ntwo\n3\n".into()));
    }
}

#[cfg(test)]
mod patch_tests {
    use super::*;
    use crate::parse::apply_patch;

    /// Applies an `*** Update File: f.txt` section with these chunks to `base`.
    fn update(base: &str, chunks: &str) -> FileApply {
        let reply = format!("*** Begin Patch\n*** Update File: f.txt\n{chunks}*** End Patch\n");
        let out = apply_patch::parse(&reply).into_output();
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let edits: Vec<&Edit> = out.edits.iter().collect();
        apply_file(Some(base), &edits, &MatchOptions::default())
    }

    fn modified(got: &FileApply) -> &str {
        match &got.result {
            FileResult::Modified(text) => text,
            other => panic!("expected a modified file, got {other:?} with {:?}", got.errors),
        }
    }

    /// The one chunk error of a refused file: the chunk (0-based) and why.
    fn chunk_error(got: FileApply) -> (usize, EditErrorKind) {
        assert_eq!(got.result, FileResult::Failed);
        match <[EditError; 1]>::try_from(got.errors) {
            Ok([EditError { kind: EditErrorKind::InChunk { chunk, cause }, .. }]) => (chunk, *cause),
            other => panic!("expected one chunk error, got {other:?}"),
        }
    }

    #[test]
    fn lenient_match_keeps_the_files_own_context_bytes() {
        let base = "def greet():\n    msg = \u{201c}hello\u{201d} \n    print(msg)\u{a0}\n    return None\n";
        let got = update(
            base,
            "@@ def greet():\n     msg = \"hello\"\n-    print(msg)\n+    log(msg)\n     return None\n",
        );
        assert_eq!(
            modified(&got),
            "def greet():\n    msg = \u{201c}hello\u{201d} \n    log(msg)\n    return None\n"
        );
        assert_eq!(got.layers, vec![Layer::Punctuation]);
    }

    #[test]
    fn a_chunk_that_fails_leaves_the_whole_file_untouched() {
        let got = update("a\nb\nc\n", "@@\n-a\n+A\n@@\n-nothing like it\n+x\n");
        let message = got.errors.first().map(ToString::to_string).unwrap_or_default();
        assert!(
            message.contains("chunk 2") && message.contains("nothing in this file was changed"),
            "{message}"
        );
        let (chunk, cause) = chunk_error(got);
        assert_eq!(chunk, 1);
        assert!(matches!(cause, EditErrorKind::NoMatch { .. }), "{cause:?}");
    }

    #[test]
    fn end_of_file_chunk_is_placed_at_the_end_only() {
        let base = "x\nend\nmid\nx\nend\n";
        let eof = update(base, "@@\n x\n-end\n+END\n*** End of File\n");
        assert_eq!(modified(&eof), "x\nend\nmid\nx\nEND\n");
        let (_, cause) = chunk_error(update(base, "@@\n x\n-end\n+END\n"));
        assert_eq!(cause, EditErrorKind::Ambiguous { lines: vec![1, 4] });
        let (_, cause) = chunk_error(update("x\nend\ntail\n", "@@\n-end\n+E\n*** End of File\n"));
        assert!(matches!(cause, EditErrorKind::NotAtEndOfFile { .. }), "{cause:?}");
    }

    #[test]
    fn nested_anchors_pick_the_method_of_the_named_class() {
        let base =
            "class A:\n    def f(self):\n        return 1\n\nclass B:\n    def f(self):\n        return 1\n";
        let got = update(base, "@@ class B:\n@@     def f(self):\n-        return 1\n+        return 2\n");
        assert_eq!(
            modified(&got),
            "class A:\n    def f(self):\n        return 1\n\nclass B:\n    def f(self):\n        return 2\n"
        );
        let (_, cause) = chunk_error(update(base, "@@\n-        return 1\n+        return 2\n"));
        assert_eq!(cause, EditErrorKind::Ambiguous { lines: vec![3, 7] });
        let (_, cause) = chunk_error(update(base, "@@ class C:\n-        return 1\n+        return 2\n"));
        assert_eq!(cause, EditErrorKind::AnchorNotFound { anchor: "class C:".into() });
    }

    #[test]
    fn chunks_out_of_file_order_are_refused_with_where_they_are() {
        let (chunk, cause) = chunk_error(update("a\nb\nc\n", "@@\n-c\n+C\n@@\n-a\n+A\n"));
        assert_eq!(chunk, 1);
        assert_eq!(cause, EditErrorKind::OutOfOrder { at_line: 1, after_line: 3 });
    }

    #[test]
    fn additions_go_after_their_anchor_or_at_the_end() {
        let base = "fn a() {\n}\nfn b() {\n}\n";
        let anchored = update(base, "@@ fn a() {\n+    call();\n");
        assert_eq!(modified(&anchored), "fn a() {\n    call();\n}\nfn b() {\n}\n");
        let bare = update(base, "@@\n+fn c() {}\n");
        assert_eq!(modified(&bare), "fn a() {\n}\nfn b() {\n}\nfn c() {}\n");
    }

    #[test]
    fn crlf_file_keeps_its_line_endings() {
        let got = update("one\r\ntwo\r\nthree\r\n", "@@\n one\n-two\n+2\n");
        assert_eq!(modified(&got), "one\r\n2\r\nthree\r\n");
    }

    #[test]
    fn added_lines_follow_the_files_indentation_when_the_patch_lost_it() {
        let got = update("    if x:\n        y()\n", "@@\n if x:\n-    y()\n+    z()\n");
        assert_eq!(modified(&got), "    if x:\n        z()\n");
        assert_eq!(got.layers, vec![Layer::Indentation]);
    }

    #[test]
    fn blank_context_at_a_chunks_edge_need_not_be_in_the_file() {
        let got = update("a\nb\n", "@@\n a\n-b\n+B\n\n");
        assert_eq!(modified(&got), "a\nB\n");
    }

    #[test]
    fn an_update_that_changes_nothing_or_has_no_file_is_refused() {
        let same = update("a\nb\n", "@@\n a\n b\n");
        assert_eq!(same.errors[0].kind, EditErrorKind::NoChange);
        let reply = "*** Begin Patch\n*** Update File: f.txt\n@@\n-a\n+b\n*** End Patch\n";
        let out = apply_patch::parse(reply).into_output();
        let got = apply_file(None, &[&out.edits[0]], &MatchOptions::default());
        assert_eq!(got.errors[0].kind, EditErrorKind::FileMissing);
    }

    #[test]
    fn a_placeholder_in_added_lines_is_refused() {
        let got = update("a\nb\n", "@@\n a\n-b\n+// ... existing code ...\n");
        assert_eq!(got.result, FileResult::Failed);
        let (_, cause) = chunk_error(update("a\nb\n", "@@\n+// ... existing code ...\n"));
        assert_eq!(cause, EditErrorKind::ElisionInReplacement);
    }
}
