use super::*;

fn scan_new(old: &str, new: &str) -> Vec<Finding> {
    scan(&AddedLines::new(old, new))
}

const AWS_ID: &str = "AKIAIOSFODNN7EXAMPLE";

#[test]
fn an_aws_key_id_added_on_line_3_is_flagged_there_without_quoting_it() {
    let new = format!("import boto3\n\nKEY_ID = \"{AWS_ID}\"\nprint(KEY_ID)\n");
    let findings = scan_new("import boto3\n\nprint(1)\n", &new);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].line, findings[0].end_line), (3, 3));
    assert!(findings[0].message.contains("AWS access key id"), "{}", findings[0].message);
    assert!(!findings[0].message.contains(AWS_ID), "message leaks the key: {}", findings[0].message);
    assert!(!findings[0].message.contains("IOSFODNN"), "message leaks part of the key");
}

#[test]
fn a_key_already_in_the_old_text_is_not_reported_again() {
    let old = format!("KEY_ID = \"{AWS_ID}\"\n");
    let new = format!("KEY_ID = \"{AWS_ID}\"\nREGION = \"eu-west-1\"\n");
    assert!(scan_new(&old, &new).is_empty());
}

#[test]
fn well_known_token_formats_are_each_recognised() {
    let cases = [
        ("-----BEGIN RSA PRIVATE KEY-----", "private key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
        ("token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'", "GitHub token"),
        ("t = \"github_pat_11ABCDEFG0123456789_abcdefghijklmnop\"", "GitHub fine-grained"),
        ("GITLAB=glpat-abcdefghij0123456789", "GitLab"),
        ("slack: xoxb-1234567890-abcdefghij", "Slack"),
        ("key: AIzaSyA1234567890abcdefghijklmnopqrstuv", "Google"),
        ("stripe = 'sk_live_0123456789abcdefghijklmn'", "Stripe"),
        ("OPENAI = 'sk-proj-abcdefghij0123456789ABCD'", "OpenAI"),
        ("ANTHROPIC = 'sk-ant-api03-abcdefghij0123456789'", "Anthropic"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret"),
        (
            "auth = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'",
            "JSON Web Token",
        ),
    ];
    for (line, what) in cases {
        let findings = scan_new("", line);
        assert_eq!(findings.len(), 1, "{line}: {findings:?}");
        assert!(findings[0].message.contains(what), "{line}: {}", findings[0].message);
    }
}

#[test]
fn an_anthropic_key_is_not_also_reported_as_an_openai_key() {
    let findings = scan_new("", "k = 'sk-ant-api03-abcdefghij0123456789'");
    assert!(findings.iter().all(|f| !f.message.contains("OpenAI")), "{findings:?}");
}

#[test]
fn a_high_entropy_password_literal_is_flagged_without_its_value() {
    let value = "q8Zt3vLw9Xr2Kp7MnB4c";
    let findings = scan_new("", &format!("db_password = \"{value}\""));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].message.contains("db_password"));
    assert!(!findings[0].message.contains(value));
}

#[test]
fn a_secret_assigned_through_a_typed_declaration_is_flagged() {
    for line in [
        "const API_TOKEN: &str = \"q8Zt3vLw9Xr2Kp7MnB4c\";",
        "static SECRET: &'static str = \"q8Zt3vLw9Xr2Kp7MnB4c\";",
        "apiToken := \"q8Zt3vLw9Xr2Kp7MnB4c\"",
        "private String dbPassword = \"q8Zt3vLw9Xr2Kp7MnB4c\";",
        "  \"client_secret\": \"q8Zt3vLw9Xr2Kp7MnB4c\",",
    ] {
        assert_eq!(scan_new("", line).len(), 1, "missed: {line}");
    }
}

#[test]
fn placeholder_passwords_and_env_lookups_are_not_flagged() {
    let lines = [
        "password = \"changeme\"",
        "api_key = \"<your-api-key-goes-here>\"",
        "API_TOKEN = \"xxxxxxxxxxxxxxxxxxxxxxxx\"",
        "secret: \"${VAULT_SECRET_FROM_ENVIRONMENT}\"",
        "token = os.environ[\"GITHUB_TOKEN_FOR_THE_BUILD\"]",
        "let token = std::env::var(\"REDLINE_TOKEN_Xq8Zt3vLw9\")?;",
        "password = \"your_password_Zq81Lx_here\"",
    ];
    for line in lines {
        assert!(scan_new("", line).is_empty(), "flagged a placeholder: {line}");
    }
}

#[test]
fn a_low_entropy_value_for_a_secret_name_is_not_flagged() {
    assert!(scan_new("", "token_type = \"bearerbearerbearer\"").is_empty());
}

#[test]
fn entropy_of_random_text_is_high_and_of_repeats_is_zero() {
    assert!(shannon_entropy("q8Zt3vLw9Xr2Kp7MnB4c") > 4.0);
    assert_eq!(shannon_entropy("aaaaaaaaaaaaaaaa"), 0.0);
}
