use super::*;

fn flags(language: &str, line: &str) -> Vec<Finding> {
    scan(language, &AddedLines::new("", line))
}

fn assert_flagged(language: &str, line: &str) {
    let findings = flags(language, line);
    assert_eq!(findings.len(), 1, "{language}: expected one finding for {line:?}, got {findings:?}");
}

fn assert_clean(language: &str, line: &str) {
    let findings = flags(language, line);
    assert!(findings.is_empty(), "{language}: flagged {line:?}: {findings:?}");
}

#[test]
fn shell_true_with_an_f_string_is_flagged_and_an_argument_list_is_not() {
    assert_flagged("python", r#"subprocess.run(f"ls {path}", shell=True)"#);
    assert_clean("python", r#"subprocess.run(["ls", path])"#);
    assert_clean("python", r#"subprocess.run("ls -l", shell=True)"#);
    assert_flagged("python", r#"subprocess.call("ls " + path, shell=True)"#);
    assert_flagged("python", r#"out = subprocess.check_output(cmd, shell=True)"#);
    assert_flagged("python", r#"subprocess.Popen("rm %s" % name, shell=True)"#);
}

#[test]
fn os_system_with_interpolation_is_flagged_and_a_constant_is_not() {
    assert_flagged("python", r#"os.system("rm -rf {}".format(folder))"#);
    assert_flagged("python", r#"os.system(f"tar xf {archive}")"#);
    assert_clean("python", r#"os.system("clear")"#);
}

#[test]
fn eval_of_input_is_flagged_but_literals_and_method_calls_are_not() {
    assert_flagged("python", "result = eval(user_input)");
    assert_flagged("javascript", "const v = eval(req.query.expr);");
    assert_flagged("python", "exec(code_from_request)");
    assert_clean("python", r#"eval("1 + 2")"#);
    assert_clean("javascript", "const m = pattern.exec(text);");
    assert_clean("python", "value = ast.literal_eval(text)");
}

#[test]
fn child_process_exec_with_a_template_or_concat_is_flagged() {
    assert_flagged("javascript", "child_process.exec(`git log ${branch}`, cb);");
    assert_flagged("typescript", r#"exec("convert " + file, done);"#);
    assert_clean("javascript", r#"child_process.execFile("git", ["log", branch], cb);"#);
    assert_clean("javascript", r#"child_process.exec("git status", cb);"#);
}

#[test]
fn sql_built_by_concatenation_or_formatting_is_flagged_in_every_language() {
    assert_flagged("java", r#"String q = "SELECT * FROM users WHERE name = '" + name + "'";"#);
    assert_flagged("python", r#"cur.execute(f"SELECT * FROM users WHERE id = {user_id}")"#);
    assert_flagged("python", r#"cur.execute("DELETE FROM users WHERE id = %d" % user_id)"#);
    assert_flagged("python", r#"q = "UPDATE users SET name = '{}'".format(name)"#);
    assert_flagged("rust", r#"let q = format!("SELECT * FROM users WHERE id = {}", id);"#);
    assert_flagged("javascript", "db.query(`SELECT * FROM users WHERE id = ${id}`);");
    assert_flagged("go", r#"q := fmt.Sprintf("SELECT * FROM users WHERE id = %d", id)"#);
}

#[test]
fn parameterized_queries_are_not_flagged() {
    assert_clean("python", r#"cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))"#);
    assert_clean("javascript", r#"db.query("SELECT * FROM users WHERE id = ?", [id]);"#);
    assert_clean("go", r#"rows, err := db.Query("SELECT * FROM users WHERE id = $1", id)"#);
    assert_clean("rust", r#"conn.execute("INSERT INTO users (name) VALUES (?1)", [name])?;"#);
}

#[test]
fn disabled_tls_verification_is_flagged_in_each_spelling() {
    assert_flagged("python", r#"requests.get(url, verify=False)"#);
    assert_flagged("javascript", "const agent = new https.Agent({ rejectUnauthorized: false });");
    assert_flagged("go", "cfg := &tls.Config{InsecureSkipVerify: true}");
    assert_flagged("rust", "let client = Client::builder().danger_accept_invalid_certs(true).build()?;");
    assert_flagged("yaml", "  NODE_TLS_REJECT_UNAUTHORIZED: \"0\"");
    assert_flagged("c", "curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);");
    assert_clean("python", r#"requests.get(url, verify=True)"#);
    assert_clean("go", "cfg := &tls.Config{InsecureSkipVerify: false}");
}

#[test]
fn world_writable_permissions_are_flagged_and_ordinary_ones_are_not() {
    assert_flagged("yaml", "      - run: chmod 777 build/out");
    assert_flagged("yaml", "      - run: chmod -R o+w /srv/data");
    assert_flagged("python", "os.chmod(path, 0o777)");
    assert_flagged("rust", "perms.set_mode(0o777);");
    assert_flagged("go", "os.Chmod(p, 0777)");
    assert_flagged("javascript", "fs.chmodSync(p, 0o666);");
    assert_clean("python", "os.chmod(path, 0o755)");
    assert_clean("rust", "perms.set_mode(0o644);");
    assert_clean("yaml", "      - run: chmod +x build/run.sh");
}

#[test]
fn a_risky_line_already_in_the_old_text_is_not_reported() {
    let old = "requests.get(url, verify=False)\n";
    let new = "import requests\nrequests.get(url, verify=False)\n";
    assert!(scan("python", &AddedLines::new(old, new)).is_empty());
}

#[test]
fn python_rules_do_not_fire_on_other_languages() {
    assert_clean("rust", r#"// subprocess.run(f"ls {path}", shell=True)"#);
}
