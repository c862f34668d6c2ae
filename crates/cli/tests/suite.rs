//! Issue 13, "a suite that keeps it so": the route × role × scope matrix and the CSRF refusal of every
//! state-changing route, both GENERATED from the router — not from a hand list — and run on the demo data
//! (`chiso init --demo`, then the real `chiso serve`) on SQLite and, with `CHISO_TEST_PG`, PostgreSQL.
//!
//! The routes: every path of the served OpenAPI document (`/api/v1`) and every `.route("…"` of the web
//! crate's sources (the page routes); which methods each path answers is asked of the running router itself
//! (a method it does not route answers 405). Path parameters are filled from the demo database with an object
//! inside and one outside each account's subtree. A route whose parameters the test cannot fill must be in
//! [`UNFILLABLE`] with a reason, and a route that needs no session must be in [`PUBLIC`]: a new route that is
//! neither makes the test fail, so it cannot be forgotten.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PASSWORD: &str = "chiso-demo";

/// The demo accounts: (username, may write at all). Leaders hold only `View` and `Approve`, and no route
/// approves by writing; viewers only read.
const ACCOUNTS: &[(&str, bool)] = &[
    ("admin", true),
    ("nv.sonla", true),
    ("nv.mocchau", true),
    ("ld.mocchau", false),
    ("vhtt.mocchau", true),
    ("vp.chiengson", true),
    ("nv.melinh", true),
    ("nv.thanhliem", true),
    ("vp.anthi", true),
    ("xem.hanoi", false),
];

/// Routes anyone may use without a session, with the reason. They carry no unit scope.
const PUBLIC: &[(&str, &str)] = &[
    ("/health", "health check for load balancers"),
    ("/login", "the login form and its submission"),
    ("/logout", "ends the caller's own session"),
    ("/lang/{lang}", "sets the caller's language cookie"),
    ("/assets/{name}", "static files served by the binary"),
    ("/api/v1/openapi.json", "the API description"),
    ("/s/{token}", "a citizen's survey form: the invitation token is the only key (tested in the surveys HTTP tests)"),
    ("/s/{token}/done", "the thank-you page after a citizen's answer"),
    ("/surveys/sample-questionnaire.toml", "the example questionnaire file shipped with the binary"),
];

/// Writes every role may make on its own state, with the reason.
const OWN_STATE_WRITES: &[(&str, &str)] = &[("/notifications", "marks the caller's own notifications read")];

/// Routes whose parameters this test cannot fill, with the reason. Empty: every route is filled.
const UNFILLABLE: &[(&str, &str)] = &[];

/// Page routes that upload files (multipart bodies); API writes take JSON.
const MULTIPART: &[&str] = &[
    "/units/import",
    "/plans/import",
    "/results/import",
    "/surveys",
    "/surveys/{id}/responses",
    "/surveys/{id}/questionnaire/import",
    "/tasks/{id}/updates",
];

/// Page routes whose required `unit` query parameter names the object (the API's come from the document).
const PAGE_UNIT_QUERY: &[&str] = &["/dashboard", "/overview", "/reports", "/reports/export/{format}"];

