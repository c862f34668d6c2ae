//! Golden pages: the demo as a user sees it, byte for byte after normalisation, so a refactor that moves code
//! around can prove it changed nothing visible. Drives the real binary (`chiso init --demo`, `chiso serve`),
//! logs in over HTTP as three demo accounts and compares ~70 GET pages, JSON answers and downloads with the
//! files in `tests/golden/`. `CHISO_UPDATE_GOLDEN=1` rewrites them.
//!
//! SQLite only (the default `--data-dir` store). Both processes run with a fixed `--today` ([`TODAY`], a day
//! inside the demo's story, after its 2022 half-year and its 2024 plans, survey and score sheet), so deadlines,
//! lateness, open report periods ("Việc của tôi") and year pickers are the same whatever the calendar says.
//! What legitimately varies between runs is normalised (see [`Normaliser`]): the server's address and data
//! directory, CSRF tokens, survey invitation tokens and their QR codes, and times of the run (epoch
//! milliseconds of the wall clock and of the shifted application clock, and the time of day written after
//! the run's dates and after [`TODAY`]). The reminder scheduler is turned off (`--remind-every 0`).
//! Every report, dashboard and status URL names its period explicitly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod visible;

const PASSWORD: &str = "chiso-demo";

/// "Today" for the whole run (`chiso --today`): the application clock starts on this day and moves on from
/// the current time of day.
const TODAY: &str = "2024-10-15";

fn today() -> time::Date {
    time::Date::parse(TODAY, time::macros::format_description!("[year]-[month]-[day]")).expect("TODAY")
}

/// How far the application clock is shifted from the wall clock (whole days, as `Clock::starting_on`).
fn shift_ms(ms: i64) -> i64 {
    let now = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).expect("clock");
    let vn = now.to_offset(time::UtcOffset::from_hms(7, 0, 0).expect("offset"));
    (today() - vn.date()).whole_days() * 86_400_000
}

fn chiso() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chiso"));
    c.env("CHISO_LOG", "error").env_remove("CHISO_DATABASE_URL").env_remove("CHISO_BIND").env_remove("CHISO_SMTP");
    c
}

/// The running `chiso serve`, killed when dropped (also when the test panics).
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(data_dir: &Path) -> Server {
    let mut child = chiso()
        .args(["--today", TODAY, "serve", "--bind", "127.0.0.1:0", "--remind-every", "0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start chiso serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // serve prints "chiso đang chạy tại http://ADDR/ …"; the address carries the port the OS gave.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("http://") {
                let rest = &line[at..];
                let end = rest[7..].find('/').map_or(rest.len(), |i| i + 7);
                let _ = tx.send(rest[..end].to_string());
            }
        }
    });
    let base = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(b) => b,
        Err(_) => {
            let _ = child.kill();
            panic!("chiso serve did not print its address");
        }
    };
    Server { child, base }
}

/// Replaces what legitimately differs between two runs of the same demo with fixed markers.
struct Normaliser {
    base: String,
    data_dir: String,
    /// Windows of the run (epoch ms): the wall clock's (store timestamps) and the application clock's,
    /// shifted to [`TODAY`] (a day of slack on each side, for a run that crosses midnight).
    windows: Vec<(i64, i64)>,
    /// The calendar days the run touched (UTC and UTC+7) and [`TODAY`], as they are written in pages and
    /// documents: a time of day that follows them varies.
    days: Vec<String>,
    /// Literal secrets seen in this run (CSRF tokens of the sessions).
    secrets: Vec<String>,
}

/// The plan page offers "PDF" only where LibreOffice is installed: the link is left out so the pages do not
/// depend on the machine.
fn drop_pdf_links(s: &str) -> String {
    const END: &str = "/export/pdf\">PDF</a>";
    let mut out = s.to_string();
    while let Some(end) = out.find(END) {
        let Some(start) = out[..end].rfind(" · <a href=\"") else { break };
        out.replace_range(start..end + END.len(), "");
    }
    out
}

