//! Secrets are removed from anything sent to a model: private keys, well-known token formats,
//! and the values of `.env` files. What was removed is reported so the person can see it.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

/// One removed secret: what kind, and on which line of the text (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    pub kind: &'static str,
    pub line: u32,
}

const PLACEHOLDER: &str = "[REDACTED]";

fn patterns() -> &'static [(&'static str, Regex)] {
    static PATTERNS: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let table: [(&str, &str); 11] = [
            ("private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\z)"),
            ("AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
            ("Anthropic key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
            ("OpenAI key", r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}"),
            ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
            ("GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
            ("Slack token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
            ("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}"),
            ("Stripe key", r"\b[sr]k_live_[0-9A-Za-z]{20,}"),
            ("JSON web token", r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
            (
                "secret assignment",
                r#"(?i)\b[\w.\-]*(?:password|passwd|secret|api[_\-]?key|access[_\-]?token|auth[_\-]?token)[\w.\-]*["']?\s*[:=]\s*["']?([^\s"',;]{8,})"#,
            ),
        ];
        table
            .into_iter()
            .filter_map(|(kind, re)| match Regex::new(re) {
                Ok(re) => Some((kind, re)),
                Err(e) => {
                    tracing::error!("secret pattern {kind} does not compile: {e}");
                    None
                }
            })
            .collect()
    })
}

/// `.env`, `.env.local`, `production.env`: every value is a secret until shown otherwise.
pub fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// Returns `text` with secrets replaced by `[REDACTED]`, and what was replaced.
pub fn redact(path: &str, text: &str) -> (String, Vec<Redaction>) {
    let mut found = Vec::new();
    let mut out = if is_env_file(path) { redact_env_values(text, &mut found) } else { text.to_owned() };
    for (kind, re) in patterns() {
        if !re.is_match(&out) {
            continue;
        }
        let mut next = String::with_capacity(out.len());
        let mut last = 0;
        for caps in re.captures_iter(&out) {
            // A capture group marks the secret part (the value of an assignment); otherwise
            // the whole match is the secret.
            let Some(secret) = caps.get(1).or_else(|| caps.get(0)) else { continue };
            if secret.as_str() == PLACEHOLDER {
                continue;
            }
            found.push(Redaction { kind, line: line_of(&out, secret.start()) });
            next.push_str(&out[last..secret.start()]);
            next.push_str(PLACEHOLDER);
            last = secret.end();
        }
        next.push_str(&out[last..]);
        out = next;
    }
    found.sort_by_key(|r| r.line);
    (out, found)
}

fn redact_env_values(text: &str, found: &mut Vec<Redaction>) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        match line.split_once('=') {
            Some((name, value)) if !trimmed.starts_with('#') && !value.trim().is_empty() => {
                found.push(Redaction { kind: ".env value", line: i as u32 + 1 });
                out.push_str(name);
                out.push('=');
                out.push_str(PLACEHOLDER);
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => out.push_str(line),
        }
    }
    out
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset].bytes().filter(|b| *b == b'\n').count() as u32 + 1
}

/// "2 secrets redacted (AWS access key on line 3, .env value on line 1)".
pub fn describe(redactions: &[Redaction]) -> Option<String> {
    if redactions.is_empty() {
        return None;
    }
    let list: Vec<String> = redactions.iter().map(|r| format!("{} on line {}", r.kind, r.line)).collect();
    let noun = if redactions.len() == 1 { "secret" } else { "secrets" };
    Some(format!("{} {noun} redacted ({})", redactions.len(), list.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_tokens_are_replaced_and_reported_by_line() {
        let text = "a = 1\naws = \"AKIAIOSFODNN7EXAMPLE\"\ngh = ghp_abcdefghijklmnopqrstuvwxyz0123456789\n";
        let (out, found) = redact("config.py", text);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE") && !out.contains("ghp_abc"), "{out}");
        assert_eq!(found.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert!(out.starts_with("a = 1\n"));
    }

    #[test]
    fn private_key_blocks_are_removed_whole() {
        let text = "x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----\ny\n";
        let (out, found) = redact("id", text);
        assert_eq!(out, "x\n[REDACTED]\ny\n");
        assert_eq!(found, [Redaction { kind: "private key", line: 2 }]);
    }

    #[test]
    fn env_file_values_are_all_secret_but_names_and_comments_stay() {
        let (out, found) = redact("app/.env.local", "# db\nDB_USER=admin\nEMPTY=\nPORT=5432\n");
        assert_eq!(out, "# db\nDB_USER=[REDACTED]\nEMPTY=\nPORT=[REDACTED]\n");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn password_assignments_keep_the_name_and_lose_the_value() {
        let (out, _) = redact("settings.toml", "db_password = \"hunter2hunter2\"\ntimeout = 30\n");
        assert_eq!(out, "db_password = \"[REDACTED]\"\ntimeout = 30\n");
    }

    #[test]
    fn ordinary_code_is_left_alone() {
        let code = "fn main() {\n    let token_count = tokens.len();\n    println!(\"{token_count}\");\n}\n";
        assert_eq!(redact("main.rs", code), (code.to_owned(), vec![]));
        assert_eq!(describe(&[]), None);
    }
}