/// Form fields sent to page writes, so that a write reaches its scope check rather than failing validation
/// first. `{unit}` is the unit of the object (inside or outside the account's scope). Routes not listed get
/// only the CSRF token.
const FORM_FIELDS: &[(&str, &[(&str, &str)])] = &[
    ("/units/{code}/children", &[("code", "ZZ1"), ("name", "Bản Thử"), ("level", "village"), ("valid_from", "2020-01-01")]),
    ("/units/{code}/agencies", &[("name", "Phòng Thử"), ("kind", "office")]),
    // The demo has no closed unit: the unit in force the day before the 2025 reform (inside or outside the
    // scope) is refused by scope first, then as still in force.
    ("/units/{code}/move", &[("on", "2025-06-30"), ("to", "{unit}"), ("confirm", "1")]),
    ("/units/moves/all", &[("confirm", "1")]),
    (
        "/users",
        &[
            ("username", "thu.matran"),
            ("full_name", "Người Thử"),
            ("password", "mat-khau-dai-thu"),
            ("role", "specialist"),
            ("unit_code", "{unit}"),
        ],
    ),
    ("/reports/submit", &[("unit", "{unit}"), ("period", "2022-H1"), ("narrative", "Thử")]),
    ("/reports/{id}/return", &[("reason", "Thử trả lại")]),
    ("/updates/{id}/return", &[("reason", "Thử trả lại")]),
    ("/assessments", &[("unit", "{unit}"), ("framework", "par_index"), ("year", "2024")]),
    ("/plans/{id}/issue", &[("number", "99/KH-UBND"), ("issued_on", "2022-03-01"), ("version", "1")]),
    ("/plans/{id}/children", &[("unit", "{unit}")]),
    ("/plans/{id}/parent", &[("version", "1"), ("parent", "")]),
    ("/surveys/{id}/status", &[("status", "closed")]),
    ("/surveys/{id}/invitations", &[("unit", "{unit}"), ("group", ""), ("count", "2")]),
    ("/surveys/{id}/sheet", &[("unit", "{unit}")]),
    (
        "/tasks/{id}/edit",
        &[
            ("version", "1"),
            ("text", "Thử"),
            ("lead_agency", ""),
            ("coordinating", ""),
            ("expected_result", ""),
            ("due_date", ""),
            ("due_text", ""),
            ("recurrence", ""),
            ("task_group", ""),
            ("nodes", ""),
        ],
    ),
];

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

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("chiso-suite-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// `chiso init --demo` then `chiso serve` on `db_args`.
fn demo_server(db_args: &[String]) -> Server {
    let out = chiso().arg("init").arg("--demo").args(db_args).output().expect("chiso init");
    assert!(out.status.success(), "chiso init --demo: {}", String::from_utf8_lossy(&out.stderr));
    let mut child = chiso()
        .args(["serve", "--bind", "127.0.0.1:0", "--remind-every", "0"])
        .args(db_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start chiso serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("http://") {
                let rest = &line[at..];
                let end = rest[7..].find('/').map_or(rest.len(), |i| i + 7);
                let _ = tx.send(rest[..end].to_string());
            }
        }
    });
    let Ok(base) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = child.kill();
        panic!("chiso serve did not print its address");
    };
    Server { child, base }
}

/// Read access to the demo database, on either backend (every query returns text pairs).
enum Db {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Db {
    async fn pairs(&self, sql: &'static str) -> Vec<(String, String)> {
        match self {
            Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.expect(sql),
            Db::Pg(p) => sqlx::query_as(sql).fetch_all(p).await.expect(sql),
        }
    }

    /// Rows of the audit log: every write is audited in its own transaction, so an unchanged count means
    /// nothing was written.
    async fn audit_rows(&self) -> usize {
        let rows = self.pairs("SELECT CAST(COUNT(*) AS TEXT), 'n' FROM audit_log").await;
        rows[0].0.parse().expect("count")
    }
}

/// What a path parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Unit,
    Plan,
    Task,
    Report,
    Update,
    Evidence,
    Survey,
    Assessment,
}

impl Kind {
    /// (value, materialised path of the object's unit, unit code) of every object of this kind.
    fn sql(self) -> &'static str {
        match self {
            Kind::Unit => "SELECT code, path FROM unit WHERE valid_to IS NULL ORDER BY id",
            Kind::Plan => "SELECT CAST(p.id AS TEXT), u.path FROM plan p JOIN unit u ON u.id = p.unit_id ORDER BY p.id",
            Kind::Task => {
                "SELECT CAST(t.id AS TEXT), u.path FROM task t JOIN plan p ON p.id = t.plan_id JOIN unit u ON u.id = p.unit_id ORDER BY t.id"
            }
            Kind::Report => "SELECT CAST(r.id AS TEXT), u.path FROM report r JOIN unit u ON u.id = r.unit_id ORDER BY r.id",
            Kind::Update => "SELECT CAST(x.id AS TEXT), u.path FROM task_update x JOIN unit u ON u.id = x.unit_id ORDER BY x.id",
            Kind::Evidence => "SELECT CAST(e.id AS TEXT), u.path FROM evidence e JOIN unit u ON u.id = e.unit_id ORDER BY e.id",
            Kind::Survey => "SELECT CAST(s.id AS TEXT), u.path FROM survey s JOIN unit u ON u.id = s.unit_id ORDER BY s.id",
            Kind::Assessment => "SELECT CAST(a.id AS TEXT), u.path FROM assessment a JOIN unit u ON u.id = a.unit_id ORDER BY a.id",
        }
    }
}

