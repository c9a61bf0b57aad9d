//! Turning a tool's content blocks into the text a model reads.

use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};

use crate::McpCallResult;

/// Text blocks are joined with newlines; other blocks become a short bracketed description,
/// because the agent only passes text to the model.
pub(crate) fn render_result(result: &CallToolResult) -> McpCallResult {
    let mut parts: Vec<String> = result.content.iter().map(describe).collect();
    if parts.is_empty() {
        if let Some(structured) = &result.structured_content {
            parts.push(structured.to_string());
        }
    }
    McpCallResult { text: parts.join("\n"), is_error: result.is_error.unwrap_or(false) }
}

fn describe(block: &ContentBlock) -> String {
    match block {
        ContentBlock::Text(text) => text.text.clone(),
        ContentBlock::Image(image) => {
            format!("[image: {}, {} bytes]", image.mime_type, base64_len(&image.data))
        }
        ContentBlock::Audio(audio) => {
            format!("[audio: {}, {} bytes]", audio.mime_type, base64_len(&audio.data))
        }
        ContentBlock::Resource(embedded) => match &embedded.resource {
            ResourceContents::TextResourceContents { uri, text, .. } => {
                format!("[resource {uri}]\n{text}")
            }
            ResourceContents::BlobResourceContents { uri, mime_type, blob, .. } => format!(
                "[binary resource {uri}: {}, {} bytes]",
                mime_type.as_deref().unwrap_or("unknown type"),
                base64_len(blob)
            ),
            _ => "[embedded resource of a kind Redline does not show]".to_owned(),
        },
        ContentBlock::ResourceLink(link) => format!("[resource link: {} ({})]", link.name, link.uri),
        _ => "[content of a kind Redline does not show]".to_owned(),
    }
}

/// The decoded size of base64 data, without decoding it.
fn base64_len(data: &str) -> usize {
    let padding = data.bytes().rev().take_while(|&b| b == b'=').count();
    (data.len() / 4 * 3).saturating_sub(padding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_blocks_are_joined_and_an_image_is_described_with_its_size() {
        let result = CallToolResult::success(vec![
            ContentBlock::text("one"),
            ContentBlock::image("aGVsbG8=", "image/png"),
            ContentBlock::text("two"),
        ]);
        let rendered = render_result(&result);
        assert_eq!(rendered.text, "one\n[image: image/png, 5 bytes]\ntwo");
        assert!(!rendered.is_error);
    }

    #[test]
    fn is_error_is_kept() {
        let rendered = render_result(&CallToolResult::error(vec![ContentBlock::text("bad")]));
        assert_eq!(rendered, McpCallResult { text: "bad".into(), is_error: true });
    }

    #[test]
    fn structured_content_is_shown_when_there_are_no_blocks() {
        let mut result = CallToolResult::success(vec![]);
        result.structured_content = Some(serde_json::json!({"n": 1}));
        assert_eq!(render_result(&result).text, r#"{"n":1}"#);
    }
}
