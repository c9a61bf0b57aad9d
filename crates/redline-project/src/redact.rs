//! Secrets are removed from text before it goes to a model: gitleaks' rule set (MIT, bundled in
//! `rules/gitleaks.toml`), a few rules gitleaks lacks (unterminated and PuTTY private keys,
//! passwords inside URLs, `.netrc`, docker `auths`, kubeconfig keys, `*_PASS` names), and every
//! value of `.env`-style files. What was removed is reported by kind and line, never the secret.
//!
//! Cost: the rule set is parsed and each regex compiled once, on first use. A text is scanned once
//! by an Aho-Corasick automaton over every rule's keywords; only rules whose keywords occur (and
//! the few without keywords) run their regex. A secret is replaced by `[REDACTED]` followed by
//! as many newlines as it spanned, so line numbers after it stay true (the model edits by line).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// One removed secret: what kind, and on which line of the text (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    pub kind: &'static str,
    pub line: u32,
}

pub const PLACEHOLDER: &str = "[REDACTED]";

/// gitleaks' default configuration, as published (see rules/SOURCE.md for the version).
const GITLEAKS_TOML: &str = include_str!("../rules/gitleaks.toml");

/// `.env`, `.env.local`, `production.env`, direnv's `.envrc`: every value is a secret until shown
/// otherwise.
pub fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env") || name == ".envrc"
}

/// `.netrc` and `_netrc`: every `password` token is a secret.
fn is_netrc(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == ".netrc" || name == "_netrc"
}