/// A path parameter: an object with a scope, or a fixed value that carries none (national data, formats).
#[derive(Debug, Clone, Copy)]
enum Param {
    Scoped(Kind),
    Fixed(&'static str),
}

/// How to fill parameter `name` of route `template`; None when the test does not know (then the route must
/// be listed in [`UNFILLABLE`]).
fn param_of(template: &str, name: &str) -> Option<Param> {
    let rest = template.strip_prefix("/api/v1").unwrap_or(template);
    let first = rest.trim_start_matches('/').split('/').next().unwrap_or("");
    Some(match (first, name) {
        ("units", "code") => Param::Scoped(Kind::Unit),
        // Official results are national data, readable by every account; a draft plan made from them is a
        // plan of the named unit.
        ("results", "code") if template.ends_with("/draft-plan") => Param::Scoped(Kind::Unit),
        ("results", "code") => Param::Fixed("14"),
        ("results", "framework" | "fw") => Param::Fixed("papi"),
        ("results", "year") => Param::Fixed("2023"),
        ("frameworks", "code") => Param::Fixed("papi"),
        ("plans", "id") => Param::Scoped(Kind::Plan),
        ("plans", "format") | ("reports", "format") => Param::Fixed("docx"),
        ("tasks", "id") => Param::Scoped(Kind::Task),
        ("reports", "id") => Param::Scoped(Kind::Report),
        ("updates", "id") => Param::Scoped(Kind::Update),
        ("evidence", "id") => Param::Scoped(Kind::Evidence),
        ("surveys", "id") => Param::Scoped(Kind::Survey),
        ("assessments", "id") => Param::Scoped(Kind::Assessment),
        ("lang", "lang") => Param::Fixed("vi"),
        ("assets", "name") => Param::Fixed("app.css"),
        ("s", "token") => Param::Fixed("khong-co-ma-nay"),
        _ => return None,
    })
}

fn params_of(template: &str) -> Vec<String> {
    template.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).map(String::from).collect()
}

