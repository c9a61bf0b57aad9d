//! Syntax highlighting to escaped, classed HTML (`hl-*` classes, themed by [`theme_css`]).
//!
//! Syntect's assets load once, on first use. A [`Document`] keeps parser checkpoints every
//! [`CHECKPOINT_EVERY`] lines, so highlighting lines deep in a big file re-parses from the nearest
//! checkpoint, not from the top. Model replies become sanitized HTML through
//! [`markdown_to_html`]. This crate never does file I/O, and everything it returns is safe to
//! insert as HTML: all text is escaped, all markup sanitized.

mod markdown;
mod pool;

use std::fmt::Write as _;
use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, line_tokens_to_classed_spans, ClassStyle};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

pub use markdown::markdown_to_html;
pub use pool::DocumentPool;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
/// Lines between two cached parser states.
pub const CHECKPOINT_EVERY: usize = 256;
/// Longer lines are shown escaped but not parsed: one minified line must not freeze the view.
const MAX_PARSED_LINE: usize = 20_000;
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn syntax_for(path: &str, first_line: &str) -> &'static SyntaxReference {
    let set = syntaxes();
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
    set.find_syntax_by_extension(file_name)
        .or_else(|| set.find_syntax_by_extension(extension))
        .or_else(|| set.find_syntax_by_first_line(first_line))
        .unwrap_or_else(|| set.find_syntax_plain_text())
}

/// The language's display name ("Rust", "Python", "Plain Text"…), by file name, extension, then
/// the first line (shebangs, modelines).
pub fn language_for(path: &str, first_line: &str) -> &'static str {
    &syntax_for(path, first_line).name
}

/// A file's text, highlighted on demand by line range.
pub struct Document {
    syntax: &'static SyntaxReference,
    text: String,
    /// Byte offset where each line starts (lines keep their `\n`).
    line_starts: Vec<usize>,
    /// `checkpoints[k]` is the parser state before line `k * CHECKPOINT_EVERY`.
    checkpoints: Vec<(ParseState, ScopeStack)>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("language", &self.syntax.name)
            .field("lines", &self.line_count())
            .finish()
    }
}

impl Document {
    pub fn new(path: &str, text: String) -> Document {
        let syntax = syntax_for(path, text.lines().next().unwrap_or(""));
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
        if text.is_empty() {
            line_starts.clear();
        }
        let checkpoints = vec![(ParseState::new(syntax), ScopeStack::new())];
        Document { syntax, text, line_starts, checkpoints }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    pub fn language(&self) -> &str {
        &self.syntax.name
    }

    fn line(&self, index: usize) -> &str {
        let start = self.line_starts[index];
        let end = self.line_starts.get(index + 1).copied().unwrap_or(self.text.len());
        &self.text[start..end]
    }

    /// HTML of lines `[start, start + count)`, clamped to the document. Each line is balanced:
    /// spans still open at its end are closed there and reopened on the next line.
    pub fn lines_html(&mut self, start: usize, count: usize) -> Vec<String> {
        let end = start.saturating_add(count).min(self.line_count());
        if start >= end {
            return Vec::new();
        }
        let checkpoint = (start / CHECKPOINT_EVERY).min(self.checkpoints.len() - 1);
        let (mut state, mut stack) = self.checkpoints[checkpoint].clone();
        let mut out = Vec::with_capacity(end - start);
        for index in checkpoint * CHECKPOINT_EVERY..end {
            if index % CHECKPOINT_EVERY == 0 && index / CHECKPOINT_EVERY == self.checkpoints.len() {
                self.checkpoints.push((state.clone(), stack.clone()));
            }
            let html = highlight_line(self.line(index), &mut state, &mut stack);
            if index >= start {
                out.push(html);
            }
        }
        out
    }
}

/// Highlights one line (with its newline), advancing the parser; returns balanced HTML without
/// the line terminator.
fn highlight_line(line: &str, state: &mut ParseState, stack: &mut ScopeStack) -> String {
    let visible = line.trim_end_matches(['\n', '\r']);
    if line.len() > MAX_PARSED_LINE {
        return escape(visible);
    }
    let reopen = open_spans(stack);
    let ops = match state.parse_line(line, syntaxes()) {
        Ok(ops) => ops,
        Err(_) => return escape(visible),
    };
    // Tokens past the visible part (the newline) only close or open scopes; drop their text.
    let ops: Vec<_> = ops.into_iter().map(|(i, op)| (i.min(visible.len()), op)).collect();
    match line_tokens_to_classed_spans(visible, &ops, STYLE, stack) {
        Ok((html, _)) => {
            let mut out = reopen;
            out.push_str(&html);
            for _ in 0..stack.len() {
                out.push_str("</span>");
            }
            out
        }
        Err(_) => escape(visible),
    }
}

fn open_spans(stack: &ScopeStack) -> String {
    let mut out = String::new();
    for scope in stack.as_slice() {
        out.push_str("<span class=\"");
        out.push_str(&classes(*scope));
        out.push_str("\">");
    }
    out
}

fn classes(scope: Scope) -> String {
    let name = scope.build_string();
    let mut out = String::with_capacity(name.len() + 8);
    for (i, atom) in name.split('.').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "hl-{atom}");
    }
    out
}

/// HTML-escapes text (`<`, `>`, `&`, quotes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// HTML of the given 1-based lines of one version of a file (for diffs), parsing only up to
/// the last line asked for. Numbers past the end give empty strings.
pub fn highlight_lines(path: &str, text: &str, line_numbers: &[u32]) -> Vec<String> {
    let Some(&last) = line_numbers.iter().max() else { return Vec::new() };
    let mut doc = Document::new(path, text.to_owned());
    let all = doc.lines_html(0, last as usize);
    line_numbers
        .iter()
        .map(|&n| n.checked_sub(1).and_then(|i| all.get(i as usize)).cloned().unwrap_or_default())
        .collect()
}

/// A fenced code block's text highlighted by its info-string language (`rust`, `py`, `ts`…),
/// falling back to plain escaped text.
pub fn highlight_code_block(lang: &str, code: &str) -> String {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .or_else(|| set.find_syntax_by_first_line(code.lines().next().unwrap_or("")))
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = String::with_capacity(code.len() * 2);
    for (i, line) in code.split_inclusive('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&highlight_line(line, &mut state, &mut stack));
    }
    out
}

/// CSS for the `hl-*` classes in both schemes, following `prefers-color-scheme`, with the
/// themes' colours as `--hl-bg` and `--hl-fg`.
pub fn theme_css() -> String {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let mut css = String::new();
        for (name, media) in [(LIGHT_THEME, None), (DARK_THEME, Some("(prefers-color-scheme: dark)"))] {
            let Some(theme) = themes.themes.get(name) else { continue };
            let rules = css_for_theme_with_class_style(theme, STYLE).unwrap_or_default();
            let bg = theme.settings.background.map(hex).unwrap_or_default();
            let fg = theme.settings.foreground.map(hex).unwrap_or_default();
            let vars = format!(":root {{ --hl-bg: {bg}; --hl-fg: {fg}; }}\n");
            // The theme's own `.hl-code` block sets a page background; the UI sets its own.
            match media {
                None => {
                    css.push_str(&vars);
                    css.push_str(&rules);
                }
                Some(media) => {
                    let _ = write!(css, "@media {media} {{\n{vars}{rules}\n}}\n");
                }
            }
        }
        css
    })
    .clone()
}

fn hex(c: syntect::highlighting::Color) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

#[cfg(test)]
mod tests;
