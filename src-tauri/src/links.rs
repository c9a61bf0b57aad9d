//! Which addresses the window may show, and which links may leave it for the system browser.
//!
//! The webview shows Redline's own pages and nothing else: model output is untrusted, and a page
//! from anywhere else would get the window's commands. A link the person activates opens outside,
//! in their browser or mail program, only for `http`, `https` and `mailto`; the decision is made
//! here, never in the webview, whose script could be fooled.

use redline_api::{ApiError, ErrorCode};
use tauri::Url;

/// The app's own origin: `tauri://localhost` where the platform has custom schemes (Linux,
/// macOS), `http(s)://tauri.localhost` where it maps them to a host (Windows, Android). No other
/// page is needed: the UI has no frames, and opens no blank windows.
pub fn is_app_origin(url: &Url) -> bool {
    let host = url.host_str();
    match url.scheme() {
        "tauri" => host == Some("localhost"),
        "http" | "https" => host == Some("tauri.localhost") && url.port().is_none(),
        _ => false,
    }
}

/// Longer than any link worth opening; a giant one is more likely a way to smuggle data out.
const MAX_LINK_LENGTH: usize = 8 * 1024;

/// The link to hand to the system opener, or why it is not opened. It is the parsed,
/// re-serialized URL (spaces and controls percent-encoded), never the text the window sent.
pub fn link_to_open(href: &str) -> Result<Url, ApiError> {
    let refuse = |why: &str| {
        ApiError::new(ErrorCode::InvalidInput, format!("Redline did not open {}: {why}.", shown(href)))
    };
    if href.len() > MAX_LINK_LENGTH {
        return Err(refuse("the link is too long"));
    }
    let url = Url::parse(href.trim()).map_err(|_| refuse("it is not a web or mail address"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => {
            if !url.username().is_empty() || url.password().is_some() {
                return Err(refuse(
                    "the link carries a user name or password, which hides where it really goes",
                ));
            }
            Ok(url)
        }
        // Some mail programs attach any file a mailto link names (`attach=/home/you/.ssh/id_rsa`).
        "mailto" if url.query_pairs().any(|(key, _)| key.to_ascii_lowercase().starts_with("attach")) => {
            Err(refuse("the mail link asks to attach a file"))
        }
        "mailto" => Ok(url),
        _ => Err(refuse("only http, https and mailto links open outside Redline")),
    }
}

/// The link as the refusal names it: short, and without characters that would garble the notice.
fn shown(href: &str) -> String {
    let mut shown: String = href.chars().filter(|c| !redline_project::is_unprintable(*c)).take(120).collect();
    if shown.len() < href.len() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn the_window_shows_only_the_apps_own_origin() {
        for own in
            ["tauri://localhost/index.html", "http://tauri.localhost/", "https://tauri.localhost/#settings"]
        {
            assert!(is_app_origin(&url(own)), "{own}");
        }
        for other in [
            "http://localhost:1420/",
            "http://localhost/",
            "https://localhost/",
            "http://127.0.0.1/",
            "http://tauri.localhost:8080/",
            "http://evil.tauri.localhost/",
            "tauri://evil/",
            "about:blank",
            "about:srcdoc",
            "https://example.com/",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "javascript:alert(1)",
        ] {
            assert!(!is_app_origin(&url(other)), "{other}");
        }
    }

    #[test]
    fn web_and_mail_links_open_with_their_parsed_address() {
        assert_eq!(
            link_to_open("https://example.com/a b").map(String::from),
            Ok("https://example.com/a%20b".into())
        );
        assert!(link_to_open("http://example.com").is_ok());
        assert!(link_to_open("mailto:someone@example.com?subject=Hi").is_ok());
    }

    #[test]
    fn other_schemes_and_tricks_are_refused_with_a_reason() {
        for (link, why) in [
            ("javascript:alert(1)", "only http, https and mailto"),
            ("file:///etc/passwd", "only http, https and mailto"),
            ("tauri://localhost/index.html", "only http, https and mailto"),
            ("data:text/html,hi", "only http, https and mailto"),
            ("ssh://host", "only http, https and mailto"),
            ("vscode://file/etc/passwd", "only http, https and mailto"),
            ("/relative/path", "not a web or mail address"),
            ("https://bank.example@evil.example/", "user name or password"),
            ("mailto:x@example.com?attach=/home/me/.ssh/id_ed25519", "attach a file"),
            ("mailto:x@example.com?Attachment=~/.netrc", "attach a file"),
        ] {
            let error = link_to_open(link).expect_err(link);
            assert_eq!(error.code, ErrorCode::InvalidInput);
            assert!(error.message.contains(why), "{link}: {}", error.message);
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_LINK_LENGTH));
        assert!(link_to_open(&long).expect_err("long").message.contains("too long"));
    }

    #[test]
    fn a_refusal_names_the_link_without_its_control_characters() {
        let error = link_to_open("ftp://x/\x1b]0;title\x07").expect_err("ftp");
        assert!(
            error.message.contains("ftp://x/]0;title") && !error.message.contains('\x1b'),
            "{}",
            error.message
        );
    }
}