/// Every path the web crate's sources route with `.route("…"`, also when the path is on the next line.
fn scanned_paths() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for (i, _) in text.match_indices(".route(") {
                    let rest = text[i + 7..].trim_start();
                    if let Some(rest) = rest.strip_prefix('"')
                        && let Some(end) = rest.find('"')
                        && rest.starts_with('/')
                        && rest[..end].chars().all(|c| c.is_ascii_alphanumeric() || "/{}._-".contains(c))
                    {
                        out.insert(rest[..end].to_string());
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/src"), &mut out);
    out
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// One route the app serves: method, path template, and (for API operations) its document entry.
#[derive(Debug, Clone)]
struct Route {
    method: String,
    template: String,
    op: Option<serde_json::Value>,
}

impl Route {
    fn writes(&self) -> bool {
        self.method != "GET"
    }
    fn api(&self) -> bool {
        self.template.starts_with("/api/")
    }
}

fn fill(template: &str, values: &BTreeMap<String, String>) -> String {
    let mut s = template.to_string();
    for (k, v) in values {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Every route the running app serves: the paths from the document and the sources, the methods from the
/// router (a method that is not routed answers 405, an unknown path 404).
async fn discover_routes(base: &str, http: &reqwest::Client, doc: &serde_json::Value) -> Vec<Route> {
    let mut paths: BTreeMap<String, Option<serde_json::Value>> = BTreeMap::new();
    for p in scanned_paths() {
        paths.insert(p, None);
    }
    let doc_paths = doc["paths"].as_object().expect("paths");
    for (p, item) in doc_paths {
        paths.insert(p.clone(), Some(item.clone()));
    }
    assert!(paths.len() >= 80, "found {} paths", paths.len());
    let mut routes = Vec::new();
    for (template, item) in paths {
        // Probe with any value: routing does not look at it.
        let probe: BTreeMap<String, String> = params_of(&template).into_iter().map(|p| (p, "1".to_string())).collect();
        let url = format!("{base}{}", fill(&template, &probe));
        // Only a routed path answers 405 (the fallback of an unknown path answers 404 to every method).
        let mut served = Vec::new();
        let mut statuses = Vec::new();
        for m in METHODS {
            let r = http.request(m.parse().expect("method"), &url).send().await.expect("probe");
            let status = r.status().as_u16();
            statuses.push(status);
            if status != 405 {
                served.push(m);
            }
        }
        assert!(statuses.contains(&405), "{template}: the router serves this path ({url}: {statuses:?})");
        assert!(!served.is_empty(), "{template}: some method is served");
        for m in served {
            let op = item.as_ref().and_then(|i| i.get(m.to_lowercase()).cloned());
            if template.starts_with("/api/v1") {
                assert!(op.is_some(), "{m} {template} is served but not in the OpenAPI document");
            }
            routes.push(Route { method: m.to_string(), template: template.clone(), op });
        }
    }
    routes
}

/// A client with its own cookie jar that does not follow redirects.
fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn hidden_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

struct Account {
    username: &'static str,
    may_write: bool,
    /// Materialised path of the home unit; None reaches everything.
    reach: Option<String>,
    http: reqwest::Client,
    csrf: String,
}

async fn login(base: &str, username: &str) -> (reqwest::Client, String) {
    let c = client();
    let page = c.get(format!("{base}/login")).send().await.expect("login page").text().await.expect("body");
    let csrf = hidden_value(&page, "csrf").expect("csrf field");
    let r = c
        .post(format!("{base}/login"))
        .form(&[("username", username), ("password", PASSWORD), ("csrf", csrf.as_str()), ("next", "/")])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303, "login as {username}");
    let home = c.get(format!("{base}/")).send().await.expect("home").text().await.expect("body");
    let csrf = hidden_value(&home, "csrf").expect("session csrf");
    (c, csrf)
}

async fn accounts(base: &str, db: &Db) -> Vec<Account> {
    let homes: BTreeMap<String, String> =
        db.pairs("SELECT a.username, u.path FROM app_user a JOIN unit u ON u.id = a.unit_id").await.into_iter().collect();
    let mut out = Vec::new();
    for (username, may_write) in ACCOUNTS {
        let (http, csrf) = login(base, username).await;
        out.push(Account { username, may_write: *may_write, reach: homes.get(*username).cloned(), http, csrf });
    }
    out
}

/// A JSON body for an API write, from the operation's schema: required properties filled, the unit ones
/// with `unit`.
fn json_body(doc: &serde_json::Value, op: &serde_json::Value, unit: &str) -> serde_json::Value {
    let mut schema = op["requestBody"]["content"]["application/json"]["schema"].clone();
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or("");
        schema = doc["components"]["schemas"][name].clone();
    }
    let mut body = serde_json::Map::new();
    for (name, prop) in schema["properties"].as_object().cloned().unwrap_or_default() {
        let v = match name.as_str() {
            "unit" | "unit_code" | "parent_code" => serde_json::json!(unit),
            "framework" => serde_json::json!("par_index"),
            "year" => serde_json::json!(2024),
            "level" => serde_json::json!("village"),
            "valid_from" => serde_json::json!("2020-01-01"),
            "code" => serde_json::json!("ZZ2"),
            _ => match prop["type"].as_str() {
                Some("integer") | Some("number") => serde_json::json!(1),
                Some("boolean") => serde_json::json!(false),
                Some("array") => serde_json::json!([]),
                Some("object") => serde_json::json!({}),
                _ => serde_json::json!("Thử"),
            },
        };
        body.insert(name, v);
    }
    serde_json::Value::Object(body)
}

/// How to send the CSRF token of a write.
#[derive(Clone, Copy, PartialEq)]
enum Token<'a> {
    Right(&'a str),
    Missing,
    Wrong,
}

/// Send `route` at `url` as `http`, with the body of a write (form, multipart or JSON) naming `unit`.
async fn send(
    http: &reqwest::Client,
    doc: &serde_json::Value,
    route: &Route,
    url: &str,
    unit: &str,
    token: Token<'_>,
) -> reqwest::Response {
    let mut req = http.request(route.method.parse().expect("method"), url);
    let token_value = match token {
        Token::Right(t) => Some(t.to_string()),
        Token::Missing => None,
        Token::Wrong => Some("0".repeat(64)),
    };
    if route.writes() {
        if route.api() {
            if let Some(t) = &token_value {
                req = req.header("X-CSRF-Token", t);
            }
            if let Some(op) = &route.op
                && op.get("requestBody").is_some()
            {
                req = req.json(&json_body(doc, op, unit));
            }
        } else {
            let mut fields: Vec<(String, String)> = Vec::new();
            if let Some(t) = &token_value {
                fields.push(("csrf".into(), t.clone()));
            }
            if let Some((_, list)) = FORM_FIELDS.iter().find(|(t, _)| *t == route.template) {
                fields.extend(list.iter().map(|(k, v)| (k.to_string(), v.replace("{unit}", unit))));
            }
            if MULTIPART.contains(&route.template.as_str()) {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in fields {
                    form = form.text(k, v);
                }
                let part = reqwest::multipart::Part::bytes(b"code,name\n".to_vec()).file_name("thu.csv");
                req = req.multipart(form.part("file", part));
            } else {
                req = req.form(&fields);
            }
        }
    }
    req.send().await.expect("request")
}

/// Does the body of this write name a unit (so that a unit outside the scope can be tried)?
fn body_names_unit(route: &Route) -> bool {
    if !route.writes() {
        return false;
    }
    match &route.op {
        Some(op) => {
            let schema = op["requestBody"]["content"]["application/json"]["schema"].to_string();
            ["\"unit\"", "\"unit_code\"", "\"parent_code\""].iter().any(|k| schema.contains(k)) || schema.contains("$ref")
        }
        None => FORM_FIELDS.iter().any(|(t, fields)| *t == route.template && fields.iter().any(|(_, v)| v.contains("{unit}"))),
    }
}

/// The query string naming the unit for routes scoped by a required `unit` query parameter.
fn unit_query(route: &Route) -> bool {
    match &route.op {
        Some(op) => op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "unit" && p["in"] == "query" && p["required"] == true)),
        None => PAGE_UNIT_QUERY.contains(&route.template.as_str()),
    }
}

