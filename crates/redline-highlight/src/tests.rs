use super::*;

fn rust_file(lines: usize) -> String {
    let mut text = String::new();
    for i in 0..lines {
        match i % 6 {
            0 => text.push_str("/* a block comment\n"),
            1 => text.push_str("   spanning lines */\n"),
            2 => text.push_str(&format!("fn f{i}() -> &'static str {{\n")),
            3 => text.push_str("    \"a string\n"),
            4 => text.push_str("     across lines\"\n"),
            _ => text.push_str("}\n"),
        }
    }
    text
}

/// The escaped text of highlighted HTML, tags removed.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn balanced(html: &str) -> bool {
    html.matches("<span").count() == html.matches("</span>").count()
}

#[test]
fn language_detected_by_extension_name_and_shebang() {
    assert_eq!(language_for("src/main.rs", ""), "Rust");
    assert_eq!(language_for("tool.py", ""), "Python");
    assert_eq!(language_for("Makefile", ""), "Makefile");
    assert_eq!(language_for("run", "#!/usr/bin/env python3"), "Python");
    assert_eq!(language_for("notes.unknownext", "hello"), "Plain Text");
}

#[test]
fn html_is_escaped() {
    for path in ["page.html", "notes.txt", "a.rs"] {
        let mut doc = Document::new(path, "<script>alert(1)</script> & \"x\"\n".into());
        let html = doc.lines_html(0, 1).join("");
        assert!(!html.contains("<script"), "{path}: {html}");
        assert_eq!(text_of(&html), "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;", "{path}");
    }
}

#[test]
fn spans_are_balanced_on_every_line_of_multiline_constructs() {
    let mut doc = Document::new("a.rs", rust_file(60));
    for (i, line) in doc.lines_html(0, 60).iter().enumerate() {
        assert!(balanced(line), "line {i}: {line}");
    }
}

#[test]
fn a_range_deep_in_the_file_matches_a_full_pass() {
    let text = rust_file(3000);
    let full = Document::new("a.rs", text.clone()).lines_html(0, 3000);
    let mut fresh = Document::new("a.rs", text);
    assert_eq!(fresh.lines_html(2500, 50), full[2500..2550].to_vec());
    assert_eq!(fresh.lines_html(10, 5), full[10..15].to_vec());
    assert_eq!(fresh.lines_html(2990, 100), full[2990..].to_vec(), "clamped at the end");
}

#[test]
fn crlf_line_endings_leave_no_carriage_return() {
    let mut doc = Document::new("a.rs", "fn a() {}\r\nfn b() {}\r\n".into());
    assert_eq!(doc.line_count(), 2);
    assert!(doc.lines_html(0, 2).iter().all(|l| !l.contains('\r')));
}

#[test]
fn line_count_ignores_final_newline() {
    assert_eq!(Document::new("a", "x\ny\n".into()).line_count(), 2);
    assert_eq!(Document::new("a", "x\ny".into()).line_count(), 2);
    assert_eq!(Document::new("a", String::new()).line_count(), 0);
}

#[test]
fn very_long_line_is_escaped_without_parsing() {
    let line = format!("var x = \"{}<b>\";\n", "a".repeat(1_000_000));
    let mut doc = Document::new("min.js", line);
    let html = doc.lines_html(0, 1);
    assert!(html[0].ends_with("&lt;b&gt;&quot;;"));
}

#[test]
fn highlight_lines_picks_requested_line_numbers() {
    let text = rust_file(30);
    let all = Document::new("a.rs", text.clone()).lines_html(0, 30);
    let picked = highlight_lines("a.rs", &text, &[3, 17, 99]);
    assert_eq!(picked, vec![all[2].clone(), all[16].clone(), String::new()]);
}

#[test]
fn theme_css_has_both_schemes() {
    let css = theme_css();
    assert!(css.contains("prefers-color-scheme: dark"));
    assert!(css.contains(".hl-"));
    assert!(css.contains("--hl-bg"));
}
