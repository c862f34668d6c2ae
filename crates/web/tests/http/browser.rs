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
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "timeouts": {"implicit": 5000},
            "goog:loggingPrefs": {"browser": "ALL"}, "goog:chromeOptions": {
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

    /// Like `cmd`, but a WebDriver error (e.g. a stale element while the page changes) is None, not a panic.
    async fn try_cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Option<Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.ok()?.json().await.ok()?;
        v["value"]["error"].is_null().then(|| v["value"].clone())
    }

    /// The element's visible text, or None while the page is changing under it.
    async fn try_text(&self, css: &str) -> Option<String> {
        let v = self.try_cmd(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await?;
        let id = v[ELEMENT].as_str()?.to_string();
        let t = self.try_cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None).await?;
        Some(t.as_str().unwrap_or_default().to_string())
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

    /// Move the mouse over the element, `dx`/`dy` pixels from its centre (e.g. to open a chart's tooltip).
    pub async fn hover(&self, css: &str, dx: i64, dy: i64) {
        let id = self.find(css).await;
        let origin = json!({ELEMENT: id});
        let actions = json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "origin": origin, "x": dx, "y": dy}, {"type": "pause", "duration": 300}]}]});
        self.cmd(reqwest::Method::POST, "/actions", Some(actions)).await;
    }

    /// The current value of a form field (what is typed in it), read from the page.
    pub async fn field_value(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{id}/property/value"), None).await.as_str().unwrap_or_default().to_string()
    }

    /// Empty a form field, then type `text` into it (as a person correcting a value).
    pub async fn clear_and_type(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{id}/clear"), Some(json!({}))).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({"text": text}))).await;
    }

    /// Scroll the page so that the element is in the middle of the window (before a screenshot of it).
    pub async fn scroll_to(&self, css: &str) {
        let id = self.find(css).await;
        let script = "arguments[0].scrollIntoView({block: 'center'});";
        self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": [{ELEMENT: id}]}))).await;
    }

    /// Save a PNG screenshot as a journey's test artifact: target/journeys/<backend>/<journey>/<step>.png.
    pub async fn save_journey_png(&self, backend: &str, journey: &str, step: &str) {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = v.as_str().and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok()).expect("a PNG screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/journeys").join(backend).join(journey);
        std::fs::create_dir_all(&dir).expect("journey artifact directory");
        std::fs::write(dir.join(format!("{step}.png")), png).expect("journey screenshot");
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

    /// Run `script` in the page (a function body: `return` gives the value) and return its value.
    pub async fn execute(&self, script: &str) -> Value {
        self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// Save a PNG screenshot as target/DIR/NAME.png (e.g. DIR = "journeys/sqlite/phone"), a test artifact.
    pub async fn screenshot_in(&self, dir: &str, name: &str) {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        if let Some(b64) = v.as_str()
            && let Ok(png) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target").join(dir);
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    /// The browser console's messages since the last call (Chromium reports a Content-Security-Policy
    /// violation there), or None when the driver does not give them.
    pub async fn console(&self) -> Option<Vec<String>> {
        let url = format!("{}/session/{}/se/log", self.base, self.session);
        let v: Value = self.http.post(url).json(&json!({"type": "browser"})).send().await.ok()?.json().await.ok()?;
        let entries = v["value"].as_array()?;
        Some(entries.iter().map(|e| e["message"].as_str().unwrap_or_default().to_string()).collect())
    }

    /// No script was refused by the page's Content-Security-Policy (checked when the driver gives the
    /// console; a page whose chart script is refused also fails its chart checks).
    pub async fn assert_no_csp_violation(&self, page: &str) {
        if let Some(messages) = self.console().await {
            let refused: Vec<&String> = messages.iter().filter(|m| m.contains("Content Security Policy")).collect();
            assert!(refused.is_empty(), "{page}: {refused:?}");
        }
    }

    /// Choose `value` in the `<select>` found by `select_css` (as a person clicks the option).
    pub async fn select(&self, select_css: &str, value: &str) {
        self.click(&format!("{select_css} option[value='{value}']")).await;
    }

    /// Attach a local file to an `<input type=file>` (WebDriver sends the path as the input's keys).
    pub async fn upload(&self, css: &str, path: &std::path::Path) {
        self.type_into(css, &path.display().to_string()).await;
    }

    /// Empty a text field or textarea, then type `text` into it.
    pub async fn replace_text(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{id}/clear"), Some(json!({}))).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({"text": text}))).await;
    }

    /// The current value of a form field (what a person sees in it).
    pub async fn value(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{id}/property/value"), None).await.as_str().unwrap_or_default().to_string()
    }

    /// Whether an element matching `css` is on the page now (no implicit wait).
    pub async fn exists(&self, css: &str) -> bool {
        self.cmd(reqwest::Method::POST, "/timeouts", Some(json!({"implicit": 0}))).await;
        let v = self.cmd(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await;
        self.cmd(reqwest::Method::POST, "/timeouts", Some(json!({"implicit": 5000}))).await;
        v.as_array().is_some_and(|a| !a.is_empty())
    }

    /// Whether the element matching `css` is gone (e.g. the bell's count once read): waits up to 5 s.
    pub async fn gone(&self, css: &str) -> bool {
        for _ in 0..50 {
            if !self.exists(css).await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// The visible text of the whole page.
    pub async fn body_text(&self) -> String {
        self.text("body").await
    }

    /// The visible text of the element once it contains `needle` (a click that submits a form returns before
    /// the next page is there): waits up to 5 s, then returns whatever the text is.
    pub async fn text_containing(&self, css: &str, needle: &str) -> String {
        for _ in 0..50 {
            if let Some(t) = self.try_text(css).await
                && t.contains(needle)
            {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.text(css).await
    }

    /// Forget every cookie (the person logs out by closing the browser).
    pub async fn clear_cookies(&self) {
        self.cmd(reqwest::Method::DELETE, "/cookie", None).await;
    }

    /// Log in as `username` (password [`PASSWORD`]) on the server at `base` through the login form, after
    /// forgetting any earlier session; waits until the browser has left the login page.
    pub async fn login_as(&self, base: &str, username: &str) {
        self.goto(&format!("{base}/")).await;
        self.clear_cookies().await;
        self.goto(&format!("{base}/login")).await;
        self.type_into("#username", username).await;
        self.type_into("#password", PASSWORD).await;
        self.click("#login-submit").await;
        for _ in 0..50 {
            if !self.current_url().await.contains("/login") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{username}: still on the login page: {}", self.body_text().await);
    }

    /// The number shown in the header's bell (unread notifications), None when there is none.
    pub async fn unread_badge(&self) -> Option<String> {
        if self.exists("#unread-count").await { Some(self.text("#unread-count").await) } else { None }
    }

    /// Save a PNG screenshot at `path` (directories created).
    pub async fn screenshot_to(&self, path: &std::path::Path) {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        if let Some(b64) = v.as_str()
            && let Ok(png) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(path, png);
        }
    }

    /// The window as a PNG (for journeys that keep their screenshots elsewhere).
    pub async fn png(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD.decode(v.as_str()?).ok()
    }

    pub async fn quit(mut self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The screenshots of one journey on one backend, numbered in order:
/// `target/journeys/<backend>/<journey>/NN-step.png` (kept as the test's artifacts; the directory is printed).
pub struct Shots {
    dir: std::path::PathBuf,
    n: std::cell::Cell<u32>,
}

impl Shots {
    /// Starts empty: earlier screenshots of the same journey and backend are removed.
    pub fn new(backend: &str, journey: &str) -> Shots {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/journeys").join(backend).join(journey);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        let dir = dir.canonicalize().unwrap_or(dir);
        eprintln!("journey {journey} ({backend}): screenshots in {}", dir.display());
        Shots { dir, n: std::cell::Cell::new(0) }
    }

    /// Save what the browser shows now as `NN-step.png`.
    pub async fn take(&self, browser: &Browser, step: &str) {
        self.n.set(self.n.get() + 1);
        browser.screenshot_to(&self.dir.join(format!("{:02}-{step}.png", self.n.get()))).await;
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

/// Write `bytes` to a temporary file named `name` (for [`Browser::upload`]) and return its path.
pub fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("chiso-upload-{}-{}", std::process::id(), chiso_store::now_ms()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file");
    path
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
    browser.assert_no_csp_violation("/units").await;
    browser.goto(&app.url("/")).await;
    let who = browser.text("#whoami").await;
    assert!(who.contains("Chuyên viên Nội vụ") && who.contains("Huyện Mộc Châu"), "who I am: {who}");
    // The home page is "Việc của tôi"; the unit list is a link from it, not the page.
    assert!(browser.text("#my-work").await.contains("Việc của tôi"), "the home page opens with my work");
    assert!(
        browser.text("#home-units").await.contains("3 đơn vị trong phạm vi"),
        "the units are a link: the district and its two communes"
    );
    browser.resize(390, 844).await;
    browser.screenshot("home-phone").await;
    browser.goto(&app.url("/frameworks/papi?year=2023")).await;
    let fw = browser.text("#framework-tree").await;
    assert!(fw.contains("papi.d1.s1") && fw.contains("papi.d8"), "framework tree: {}", &fw[..fw.len().min(200)]);
    browser.screenshot("framework-phone").await;
    // The pages that indented their trees with inline styles before the CSP forbade them (and the home page).
    browser.assert_no_csp_violation("/, /frameworks/papi").await;
    browser.quit().await;
    app.stop().await;
}

/// Every `<script>` of a page either loads a file (`src`) or carries JSON data: no inline code, so the CSP's
/// `script-src 'self'` holds; and no inline event handler or `javascript:` link.
/// No `<style>` element and no `style` attribute: the CSP's `style-src 'self'` (no `'unsafe-inline'`) would
/// refuse them. Styles live in the CSS files served by the binary; a width that depends on data is an SVG
/// attribute (or set by a script file through the CSSOM).
pub fn assert_no_inline_style(page: &str, html: &str) {
    let lower = html.to_lowercase();
    assert!(!lower.contains("<style"), "{page}: a <style> element");
    if let Some(i) = lower.find(" style=") {
        panic!("{page}: inline style attribute: {}", lower[i..].chars().take(120).collect::<String>());
    }
}

fn assert_no_inline_script(page: &str, html: &str) {
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..i + html[i..].find('>').unwrap_or(0)];
        assert!(tag.contains(" src=\"/assets/") || tag.contains("type=\"application/json\""), "{page}: inline script {tag}");
    }
    let lower = html.to_lowercase();
    assert!(!lower.contains("javascript:"), "{page}: javascript: link");
    for attr in [" onclick=", " onchange=", " onsubmit=", " onload=", " oninput=", " onerror="] {
        assert!(!lower.contains(attr), "{page}: inline handler {attr}");
    }
}

#[tokio::test]
async fn pages_carry_no_inline_script_or_style_and_the_csp_forbids_them() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;
        for path in ["/", "/units", "/dashboard", "/reports", "/frameworks/papi", "/plans", "/no-such-page", "/plans/999999"] {
            let r = c.get(app.url(path)).send().await.expect("page");
            let csp = r.headers()["content-security-policy"].to_str().expect("csp").to_string();
            let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("script-src");
            assert_eq!(script_src, "script-src 'self'", "{label} {path}");
            let style_src = csp.split(';').map(str::trim).find(|d| d.starts_with("style-src")).expect("style-src");
            assert_eq!(style_src, "style-src 'self'", "{label} {path}: no 'unsafe-inline' for styles either");
            let html = r.text().await.expect("body");
            assert_no_inline_script(path, &html);
            assert_no_inline_style(path, &html);
            // Every script the page loads is served by the binary, as JavaScript.
            for part in html.split("<script src=\"").skip(1) {
                let src = &part[..part.find('"').expect("src")];
                let r = c.get(app.url(src)).send().await.expect("asset");
                assert_eq!(r.status(), 200, "{label} {path}: {src}");
                assert!(r.headers()["content-type"].to_str().expect("type").starts_with("text/javascript"), "{label}: {src}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_dashboard_and_the_report_draw_their_charts_from_script_files() {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app(TestDb::sqlite().await.expect("db")).await;
    // A plan in the store (the golden files cover the charts' data).
    let c = app.login("nv.huyen").await;
    let csrf = csrf_of(&app, &c).await;
    let form = reqwest::multipart::Form::new().text("csrf", csrf).text("unit", "123").text("year", "").part(
        "file",
        reqwest::multipart::Part::bytes(include_bytes!("../../../../datasets/plans/003_187a403246ebc703.txt").to_vec())
            .file_name("003.txt"),
    );
    let r = c.post(app.url("/plans/import")).multipart(form).send().await.expect("upload");
    assert_eq!(r.status(), 303);
    // An update of one of its tasks made on 01/03/2022: the pages open on 6 tháng đầu năm 2022, which has data
    // (a period without data shows what to do instead of charts).
    let sys = chiso_core::access::Scope::system("test");
    let plan = app.store.plans(&sys, &Default::default()).await.expect("plans").into_iter().next().expect("the plan");
    let task = app.store.tasks(&sys, plan.plan.id).await.expect("tasks").into_iter().next().expect("a task");
    let up = chiso_store::progress::NewUpdate {
        status: chiso_core::progress::TaskStatus::InProgress,
        percent: Some(40),
        completed_on: None,
        reason: None,
        narrative: "Đã triển khai".into(),
        files: vec![],
    };
    let at = chiso_store::progress::end_of_day_ms(chiso_core::unit::parse_date("2022-03-01").expect("date")) - 12 * 3_600_000;
    app.store.record_update_at(&sys, task.row.id, up, task.row.version, at).await.expect("update");
    browser.goto(&app.url("/dashboard")).await;
    browser.type_into("#username", "nv.huyen").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    assert!(browser.url_containing("/dashboard").await.contains("/dashboard"));
    browser.find("#chart-progress canvas").await;
    browser.find("#chart-reports canvas").await;
    browser.assert_no_csp_violation("/dashboard").await;
    browser.screenshot("dashboard").await;
    browser.goto(&app.url("/reports")).await;
    browser.find("#chart-dims canvas").await;
    browser.assert_no_csp_violation("/reports").await;
    // The year picker submits itself (a listener in /assets/app.js, not an inline handler).
    browser.goto(&app.url("/frameworks/papi")).await;
    browser.click("select[name=year] option[value='2023']").await;
    assert!(browser.url_containing("year=2023").await.contains("year=2023"), "the year picker submitted its form");
    browser.assert_no_csp_violation("/frameworks/papi").await;
    browser.quit().await;
    app.stop().await;
}
