//! Risky patterns on added lines: shell and eval of interpolated input, SQL built from strings,
//! disabled TLS verification and world-writable permissions. Line-based on purpose: it is fast,
//! works on text that does not parse, and a call split over several lines is the price.

use std::sync::LazyLock;

use regex::Regex;

use crate::added::AddedLines;
use crate::{CheckKind, Finding};

const SOURCE: &str = "risky-patterns";

/// One risky construct: where it applies, how to spot it on a line, and why it matters.
struct Rule {
    /// Language names from `language_for_path`; empty means every known language.
    languages: &'static [&'static str],
    applies: fn(&str) -> bool,
    reason: &'static str,
}

const CODE: &[&str] = &["rust", "python", "javascript", "typescript", "tsx", "go", "java", "c", "cpp"];
const JS: &[&str] = &["javascript", "typescript", "tsx"];

static RULES: &[Rule] = &[
    Rule {
        languages: &["python"],
        applies: python_shell,
        reason: "shell=True with an interpolated command runs whatever the input contains; pass a list of arguments",
    },
    Rule {
        languages: &["python"],
        applies: python_os_system,
        reason: "os.system/os.popen with an interpolated command runs whatever the input contains; use subprocess with a list",
    },
    Rule {
        languages: &["python"],
        applies: python_eval_of_input,
        reason: "eval/exec of a non-literal runs whatever code the input contains",
    },
    Rule {
        languages: JS,
        applies: js_eval_of_input,
        reason: "eval of a non-literal runs whatever code the input contains",
    },
    Rule {
        languages: JS,
        applies: js_child_process_exec,
        reason: "exec with a template or concatenated command runs whatever the input contains; use execFile with an argument array",
    },
    Rule {
        languages: CODE,
        applies: sql_built_from_strings,
        reason: "SQL built by string concatenation or formatting is open to injection; use a parameterized query",
    },
    Rule {
        languages: &[],
        applies: tls_verification_disabled,
        reason: "disables TLS certificate verification, so anyone on the network path can read or change the traffic",
    },
    Rule {
        languages: &[],
        applies: world_writable,
        reason: "makes the file world-writable, so any local user or process can change it",
    },
];

pub(crate) fn scan(language: &str, added: &AddedLines<'_>) -> Vec<Finding> {
    let rules: Vec<&Rule> =
        RULES.iter().filter(|rule| rule.languages.is_empty() || rule.languages.contains(&language)).collect();
    let mut findings = Vec::new();
    for (line, text) in added.iter() {
        for rule in rules.iter().filter(|rule| (rule.applies)(text)) {
            findings.push(Finding::new(CheckKind::Risk, line, line, rule.reason, SOURCE));
        }
    }
    findings
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("risky pattern is a valid regex")
}