/// Returns `text` with secrets replaced, and what was replaced. `path` is the file the text
/// came from (it decides the `.env` and `.netrc` treatment), or a label for other text.
pub fn redact(path: &str, text: &str) -> (String, Vec<Redaction>) {
    let mut spans: Vec<(Range<usize>, &'static str)> = Vec::new();
    if is_env_file(path) {
        env_value_spans(text, &mut spans);
    }
    if is_netrc(path) {
        netrc_spans(text, &mut spans);
    }
    rules().find(text, &mut spans);
    replace_spans(text, spans)
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

/// Overlapping finds keep the one that starts first (the longer on a tie); the text is rebuilt
/// once.
fn replace_spans(text: &str, mut spans: Vec<(Range<usize>, &'static str)>) -> (String, Vec<Redaction>) {
    spans.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let (mut last, mut line, mut counted) = (0usize, 1u32, 0usize);
    for (range, kind) in spans {
        if range.start < last || range.is_empty() || &text[range.clone()] == PLACEHOLDER {
            continue;
        }
        line += newlines(&text[counted..range.start]);
        counted = range.start;
        found.push(Redaction { kind, line });
        out.push_str(&text[last..range.start]);
        out.push_str(PLACEHOLDER);
        for _ in 0..newlines(&text[range.clone()]) {
            out.push('\n');
        }
        last = range.end;
    }
    out.push_str(&text[last..]);
    (out, found)
}

fn newlines(text: &str) -> u32 {
    text.bytes().filter(|b| *b == b'\n').count() as u32
}

fn env_value_spans(text: &str, spans: &mut Vec<(Range<usize>, &'static str)>) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let is_comment = body.trim_start().trim_start_matches(['+', '-', ' ']).starts_with('#');
        if let Some(eq) = body.find('=').filter(|_| !is_comment) {
            let value = &body[eq + 1..];
            let lead = value.len() - value.trim_start().len();
            if !value.trim().is_empty() {
                spans.push((offset + eq + 1 + lead..offset + body.len(), ".env value"));
            }
        }
        offset += line.len();
    }
}

fn netrc_spans(text: &str, spans: &mut Vec<(Range<usize>, &'static str)>) {
    static TOKEN: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(re) = TOKEN.get_or_init(|| Regex::new(r"(?:^|\s)(?:password|account)\s+(\S+)").ok()) else {
        return;
    };
    for caps in re.captures_iter(text) {
        if let Some(secret) = caps.get(1) {
            spans.push((secret.range(), ".netrc password"));
        }
    }
}

/// Rules gitleaks lacks or covers only in part. `(kind, regex, keywords)`; the first capture
/// group, when there is one, is the secret.
const OWN_RULES: &[(&str, &str, &[&str])] = &[
    // gitleaks needs the END line; a key cut off by a size cap is still a key.
    (
        "private key",
        r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|\z)",
        &["-----begin"],
    ),
    (
        "PuTTY private key",
        r"(?m)^Private-Lines: *\d+\r?\n((?:[A-Za-z0-9+/=]+\r?\n)*[A-Za-z0-9+/=]+)",
        &["private-lines"],
    ),
    ("PuTTY private key", r"(?m)^Private-MAC: *([0-9a-fA-F]{16,})", &["private-mac"]),
    (
        "password in a URL",
        r#"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/?#@'"`<>]+:([^\s@/?#'"`<>]+)@[^\s/?#'"`<>@]"#,
        &["://"],
    ),
    (
        "netrc password",
        r"(?m)^[ \t]*machine[ \t]+\S+(?:[ \t]+\S+[ \t]+\S+)*?[ \t]+password[ \t]+(\S+)",
        &["machine"],
    ),
    (
        "docker registry auth",
        r#""(?:auth|identitytoken|registrytoken)"\s*:\s*"([A-Za-z0-9+/=_\-.]{8,})""#,
        &["\"auth", "token\""],
    ),
    (
        "kubeconfig credential",
        r#"(?m)^[ \t-]*(?:client-key-data|token|id-token|refresh-token|access-token|password)[ \t]*:[ \t]*["']?([^\s"'#]{8,})"#,
        &["client-key-data", "token", "password"],
    ),
    (
        "password assignment",
        r#"(?i)\b[A-Za-z0-9_.\-]*(?:_pass|_password|_pwd|passwd|_passphrase)["']?[ \t]*(?::=|=>|[:=])[ \t]*(?:"([^"\r\n]+)"|'([^'\r\n]+)'|([^\s"'`,;(){}\[\]]+)(?:[\s;,]|$))"#,
        &["pass", "pwd"],
    ),
    ("AWS access key", r"\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b", &["akia", "asia", "abia", "acca"]),
    // Shell-style variables named for a secret (`export API_TOKEN=…` printed by `cat .envrc`):
    // upper-case names only, so code like `let token_count = …` is left alone.
    (
        "secret variable",
        r#"(?m)^[ \t]*(?:export[ \t]+)?[A-Z0-9_]*(?:TOKEN|SECRET|API_?KEY|ACCESS_KEY|PRIVATE_KEY|PASSWORD|PASSWD|_PASS|_PWD|AUTH|CREDENTIALS?)[A-Z0-9_]*[ \t]*=[ \t]*["']?([^\s"'#]+)"#,
        &["token", "secret", "key", "pass", "pwd", "auth", "credential"],
    ),
];

/// Values that stand for a secret rather than being one: `${DB_PASS}`, `{{ .pw }}`, `<password>`.
fn is_placeholder(secret: &str) -> bool {
    let s = secret.trim_matches(['"', '\'']);
    s.starts_with('$')
        || s.starts_with('{')
        || s.starts_with('%')
        || (s.starts_with('<') && s.ends_with('>'))
        || s.chars().all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
        || s == PLACEHOLDER
}

#[derive(Debug, Deserialize)]
struct GitleaksConfig {
    #[serde(default)]
    allowlist: Option<AllowlistDef>,
    #[serde(default)]
    rules: Vec<RuleDef>,
}

#[derive(Debug, Deserialize)]
struct RuleDef {
    id: String,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default, rename = "secretGroup")]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    allowlists: Vec<AllowlistDef>,
}

#[derive(Debug, Default, Deserialize)]
struct AllowlistDef {
    #[serde(default)]
    condition: Option<String>,
    #[serde(default, rename = "regexTarget")]
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Secret,
    Match,
    Line,
}

/// A gitleaks allowlist: a find it matches is not a secret.
struct Allowlist {
    all_must_match: bool,
    target: Target,
    regexes: Vec<Regex>,
    stopwords: Vec<String>,
    /// Allowlists that are about paths only are skipped: a secret in a lockfile is still a secret.
    has_paths: bool,
}

/// The parts of a find an allowlist can look at.
struct Find<'t> {
    secret: &'t str,
    matched: &'t str,
    line: &'t str,
}

