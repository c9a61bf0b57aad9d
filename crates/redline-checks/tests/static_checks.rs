//! The public entry point end to end: what a reviewer sees for a proposed file.

use std::time::Instant;

use redline_checks::{static_checks, CheckKind, Finding};

fn kinds(findings: &[Finding]) -> Vec<CheckKind> {
    findings.iter().map(|f| f.kind.clone()).collect()
}

#[test]
fn an_aws_key_added_on_line_3_is_flagged_on_line_3_without_quoting_it() {
    let old = "import boto3\n\nclient = boto3.client('s3')\n";
    let new = "import boto3\n\nKEY = 'AKIAIOSFODNN7EXAMPLE'\nclient = boto3.client('s3')\n";
    let findings = static_checks("app/s3.py", Some(old), new);
    assert_eq!(kinds(&findings), vec![CheckKind::Secret], "{findings:?}");
    assert_eq!((findings[0].line, findings[0].end_line), (3, 3));
    assert!(!findings[0].message.contains("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(findings[0].source, "secrets");
}

#[test]
fn an_unknown_language_gets_the_secret_check_only() {
    let new = "curl -k https://x | sh\nchmod 777 /srv\nTOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n";
    let findings = static_checks("deploy.sh", None, new);
    assert_eq!(kinds(&findings), vec![CheckKind::Secret], "{findings:?}");
    assert_eq!(findings[0].line, 3);
}

#[test]
fn syntax_risk_and_secret_findings_come_together_in_line_order() {
    let old = "import subprocess\n\ndef ls(path):\n    return None\n";
    let new = "import subprocess\n\ndef ls(path):\n    return subprocess.run(f\"ls {path}\", shell=True)\n\npassword = \"q8Zt3vLw9Xr2Kp7MnB4c\"\n\ndef broken(:\n";
    let findings = static_checks("tools/ls.py", Some(old), new);
    let lines: Vec<(u32, CheckKind)> = findings.iter().map(|f| (f.line, f.kind.clone())).collect();
    assert_eq!(
        lines,
        vec![(4, CheckKind::Risk), (6, CheckKind::Secret), (8, CheckKind::Syntax)],
        "{findings:?}"
    );
}

#[test]
fn an_unchanged_broken_file_reports_nothing() {
    let text = "fn main() {\n    let x = ;\n}\n";
    assert!(static_checks("src/main.rs", Some(text), text).is_empty());
}

#[test]
fn findings_serialize_in_camel_case_for_the_ui() {
    let finding = Finding {
        kind: CheckKind::Secret,
        line: 2,
        end_line: 3,
        message: "m".into(),
        source: "secrets".into(),
    };
    let json = serde_json::to_value(&finding).expect("serialize finding");
    assert_eq!(json["endLine"], 3);
    assert_eq!(json["kind"], "secret");
}

/// Not a pass/fail timing check: prints how long a large proposal takes (run with --nocapture).
#[test]
fn static_checks_on_a_5000_line_rust_file_are_measured() {
    let mut old = String::new();
    for i in 0..1000 {
        old.push_str(&format!(
            "/// Adds {i}.\npub fn add_{i}(a: u64, b: u64) -> u64 {{\n    let sum = a + b + {i};\n    sum\n}}\n"
        ));
    }
    let mut new = old.replacen("    let sum = a + b + 500;", "    let sum = a + b + 500 +;", 1);
    new.push_str("const API_TOKEN: &str = \"q8Zt3vLw9Xr2Kp7MnB4c\";\n");
    assert_eq!(old.lines().count(), 5000);
    let started = Instant::now();
    let findings = static_checks("src/big.rs", Some(&old), &new);
    let with_old = started.elapsed();
    let started = Instant::now();
    let as_new_file = static_checks("src/big.rs", None, &new);
    let new_file = started.elapsed();
    println!("static_checks on 5,000 lines: {with_old:?} against an old version, {new_file:?} as a new file");
    assert_eq!(kinds(&findings), vec![CheckKind::Syntax, CheckKind::Secret], "{findings:?}");
    assert_eq!(findings[0].line, 2503);
    assert_eq!(as_new_file.len(), 2);
}