struct Demo {
    server: Server,
    db: Db,
    _cleanup: Option<chiso_store::testing::TestDb>,
    label: &'static str,
    dir: PathBuf,
}

async fn demos(test: &str) -> Vec<Demo> {
    let mut out = Vec::new();
    let dir = temp_dir(&format!("{test}-sqlite"));
    let server = demo_server(&["--data-dir".into(), dir.display().to_string()]);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", dir.join("chiso.db").display())).await.expect("sqlite");
    out.push(Demo { server, db: Db::Sqlite(pool), _cleanup: None, label: "sqlite", dir });
    if let Some(pg) = chiso_store::testing::TestDb::postgres().await.expect("postgres") {
        let url = pg.url().expect("url");
        let files = temp_dir(&format!("{test}-pg-files"));
        let server = demo_server(&["--database-url".into(), url.clone(), "--data-dir".into(), files.display().to_string()]);
        let pool = sqlx::PgPool::connect(&url).await.expect("pg");
        out.push(Demo { server, db: Db::Pg(pool), _cleanup: Some(pg), label: "postgres", dir: files });
    }
    out
}

impl Demo {
    async fn finish(self) {
        drop(self.server);
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(pg) = self._cleanup {
            pg.cleanup().await;
        }
    }
}

/// Objects of every kind: (value, unit path).
async fn objects(db: &Db) -> BTreeMap<Kind, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    for k in [Kind::Unit, Kind::Plan, Kind::Task, Kind::Report, Kind::Update, Kind::Evidence, Kind::Survey, Kind::Assessment] {
        let rows = db.pairs(k.sql()).await;
        assert!(!rows.is_empty(), "the demo has objects of kind {k:?}");
        out.insert(k, rows);
    }
    out
}

