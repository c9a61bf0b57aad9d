//! A streaming reply as HTML without quadratic cost: the text is cut into top-level markdown
//! blocks at blank lines outside code fences. A closed block is rendered once; only the last,
//! still-open block is rendered again as text arrives.

use redline_highlight::markdown_to_html;

/// What the UI should change after new text arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderUpdate {
    /// HTML of blocks that closed since the last update, in order.
    pub closed: Vec<String>,
    /// HTML of the open block (it replaces the previous open block).
    pub open: String,
}

#[derive(Debug, Default)]
pub struct StreamRenderer {
    text: String,
    /// Byte offset where the open block starts.
    open_start: usize,
    /// Byte offset up to which lines have been scanned for fences and blank lines.
    scanned: usize,
    /// The fence that opened the code block we are in (e.g. "```" or "~~~~").
    fence: Option<String>,
}

impl StreamRenderer {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn push(&mut self, delta: &str) {
        self.text.push_str(delta);
    }

    /// Renders what arrived since the last call.
    pub fn update(&mut self) -> RenderUpdate {
        let mut closed = Vec::new();
        while let Some(line_len) = self.text[self.scanned..].find('\n').map(|i| i + 1) {
            let (start, end) = (self.scanned, self.scanned + line_len);
            let blank = self.text[start..end].trim().is_empty();
            self.fence = next_fence(self.fence.take(), &self.text[start..end]);
            self.scanned += line_len;
            if blank && self.fence.is_none() && self.scanned > self.open_start + line_len {
                closed.push(markdown_to_html(&self.text[self.open_start..self.scanned]));
                self.open_start = self.scanned;
            }
        }
        RenderUpdate { closed, open: markdown_to_html(&self.text[self.open_start..]) }
    }
}

/// The code fence open after `line`, given the one open before it (CommonMark: a closing fence
/// uses the same character, at least as many times, and nothing after it).
fn next_fence(open: Option<String>, line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return open;
    }
    let first = trimmed.chars().next();
    let marker: String =
        trimmed.chars().take_while(|c| Some(*c) == first && (*c == '`' || *c == '~')).collect();
    if marker.len() < 3 {
        return open;
    }
    match open {
        None => Some(marker),
        Some(o)
            if o.starts_with(&marker[..1])
                && marker.len() >= o.len()
                && trimmed[marker.len()..].trim().is_empty() =>
        {
            None
        }
        Some(o) => Some(o),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(text: &str, chunk: usize) -> (Vec<String>, String) {
        let mut r = StreamRenderer::default();
        let mut closed = Vec::new();
        let mut open = String::new();
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(chunk) {
            r.push(&piece.iter().collect::<String>());
            let u = r.update();
            closed.extend(u.closed);
            open = u.open;
        }
        (closed, open)
    }

    #[test]
    fn paragraphs_close_at_blank_lines_and_the_rest_stays_open() {
        let (closed, open) = stream("Hello **there**.\n\nSecond para\n\nthird", 3);
        assert_eq!(closed, ["<p>Hello <strong>there</strong>.</p>\n", "<p>Second para</p>\n"]);
        assert_eq!(open, "<p>third</p>\n");
    }

    #[test]
    fn blank_lines_inside_a_code_fence_do_not_close_it() {
        let text = "```rust\nfn a() {}\n\nfn b() {}\n```\n\nafter";
        let (closed, open) = stream(text, 1);
        assert_eq!(closed.len(), 1, "{closed:?}");
        assert!(closed[0].contains("code-block") && closed[0].contains("fn"), "{}", closed[0]);
        assert_eq!(open, "<p>after</p>\n");
    }

    #[test]
    fn the_streamed_blocks_render_like_the_whole_text() {
        let text = "# Title\n\nSome `code` and a list:\n\n- one\n- two\n\n~~~\nraw <b>\n~~~\n\nend\n";
        let (closed, open) = stream(text, 7);
        // Block HTML may differ only in the newlines between blocks.
        let joined: String = closed.concat() + &open;
        assert_eq!(joined.replace('\n', ""), markdown_to_html(text).replace('\n', ""));
    }

    #[test]
    fn hostile_html_in_a_streamed_block_stays_inert() {
        let (closed, open) = stream("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>", 4);
        let all = closed.concat() + &open;
        assert!(!all.contains("<script") && !all.contains("<img"), "{all}");
    }
}