impl Allowlist {
    fn compile(def: &AllowlistDef) -> Allowlist {
        let target = match def.regex_target.as_deref() {
            Some("match") => Target::Match,
            Some("line") => Target::Line,
            _ => Target::Secret,
        };
        Allowlist {
            all_must_match: def.condition.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("and")),
            target,
            regexes: def.regexes.iter().filter_map(|r| compile(r, "allowlist")).collect(),
            stopwords: def.stopwords.iter().map(|s| s.to_lowercase()).collect(),
            has_paths: !def.paths.is_empty(),
        }
    }

    fn allows(&self, find: &Find) -> bool {
        let text = match self.target {
            Target::Secret => find.secret,
            Target::Match => find.matched,
            Target::Line => find.line,
        };
        let by_regex = (!self.regexes.is_empty()).then(|| self.regexes.iter().any(|r| r.is_match(text)));
        let lower = find.secret.to_lowercase();
        let by_stopword =
            (!self.stopwords.is_empty()).then(|| self.stopwords.iter().any(|w| lower.contains(w.as_str())));
        let checks: Vec<bool> = [by_regex, by_stopword].into_iter().flatten().collect();
        if checks.is_empty() {
            return false;
        }
        if self.all_must_match {
            // With AND, a paths condition we do not evaluate makes the list never apply.
            !self.has_paths && checks.iter().all(|c| *c)
        } else {
            checks.iter().any(|c| *c)
        }
    }
}

struct Rule {
    kind: &'static str,
    source: String,
    regex: OnceLock<Option<Regex>>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    allowlists: Vec<Allowlist>,
    /// Our own rules skip placeholder values; gitleaks' rules rely on their allowlists.
    skip_placeholders: bool,
    /// The regex can match across lines (`[\s\S]`, `\n`, `(?s)`).
    multi_line: bool,
}

impl Rule {
    /// Compiled on first use: most texts never wake most rules.
    fn regex(&self) -> Option<&Regex> {
        self.regex.get_or_init(|| compile(&self.source, self.kind)).as_ref()
    }

    fn find(&self, text: &str, global: &Allowlist, spans: &mut Vec<(Range<usize>, &'static str)>) {
        let Some(re) = self.regex() else { return };
        for caps in re.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let secret = match self.secret_group {
                Some(group) => caps.get(group),
                None => caps.iter().skip(1).flatten().find(|m| !m.as_str().is_empty()),
            }
            .unwrap_or(whole);
            let secret_text = secret.as_str().trim_matches('\n');
            if self.entropy.is_some_and(|floor| shannon_entropy(secret_text) < floor) {
                continue;
            }
            if self.skip_placeholders && is_placeholder(secret_text) {
                continue;
            }
            let find =
                Find { secret: secret_text, matched: whole.as_str(), line: line_around(text, whole.range()) };
            // gitleaks' global allowlist tunes gitleaks' heuristics; our rules are exact shapes.
            let globally_allowed = !self.skip_placeholders && global.allows(&find);
            if globally_allowed || self.allowlists.iter().any(|a| a.allows(&find)) {
                continue;
            }
            spans.push((secret.range(), self.kind));
        }
    }
}

fn line_around(text: &str, range: Range<usize>) -> &str {
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..].find('\n').map_or(text.len(), |i| range.end + i);
    &text[start..end]
}

fn compile(source: &str, what: &str) -> Option<Regex> {
    let first = RegexBuilder::new(source).size_limit(32 << 20).build();
    // Go's `\w` is ASCII; Rust's is Unicode and can make a long repetition too big to compile.
    match first.or_else(|_| RegexBuilder::new(source).unicode(false).size_limit(32 << 20).build()) {
        Ok(re) => Some(re),
        Err(e) => {
            tracing::debug!("secret rule {what} does not compile in Rust's regex and is skipped: {e}");
            None
        }
    }
}

/// Bits per character, as gitleaks computes it (over bytes).
pub(crate) fn shannon_entropy(text: &str) -> f64 {
    if text.is_empty() {
        return 0.0;
    }
    let mut counts: HashMap<u8, usize> = HashMap::new();
    for b in text.bytes() {
        *counts.entry(b).or_default() += 1;
    }
    let len = text.len() as f64;
    counts.values().map(|&n| n as f64 / len).map(|p| -p * p.log2()).sum()
}

/// Every rule, the keyword automaton, and which rules each keyword wakes.
struct RuleSet {
    rules: Vec<Rule>,
    global: Allowlist,
    keywords: Option<AhoCorasick>,
    /// For keyword pattern `i`, the rules it wakes.
    woken_by: Vec<Vec<usize>>,
    /// Rules without keywords run on every text.
    always: Vec<usize>,
}