/// Whether a call's first argument (the text right after `(`) is built from input rather than
/// being one plain string literal: an f-string, a template, `%`/`.format`/`+` on a literal, or a
/// bare name.
fn first_argument_is_interpolated(argument: &str) -> bool {
    static PLAIN_LITERAL: LazyLock<Regex> =
        LazyLock::new(|| regex(r#"^(?:[rRbBuU]?"[^"]*"|[rRbBuU]?'[^']*')\s*([,)]|$)"#));
    static INTERPOLATED_PREFIX: LazyLock<Regex> =
        LazyLock::new(|| regex(r#"^(?:[fF][rR]?|[rR][fF])["']|^`[^`]*\$\{"#));
    let argument = argument.trim_start();
    if INTERPOLATED_PREFIX.is_match(argument) {
        return true;
    }
    if argument.starts_with('[') || argument.starts_with('(') || argument.starts_with('`') {
        return false;
    }
    !PLAIN_LITERAL.is_match(argument) && !argument.is_empty()
}

fn python_shell(line: &str) -> bool {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"\bsubprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)\s*\((.*)")
    });
    static SHELL_TRUE: LazyLock<Regex> = LazyLock::new(|| regex(r"\bshell\s*=\s*True\b"));
    SHELL_TRUE.is_match(line) && call_argument_is_interpolated(&CALL, line)
}

fn python_os_system(line: &str) -> bool {
    static CALL: LazyLock<Regex> = LazyLock::new(|| regex(r"\bos\.(?:system|popen)\s*\((.*)"));
    call_argument_is_interpolated(&CALL, line)
}

fn python_eval_of_input(line: &str) -> bool {
    // Not `.exec(` (a method) and not `literal_eval(`, hence no dot or word character before.
    static CALL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?:^|[^.\w])(?:eval|exec)\s*\((.*)"));
    static DEFINITION: LazyLock<Regex> = LazyLock::new(|| regex(r"\bdef\s+(?:eval|exec)\b"));
    !DEFINITION.is_match(line) && call_argument_is_interpolated(&CALL, line)
}

fn js_eval_of_input(line: &str) -> bool {
    // In JavaScript a bare `exec(` is child_process's, handled by its own rule.
    static CALL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?:^|[^.\w])(?:eval|new\s+Function)\s*\((.*)"));
    static DEFINITION: LazyLock<Regex> = LazyLock::new(|| regex(r"\bfunction\s+eval\b"));
    !DEFINITION.is_match(line) && call_argument_is_interpolated(&CALL, line)
}

/// Whether `call` (capturing everything after the opening parenthesis) matches with an argument.
fn call_argument_is_interpolated(call: &Regex, line: &str) -> bool {
    call.captures(line).and_then(|c| c.get(1)).is_some_and(|args| {
        let args = args.as_str().trim_start();
        !args.starts_with(')') && first_argument_is_interpolated(args)
    })
}

fn js_child_process_exec(line: &str) -> bool {
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| regex(r"(?:\bchild_process\.|\bcp\.|(?:^|[^.\w]))exec(?:Sync)?\s*\(\s*(.*)"));
    static BUILT: LazyLock<Regex> =
        LazyLock::new(|| regex(r#"^(?:`[^`]*\$\{|["'][^"']*["']\s*\+|\w[\w.]*\s*\+)"#));
    CALL.captures(line).and_then(|c| c.get(1)).is_some_and(|args| BUILT.is_match(args.as_str()))
}

fn sql_built_from_strings(line: &str) -> bool {
    static SQL_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r#"(?i)["'`]\s*(?:SELECT\b.*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|DROP\s+TABLE\b)"#,
        )
    });
    static BUILT: LazyLock<Regex> = LazyLock::new(|| {
        regex(concat!(
            r#"["'`]\s*\+\s*[\w(]|[\w)\]]\s*\+\s*["'`]"#, // "..." + x, x + "..."
            r#"|\b[fF]["'][^"']*\{"#,                     // f"... {x}"
            r#"|["']\s*\.format\s*\("#,                   // "...".format(x)
            r#"|["']\s*%\s*[\w(\[]"#,                     // "..." % x
            r#"|`[^`]*\$\{"#,                             // `... ${x}`
            r#"|\bformat!\s*\(\s*"[^"]*\{"#,              // format!("... {}")
            r#"|(?:Sprintf|String\.format|sprintf|snprintf)\s*\([^"]*"[^"]*%[sdv]"#, // Sprintf("... %s")
        ))
    });
    SQL_LITERAL.is_match(line) && BUILT.is_match(line)
}

fn tls_verification_disabled(line: &str) -> bool {
    static DISABLED: LazyLock<Regex> = LazyLock::new(|| {
        regex(concat!(
            r#"\bverify\s*=\s*False\b"#,
            r#"|\brejectUnauthorized["']?\s*:\s*false\b"#,
            r#"|\bInsecureSkipVerify\s*:\s*true\b"#,
            r#"|\binsecure_skip_verify\s*:\s*true\b"#,
            r#"|\bdanger_accept_invalid_(?:certs|hostnames)\s*\(\s*true\s*\)"#,
            r#"|\bNODE_TLS_REJECT_UNAUTHORIZED["']?\s*[:=]\s*["']?0\b"#,
            r#"|\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\s*,\s*(?:0L?|false|FALSE)\b"#,
            r#"|\bssl\._create_unverified_context\b|\bCERT_NONE\b"#,
        ))
    });
    DISABLED.is_match(line)
}

fn world_writable(line: &str) -> bool {
    static SYMBOLIC: LazyLock<Regex> =
        LazyLock::new(|| regex(r"\bchmod\s+(?:-\w+\s+)*[ugoa]*[oa][ugoa]*\+[rwxXst]*w"));
    static NUMERIC_CALL: LazyLock<Regex> =
        LazyLock::new(|| regex(r"(?i)\b(?:f?chmod\w*|set_mode|from_mode)\b(.*)"));
    static MODE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?:^|[^\w])(?:0o|0)?([0-7]{3})\b"));
    if SYMBOLIC.is_match(line) {
        return true;
    }
    let Some(rest) = NUMERIC_CALL.captures(line).and_then(|c| c.get(1)) else { return false };
    MODE.captures_iter(rest.as_str()).filter_map(|c| c.get(1)).any(|mode| {
        let others = mode.as_str().bytes().last().map_or(0, |digit| digit - b'0');
        others & 0o2 != 0
    })
}

#[cfg(test)]
mod tests;
