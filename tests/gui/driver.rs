//! Starting the app under tauri-driver with a fresh profile, and small waiting helpers.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

/// A profile (data folder, XDG folders) that outlives single app runs, so a test can restart
/// the app and see what it remembered.
pub struct Profile {
    dir: tempfile::TempDir,
}

impl Profile {
    pub fn new() -> Profile {
        Profile { dir: tempfile::tempdir().expect("profile dir") }
    }

    pub fn path(&self, sub: &str) -> PathBuf {
        let p = self.dir.path().join(sub);
        std::fs::create_dir_all(&p).expect("profile subdir");
        p
    }

    /// Settings with one provider, `scripted`, serving `model` from the scripted server at
    /// `url`, and that model as the default.
    pub fn scripted_provider(&self, url: &str, model: &str) {
        let settings = format!(
            "default_model = \"scripted/{model}\"\ndetect_local_servers = false\n\n[[provider]]\nid = \"scripted\"\nname = \"Scripted\"\nwire = \"openai\"\nbase_url = \"{url}/v1\"\nmodels = [\"{model}\"]\n"
        );
        std::fs::write(self.path("data").join("settings.toml"), settings).expect("settings");
    }
}

impl Profile {
    /// Every file under the profile (data, logs, XDG folders).
    pub fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }
}

/// One app run: tauri-driver, the WebDriver session, and the app it launched.
pub struct AppRun {
    pub client: Client,
    driver: Child,
    name: String,
    shots: u32,
}

pub use redline_tests::redline_binary as app_binary;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl AppRun {
    /// Launches the app with `args`, in `profile`. `name` prefixes the screenshots.
    pub async fn start(name: &str, profile: &Profile, args: &[&str]) -> AppRun {
        Self::start_with_env(name, profile, args, &[]).await
    }

    /// Like [`AppRun::start`], with extra environment for the app (e.g. a GTK theme).
    pub async fn start_with_env(
        name: &str,
        profile: &Profile,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> AppRun {
        // WebKitWebDriver occasionally drops the very first session request on a loaded
        // machine (hyper's IncompleteMessage): one retry with a fresh driver, then fail loudly.
        let mut last_error = String::new();
        for attempt in 1..=2 {
            let (mut driver, port) = spawn_driver(profile, env).await;
            match connect(port, args).await {
                Ok(client) => return AppRun { client, driver, name: name.to_owned(), shots: 0 },
                Err(e) => {
                    eprintln!("WebDriver session, attempt {attempt}: {e}");
                    last_error = e.to_string();
                    stop(&mut driver);
                }
            }
        }
        panic!("WebDriver session with the app: {last_error}");
    }

    pub async fn wait(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.client.wait().at_most(left).for_element(Locator::Css(css)).await {
                Ok(element) => return element,
                // The UI re-rendered the element between finding it and taking its handle
                // (seen once in CI): look again while there is time.
                Err(e) if e.to_string().contains("Stale element") && !left.is_zero() => {}
                Err(e) => {
                    self.failure_screenshot().await;
                    panic!("waiting for {css}: {e}")
                }
            }
        }
    }

    /// What the window showed when a wait gave up: `<test>-failed.png`.
    async fn failure_screenshot(&self) {
        if let Ok(png) = self.client.screenshot().await {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/gui-screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{}-failed.png", self.name)), png);
        }
    }

    /// Waits until `check` holds for the text of the first element matching `css`.
    pub async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        match self.text_within(css, &check, WAIT).await {
            Ok(text) => text,
            Err(last) => {
                self.failure_screenshot().await;
                panic!("text of {css} never matched; last seen: {last:?}")
            }
        }
    }

    /// The text of the first element matching `css` once `check` holds for it, within `wait`;
    /// the last text seen when it never did.
    pub async fn text_within(
        &self,
        css: &str,
        check: &impl Fn(&str) -> bool,
        wait: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + wait;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if check(&text) {
                        return Ok(text);
                    }
                    last = text;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(last)
    }

    /// Like [`AppRun::wait_text`], on the DOM's `textContent` (for text WebDriver calls hidden).
    pub async fn wait_content(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let script =
            format!("const e = document.querySelector({}); return e ? e.textContent : null;", json!(css));
        let deadline = Instant::now() + WAIT;
        let mut last = serde_json::Value::Null;
        while Instant::now() < deadline {
            last = self.eval(&script).await;
            if let Some(text) = last.as_str() {
                if check(text) {
                    return text.to_owned();
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("content of {css} never matched; last seen: {last}");
    }

    /// Runs `script` in the page (it must `return` a value) and gives back its JSON result.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.count(css).await > 0 {
            assert!(Instant::now() < deadline, "{css} is still shown");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// Types `text` into the element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait(css).await.send_keys(text).await.unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Clicks the element matching `css`. A live view may re-render it between finding and
    /// clicking (a stale element): it is found again, a few times, before giving up.
    pub async fn click(&self, css: &str) {
        let mut error = String::new();
        for _ in 0..5 {
            match self.wait(css).await.click().await {
                Ok(()) => return,
                Err(e) => error = format!("{e:?}"),
            }
            // Maybe out of view in a scrolled panel: bring it to the middle and try again.
            let script = format!(
                "document.querySelector({})?.scrollIntoView({{block: 'center'}}); return true;",
                json!(css)
            );
            let _ = self.client.execute(&script, vec![]).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.failure_screenshot().await;
        panic!("clicking {css}: {error}");
    }

    /// Saves a PNG of the window's content as `target/gui-screenshots/<test>-<n>-<step>.png`.
    pub async fn screenshot(&mut self, step: &str) {
        self.shots += 1;
        // Let the page paint what the DOM already holds before the snapshot is taken.
        let paint = "const done = arguments[arguments.length - 1]; \
                     requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        let _ = self.client.execute_async(paint, vec![]).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/gui-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{}-{:02}-{step}.png", self.name, self.shots)), png)
            .expect("write png");
    }

    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        stop(&mut self.driver);
    }
}

impl Drop for AppRun {
    fn drop(&mut self) {
        stop(&mut self.driver);
    }
}

/// tauri-driver on free ports, with the profile's folders, once it listens.
async fn spawn_driver(profile: &Profile, env: &[(&str, &str)]) -> (Child, u16) {
    let port = free_port();
    let native_port = free_port();
    let driver = Command::new("tauri-driver")
        .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
        .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
        .env("REDLINE_DATA_DIR", profile.path("data"))
        .env("XDG_DATA_HOME", profile.path("xdg-data"))
        .env("XDG_CONFIG_HOME", profile.path("xdg-config"))
        .env("XDG_CACHE_HOME", profile.path("xdg-cache"))
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver on PATH (cargo install tauri-driver --version '^2')");
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (driver, port)
}

/// A WebDriver session that launches the app with `args`.
async fn connect(port: u16, args: &[&str]) -> Result<Client, fantoccini::error::NewSessionError> {
    // Two TLS crypto providers are compiled in (see Cargo.toml); without a choice rustls panics.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let caps = json!({
        "browserName": "wry",
        "tauri:options": { "application": app_binary(), "args": args },
    });
    let caps = caps.as_object().cloned().expect("object");
    ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
}

/// SIGTERM, not SIGKILL: a killed tauri-driver leaves WebKitWebDriver holding its port.
fn stop(driver: &mut Child) {
    if let Ok(None) = driver.try_wait() {
        let _ = Command::new("kill").args(["-TERM", &driver.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = driver.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = driver.kill();
        let _ = driver.wait();
    }
}
