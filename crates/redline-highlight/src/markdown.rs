//! Model replies as HTML that is safe to put in the webview: markdown rendered by pulldown-cmark,
//! raw HTML in the reply shown as text, code blocks highlighted, and the result sanitized by
//! ammonia (no script, no event handlers, no `javascript:` or other non-web links, no images).

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::{escape, highlight_code_block};

/// Renders untrusted markdown to sanitized HTML. Code blocks become
/// `<div class="code-block" data-lang="…"><pre><code>…</code></pre></div>` for the UI to add a
/// copy button to.
pub fn markdown_to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(markdown, options) {
        match (event, code.as_mut()) {
            (Event::Start(Tag::CodeBlock(kind)), _) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            (Event::Text(text), Some((_, body))) => body.push_str(&text),
            (Event::End(TagEnd::CodeBlock), Some((lang, body))) => {
                let html = format!(
                    "<div class=\"code-block\" data-lang=\"{}\"><pre><code>{}</code></pre></div>",
                    escape(lang),
                    highlight_code_block(lang, body)
                );
                events.push(Event::Html(CowStr::from(html)));
                code = None;
            }
            // Raw HTML from the model is shown, never interpreted.
            (Event::Html(raw) | Event::InlineHtml(raw), None) => events.push(Event::Text(raw)),
            // Images would load remote content: keep their text only.
            (Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image), None) => {}
            (event, None) => events.push(event),
            (_, Some(_)) => {}
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitizer().clean(&html).to_string()
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let tags: HashSet<&str> = [
            "p",
            "br",
            "hr",
            "em",
            "strong",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "a",
            "span",
            "div",
            "input",
        ]
        .into_iter()
        .collect();
        let mut builder = ammonia::Builder::default();
        builder
            .tags(tags)
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener noreferrer nofollow"))
            .add_tag_attributes("span", ["class"])
            .add_tag_attributes("div", ["class", "data-lang"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .add_tag_attributes("ol", ["start"]);
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_emphasis_lists_tables_and_links() {
        let html = markdown_to_html(
            "# T\n\n*a* **b** ~~c~~\n\n- x\n\n| h |\n|---|\n| d |\n\n[site](https://example.org)",
        );
        for needle in
            ["<h1>T</h1>", "<em>a</em>", "<strong>b</strong>", "<del>c</del>", "<li>x</li>", "<td>d</td>"]
        {
            assert!(html.contains(needle), "{needle} in {html}");
        }
        assert!(
            html.contains("href=\"https://example.org\"")
                && html.contains("rel=\"noopener noreferrer nofollow\"")
        );
    }

    #[test]
    fn code_blocks_are_highlighted_and_marked_for_a_copy_button() {
        let html = markdown_to_html("```rust\nfn main() { let x = \"<b>\"; }\n```\n");
        assert!(html.contains("class=\"code-block\"") && html.contains("data-lang=\"rust\""), "{html}");
        assert!(html.contains("hl-"), "{html}");
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"), "{html}");
    }

    #[test]
    fn hostile_output_is_inert() {
        let hostile = concat!(
            "<script>alert(1)</script>\n\n",
            "<img src=x onerror=alert(1)>\n\n",
            "[click](javascript:alert(1)) [data](data:text/html,<script>x</script>)\n\n",
            "![remote](https://evil.example/pixel.png)\n\n",
            "<a href=\"https://ok.example\" onclick=\"steal()\">x</a> <iframe src=\"https://evil\"></iframe>\n\n",
            "inline <span onmouseover=\"x()\">hover</span> <style>body{display:none}</style>",
        );
        let html = markdown_to_html(hostile);
        // Text is escaped, so every `<` left opens a real tag: inspect the tags only.
        let tags: Vec<String> = html
            .split('<')
            .skip(1)
            .filter_map(|t| t.split('>').next())
            .map(str::to_ascii_lowercase)
            .collect();
        for tag in &tags {
            let mut words = tag.trim_start_matches('/').split_whitespace();
            let name = words.next().unwrap_or("");
            assert!(!["script", "img", "iframe", "style"].contains(&name), "<{tag}> in {html}");
            for attribute in words {
                assert!(!attribute.starts_with("on"), "handler in <{tag}>");
                assert!(
                    !attribute.contains("javascript:") && !attribute.contains("data:"),
                    "link in <{tag}>"
                );
            }
        }
        assert!(html.contains("&lt;script&gt;"), "raw HTML is shown as text: {html}");
        assert!(html.contains("remote"), "image alt text kept: {html}");
    }

    #[test]
    fn a_five_megabyte_reply_renders() {
        let big = "word ".repeat(1_000_000);
        assert!(markdown_to_html(&big).len() >= big.len());
    }
}
