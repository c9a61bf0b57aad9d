use super::*;

/// (path, valid text, broken text, 1-based line the break is on).
const CASES: &[(&str, &str, &str, u32)] = &[
    (
        "src/lib.rs",
        "fn main() {\n    let x = 1;\n    println!(\"{x}\");\n}\n",
        "fn main() {\n    let x = 1;\n    let y = (x + ;\n}\n",
        3,
    ),
    (
        "app.py",
        "def f(x):\n    return x + 1\n\nprint(f(2))\n",
        "def f(x):\n    return x + 1\n\nprint(f(2)))\n",
        4,
    ),
    (
        "app.js",
        "function f(x) {\n  return x + 1;\n}\nconsole.log(f(2));\n",
        "function f(x) {\n  return x + 1;\n}\nconsole.log(f(2)));\n",
        4,
    ),
    (
        "app.ts",
        "function f(x: number): number {\n  return x + 1;\n}\n",
        "function f(x: number): number {\n  return x + 1;\n}\nconst y: = 3;\n",
        4,
    ),
    (
        "App.tsx",
        "const A = () => <div>hi</div>;\nexport default A;\n",
        "const A = () => <div>hi</div>;\nconst B = = <div>hi</div>;\n",
        2,
    ),
    (
        "main.go",
        "package main\n\nfunc main() {\n\tx := 1\n\t_ = x\n}\n",
        "package main\n\nfunc main() {\n\tx := 1\n\t_ = x +\n}\n",
        5,
    ),
    (
        "A.java",
        "class A {\n  int f(int x) {\n    return x + 1;\n  }\n}\n",
        "class A {\n  int f(int x) {\n    return x + 1\n  }\n}\n",
        3,
    ),
    ("a.c", "int f(int x) {\n  return x + 1;\n}\n", "int f(int x) {\n  return x + 1;\n  int = 4;\n}\n", 3),
    ("a.cpp", "int f(int x) {\n  return x + 1;\n}\n", "int f(int x) {\n  return x + 1\n}\n", 2),
    ("a.json", "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n", "{\n  \"a\": 1,\n  \"b\": [1 2]\n}\n", 3),
    (
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
        "[package]\nname = \"x\"\nversion = = \"0.1.0\"\n",
        3,
    ),
    (
        "ci.yaml",
        "jobs:\n  build:\n    steps:\n      - run: make\n",
        "jobs:\n  build:\n    steps: [make\n      - run: make\n",
        3,
    ),
];

#[test]
fn valid_snippets_in_every_language_have_no_syntax_finding() {
    for (path, valid, _, _) in CASES {
        let findings = introduced_errors(language_for_path(path).expect("known language"), None, valid);
        assert!(findings.is_empty(), "{path}: {findings:?}");
    }
}

#[test]
fn a_break_in_every_language_is_flagged_on_the_broken_line() {
    for (path, _, broken, line) in CASES {
        let findings = introduced_errors(language_for_path(path).expect("known language"), None, broken);
        assert!(!findings.is_empty(), "{path}: no finding");
        assert!(
            findings.iter().any(|f| f.line <= *line && *line <= f.end_line),
            "{path}: expected a finding covering line {line}, got {findings:?}"
        );
        assert!(findings.iter().all(|f| f.message.starts_with("syntax error: ")), "{path}: {findings:?}");
    }
}

#[test]
fn a_break_introduced_after_a_valid_old_text_is_reported() {
    let (_, valid, broken, line) = CASES[0];
    let findings = introduced_errors("rust", Some(valid), broken);
    assert_eq!(findings.first().map(|f| f.line), Some(line));
}

#[test]
fn an_error_already_in_the_old_text_is_not_reported_again() {
    let old = "fn a() {\n    let y = (1 + ;\n}\n";
    let new = "fn a() {\n    let y = (1 + ;\n}\n\nfn b() {}\n";
    assert!(introduced_errors("rust", Some(old), new).is_empty());
}

#[test]
fn a_new_error_next_to_an_old_one_is_still_reported() {
    let old = "fn a() {\n    let y = (1 + ;\n}\n";
    let new = "fn a() {\n    let y = (1 + ;\n}\n\nfn b() {\n    let z = [2 * ;\n}\n";
    let findings = introduced_errors("rust", Some(old), new);
    assert!(findings.iter().any(|f| f.line == 6), "{findings:?}");
    assert!(findings.iter().all(|f| f.line != 2), "{findings:?}");
}

#[test]
fn a_missing_semicolon_is_named_in_the_message() {
    let findings = introduced_errors("java", None, CASES[6].2);
    assert!(findings.iter().any(|f| f.message == "syntax error: missing `;`"), "{findings:?}");
}

#[test]
fn a_missing_grammar_rule_is_named_in_words_not_quoted() {
    let findings = introduced_errors("c", None, CASES[7].2);
    assert!(findings.iter().any(|f| f.message == "syntax error: missing identifier"), "{findings:?}");
}

#[test]
fn extensions_map_to_languages_and_unknown_ones_to_none() {
    assert_eq!(language_for_path("src/main.rs"), Some("rust"));
    assert_eq!(language_for_path("x/y.PYI"), Some("python"));
    assert_eq!(language_for_path("a.hh"), Some("cpp"));
    assert_eq!(language_for_path("a.yml"), Some("yaml"));
    assert_eq!(language_for_path("README.md"), None);
    assert_eq!(language_for_path("Makefile"), None);
}