/// For an account reaching `reach`: one object inside, and up to two outside (one in an ancestor unit when
/// there is one, since leaking upwards is the easy mistake, and one elsewhere).
fn pick(rows: &[(String, String)], reach: Option<&str>) -> (Option<String>, Vec<String>) {
    let inside = |path: &str| reach.is_none_or(|r| path.starts_with(r));
    let inn = rows.iter().find(|(_, p)| inside(p)).map(|(v, _)| v.clone());
    let mut out = Vec::new();
    if let Some(r) = reach {
        if let Some((v, _)) = rows.iter().find(|(_, p)| !inside(p) && r.starts_with(p.as_str())) {
            out.push(v.clone());
        }
        if let Some((v, _)) = rows.iter().find(|(_, p)| !inside(p) && !r.starts_with(p.as_str())) {
            out.push(v.clone());
        }
    }
    (inn, out)
}

/// The unit code of the unit with materialised path `path`.
fn code_at(units: &[(String, String)], path: &str) -> String {
    units.iter().find(|(_, p)| p == path).map(|(c, _)| c.clone()).unwrap_or_default()
}

fn is_success(route: &Route, status: u16) -> bool {
    (200..300).contains(&status) || (route.writes() && (300..400).contains(&status))
}

/// One filled request of the matrix.
struct Case {
    url: String,
    unit: String,
    inside: bool,
}

/// The cases of `route` for `account`: inside and outside its scope.
fn cases(route: &Route, base: &str, account_reach: Option<&str>, objs: &BTreeMap<Kind, Vec<(String, String)>>) -> Vec<Case> {
    let units = &objs[&Kind::Unit];
    let mut fixed = BTreeMap::new();
    let mut scoped: Option<(String, Kind)> = None;
    for p in params_of(&route.template) {
        match param_of(&route.template, &p).unwrap_or_else(|| panic!("{} {}: parameter {p} unfilled", route.method, route.template)) {
            Param::Fixed(v) => {
                fixed.insert(p, v.to_string());
            }
            Param::Scoped(k) => scoped = Some((p, k)),
        }
    }
    let query = unit_query(route);
    let home_code = account_reach.map(|r| code_at(units, r)).unwrap_or_else(|| "14".into());
    let mut out = Vec::new();
    let mut push = |values: &BTreeMap<String, String>, unit: String, inside: bool| {
        let mut url = format!("{base}{}", fill(&route.template, values));
        if query {
            url.push_str(&format!("?unit={unit}&period=2022-H1"));
        }
        out.push(Case { url, unit, inside });
    };
    match scoped {
        Some((name, kind)) => {
            let rows = &objs[&kind];
            let (inn, outs) = pick(rows, account_reach);
            let unit_of = |v: &str| -> String {
                let path = rows.iter().find(|(x, _)| x == v).map(|(_, p)| p.clone()).unwrap_or_default();
                code_at(units, &path)
            };
            if let Some(v) = inn {
                let mut values = fixed.clone();
                values.insert(name.clone(), v.clone());
                push(&values, unit_of(&v), true);
            }
            for v in outs {
                let mut values = fixed.clone();
                values.insert(name.clone(), v.clone());
                push(&values, unit_of(&v), false);
            }
        }
        None if query => {
            let (inn, outs) = pick(units, account_reach);
            if let Some(v) = inn {
                push(&fixed, v, true);
            }
            for v in outs {
                push(&fixed, v, false);
            }
        }
        // No object in the path or the query: the account's own unit names the body's object, and a unit
        // outside its reach is tried as well.
        None => {
            push(&fixed, home_code, true);
            if body_names_unit(route) {
                let (_, outs) = pick(units, account_reach);
                for v in outs {
                    push(&fixed, v, false);
                }
            }
        }
    }
    out
}

