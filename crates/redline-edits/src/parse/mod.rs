//! Turning a model's reply into [`Edit`]s, whatever format it answered in.

pub(crate) mod apply_patch;
mod markers;
pub(crate) mod search_replace;
pub(crate) mod tool_calls;
pub(crate) mod udiff;
pub(crate) mod whole;

use serde::{Deserialize, Serialize};

use crate::edit::{Edit, ParseError, ParseOutput, ShellBlock};
use crate::text::lines_keep;

/// The edit formats a model can be asked to answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// JSON tool calls: `edit_file`, `create_file`, `delete_file`, `rename_file`.
    ToolCalls,
    /// SEARCH/REPLACE blocks (Aider, Cline and Roo dialects).
    SearchReplace,
    /// Unified diffs.
    UnifiedDiff,
    /// A path line then the whole file in a fence.
    WholeFile,
    /// OpenAI's apply_patch (V4A): `*** Begin Patch` … `*** End Patch`, in a reply or an
    /// `apply_patch` tool call.
    ApplyPatch,
}

/// Which format to read a reply as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormatChoice {
    /// The first unmistakable marker decides; a reply with none is read as whole files.
    Auto,
    Exact(Format),
}

/// What the parsers need to know beyond the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// The fence the model was told to use (Aider: ```` ``` ```` or ```` ```` ````).
    pub fence: String,
    /// Paths the model was shown; used to resolve file names it shortened.
    pub known_paths: Vec<String>,
    /// The file a block without any file name belongs to (single-file requests).
    pub default_path: Option<String>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self { fence: "```".to_string(), known_paths: Vec::new(), default_path: None }
    }
}

/// One thing read from a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub kind: ItemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Edit(Edit),
    Shell(ShellBlock),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub items: Vec<Item>,
    pub errors: Vec<ParseError>,
}

impl Parsed {
    pub(crate) fn into_output(self) -> ParseOutput {
        let mut out = ParseOutput { errors: self.errors, ..ParseOutput::default() };
        for item in self.items {
            match item.kind {
                ItemKind::Edit(e) => out.edits.push(e),
                ItemKind::Shell(s) => out.shell.push(s),
            }
        }
        out
    }
}

/// Reads a reply with default options.
pub fn parse_reply(reply: &str, choice: FormatChoice) -> ParseOutput {
    parse_reply_with(reply, choice, &ParseOptions::default())
}

/// Reads a reply; never panics, and a reply it cannot read yields errors, not edits.
pub fn parse_reply_with(reply: &str, choice: FormatChoice, opts: &ParseOptions) -> ParseOutput {
    let format = match choice {
        FormatChoice::Exact(f) => f,
        FormatChoice::Auto => detect_format(reply).unwrap_or(Format::WholeFile),
    };
    parse_as(reply, format, opts).into_output()
}

pub(crate) fn parse_as(reply: &str, format: Format, opts: &ParseOptions) -> Parsed {
    match format {
        Format::ToolCalls => tool_calls::parse(reply),
        Format::SearchReplace => search_replace::parse(reply, opts),
        Format::UnifiedDiff => udiff::parse(reply, opts),
        Format::WholeFile => whole::parse(reply, opts),
        Format::ApplyPatch => apply_patch::parse(reply),
    }
}

/// The format a reply is written in, decided by its first unmistakable marker; `None` while no
/// marker has been seen (a whole-file reply has none).
pub fn detect_format(reply: &str) -> Option<Format> {
    let start = reply.trim_start();
    if start.starts_with("[{") || start.starts_with("{\"") || start.starts_with("[\n") {
        return Some(Format::ToolCalls);
    }
    let lines = lines_keep(reply);
    for (i, line) in lines.iter().enumerate() {
        // A marker counts only once its line is complete, so a streaming prefix decides the same.
        if !line.ends_with('\n') {
            break;
        }
        if markers::marker(line) == Some(markers::Marker::Head) {
            return Some(Format::SearchReplace);
        }
        if apply_patch::is_begin(line) {
            return Some(Format::ApplyPatch);
        }
        let next_complete = lines.get(i + 1).is_some_and(|l| l.ends_with('\n'));
        if line.starts_with("--- ") && next_complete && lines[i + 1].starts_with("+++ ") {
            return Some(Format::UnifiedDiff);
        }
    }
    None
}