impl Normaliser {
    fn new(base: &str, data_dir: &Path, start_ms: i64, end_ms: i64) -> Normaliser {
        let mut days = Vec::new();
        let mut dates = Vec::new();
        for ms in [start_ms, end_ms] {
            let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).expect("clock");
            for off in [time::UtcOffset::UTC, time::UtcOffset::from_hms(7, 0, 0).expect("offset")] {
                dates.push(t.to_offset(off).date());
            }
        }
        dates.push(today());
        for d in dates {
            let dmy = format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year());
            let iso = format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
            // Documents are dated "ngày 05 tháng 12 năm 2026" (see the report export).
            let long = format!("ngày {:02} tháng {:02} năm {}", d.day(), u8::from(d.month()), d.year());
            for day in [dmy, iso, long] {
                if !days.contains(&day) {
                    days.push(day);
                }
            }
        }
        const DAY: i64 = 86_400_000;
        let shift = |ms: i64| ms + shift_ms(ms);
        Normaliser {
            base: base.to_string(),
            data_dir: data_dir.display().to_string(),
            windows: vec![(start_ms - 60_000, end_ms), (shift(start_ms) - DAY, shift(end_ms) + DAY)],
            days,
            secrets: Vec::new(),
        }
    }

    fn apply(&self, text: &str) -> String {
        let mut s = text.replace(&self.base, "{BASE}").replace(&self.data_dir, "{DATA_DIR}");
        for secret in &self.secrets {
            s = s.replace(secret.as_str(), "{CSRF}");
        }
        s = replace_after(&s, "name=\"csrf\" value=\"", |c| c != '"', "{CSRF}");
        s = replace_after(&s, "/s/", |c| c.is_ascii_hexdigit(), "{TOKEN}");
        s = replace_svg_qr(&s);
        s = drop_pdf_links(&s);
        s = self.replace_now_ms(&s);
        for day in &self.days {
            s = replace_date_time(&s, day);
        }
        s
    }

    /// 13-digit numbers inside the run's windows: creation/update times in JSON.
    fn replace_now_ms(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
                let mut j = i;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let digits = &s[i..j];
                let in_window = digits.len() == 13
                    && digits.parse::<i64>().is_ok_and(|v| self.windows.iter().any(|(from, to)| (*from..=*to).contains(&v)));
                out.push_str(if in_window { "{NOW_MS}" } else { digits });
                i = j;
            } else {
                let ch = s[i..].chars().next().expect("char");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
        out
    }
}

