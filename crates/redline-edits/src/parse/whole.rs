//! Whole files: a path line, then a fenced block holding the complete new content.

use super::search_replace::strip_filename;
use super::{ParseOptions, Parsed};
use crate::edit::{Edit, EditKind};
use crate::line_reader::{read_all, LineReader};
use crate::stream::ParseEvent;

/// Reads every `path` + fenced block pair of a reply.
pub(crate) fn parse(text: &str, opts: &ParseOptions) -> Parsed {
    read_all(text, WholeFileReader::new(opts))
}

/// Reads whole files line by line: the file's path is decided at the opening fence, and the
/// file is emitted at the closing one.
#[derive(Debug, Clone)]
pub(crate) struct WholeFileReader {
    opts: ParseOptions,
    /// The line before the current one, which may name the file of a fence opened on this one.
    previous: Option<String>,
    /// The text since the last fenced block, which may mention a known file (only kept when
    /// there are known files).
    prose: String,
    fence: Option<Fence>,
    /// Edits emitted so far.
    blocks: usize,
}

/// An open fenced block.
#[derive(Debug, Clone)]
struct Fence {
    opener: String,
    /// `None` when nothing names the file: the block is read but yields no edit.
    path: Option<String>,
    content: String,
}

impl LineReader for WholeFileReader {
    fn line(&mut self, line: &str, out: &mut Vec<ParseEvent>) {
        match &mut self.fence {
            Some(fence) if closes(line, &fence.opener) => {
                if let Some(fence) = self.fence.take() {
                    self.emit(fence, out);
                }
                self.prose.clear();
            }
            Some(fence) => fence.content.push_str(line),
            None => match fence_opener(line) {
                Some(opener) => {
                    let path = info_string_path(line, &opener, &self.opts)
                        .or_else(|| line_path(self.previous.as_deref(), &self.opts))
                        .or_else(|| mentioned_path(&self.prose, &self.opts))
                        .or_else(|| self.opts.default_path.clone());
                    self.fence = Some(Fence { opener, path, content: String::new() });
                }
                None if self.opts.known_paths.is_empty() => {}
                None => self.prose.push_str(line),
            },
        }
        let previous = self.previous.get_or_insert_with(String::new);
        previous.clear();
        previous.push_str(line);
    }

    fn finish(&mut self, out: &mut Vec<ParseEvent>) {
        // A reply cut off inside a fence still holds the file so far.
        if let Some(fence) = self.fence.take() {
            self.emit(fence, out);
        }
    }
}

impl WholeFileReader {
    pub(crate) fn new(opts: &ParseOptions) -> Self {
        Self { opts: opts.clone(), previous: None, prose: String::new(), fence: None, blocks: 0 }
    }

    fn emit(&mut self, fence: Fence, out: &mut Vec<ParseEvent>) {
        if let Some(path) = fence.path {
            let edit = Edit { path, kind: EditKind::Whole { content: fence.content }, block: self.blocks };
            out.push(ParseEvent::Edit(edit));
            self.blocks += 1;
        }
    }
}

/// The backtick run opening a fence (three or more backticks at the start of the line).
pub(crate) fn fence_opener(line: &str) -> Option<String> {
    let t = line.trim_start();
    let run: String = t.chars().take_while(|&c| c == '`').collect();
    (run.len() >= 3).then_some(run)
}

/// A line closing a fence: only backticks, at least as many as the opener.
fn closes(line: &str, opener: &str) -> bool {
    let t = line.trim();
    t.len() >= opener.len() && t.chars().all(|c| c == '`')
}

/// ```` ```python:src/app.py ```` or ```` ```src/app.py ````.
fn info_string_path(line: &str, opener: &str, opts: &ParseOptions) -> Option<String> {
    let info = line.trim().strip_prefix(opener)?.trim();
    let candidate = info.rsplit([':', ' ']).next()?;
    plausible_path(candidate, opts).then(|| candidate.to_string())
}

fn line_path(line: Option<&str>, opts: &ParseOptions) -> Option<String> {
    let name = strip_filename(line?, &opts.fence)?;
    let name = resolve_known(&name, opts).unwrap_or(name);
    plausible_path(&name, opts).then_some(name)
}

/// A known file whose name (or full path) the prose right before the fence mentions last.
fn mentioned_path(text: &str, opts: &ParseOptions) -> Option<String> {
    opts.known_paths
        .iter()
        .filter_map(|k| {
            let name = k.rsplit(['/', '\\']).next().unwrap_or(k);
            text.rfind(name).map(|at| (at, k))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, k)| k.clone())
}

/// `path/to/x.txt` written for a known `x.txt` (or the reverse) means the known file.
fn resolve_known(name: &str, opts: &ParseOptions) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let matches: Vec<&String> = opts
        .known_paths
        .iter()
        .filter(|k| *k == name || k.rsplit(['/', '\\']).next() == Some(base))
        .collect();
    (matches.len() == 1).then(|| matches[0].clone())
}

/// A file name has no spaces and has an extension or a folder, unless the caller knows it.
fn plausible_path(name: &str, opts: &ParseOptions) -> bool {
    if opts.known_paths.iter().any(|k| k == name) {
        return true;
    }
    !name.is_empty()
        && !name.contains(char::is_whitespace)
        && (name.contains('.') || name.contains('/'))
        && name.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ItemKind;

    fn whole(text: &str, known: &[&str]) -> Vec<(String, String)> {
        let opts = ParseOptions {
            known_paths: known.iter().map(|s| s.to_string()).collect(),
            ..ParseOptions::default()
        };
        parse(text, &opts)
            .items
            .into_iter()
            .filter_map(|i| match i.kind {
                ItemKind::Edit(Edit { path, kind: EditKind::Whole { content }, .. }) => Some((path, content)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn path_line_then_fence_is_a_whole_file() {
        assert_eq!(
            whole("sample.txt\n```\nUpdated\n```", &[]),
            vec![("sample.txt".into(), "Updated\n".into())]
        );
    }

    #[test]
    fn longer_fence_keeps_inner_fences_as_content() {
        let got = whole("a.md\n````\nx\n```\ny\n```\n````\n", &[]);
        assert_eq!(got[0].1, "x\n```\ny\n```\n");
    }

    #[test]
    fn prose_is_not_taken_for_a_path() {
        assert!(whole("Here is the code:\n```\nx\n```\n", &[]).is_empty());
    }

    #[test]
    fn a_known_file_named_in_the_prose_claims_an_unlabelled_fence() {
        let got = whole("Here is the new `a.txt`:\n\n```\nafter\n```\n", &["a.txt", "b.txt"]);
        assert_eq!(got, vec![("a.txt".into(), "after\n".into())]);
    }
}
