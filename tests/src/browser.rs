//! A real browser for the officer console's tests: Debian's headless Chromium driven
//! through its ChromeDriver (WebDriver) with `fantoccini`. Each test gets its own
//! ChromeDriver on a free port and its own empty profile; every page a test looks at can
//! be saved as a screenshot under `target/console-shots/`.
//!
//! Without `chromedriver` on the machine the browser tests say they are skipped, unless
//! `REQUIRE_BROWSER_TESTS` is set (as `.ci/run` does, after installing it), when they
//! fail instead.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::app::{PASSWORD, TestApp};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Browsers are heavy on a two-core machine: at most two run at once across the tests.
static BROWSERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// A headless Chromium at 1366×768, the console's smallest supported screen.
pub struct Browser {
    pub client: Client,
    base: String,
    driver: Child,
    profile: PathBuf,
    _permit: SemaphorePermit<'static>,
}

/// Whether this machine can run the browser tests; says why not when it cannot.
pub fn available() -> bool {
    if std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var_os("REQUIRE_BROWSER_TESTS").is_some() {
        panic!(
            "{CHROMEDRIVER} or {CHROMIUM} is missing and REQUIRE_BROWSER_TESTS is set: \
             apt-get install chromium chromium-driver"
        );
    }
    eprintln!(
        "browser test skipped: {CHROMEDRIVER} not found (apt-get install chromium chromium-driver)"
    );
    false
}

/// Where screenshots go: `target/console-shots/`.
pub fn shots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("console-shots")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Starts ChromeDriver and a browser for `app`.
    pub async fn open(app: &TestApp) -> Browser {
        let permit = BROWSERS.acquire().await.expect("semaphore open");
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("doorstep-chrome-{}", uuid::Uuid::new_v4().simple()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--window-size=1366,768", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        base: app.url(""),
                        driver,
                        profile,
                        _permit: permit,
                    };
                }
                Err(err) => {
                    last_error = Some(err);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("chromedriver did not start: {last_error:?}");
    }

    /// The server's address for `path` (`/console/...`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.trim_end_matches('/'))
    }

    /// Opens `path` and waits until the page has loaded.
    pub async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.expect("navigate");
    }

    /// The path (and query) the browser is at now.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        let mut path = url.path().to_owned();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        path
    }

    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(found) => found,
            Err(e) => panic!("no element {css} on {}: {e}", self.path().await),
        }
    }

    /// Whether an element matching `css` is on the page now.
    pub async fn has(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all")
            .is_empty()
    }

    /// Types `text` into the field `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Clicks `css`, then waits until the page that follows has loaded and htmx is idle.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
        self.settle().await;
    }

    /// Chooses `value` in the `<select>` `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("option {value} of {css}: {e}"));
        self.settle().await;
    }

    /// Waits for the document to be loaded and no htmx request to be running.
    pub async fn settle(&self) {
        for _ in 0..100 {
            let idle = self
                .client
                .execute(
                    "return document.readyState === 'complete' && \
                     document.querySelector('.htmx-request') === null;",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if idle {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page's text contains `needle` (htmx swaps land a moment later).
    pub async fn wait_for_text(&self, needle: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            text = self.text().await;
            if text.contains(needle) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{needle:?} never appeared on {}; the page says:\n{text}",
            self.path().await
        );
    }

    /// Whether an image matching `css` has loaded (waiting up to five seconds for it).
    pub async fn image_loads(&self, css: &str) -> bool {
        let script = "const img = document.querySelector(arguments[0]); \
                      return img !== null && img.complete && img.naturalWidth > 0;";
        for _ in 0..50 {
            let shown = self
                .client
                .execute(script, vec![json!(css)])
                .await
                .expect("script runs");
            if shown == json!(true) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The page's HTML as the browser holds it.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Saves what the browser shows as `target/console-shots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = shots_dir();
        std::fs::create_dir_all(&dir).expect("shots folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Signs in on the console's own form with `login` and the test password, landing on
    /// the home page.
    pub async fn sign_in(&self, login: &str) {
        self.goto("/console/sign-in").await;
        self.fill("input[name=login]", login).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.click("form button[type=submit]").await;
    }

    /// Ends the browser session (the driver goes when the `Browser` drops).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that panicked never closed its session: ChromeDriver killed outright would
        // leave its Chromium running, so its children (the browser) go first.
        let _ = Command::new("pkill")
            .args(["-KILL", "-P", &self.driver.id().to_string()])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