async fn openapi(base: &str) -> serde_json::Value {
    reqwest::get(format!("{base}/api/v1/openapi.json")).await.expect("document").json().await.expect("json")
}

fn listed(list: &[(&str, &str)], template: &str) -> bool {
    list.iter().any(|(t, _)| *t == template)
}

#[tokio::test]
async fn route_role_scope_matrix_generated_from_the_router() {
    for demo in demos("matrix").await {
        let label = demo.label;
        let base = demo.server.base.clone();
        let doc = openapi(&base).await;
        let anonymous = client();
        let routes = discover_routes(&base, &anonymous, &doc).await;
        // Every route is covered, public, or listed as unfillable.
        let mut uncovered = Vec::new();
        for r in &routes {
            if listed(PUBLIC, &r.template) || listed(UNFILLABLE, &r.template) {
                continue;
            }
            if params_of(&r.template).iter().any(|p| param_of(&r.template, p).is_none()) {
                uncovered.push(format!("{} {}", r.method, r.template));
            }
        }
        assert!(
            uncovered.is_empty(),
            "{label}: routes the matrix cannot fill: add them to param_of or UNFILLABLE with a reason: {uncovered:?}"
        );
        let objs = objects(&demo.db).await;
        let accounts = accounts(&base, &demo.db).await;
        let mut failures = Vec::new();
        let (mut requests, mut outside, mut refused_writes) = (0, 0, 0);
        let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
        let (mut admin_reads, mut admin_reads_ok) = (0, 0);
        for route in routes.iter().filter(|r| !listed(PUBLIC, &r.template) && !listed(UNFILLABLE, &r.template)) {
            // Without a session nothing is served, and nothing written.
            for case in cases(route, &base, Some("/nowhere/"), &objs) {
                let before = demo.db.audit_rows().await;
                let s = send(&anonymous, &doc, route, &case.url, &case.unit, Token::Wrong).await.status().as_u16();
                requests += 1;
                if (200..300).contains(&s) || demo.db.audit_rows().await != before {
                    failures.push(format!("anonymous {} {} → {s}", route.method, case.url));
                }
            }
            for a in &accounts {
                for case in cases(route, &base, a.reach.as_deref(), &objs) {
                    // Roles that may write are not made to write inside their scope here (the feature
                    // tests do that); everything else is tried.
                    let own_state = listed(OWN_STATE_WRITES, &route.template);
                    let must_refuse_write = route.writes() && !own_state && (!case.inside || !a.may_write);
                    if route.writes() && !must_refuse_write {
                        continue;
                    }
                    let before = demo.db.audit_rows().await;
                    let resp = send(&a.http, &doc, route, &case.url, &case.unit, Token::Right(&a.csrf)).await;
                    let s = resp.status().as_u16();
                    requests += 1;
                    let wrote = demo.db.audit_rows().await != before;
                    let who = format!("{} {} {} ({})", a.username, route.method, case.url, if case.inside { "inside" } else { "outside" });
                    if a.username == "admin" && !route.writes() {
                        admin_reads += 1;
                        if (200..300).contains(&s) {
                            admin_reads_ok += 1;
                        } else {
                            eprintln!("{label}: {who} → {s}");
                        }
                    }
                    let class = if !case.inside {
                        "outside"
                    } else if route.writes() {
                        "refused write"
                    } else {
                        "inside"
                    };
                    *statuses.entry(format!("{class} {s}")).or_default() += 1;
                    if s >= 500 {
                        failures.push(format!("{who} → {s} server error"));
                    }
                    if !case.inside {
                        outside += 1;
                        if is_success(route, s) || wrote {
                            failures.push(format!("{who} → {s}{} out of scope", if wrote { ", wrote" } else { "" }));
                        }
                    }
                    if must_refuse_write {
                        refused_writes += 1;
                        if is_success(route, s) || wrote {
                            failures.push(format!("{who} → {s}{}: a write that must be refused", if wrote { ", wrote" } else { "" }));
                        }
                    }
                }
            }
        }
        eprintln!(
            "{label}: {} routes, {requests} requests, {outside} out of scope, {refused_writes} refused writes; {statuses:?}",
            routes.len()
        );
        // The values filled in are real: the administrator reads them.
        assert!(admin_reads_ok * 10 >= admin_reads * 9, "{label}: admin read {admin_reads_ok} of {admin_reads} filled GET routes");
        assert!(outside >= 300 && refused_writes >= 100, "{label}: the matrix exercised too little");
        assert!(failures.is_empty(), "{label}: {} failures:\n{}", failures.len(), failures.join("\n"));
        demo.finish().await;
    }
}

