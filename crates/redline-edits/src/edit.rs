//! The common shape every edit format is parsed into.

use serde::{Deserialize, Serialize};

/// One change a model asked for, on one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The path as the model wrote it (not resolved: the caller confines it to the project).
    pub path: String,
    pub kind: EditKind,
    /// Position of this block in the reply (0-based, counting shell blocks too), used in errors.
    pub block: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EditKind {
    /// Find `old_text` and put `new_text` in its place.
    Replace {
        old_text: String,
        new_text: String,
        /// 1-based line where the model says `old_text` starts.
        line_hint: Option<usize>,
        replace_all: bool,
    },
    /// A new file; refused if the file already exists with different content.
    Create {
        content: String,
    },
    /// The whole new content of an existing (or new) file; may contain elisions.
    Whole {
        content: String,
    },
    Delete,
    Rename {
        to: String,
    },
    /// Hunks of a unified diff for this file.
    UnifiedDiff {
        hunks: Vec<DiffHunk>,
    },
    /// The chunks of an apply_patch (V4A) `*** Update File:` section, placed in order; they
    /// apply all together or not at all.
    Patch {
        chunks: Vec<PatchChunk>,
    },
}

/// One `@@` hunk as a model wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunk {
    /// 1-based old start line from the `@@ -a,b +c,d @@` header, when it had numbers.
    pub old_start: Option<usize>,
    /// Lines with their first column: ' ' context, '-' removed, '+' added.
    pub lines: Vec<DiffLine>,
}

/// One `@@` chunk of an apply_patch update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchChunk {
    /// The `@@ <line>` anchors before the chunk, outermost first (`@@ class A` then
    /// `@@ def f():`): each is a whole line of the file, found after the one before; the chunk
    /// comes after the last.
    pub anchors: Vec<String>,
    /// Lines with their first column: ' ' context, '-' removed, '+' added.
    pub lines: Vec<DiffLine>,
    /// `*** End of File`: the chunk's context and removed lines are the file's last lines.
    pub end_of_file: bool,
}

impl PatchChunk {
    /// Whether the chunk adds or removes anything (a chunk of context only changes nothing).
    pub fn changes_something(&self) -> bool {
        self.lines.iter().any(|l| !matches!(l, DiffLine::Context(_)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Context(String),
    Removed(String),
    Added(String),
}

impl DiffHunk {
    /// The text the hunk expects to find (context and removed lines).
    pub fn before_text(&self) -> String {
        self.lines
            .iter()
            .filter_map(|l| match l {
                DiffLine::Context(t) | DiffLine::Removed(t) => Some(t.as_str()),
                DiffLine::Added(_) => None,
            })
            .collect()
    }

    /// The text the hunk leaves behind (context and added lines).
    pub fn after_text(&self) -> String {
        self.lines
            .iter()
            .filter_map(|l| match l {
                DiffLine::Context(t) | DiffLine::Added(t) => Some(t.as_str()),
                DiffLine::Removed(_) => None,
            })
            .collect()
    }
}

/// A fenced shell block the model suggested (never run by this crate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellBlock {
    /// Position of this block in the reply (0-based, counting edit blocks too).
    pub block: usize,
    pub command: String,
}

/// A reply that could not be read as edits, with the line where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line in the reply.
    pub line: usize,
    pub message: String,
}

/// Everything read from one reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseOutput {
    pub edits: Vec<Edit>,
    pub shell: Vec<ShellBlock>,
    pub errors: Vec<ParseError>,
}
