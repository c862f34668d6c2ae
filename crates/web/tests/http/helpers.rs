use chiso_core::access::{Role, Scope};
use chiso_core::framework::FrameworkSet;
use chiso_store::Store;
use chiso_store::accounts::NewUser;
use chiso_store::testing::TestDb;
use chiso_web::{AppState, Application};
use std::sync::Arc;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "mat-khau-test";

pub const TREE: &str = "code,name,level,parent_code,valid_from,valid_to
14,Tỉnh Sơn La,province,,2000-01-01,
123,Huyện Mộc Châu,district,14,2000-01-01,
X01,Thị trấn Mộc Châu,commune,123,2000-01-01,
X02,Xã Chiềng Sơn,commune,123,2000-01-01,
";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub label: &'static str,
    db: Option<TestDb>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client with its own cookie jar that does not follow redirects (so tests see them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
    }

    /// A client logged in as `username` (password [`PASSWORD`]).
    pub async fn login(&self, username: &str) -> reqwest::Client {
        let c = self.client();
        let page = c.get(self.url("/login")).send().await.expect("login page").text().await.expect("body");
        let csrf = hidden_value(&page, "csrf").expect("csrf field");
        let r = c
            .post(self.url("/login"))
            .form(&[("username", username), ("password", PASSWORD), ("csrf", csrf.as_str()), ("next", "/")])
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), 303, "{}: login as {username}", self.label);
        c
    }

    /// Stop the server and start it again on the same address and database, its state made by `configure`
    /// from a fresh one — e.g. another clock, so that days pass between two steps of a journey. Sessions live
    /// in the database, so a logged-in browser or client stays logged in.
    pub async fn restart_with(&mut self, configure: impl FnOnce(AppState) -> AppState) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(mut h) = self.server.take() {
            // Graceful: idle keep-alive connections of a browser must not hold the restart.
            if tokio::time::timeout(std::time::Duration::from_secs(10), &mut h).await.is_err() {
                h.abort();
                let _ = h.await;
            }
        }
        let addr = self.base.trim_start_matches("http://").to_string();
        let frameworks = Arc::new(FrameworkSet::builtin().expect("frameworks"));
        let state = configure(AppState::new(chiso_app::App::new(self.store.clone(), frameworks), false));
        let mut tries = 0;
        let app = loop {
            match Application::build(state.clone(), &addr).await {
                Ok(app) => break app,
                Err(e) if tries < 50 => {
                    tries += 1;
                    eprintln!("restart on {addr}: {e}; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("restart on {addr}: {e}"),
            }
        };
        let (tx, rx) = oneshot::channel::<()>();
        self.server = Some(tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        })));
        self.stop = Some(tx);
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

/// The value of `<input … name="NAME" value="…">` in a page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// The session CSRF token of a logged-in client, read from a page's logout form.
pub async fn csrf_of(app: &TestApp, c: &reqwest::Client) -> String {
    let page = c.get(app.url("/")).send().await.expect("home").text().await.expect("body");
    hidden_value(&page, "csrf").expect("csrf in page")
}

pub async fn spawn_app(db: TestDb) -> TestApp {
    spawn_app_with(db, |s| s).await
}

/// Like [`spawn_app`], with the server's settings changed by `configure`.
pub async fn spawn_app_with(db: TestDb, configure: impl FnOnce(AppState) -> AppState) -> TestApp {
    let files = std::env::temp_dir().join(format!("chiso-test-files-{}-{}", std::process::id(), chiso_store::now_ms()));
    let store = db.store.clone().with_files_dir(files);
    let sys = Scope::system("test");
    store.import_units_csv(&sys, TREE).await.expect("units");
    let accounts = [
        ("admin", Role::Admin, None),
        ("xa.x01", Role::Admin, Some("X01")),
        ("nv.huyen", Role::Specialist, Some("123")),
        ("xem.x02", Role::Viewer, Some("X02")),
    ];
    for (username, role, unit) in accounts {
        store
            .create_user(
                &sys,
                NewUser {
                    username: username.into(),
                    full_name: format!("Người dùng {username}"),
                    password: PASSWORD.into(),
                    role,
                    unit_code: unit.map(String::from),
                    agency_id: None,
                },
            )
            .await
            .expect("user");
    }
    let frameworks = Arc::new(FrameworkSet::builtin().expect("frameworks"));
    let state = configure(AppState::new(chiso_app::App::new(store.clone(), frameworks), false));
    let app = Application::build(state, "127.0.0.1:0").await.expect("bind");
    let port = app.port();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    TestApp { base: format!("http://127.0.0.1:{port}"), store, label: db.label, db: Some(db), stop: Some(tx), server: Some(server) }
}

/// Run a test body against a fresh app on every backend.
pub async fn on_each_app<F, Fut>(f: F)
where
    F: Fn(std::rc::Rc<TestApp>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await.expect("test databases") {
        let app = std::rc::Rc::new(spawn_app(db).await);
        f(app.clone()).await;
        match std::rc::Rc::try_unwrap(app) {
            Ok(app) => app.stop().await,
            Err(_) => panic!("test kept a reference to the app"),
        }
    }
}