impl RuleSet {
    /// Each rule runs only on the lines where its keywords occur (a multi-line rule: from there
    /// on for a while), so a big file costs one keyword scan plus a few short regex runs.
    fn find(&self, text: &str, spans: &mut Vec<(Range<usize>, &'static str)>) {
        let mut windows: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.rules.len()];
        for &i in &self.always {
            windows[i].push(0..text.len());
        }
        if let Some(ac) = &self.keywords {
            for m in ac.find_overlapping_iter(text) {
                for &i in &self.woken_by[m.pattern().as_usize()] {
                    let window = window_around(text, m.start(), m.end(), self.rules[i].multi_line);
                    match windows[i].last_mut() {
                        Some(last) if last.end >= window.start => last.end = last.end.max(window.end),
                        _ => windows[i].push(window),
                    }
                }
            }
        }
        for (rule, windows) in self.rules.iter().zip(&windows) {
            for window in windows {
                let before = spans.len();
                rule.find(&text[window.clone()], &self.global, spans);
                for (range, _) in &mut spans[before..] {
                    *range = range.start + window.start..range.end + window.start;
                }
            }
        }
    }
}

/// How far past its keyword's line a multi-line rule looks (a 16384-bit RSA key is ~13 KB).
const MULTI_LINE_REACH: usize = 32 * 1024;

/// The keyword's whole line, and for a multi-line rule the text after it up to the reach.
fn window_around(text: &str, start: usize, end: usize, multi_line: bool) -> Range<usize> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let reach = if multi_line { (end + MULTI_LINE_REACH).min(text.len()) } else { end };
    let line_end = text[reach..].find('\n').map_or(text.len(), |i| reach + i);
    line_start..line_end
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(build_rules)
}

fn build_rules() -> RuleSet {
    let config: GitleaksConfig = toml::from_str(GITLEAKS_TOML).unwrap_or_else(|e| {
        tracing::error!("the bundled gitleaks rules do not parse; only Redline's own rules apply: {e}");
        GitleaksConfig { allowlist: None, rules: Vec::new() }
    });
    let global = Allowlist::compile(&config.allowlist.unwrap_or_default());
    let mut entries: Vec<(Rule, Vec<String>)> = OWN_RULES
        .iter()
        .map(|(kind, re, keywords)| {
            let rule = Rule {
                kind,
                source: (*re).to_owned(),
                regex: OnceLock::new(),
                secret_group: None,
                entropy: None,
                allowlists: Vec::new(),
                skip_placeholders: true,
                multi_line: spans_lines(re),
            };
            (rule, keywords.iter().map(|k| (*k).to_owned()).collect())
        })
        .collect();
    for def in config.rules {
        // Rules that only name a file (`*.p12`) are the visibility policy's business.
        let Some(source) = def.regex else { continue };
        if def.path.is_some() {
            // A rule limited to some files (`*.tf`) would misfire elsewhere; we do not know
            // the path of every text (command output), so such rules are left out.
            continue;
        }
        let rule = Rule {
            kind: leak(kind_of(&def.id)),
            multi_line: spans_lines(&source),
            source,
            regex: OnceLock::new(),
            secret_group: def.secret_group.filter(|g| *g > 0),
            entropy: def.entropy,
            allowlists: def.allowlists.iter().map(Allowlist::compile).collect(),
            skip_placeholders: false,
        };
        entries.push((rule, def.keywords));
    }
    index(entries, global)
}

fn index(entries: Vec<(Rule, Vec<String>)>, global: Allowlist) -> RuleSet {
    let mut patterns: Vec<String> = Vec::new();
    let mut woken_by: Vec<Vec<usize>> = Vec::new();
    let mut always = Vec::new();
    let mut rules = Vec::with_capacity(entries.len());
    for (i, (rule, keywords)) in entries.into_iter().enumerate() {
        if keywords.is_empty() {
            always.push(i);
        }
        for keyword in keywords {
            let keyword = keyword.to_lowercase();
            match patterns.iter().position(|p| *p == keyword) {
                Some(at) => woken_by[at].push(i),
                None => {
                    patterns.push(keyword);
                    woken_by.push(vec![i]);
                }
            }
        }
        rules.push(rule);
    }
    let keywords = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .map_err(|e| tracing::error!("secret keywords do not build; every rule runs: {e}"))
        .ok();
    if keywords.is_none() {
        always = (0..rules.len()).collect();
    }
    RuleSet { rules, global, keywords, woken_by, always }
}

fn spans_lines(source: &str) -> bool {
    ["[\\s\\S", "\\n", "(?s"].iter().any(|m| source.contains(m))
}

