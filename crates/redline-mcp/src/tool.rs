/// A tool offered by a configured MCP server, as the agent shows it to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct McpTool {
    pub server: String,
    pub name: String,
    pub description: String,
    /// The tool's JSON Schema for its arguments, as the server gave it.
    pub schema: serde_json::Value,
}

/// Model APIs accept tool names matching `[a-zA-Z0-9_-]{1,64}`.
const MAX_NAME_LEN: usize = 64;

impl McpTool {
    /// "mcp__{server}__{name}", sanitized to [a-zA-Z0-9_-]{1,64}
    pub fn qualified_name(&self) -> String {
        format!("mcp__{}__{}", self.server, self.name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .take(MAX_NAME_LEN)
            .collect()
    }
}

/// A tool with just a server and a name, for tests.
#[cfg(test)]
pub(crate) fn tool(server: &str, name: &str) -> McpTool {
    McpTool {
        server: server.into(),
        name: name.into(),
        description: String::new(),
        schema: serde_json::Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_spaces_and_non_ascii_become_underscores() {
        assert_eq!(tool("my files", "read.file").qualified_name(), "mcp__my_files__read_file");
        assert_eq!(tool("gh", "suche_ä").qualified_name(), "mcp__gh__suche__");
    }

    #[test]
    fn long_names_are_cut_to_64_characters() {
        let name = tool("server", &"x".repeat(100)).qualified_name();
        assert_eq!(name.len(), 64);
        assert!(name.starts_with("mcp__server__x"));
    }
}
