//! What Redline tells a model, in one place: how to propose edits in the format the per-model
//! table picks, the edit tools offered to models that call tools well, how to work as an agent,
//! and how to draft a commit message.

use redline_edits::{edit_format_for_model, Format};

/// The tools whose calls are edits: they become proposals, never writes.
pub const EDIT_TOOLS: &[&str] = &["edit_file", "create_file", "delete_file", "rename_file", APPLY_PATCH];

/// OpenAI's patch tool, the native edit tool of GPT-5 and the Codex models.
pub const APPLY_PATCH: &str = "apply_patch";

/// The edit tools offered to models that call tools well; their calls become proposals too.
pub fn edit_tools(model: &str) -> Vec<redline_llm::ToolSpec> {
    let tool = |name: &str, description: &str, schema: serde_json::Value| redline_llm::ToolSpec {
        name: name.into(),
        description: description.into(),
        schema,
    };
    match edit_format_for_model(model) {
        Format::ToolCalls => {}
        Format::ApplyPatch => {
            return vec![tool(
                APPLY_PATCH,
                "Propose changes to files as one patch in the apply_patch format (see the instructions). The person reviews every change before it is written.",
                serde_json::json!({"type": "object", "properties": {"input": {"type": "string", "description": "The whole patch, from *** Begin Patch to *** End Patch"}}, "required": ["input"]}),
            )]
        }
        _ => return Vec::new(),
    }
    let path = serde_json::json!({"type": "string", "description": "Path relative to the project root"});
    vec![
        tool(
            "edit_file",
            "Propose replacing old_text (which must occur exactly once, unless replace_all) with new_text in a file. The person reviews it before anything is written.",
            serde_json::json!({"type": "object", "properties": {"path": path, "old_text": {"type": "string"}, "new_text": {"type": "string"}, "line_hint": {"type": "integer"}, "replace_all": {"type": "boolean"}}, "required": ["path", "old_text", "new_text"]}),
        ),
        tool(
            "create_file",
            "Propose a new file with this content.",
            serde_json::json!({"type": "object", "properties": {"path": path, "content": {"type": "string"}}, "required": ["path", "content"]}),
        ),
        tool(
            "delete_file",
            "Propose deleting a file.",
            serde_json::json!({"type": "object", "properties": {"path": path}, "required": ["path"]}),
        ),
        tool(
            "rename_file",
            "Propose renaming a file.",
            serde_json::json!({"type": "object", "properties": {"from": path, "to": path}, "required": ["from", "to"]}),
        ),
    ]
}

/// What the model is told about proposing edits, per edit format.
pub fn edit_instructions(model: &str) -> &'static str {
    match edit_format_for_model(model) {
        Format::ToolCalls => {
            "To change files, call the edit_file, create_file, delete_file and rename_file tools; the person reviews every change before it is written. Quote old_text exactly from the file."
        }
        Format::ApplyPatch => APPLY_PATCH_INSTRUCTIONS,
        Format::WholeFile => {
            "To change a file, write its path on a line by itself, then the whole new content of the file in a fenced code block. Never elide parts of the file."
        }
        _ => {
            "To change files, use SEARCH/REPLACE blocks: the file's path on a line by itself, then\n```\n<<<<<<< SEARCH\nexact lines from the file\n=======\nthe new lines\n>>>>>>> REPLACE\n```\nThe SEARCH part must match the file exactly, once; keep blocks small. To create a file, use an empty SEARCH part. The person reviews every change before it is written."
        }
    }
}

/// How to write the apply_patch (V4A) format, for the models that use it natively.
const APPLY_PATCH_INSTRUCTIONS: &str = "To change files, answer with one patch in the apply_patch format (or call the apply_patch tool with it). A person reviews every change before anything is written.

```
*** Begin Patch
*** Update File: src/cart.py
@@ class Cart:
@@     def total(self):
         items = self.items
-        return sum(i.price for i in items)
+        return sum(i.price * i.qty for i in items)
*** Add File: src/discount.py
+RATE = 0.1
*** Delete File: src/old.py
*** End Patch
```
- Sections: `*** Add File: <path>` (every content line starts with `+`), `*** Delete File: <path>`, and `*** Update File: <path>`, optionally followed on the next line by `*** Move to: <new path>`. Paths are relative to the project root.
- In an update, each chunk starts with `@@`. Every line starts with a space (unchanged context), `-` (remove) or `+` (add). Copy context and `-` lines exactly from the current file.
- Give about 3 lines of context above and below each change. If that is not unique, put the enclosing class or function line after `@@`, and add a second `@@` line for a method inside it. An `@@` line must repeat a whole line of the file.
- Write chunks in file order, without overlapping. Mark a chunk that ends at the last line of the file with `*** End of File`.
- Never leave out code with `...` or comments such as `// existing code`.
- Always finish with `*** End Patch`. A patch that does not end, or has a malformed line, is refused entirely; a file whose chunk cannot be placed is left unchanged, and you get an error naming the chunk and the closest match.
- Do not add or move a file onto an existing path; update or delete that file instead.";

/// The agent's standing orders, after the system prompt.
pub const AGENT_INSTRUCTIONS: &str = "You are working in this project as an agent. Use the tools to look before you change anything: list_files, search and read_file to find and read code, git_status and git_diff to see what changed. Every edit you make is a proposal the person reviews before it is written. run_command runs a command line in the project folder after the person approves it; use it to run the tests or the build and read what failed. Work in small steps. When the task is done, or you need the person, reply with a short summary and call no tool.";

/// The request that drafts a commit message for a diff (already through the outbound gate).
pub fn commit_message_request(diff: &str) -> String {
    format!(
        "Write a git commit message for this change: a subject line under 72 characters, a blank line, then a short body saying why. Reply with the message only.\n\n{diff}"
    )
}