/// `github-pat` → "GitHub pat": the rule's id, readable in a chip.
fn kind_of(id: &str) -> String {
    match id {
        "private-key" => "private key".to_owned(),
        "generic-api-key" => "API key or password".to_owned(),
        "aws-access-token" => "AWS access key".to_owned(),
        _ => id.replace('-', " "),
    }
}

/// Rule kinds live as long as the process (the set is built once), so chips can borrow them.
fn leak(kind: String) -> &'static str {
    Box::leak(kind.into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(path: &str, text: &str) -> String {
        redact(path, text).0
    }

    fn kinds(path: &str, text: &str) -> Vec<&'static str> {
        redact(path, text).1.into_iter().map(|r| r.kind).collect()
    }

    #[test]
    fn the_gitleaks_rules_load_and_almost_all_compile() {
        let set = rules();
        let from_gitleaks = set.rules.iter().filter(|r| !r.skip_placeholders).count();
        let failed: Vec<&str> = set.rules.iter().filter(|r| r.regex().is_none()).map(|r| r.kind).collect();
        assert!(from_gitleaks > 200, "only {from_gitleaks} gitleaks rules loaded");
        // Counted so a new gitleaks version that Rust's regex cannot read is noticed.
        assert!(failed.is_empty(), "{} rules do not compile: {failed:?}", failed.len());
    }

    #[test]
    fn well_known_tokens_are_replaced_and_reported_by_line() {
        let text = "a = 1\naws = \"AKIAIOSFODNN7EXAMPLF\"\ngh = ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\n";
        let (out, found) = redact("config.py", text);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLF") && !out.contains("ghp_u8jzPde0"), "{out}");
        assert_eq!(found.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert!(out.starts_with("a = 1\n"));
    }

    #[test]
    fn a_redacted_block_keeps_the_line_count() {
        let text = "x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\ny\n";
        let (out, found) = redact("id", text);
        assert_eq!(out, "x\n[REDACTED]\n\n\ny\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 2);
    }

    #[test]
    fn private_key_blocks_of_every_kind_are_removed() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n";
        for header in [
            "PGP PRIVATE KEY BLOCK",
            "OPENSSH PRIVATE KEY",
            "PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
            "RSA PRIVATE KEY",
            "EC PRIVATE KEY",
            "DSA PRIVATE KEY",
        ] {
            let text = format!("before\n-----BEGIN {header}-----\n{body}-----END {header}-----\nafter\n");
            let out = redacted("key.txt", &text);
            assert!(!out.contains("MIIEvQ") && out.starts_with("before\n[REDACTED]"), "{header}: {out}");
            assert!(out.ends_with("after\n"), "{header}: {out}");
        }
    }

    #[test]
    fn a_private_key_cut_off_before_its_end_is_still_removed() {
        let out = redacted("notes.md", "see\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n");
        assert_eq!(out, "see\n[REDACTED]\n\n");
    }

    #[test]
    fn putty_private_lines_and_mac_are_removed_but_the_public_part_stays() {
        let key = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: me@host\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIFSg\nrandompublicpart\nPrivate-Lines: 1\nAAAAIGq2xTtQ3p5Z8mZlSecretPrivateBytes0123\nPrivate-MAC: 4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e\n";
        let out = redacted("me.ppk", key);
        assert!(!out.contains("SecretPrivateBytes") && !out.contains("4b1c2d3e4f5a"), "{out}");
        assert!(out.contains("Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIFSg"), "{out}");
        assert!(out.contains("Private-Lines: 1\n[REDACTED]"), "{out}");
    }

    #[test]
    fn a_password_inside_a_url_is_replaced_and_the_rest_kept() {
        let out = redacted("settings.py", "DB = 'postgres://app:s3cr3t-pw@db.internal:5432/app'\n");
        assert_eq!(out, "DB = 'postgres://app:[REDACTED]@db.internal:5432/app'\n");
        let out = redacted("ci.sh", "git clone https://me:ghtoken123456@github.com/o/r.git\n");
        assert_eq!(out, "git clone https://me:[REDACTED]@github.com/o/r.git\n");
        let template = "url = f\"postgres://{user}:{password}@{host}/db\"\nsee https://example.com:8080/x\n";
        assert_eq!(redacted("db.py", template), template);
    }

    #[test]
    fn netrc_passwords_are_replaced_on_one_line_and_across_lines() {
        let out = redacted("notes.txt", "machine api.example.com login me password hunter2secret\n");
        assert_eq!(out, "machine api.example.com login me password [REDACTED]\n");
        let netrc = "machine example.com\n  login me\n  password pw-on-its-own-line\ndefault login anon password x1\n";
        let out = redacted("home/.netrc", netrc);
        assert!(!out.contains("pw-on-its-own-line") && !out.contains("x1\n"), "{out}");
        assert!(out.contains("login me"));
    }

    #[test]
    fn docker_config_auths_are_replaced() {
        let config = r#"{"auths": {"registry.example.com": {"auth": "dXNlcjpwYXNzd29yZA=="}}}"#;
        let out = redacted(".docker/config.json", config);
        assert_eq!(out, r#"{"auths": {"registry.example.com": {"auth": "[REDACTED]"}}}"#);
    }

    #[test]
    fn kubeconfig_keys_and_tokens_are_replaced() {
        let kube = "users:\n- name: admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJU\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=\n    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9abc\n";
        let out = redacted("config", kube);
        assert!(!out.contains("LS0tLS1CRUdJTiBSU0Eg") && !out.contains("eyJhbGciOiJSUzI1NiIs"), "{out}");
        assert!(out.contains("client-certificate-data: LS0tLS1CRUdJTiBDRVJU"), "{out}");
    }

    #[test]
    fn names_ending_in_pass_password_pwd_or_passwd_lose_their_values() {
        let text = "DB_PASS=hunter2\nSMTP_PASSWORD = \"mail pass\"\nADMIN_PWD: 'x9'\nMYSQL_PASSWD=rootpw\nDB_HOST=db\n";
        let out = redacted("deploy.sh", text);
        assert_eq!(
            out,
            "DB_PASS=[REDACTED]\nSMTP_PASSWORD = \"[REDACTED]\"\nADMIN_PWD: '[REDACTED]'\nMYSQL_PASSWD=[REDACTED]\nDB_HOST=db\n"
        );
        assert_eq!(redacted("a.sh", "DB_PASS=${DB_PASS}\n"), "DB_PASS=${DB_PASS}\n");
    }

    #[test]
    fn env_and_envrc_values_are_all_secret_but_names_and_comments_stay() {
        let (out, found) = redact("app/.env.local", "# db\nDB_USER=admin\nEMPTY=\nPORT=5432\n");
        assert_eq!(out, "# db\nDB_USER=[REDACTED]\nEMPTY=\nPORT=[REDACTED]\n");
        assert_eq!(found.len(), 2);
        let out = redacted(".envrc", "use flake\nexport API_BASE=https://internal\nexport TOKEN=abc\n");
        assert_eq!(out, "use flake\nexport API_BASE=[REDACTED]\nexport TOKEN=[REDACTED]\n");
        // The same lines printed by a command, without the file's name to go by.
        let out = redacted(
            "command output",
            "export API_TOKEN=ENVRC-SECRET-8812\nexport API_BASE=https://internal\n",
        );
        assert_eq!(out, "export API_TOKEN=[REDACTED]\nexport API_BASE=https://internal\n");
    }

    #[test]
    fn gitleaks_generic_rule_catches_high_entropy_assignments() {
        let out = redacted("settings.toml", "api_secret = \"Zk3q9XvB7mP2tL8wR4nY6cH1\"\ntimeout = 30\n");
        assert_eq!(out, "api_secret = \"[REDACTED]\"\ntimeout = 30\n");
    }

    #[test]
    fn ordinary_code_is_left_alone() {
        let code = r#"fn main() {
    let token_count = tokens.len();
    let password_field = form.field("password");
    if password_field.len() < 8 { return; }
    let db_pass = read_pass();
    let url = format!("postgres://{user}:{password}@{host}/db");
    println!("{token_count}");
}
const FIXTURE: &str = "aGVsbG8gd29ybGQ=";
let id = Uuid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c8");
"#;
        assert_eq!(redact("main.rs", code), (code.to_owned(), vec![]));
        let lock = "[[package]]\nname = \"serde\"\nversion = \"1.0.219\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6\"\n";
        assert_eq!(redact("Cargo.lock", lock), (lock.to_owned(), vec![]));
        assert_eq!(describe(&[]), None);
    }

    #[test]
    fn kinds_are_named_for_people() {
        let k = kinds("a.py", "k = \"AKIAIOSFODNN7EXAMPLF\"\n");
        assert_eq!(k, ["AWS access key"]);
        assert_eq!(
            describe(&[Redaction { kind: "private key", line: 2 }]).as_deref(),
            Some("1 secret redacted (private key on line 2)")
        );
    }
}