/// After each `marker`, replace the run of characters accepted by `keep` (if not empty) by `with`.
fn replace_after(s: &str, marker: &str, keep: impl Fn(char) -> bool, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        rest = &rest[at + marker.len()..];
        let n = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        // Only a real token (not "/s/" in ordinary text) is replaced.
        if n >= 16 {
            out.push_str(with);
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

/// QR codes encode a random invitation link: every `<svg …>…</svg>` that draws one becomes `{QR}`.
fn replace_svg_qr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("<svg") {
        let Some(end) = rest[at..].find("</svg>").map(|e| at + e + 6) else { break };
        out.push_str(&rest[..at]);
        let svg = &rest[at..end];
        // Icons are short; a QR code is a long path.
        out.push_str(if svg.len() > 2000 { "{QR}" } else { svg });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Today's date (`day`) with an optional following time ` HH:MM[:SS]` or `THH:MM[:SS…]`.
fn replace_date_time(s: &str, day: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(day) {
        out.push_str(&rest[..at]);
        out.push_str("{TODAY}");
        rest = &rest[at + day.len()..];
        let b = rest.as_bytes();
        let is_time = b.len() >= 6 && (b[0] == b' ' || b[0] == b'T') && b[1..3].iter().all(u8::is_ascii_digit) && b[3] == b':';
        if is_time {
            let mut n = 1;
            while n < b.len() && (b[n].is_ascii_digit() || b[n] == b':' || b[n] == b'.') {
                n += 1;
            }
            out.push_str(" {TIME}");
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// HTML, CSV, TOML: compared as text.
    Text,
    /// JSON: pretty-printed, then compared as text.
    Json,
    /// A download compared by size and hash (only those that are deterministic).
    Binary,
    /// A DOCX/XLSX: every part listed, the XML ones compared as normalised text (the packages carry their
    /// creation time, so their bytes differ from run to run).
    Zip,
}

/// (account, path, kind). Accounts: `nv.mocchau` (district specialist, Mộc Châu 123), `vp.chiengson`
/// (commune specialist, Chiềng Sơn 03985), `admin` (system administrator), `anon` (not logged in).
fn cases() -> Vec<(&'static str, String, Kind)> {
    use Kind::*;
    let mut v: Vec<(&'static str, String, Kind)> = Vec::new();
    let mut add = |who: &'static str, path: &str, kind: Kind| v.push((who, path.to_string(), kind));
    // Anonymous.
    add("anon", "/login", Text);
    add("anon", "/health", Text);
    add("anon", "/khong-co-trang-nay", Text);
    // District specialist: the life of the Mộc Châu plan 426/KH-UBND (plan 4) in 2022.
    for p in [
        "/",
        "/units",
        "/units?q=Chi%E1%BB%81ng",
        "/units/123",
        "/units/03985",
        "/units/export.csv",
        "/frameworks",
        "/frameworks/papi?year=2022",
        "/frameworks/par_index?year=2024",
        "/frameworks/sipas?year=2022",
        "/plans",
        "/plans?year=2022",
        "/plans/4",
        "/plans/6",
        "/plans/7",
        "/plans/8",
        "/plans/4/review",
        "/tasks/123",
        "/tasks/123/edit",
        "/tasks/124",
        "/tasks/144",
        "/tasks/145",
        "/library",
        "/library?q=tuy%C3%AAn%20truy%E1%BB%81n",
        "/dashboard?unit=123&period=2022-H1",
        "/dashboard?unit=123&period=2022-Y",
        "/overview?unit=123&period=2022-H1",
        "/reports?unit=123&period=2022-H1",
        "/reports?unit=04012&period=2022-H1",
        "/reports?unit=123&period=2022-Q1",
        "/results",
        "/results/papi/2022",
        "/results/papi/2022/units/14",
        "/assessments?framework=par_index&year=2024",
        "/surveys",
        "/notifications",
        "/audit",
        "/my-work",
        // Error pages, in the layout and in Vietnamese: a path parameter of the wrong type, an unknown route,
        // a unit that does not exist, a score sheet out of the account's scope.
        "/tasks/abc",
        "/khong-co-trang-nay",
        "/units/99999999",
        "/assessments/1",
    ] {
        add("nv.mocchau", p, Text);
    }
    for p in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/units/123",
        "/api/v1/units/123/agencies",
        "/api/v1/plans",
        "/api/v1/plans/4",
        "/api/v1/tasks/search?q=tuy%C3%AAn%20truy%E1%BB%81n",
        "/api/v1/tasks/search?q=&node=papi.d5",
        "/api/v1/reports/status?unit=123&period=2022-H1&as_of=2022-06-30",
        "/api/v1/reports/status?unit=123&period=2022-H1&as_of=2022-06-05",
    ] {
        add("nv.mocchau", p, Json);
    }
    add("nv.mocchau", "/evidence/1", Binary);
    add("nv.mocchau", "/plans/4/export/docx", Zip);
    add("nv.mocchau", "/plans/4/export/xlsx", Zip);
    add("nv.mocchau", "/reports/export/docx?unit=123&period=2022-H1", Zip);
    add("nv.mocchau", "/reports/export/xlsx?unit=123&period=2022-H1", Zip);
    // Commune specialist: its own plan, report and survey.
    for p in [
        "/",
        "/plans",
        "/plans/7",
        "/tasks/216", // the first task of its plan (/plans/7)
        "/dashboard?unit=03985&period=2022-H1",
        "/reports?unit=03985&period=2022-H1",
        "/surveys",
        "/surveys/1",
        "/surveys/1/estimates",
        "/surveys/1/questionnaire.toml",
        "/surveys/1/template.csv",
        "/surveys/1/sample.csv?n=20&seed=2",
        "/surveys/sample-questionnaire.toml",
        "/my-work",
        "/notifications",
    ] {
        add("vp.chiengson", p, Text);
    }
    for p in ["/api/v1/me", "/api/v1/plans", "/api/v1/surveys", "/api/v1/surveys/1", "/api/v1/surveys/1/estimates"] {
        add("vp.chiengson", p, Json);
    }
    // Administrator: everything else, all provinces and the other seed plans.
    for p in [
        "/",
        "/units",
        "/units?level=province",
        "/units/250",
        "/units/moves",
        "/users",
        "/audit",
        "/plans",
        "/plans/1",
        "/plans/2",
        "/plans/3",
        "/plans/5",
        "/tasks/1",
        "/results",
        "/results/papi/2018",
        "/results/papi/2024",
        "/results/papi/2024?sort=change",
        "/results/papi/2024/units/01",
        "/results/papi/2021/units/14",
        "/assessments",
        "/assessments/1",
        "/assessments/ranking?parent=01&framework=par_index&year=2024",
        "/surveys",
        "/surveys/1",
        "/surveys/1/estimates",
        "/dashboard?unit=14&period=2022-H1",
        "/reports?unit=14&period=2022-H1",
        "/overview?unit=14&period=2022-H1",
        "/overview?unit=toan-quoc&period=2022-H1",
        "/my-work",
        "/notifications",
        "/frameworks",
        "/frameworks/papi?year=2024",
        "/results/papi/units/37",
        "/plans/abc",
    ] {
        add("admin", p, Text);
    }
    for p in [
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/units?level=district",
        "/api/v1/units/14",
        "/api/v1/frameworks",
        "/api/v1/frameworks/papi",
        "/api/v1/frameworks/par_index",
        "/api/v1/plans",
        "/api/v1/plans/1",
        "/api/v1/plans/7",
        "/api/v1/results/papi",
        "/api/v1/results/papi/2022",
        "/api/v1/results/papi/2022?parent=",
        "/api/v1/results/papi/2022/units/14",
        "/api/v1/results/papi/2022/units/14/weak-points",
        "/api/v1/results/papi/2024/units/01/weak-points",
        "/api/v1/assessments",
        "/api/v1/assessments/1",
        "/api/v1/surveys",
        "/api/v1/surveys/1",
        "/api/v1/surveys/1/estimates",
        "/api/v1/reports/status?unit=14&period=2022-H1&as_of=2022-07-15",
    ] {
        add("admin", p, Json);
    }
    v
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

/// `nv.mocchau` + `/reports?unit=123&period=2022-H1` → `nv.mocchau/reports__unit_123_period_2022-H1.txt`.
fn golden_path(who: &str, path: &str) -> PathBuf {
    let mut name: String =
        path.trim_start_matches('/').chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect();
    if name.is_empty() {
        name = "home".into();
    }
    golden_dir().join(who).join(format!("{name}.txt"))
}

/// Each part of an OOXML package: its name, then its XML normalised (one element per line for readable
/// diffs), or the size and hash of a non-XML part.
fn zip_parts(bytes: &[u8], norm: &Normaliser) -> Result<String, zip::result::ZipError> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = String::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        let name = part.name()?.to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).map_err(zip::result::ZipError::Io)?;
        match String::from_utf8(data) {
            Ok(xml) if name.ends_with(".xml") || name.ends_with(".rels") => {
                out.push_str(&format!("== {name}\n{}\n", norm.apply(&xml.replace("><", ">\n<"))));
            }
            Ok(text) => out.push_str(&format!("== {name}: {} bytes, fnv64 {:016x}\n", text.len(), fnv64(text.as_bytes()))),
            Err(e) => out.push_str(&format!("== {name}: {} bytes, fnv64 {:016x}\n", e.as_bytes().len(), fnv64(e.as_bytes()))),
        }
    }
    Ok(out)
}

/// The text a reader sees in a document listed by [`zip_parts`] (one XML element per line): every `w:t`
/// (Word) and `t` (Excel strings) element's text, one paragraph each.
fn document_text(listing: &str) -> String {
    let mut out = String::new();
    for line in listing.lines() {
        let line = line.trim();
        let inner = ["<w:t>", "<w:t xml:space=\"preserve\">", "<t>", "<t xml:space=\"preserve\">"]
            .iter()
            .find_map(|open| line.strip_prefix(open))
            .and_then(|rest| rest.strip_suffix("</w:t>").or_else(|| rest.strip_suffix("</t>")));
        if let Some(text) = inner {
            out.push_str("<p>");
            out.push_str(text);
            out.push_str("</p>\n");
        }
    }
    out
}

/// The first differing line of two texts with a little context from both.
fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let n = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let from = n.saturating_sub(2);
    let mut out = format!("first difference at line {} (expected {} lines, got {}):\n", n + 1, e.len(), a.len());
    for (label, lines) in [("expected", &e), ("actual  ", &a)] {
        for (i, l) in lines.iter().enumerate().skip(from).take(n - from + 4) {
            let mark = if i == n { ">" } else { " " };
            let l: String = l.chars().take(300).collect();
            out.push_str(&format!("  {label} {mark}{:>5} | {l}\n", i + 1));
        }
    }
    out
}

async fn login(base: &str, username: &str) -> reqwest::Client {
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client");
    if username == "anon" {
        return c;
    }
    let page = c.get(format!("{base}/login")).send().await.expect("login page").text().await.expect("body");
    let csrf = hidden_value(&page, "csrf").expect("csrf field on the login page");
    let r = c
        .post(format!("{base}/login"))
        .form(&[("username", username), ("password", PASSWORD), ("csrf", csrf.as_str()), ("next", "/")])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303, "login as {username}");
    c
}

/// The value of `<input … name="NAME" value="…">` in a page.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// One response as stored in a golden file: a header line, then the normalised body.
async fn fetch(c: &reqwest::Client, base: &str, who: &str, path: &str, kind: Kind, norm: &Normaliser) -> String {
    let r = c.get(format!("{base}{path}")).send().await.unwrap_or_else(|e| panic!("GET {path} as {who}: {e}"));
    let status = r.status().as_u16();
    let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(|l| format!(" → {l}")).unwrap_or_default();
    let bytes = r.bytes().await.unwrap_or_else(|e| panic!("GET {path} as {who}: body: {e}"));
    let body = match kind {
        Kind::Binary => format!("{} bytes, fnv64 {:016x}\n", bytes.len(), fnv64(&bytes)),
        Kind::Json => {
            let text = String::from_utf8_lossy(&bytes);
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) => norm.apply(&serde_json::to_string_pretty(&v).expect("json")) + "\n",
                Err(_) => norm.apply(&text),
            }
        }
        Kind::Text => norm.apply(&String::from_utf8_lossy(&bytes)),
        Kind::Zip => zip_parts(&bytes, norm).unwrap_or_else(|e| panic!("GET {path} as {who}: not a ZIP package: {e}")),
    };
    format!("GET {path} as {who} → {status} {content_type}{location}\n\n{body}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_pages_and_api_match_the_golden_files() {
    let started = Instant::now();
    let start_ms = now_ms();
    let data_dir = std::env::temp_dir().join(format!("chiso-golden-{}-{start_ms}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let init = chiso().args(["--today", TODAY, "init", "--demo", "--data-dir"]).arg(&data_dir).output().expect("run chiso init");
    assert!(init.status.success(), "chiso init --demo: {}", String::from_utf8_lossy(&init.stderr));
    let server = start_server(&data_dir);
    let base = server.base.clone();

    let probe = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if probe.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(Instant::now() < deadline, "{base}/health never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut clients = std::collections::HashMap::new();
    let mut csrf = Vec::new();
    for who in ["anon", "nv.mocchau", "vp.chiengson", "admin"] {
        let c = login(&base, who).await;
        if who != "anon" {
            let home = c.get(format!("{base}/")).send().await.expect("home").text().await.expect("body");
            csrf.push(hidden_value(&home, "csrf").expect("csrf in the page"));
        }
        clients.insert(who, c);
    }

    let mut cases = cases();
    // The public survey form behind one invitation (its token is random; the form is not). Its link is shown
    // only in the answer to making it: made last, after every other page is read, so that none counts it.
    cases.push(("anon", "/s/{TOKEN}".to_string(), Kind::Text));

    let update = std::env::var("CHISO_UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    // Anything the server stamps with the clock is stamped before the last request; ten minutes is ample.
    let mut norm = Normaliser::new(&base, &data_dir, start_ms, now_ms() + 600_000);
    norm.secrets = csrf;
    let mut seen = std::collections::HashSet::new();
    let mut inline_styles = Vec::new();
    // Every HTML page in Vietnamese: no raw code, English, ISO date or decimal point in what a person reads.
    let mut not_vietnamese = Vec::new();
    for (who, path, kind) in &cases {
        let path = &match path.as_str() {
            "/s/{TOKEN}" => {
                let form = [("csrf", norm.secrets[1].as_str()), ("unit", "03985"), ("group", "nguoi_dan"), ("count", "1")];
                let r = clients["vp.chiengson"].post(format!("{base}/surveys/1/invitations")).form(&form).send().await.expect("invite");
                let sheet = r.text().await.expect("body");
                let at = sheet.find("/s/").expect("an invitation link in the answer") + 3;
                format!("/s/{}", sheet[at..].chars().take_while(char::is_ascii_hexdigit).collect::<String>())
            }
            _ => path.clone(),
        };
        let text = fetch(&clients[who], &base, who, path, *kind, &norm).await;
        // Every page of the demo holds under the CSP's `style-src 'self'`: no <style> element, no style
        // attribute (styles live in the CSS files the binary serves).
        if text.contains("text/html") {
            let lower = text.to_lowercase();
            if lower.contains("<style") || lower.contains(" style=") {
                inline_styles.push(format!("GET {path} as {who}"));
            }
            let body = text.split_once("\n\n").map_or("", |(_, b)| b);
            let shown = if path.starts_with("/s/") { "/s/{TOKEN}" } else { path.as_str() };
            not_vietnamese.extend(visible::describe(&format!("GET {shown} as {who}"), &visible::offences(body)));
        }
        // Documents too: the text runs of DOCX (`w:t`) and the strings of XLSX (`t`), not numeric cells.
        if *kind == Kind::Zip {
            not_vietnamese.extend(visible::describe(&format!("GET {path} as {who}"), &visible::offences(&document_text(&text))));
        }
        let shown_path = if path.starts_with("/s/") { "/s/{TOKEN}".to_string() } else { path.clone() };
        let file = golden_path(who, &shown_path);
        assert!(seen.insert(file.clone()), "two URLs map to {}", file.display());
        let text = text.replacen(path.as_str(), &shown_path, 1);
        if update {
            std::fs::create_dir_all(file.parent().expect("parent")).expect("golden dir");
            std::fs::write(&file, &text).expect("write golden");
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(expected) if expected == text => {}
            Ok(expected) => {
                failures.push(format!("GET {shown_path} as {who} ({}):\n{}", file.display(), first_difference(&expected, &text)))
            }
            Err(e) => failures.push(format!("GET {shown_path} as {who}: no golden file {} ({e})", file.display())),
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&data_dir);
    assert!(inline_styles.is_empty(), "pages with an inline style (refused by the CSP): {inline_styles:?}");
    assert!(
        not_vietnamese.is_empty(),
        "{} things a Vietnamese reader should not see (raw codes, English, ISO dates, decimal points; the allow-list \
         is in tests/visible/mod.rs):\n{}",
        not_vietnamese.len(),
        not_vietnamese.join("\n")
    );
    if update {
        eprintln!("golden files rewritten: {} responses in {:?}", cases.len(), started.elapsed());
        return;
    }
    assert!(
        failures.is_empty(),
        "{} of {} responses differ from the golden files (CHISO_UPDATE_GOLDEN=1 rewrites them):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}
