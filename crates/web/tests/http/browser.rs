//! A real browser: headless Chromium driven over WebDriver (chromedriver), from Rust with plain HTTP.
//! Skipped with a message when Chromium is not installed, except under `CI=true`, where it is required.

use crate::helpers::*;
use chiso_store::testing::TestDb;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_exe(candidates: &[&str]) -> Option<String> {
    candidates.iter().find(|p| std::path::Path::new(p).exists()).map(|p| p.to_string())
}

pub struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
}

impl Browser {
    /// Start chromedriver and a headless Chromium session, or None when they are not installed.
    pub async fn start() -> Option<Browser> {
        let ci = std::env::var("CI").map(|v| v == "true" || v == "1").unwrap_or(false);
        let driver = find_exe(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let chromium = find_exe(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
        let (Some(driver), Some(chromium)) = (driver, chromium) else {
            assert!(!ci, "CI=true but chromium/chromedriver are not installed (apt-get install chromium chromium-driver)");
            eprintln!("NOTE: chromium or chromedriver not found — browser test SKIPPED.");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port");
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("chiso-chromium-{}-{port}", std::process::id()));
        // `implicit`: finding an element waits for it (up to 5 s), so a check right after a click that submits a
        // form sees the next page rather than racing its navigation.
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "timeouts": {"implicit": 5000}, "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]}}}});
        let r: Value = http.post(format!("{base}/session")).json(&caps).send().await.expect("new session").json().await.expect("json");
        let session = r["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {r}")).to_string();
        Some(Browser { http, base, session, driver: child })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.expect("webdriver").json().await.expect("json");
        assert!(v["value"]["error"].is_null(), "webdriver error on {path}: {v}");
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self.cmd(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        v[ELEMENT].as_str().expect("element id").to_string()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({"text": text}))).await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await;
    }

    pub async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None).await.as_str().unwrap_or_default().to_string()
    }

    pub async fn current_url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    /// The current URL once it contains `part` (a click that submits a form returns before the browser has
    /// navigated): waits up to 5 s, then returns whatever the URL is.
    pub async fn url_containing(&self, part: &str) -> String {
        for _ in 0..50 {
            let url = self.current_url().await;
            if url.contains(part) {
                return url;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.current_url().await
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.cmd(reqwest::Method::POST, "/window/rect", Some(json!({"width": width, "height": height}))).await;
    }

    /// Save a PNG screenshot under target/screenshots for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        if let Some(b64) = v.as_str()
            && let Ok(png) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    pub async fn quit(mut self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[tokio::test]
async fn a_person_logs_in_and_sees_the_unit_tree() {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app(TestDb::sqlite().await.expect("db")).await;
    browser.goto(&app.url("/units")).await;
    assert!(browser.url_containing("/login?next=/units").await.contains("/login?next=/units"), "redirected to login");
    browser.type_into("#username", "nv.huyen").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    assert!(browser.url_containing("/units").await.ends_with("/units"), "back to the page asked for");
    let table = browser.text("#units-table").await;
    assert!(table.contains("Huyện Mộc Châu") && table.contains("Thị trấn Mộc Châu") && table.contains("Xã Chiềng Sơn"), "tree: {table}");
    assert!(!table.contains("Tỉnh Sơn La"), "the parent province is outside the specialist's scope");
    browser.screenshot("units-desktop").await;
    browser.goto(&app.url("/")).await;
    let who = browser.text("#whoami").await;
    assert!(who.contains("Chuyên viên Nội vụ") && who.contains("Huyện Mộc Châu"), "who I am: {who}");
    let tree = browser.text("#unit-tree").await;
    assert!(tree.contains("Xã Chiềng Sơn"));
    browser.resize(390, 844).await;
    browser.screenshot("home-phone").await;
    browser.goto(&app.url("/frameworks/papi?year=2023")).await;
    let fw = browser.text("#framework-tree").await;
    assert!(fw.contains("papi.d1.s1") && fw.contains("papi.d8"), "framework tree: {}", &fw[..fw.len().min(200)]);
    browser.screenshot("framework-phone").await;
    browser.quit().await;
    app.stop().await;
}
