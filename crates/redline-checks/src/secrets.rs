//! Secrets on added lines: well-known credential formats and high-entropy literals assigned to
//! names that say they hold a secret. Messages name the kind of secret, never its value.

use std::sync::LazyLock;

use regex::Regex;

use crate::added::AddedLines;
use crate::{CheckKind, Finding};

const SOURCE: &str = "secrets";
const MIN_ENTROPY: f64 = 3.5;
const MIN_SECRET_LEN: usize = 16;

/// A credential format with a shape specific enough to flag wherever it appears.
struct Pattern {
    regex: Regex,
    /// "an AWS access key id (AKIA…)": what it looks like, with only the fixed prefix shown.
    what: &'static str,
    /// Matches that start with this belong to a more specific pattern (sk-ant- vs sk-).
    unless_prefix: Option<&'static str>,
}

fn pattern(regex: &str, what: &'static str, unless_prefix: Option<&'static str>) -> Pattern {
    Pattern { regex: Regex::new(regex).expect("secret pattern is a valid regex"), what, unless_prefix }
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    vec![
        pattern(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            "a private key (BEGIN … PRIVATE KEY)",
            None,
        ),
        pattern(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key id (AKIA…)", None),
        pattern(
            r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*(?:[:=]|=>)\s*["']?[A-Za-z0-9/+=]{40}\b"#,
            "an AWS secret access key",
            None,
        ),
        pattern(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", "a GitHub token (ghp_…)", None),
        pattern(r"\bgithub_pat_[A-Za-z0-9_]{22,}", "a GitHub fine-grained token (github_pat_…)", None),
        pattern(r"\bglpat-[A-Za-z0-9_\-]{20,}", "a GitLab token (glpat-…)", None),
        pattern(r"\bxox[baprs]-[A-Za-z0-9\-]{10,}", "a Slack token (xox…-)", None),
        pattern(r"\bAIza[0-9A-Za-z_\-]{35}", "a Google API key (AIza…)", None),
        pattern(r"\b[sr]k_live_[0-9A-Za-z]{20,}", "a live Stripe key (sk_live_…)", None),
        pattern(r"\bsk-ant-[A-Za-z0-9_\-]{20,}", "an Anthropic API key (sk-ant-…)", None),
        pattern(r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{20,}", "an OpenAI API key (sk-…)", Some("sk-ant-")),
        pattern(
            r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
            "a JSON Web Token (eyJ…)",
            None,
        ),
    ]
});

/// `name = "value"` (also `:`, `:=`, `=>`, quoted keys, a type annotation such as `: &str`) where
/// the name says it holds a secret.
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b([A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api_?key|apikey|private_?key)[A-Za-z0-9_]*)["']?(?:\s*:\s*&?(?:'\w+\s+)?[\w<>\[\]:]{1,40})?\s*(?::=|=>|=|:)\s*[rbuRBU]?["'`]([^"'`\s]+)["'`]"#,
    )
    .expect("assignment pattern is a valid regex")
});

/// Reads from the environment or a secret store: the value is not in the text.
static ENV_LOOKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"os\.environ|os\.getenv|getenv\(|std::env::var|env::var|env!\(|process\.env|System\.getenv|os\.Getenv|ENV\[")
        .expect("env lookup pattern is a valid regex")
});

/// Values people put in examples and templates, not real secrets.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)change_?me|xxx|\*\*\*|^<.*>$|\$\{|\{\{|your[_\-]|placeholder|dummy|example|redacted|replace[_\-]?me|insert[_\-]|^test|fake",
    )
    .expect("placeholder pattern is a valid regex")
});

pub(crate) fn scan(added: &AddedLines<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (line, text) in added.iter() {
        let mut known = known_formats(text);
        if known.is_empty() {
            known.extend(secret_assignment(text));
        }
        findings.extend(
            known.into_iter().map(|message| Finding::new(CheckKind::Secret, line, line, message, SOURCE)),
        );
    }
    findings
}

fn known_formats(text: &str) -> Vec<String> {
    PATTERNS
        .iter()
        .filter(|pattern| {
            pattern
                .regex
                .find_iter(text)
                .any(|found| pattern.unless_prefix.is_none_or(|prefix| !found.as_str().starts_with(prefix)))
        })
        .map(|pattern| {
            format!("adds what looks like {}; committed secrets leak with the history", pattern.what)
        })
        .collect()
}

fn secret_assignment(text: &str) -> Option<String> {
    if ENV_LOOKUP.is_match(text) {
        return None;
    }
    SECRET_ASSIGNMENT.captures_iter(text).find_map(|captures| {
        let name = captures.get(1)?.as_str();
        let value = captures.get(2)?.as_str();
        let looks_real =
            value.chars().count() >= MIN_SECRET_LEN && shannon_entropy(value) >= MIN_ENTROPY && !PLACEHOLDER.is_match(value);
        looks_real.then(|| {
            format!("assigns a hard-coded high-entropy string to `{name}`; secrets belong in the environment or a secret store")
        })
    })
}

/// Bits per character; random keys sit near 4+, words and repeated characters well below 3.5.
fn shannon_entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    let total = total as f64;
    counts
        .values()
        .map(|&count| {
            let p = count as f64 / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests;