/// The format to ask a model for: whole files for small local models (they garble markers),
/// apply_patch for the models trained on it, tool calls for models with reliable tool support,
/// SEARCH/REPLACE otherwise.
pub fn edit_format_for_model(model_id: &str) -> Format {
    let id = model_id.to_ascii_lowercase();
    if is_small_local_model(&id) {
        return Format::WholeFile;
    }
    let name = id.rsplit('/').next().unwrap_or(&id);
    // The models codex (OpenAI's own agent) edits with apply_patch: GPT-5 and the *-codex
    // models get it as their native tool; gpt-4.1, o3 and o4-mini get the format in their
    // instructions (OpenAI's GPT-4.1 guide says it was trained on it heavily); gpt-oss gets it
    // as a function tool. gpt-4o and gpt-3.5 are left on tool calls: codex has to teach them the
    // format in the prompt, and they were not trained on it.
    const APPLY_PATCH_FAMILIES: &[&str] = &["gpt-5", "gpt-4.1", "o3", "o4", "gpt-oss"];
    if APPLY_PATCH_FAMILIES.iter().any(|f| name.starts_with(f)) || name.contains("codex") {
        return Format::ApplyPatch;
    }
    const TOOL_FAMILIES: &[&str] = &[
        "claude",
        "gpt-4",
        "gpt-5",
        "o1",
        "o3",
        "o4",
        "gemini",
        "mistral-large",
        "codestral",
        "qwen3",
        "kimi",
        "glm-4",
        "deepseek-v3",
        "deepseek-chat",
        "grok",
    ];
    if TOOL_FAMILIES.iter().any(|f| name.starts_with(f)) {
        Format::ToolCalls
    } else {
        Format::SearchReplace
    }
}

/// A parameter count tag of 8B or less (`:7b`, `-3b-`, `1.5b`), or a family known to be tiny.
fn is_small_local_model(id: &str) -> bool {
    // Redline's built-in engine runs small models in-process.
    if id.starts_with("builtin/") {
        return true;
    }
    let tiny_family = ["tinyllama", "phi-2", "phi3:mini", "smollm", "gemma:2b", "gemma2:2b"];
    if tiny_family.iter().any(|f| id.contains(f)) {
        return true;
    }
    id.split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
        .filter_map(|tok| tok.strip_suffix('b'))
        .filter_map(|n| n.parse::<f64>().ok())
        .any(|size| size <= 8.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_table_picks_whole_file_for_small_local_models() {
        assert_eq!(edit_format_for_model("qwen2.5-coder:7b"), Format::WholeFile);
        assert_eq!(edit_format_for_model("llama3.2:3b-instruct"), Format::WholeFile);
        assert_eq!(edit_format_for_model("claude-sonnet-4-5"), Format::ToolCalls);
        assert_eq!(edit_format_for_model("openai/gpt-4o"), Format::ToolCalls);
        assert_eq!(edit_format_for_model("qwen2.5-coder:32b"), Format::SearchReplace);
    }

    #[test]
    fn model_table_picks_apply_patch_for_the_models_trained_on_it() {
        for id in ["gpt-5", "openai/gpt-5.1-codex-max", "gpt-4.1-mini", "codex-mini-latest", "o3", "o4-mini"]
        {
            assert_eq!(edit_format_for_model(id), Format::ApplyPatch, "{id}");
        }
        assert_eq!(edit_format_for_model("gpt-4o-mini"), Format::ToolCalls);
        assert_eq!(edit_format_for_model("o1"), Format::ToolCalls);
    }

    #[test]
    fn detection_uses_the_first_marker() {
        assert_eq!(detect_format("x\n<<<<<<< SEARCH\n"), Some(Format::SearchReplace));
        assert_eq!(detect_format("--- a/x\n+++ b/x\n@@\n"), Some(Format::UnifiedDiff));
        assert_eq!(detect_format("[{\"name\":\"edit_file\"}]"), Some(Format::ToolCalls));
        assert_eq!(detect_format("x.py\n```\ncode\n```\n"), None);
        assert_eq!(detect_format("Plan:\n```\n *** Begin Patch\n*** Add"), Some(Format::ApplyPatch));
        assert_eq!(detect_format("*** Begin Patch"), None, "only once its line is complete");
    }
}