/// A real, unused invitation token of the demo survey: the administrator makes one (its link is shown only
/// in the answer to making it).
async fn invitation_token(base: &str, admin: &Account) -> String {
    let form = [("csrf", admin.csrf.as_str()), ("unit", "03985"), ("group", ""), ("count", "1")];
    let r = admin.http.post(format!("{base}/surveys/1/invitations")).form(&form).send().await.expect("invite");
    let page = r.text().await.expect("body");
    let at = page.find("/s/").expect("an invitation link in the answer") + 3;
    page[at..at + 32].to_string()
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_missing_or_wrong_csrf_token() {
    for demo in demos("csrf").await {
        let label = demo.label;
        let base = demo.server.base.clone();
        let doc = openapi(&base).await;
        let routes = discover_routes(&base, &client(), &doc).await;
        let writes: Vec<&Route> = routes.iter().filter(|r| r.writes()).collect();
        assert!(writes.len() >= 30, "{label}: {} state-changing routes", writes.len());
        let objs = objects(&demo.db).await;
        let accounts = accounts(&base, &demo.db).await;
        let admin = accounts.iter().find(|a| a.username == "admin").expect("admin");
        let token = invitation_token(&base, admin).await;
        let mut failures = Vec::new();
        let mut checked = 0;
        for route in writes {
            if listed(UNFILLABLE, &route.template) {
                continue;
            }
            for bad in [Token::Missing, Token::Wrong] {
                // The administrator, who may make every write, on an object inside the scope: only the token
                // is wrong. Before login, the login form's own double-submit token is the one missing; the
                // public survey form's likewise, with a real invitation.
                let (http, url, unit) = match route.template.as_str() {
                    "/login" => (client(), format!("{base}/login"), String::new()),
                    "/s/{token}" => {
                        let c = client();
                        let url = format!("{base}/s/{token}");
                        c.get(&url).send().await.expect("form");
                        (c, url, String::new())
                    }
                    _ => {
                        let case =
                            cases(route, &base, admin.reach.as_deref(), &objs).into_iter().find(|c| c.inside).expect("a case inside");
                        (admin.http.clone(), case.url, case.unit)
                    }
                };
                let before = demo.db.audit_rows().await;
                let resp = if route.template == "/login" {
                    let mut fields = vec![("username", "admin"), ("password", PASSWORD)];
                    if bad == Token::Wrong {
                        fields.push(("csrf", "sai"));
                    }
                    http.post(&url).form(&fields).send().await.expect("login")
                } else {
                    send(&http, &doc, route, &url, &unit, bad).await
                };
                let s = resp.status().as_u16();
                checked += 1;
                let which = if bad == Token::Missing { "missing" } else { "wrong" };
                if s != 403 || demo.db.audit_rows().await != before {
                    failures.push(format!("{} {url} with a {which} CSRF token → {s}", route.method));
                }
            }
        }
        // The administrator's session survived every refused write (logout with a bad token included).
        let me = admin.http.get(format!("{base}/api/v1/me")).send().await.expect("me");
        assert_eq!(me.status(), 200, "{label}: still logged in");
        eprintln!("{label}: {checked} refused writes checked");
        assert!(failures.is_empty(), "{label}: {} failures:\n{}", failures.len(), failures.join("\n"));
        demo.finish().await;
    }
}
