//! Issue 13 (hardening): upload limits that can be reached and are stated in Vietnamese, no orphan files
//! after a failed upload, and the other items that are about HTTP behaviour.

use crate::helpers::*;
use chiso_core::access::Scope;
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};

/// A plan of unit X01 with one task; returns the task id.
pub async fn one_task(app: &TestApp) -> i64 {
    let sys = Scope::system("test");
    let draft = PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year: 2026,
        year_to: None,
        families: vec!["PAPI".into()],
        number: Some("1/KH-UBND".into()),
        place: None,
        issued_on: time::Date::from_calendar_date(2026, time::Month::January, 15).ok(),
        title: "Kế hoạch nâng cao chỉ số PAPI".into(),
        status: PlanStatus::Issued,
        based_on: vec![],
        recipients: vec![],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({}),
        tasks: vec![TaskDraft { code: "1".into(), text: "Nhiệm vụ 1".into(), nodes: vec!["papi.d1.s1".into()], ..Default::default() }],
    };
    let plan = app.store.create_plan(&sys, "X01", &draft, None, None).await.expect("plan");
    app.store.tasks(&sys, plan.id).await.expect("tasks")[0].row.id
}

fn pdf_of(len: usize, salt: &str) -> Vec<u8> {
    let mut b = format!("%PDF-1.7 {salt}\n").into_bytes();
    b.resize(len, b'x');
    b
}

fn update_form(csrf: &str, version: i64, files: Vec<(&str, Vec<u8>)>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("version", version.to_string())
        .text("status", "in_progress")
        .text("percent", "50")
        .text("narrative", "Đã tổ chức hội nghị");
    for (name, bytes) in files {
        form = form.part("files", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    }
    form
}

/// Every regular file under a directory (none when it does not exist).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn the_documented_evidence_limit_is_reachable_and_over_limit_bodies_are_refused_in_vietnamese() {
    on_each_app(|app| async move {
        let label = app.label;
        let task = one_task(&app).await;
        let c = app.login("xa.x01").await;
        let csrf = csrf_of(&app, &c).await;
        let version = app.store.task(&Scope::system("t"), task).await.expect("task").row.version;
        // A 10 MB evidence file (the limit is 20 MB) is accepted.
        let r = c
            .post(app.url(&format!("/tasks/{task}/updates")))
            .multipart(update_form(&csrf, version, vec![("bien-ban.pdf", pdf_of(10 * 1024 * 1024, "a"))]))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 303, "{label}: 10 MB evidence accepted");
        // A 21 MB file is refused by the evidence rule, with the limit in the message.
        let version = app.store.task(&Scope::system("t"), task).await.expect("task").row.version;
        let r = c
            .post(app.url(&format!("/tasks/{task}/updates")))
            .multipart(update_form(&csrf, version, vec![("lon.pdf", pdf_of(21 * 1024 * 1024, "b"))]))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422, "{label}");
        assert!(r.text().await.expect("body").contains("tối đa 20 MB"), "{label}");
        // A plan document over its route limit: 413 with a Vietnamese page, not the parser's English.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("unit", "X01")
            .part("file", reqwest::multipart::Part::bytes(vec![b'a'; 21 * 1024 * 1024]).file_name("kh.txt"));
        let r = c.post(app.url("/plans/import")).multipart(form).send().await.expect("post");
        assert_eq!(r.status(), 413, "{label}");
        let body = r.text().await.expect("body");
        assert!(body.contains("vượt quá giới hạn") && body.contains("tài liệu kế hoạch 20 MB"), "{label}: {body:.300}");
        // Under /api/v1 the same refusal is JSON.
        let big = format!("{{\"code\":\"{}\"}}", "x".repeat(9 * 1024 * 1024));
        let r = c
            .post(app.url("/api/v1/units"))
            .header("X-CSRF-Token", &csrf)
            .header("Content-Type", "application/json")
            .body(big)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 413, "{label}");
        let v: serde_json::Value = r.json().await.expect("json");
        assert_eq!(v["error"]["code"], "too_large", "{label}");
        assert!(v["error"]["message"].as_str().unwrap_or("").contains("vượt quá giới hạn"), "{label}");
    })
    .await;
}

#[tokio::test]
async fn a_failed_upload_leaves_no_file_on_disk() {
    on_each_app(|app| async move {
        let label = app.label;
        let task = one_task(&app).await;
        let c = app.login("xa.x01").await;
        let csrf = csrf_of(&app, &c).await;
        let dir = app.store.files_dir.clone().expect("files dir");
        let version = app.store.task(&Scope::system("t"), task).await.expect("task").row.version;
        let r = c
            .post(app.url(&format!("/tasks/{task}/updates")))
            .multipart(update_form(&csrf, version, vec![("a.pdf", pdf_of(1000, "first"))]))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 303, "{label}");
        let before = files_under(&dir);
        assert_eq!(before.len(), 1, "{label}: the stored file");
        // A stale version: 409, and the new file is not left behind.
        let r = c
            .post(app.url(&format!("/tasks/{task}/updates")))
            .multipart(update_form(&csrf, version, vec![("b.pdf", pdf_of(1000, "second")), ("c.pdf", pdf_of(2000, "third"))]))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 409, "{label}");
        assert_eq!(files_under(&dir), before, "{label}: no orphan after a 409");
    })
    .await;
}

#[tokio::test]
async fn long_texts_are_refused_with_a_clear_message() {
    on_each_app(|app| async move {
        let label = app.label;
        let task = one_task(&app).await;
        let c = app.login("xa.x01").await;
        let csrf = csrf_of(&app, &c).await;
        let version = app.store.task(&Scope::system("t"), task).await.expect("task").row.version;
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("version", version.to_string())
            .text("status", "in_progress")
            .text("narrative", "ă".repeat(220_000));
        let r = c.post(app.url(&format!("/tasks/{task}/updates"))).multipart(form).send().await.expect("post");
        assert!(r.status() == 400 || r.status() == 422, "{label}: {}", r.status());
        let body = r.text().await.expect("body");
        assert!(body.contains("quá dài (220.000 ký tự; tối đa 10.000 ký tự)"), "{label}");
        // A task's text, through the store API every way in uses.
        let sys = Scope::system("t");
        let patch = chiso_store::plans::TaskPatch { text: Some("x".repeat(220_000)), ..Default::default() };
        let e = app.store.update_task(&sys, task, patch, version).await.expect_err("too long");
        assert!(e.to_string().contains("nội dung nhiệm vụ quá dài"), "{label}: {e}");
    })
    .await;
}

#[tokio::test]
async fn the_back_field_never_redirects_off_site() {
    on_each_app(|app| async move {
        let label = app.label;
        let task = one_task(&app).await;
        let sys = Scope::system("t");
        let version = app.store.task(&sys, task).await.expect("task").row.version;
        let c = app.login("xa.x01").await;
        let csrf = csrf_of(&app, &c).await;
        let r =
            c.post(app.url(&format!("/tasks/{task}/updates"))).multipart(update_form(&csrf, version, vec![])).send().await.expect("post");
        assert_eq!(r.status(), 303, "{label}");
        let update = app.store.task_updates(&sys, task).await.expect("updates")[0].update.id;
        let admin = app.login("admin").await;
        let csrf = csrf_of(&app, &admin).await;
        for back in ["//evil.example/x", "https://evil.example/", "/\t/evil.example", "/\\evil.example"] {
            let r = admin
                .post(app.url(&format!("/updates/{update}/return")))
                .form(&[("csrf", csrf.as_str()), ("reason", "Thiếu biên bản"), ("back", back)])
                .send()
                .await
                .expect("post");
            let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            assert!(to.starts_with('/') && !to.starts_with("//") && !to.contains("evil"), "{label}: back={back:?} → {to}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_pre_login_csrf_cookie_is_secure_when_cookies_are() {
    for db in chiso_store::testing::TestDb::all().await.expect("dbs") {
        let app = spawn_app_with(db, |mut s| {
            s.secure_cookies = true;
            s
        })
        .await;
        let r = app.client().get(app.url("/login")).send().await.expect("login page");
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("chiso_login_csrf="))
            .expect("csrf cookie")
            .to_string();
        assert!(cookie.contains("; Secure"), "{}: {cookie}", app.label);
        app.stop().await;
    }
}

#[tokio::test]
async fn invitation_links_use_the_configured_address_not_the_host_header() {
    // Every backend with the address configured, and SQLite without it (the Host fallback).
    let mut runs: Vec<(chiso_store::testing::TestDb, bool)> =
        chiso_store::testing::TestDb::all().await.expect("dbs").into_iter().map(|db| (db, true)).collect();
    runs.push((chiso_store::testing::TestDb::sqlite().await.expect("sqlite"), false));
    for (db, configured) in runs {
        let app = spawn_app_with(db, |mut s| {
            if configured {
                s.app = s.app.clone().with_settings(chiso_app::Settings { base_url: Some("https://chiso.example.gov.vn".into()) });
            }
            s
        })
        .await;
        let label = app.label;
        let c = app.login("nv.huyen").await;
        let toml = c.get(app.url("/surveys/sample-questionnaire.toml")).send().await.expect("sample").bytes().await.expect("bytes");
        let csrf = csrf_of(&app, &c).await;
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("unit", "X01")
            .text("year", "2024")
            .text("title", "Khảo sát người dân 2024")
            .part("file", reqwest::multipart::Part::bytes(toml.to_vec()).file_name("mau.toml"));
        let r = c.post(app.url("/surveys")).multipart(form).send().await.expect("create");
        assert_eq!(r.status(), 303, "{label}");
        let loc = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
        let r = c
            .post(app.url(&format!("{loc}/invitations")))
            .header("Host", "evil.example")
            .form(&[("csrf", csrf.as_str()), ("unit", "X01"), ("count", "2")])
            .send()
            .await
            .expect("invite");
        // The links are shown once, in the answer to making them.
        assert_eq!(r.status(), 200, "{label}");
        let page = r.text().await.expect("body");
        if configured {
            assert!(page.contains("https://chiso.example.gov.vn/s/"), "{label}: links from the configured address");
            assert!(!page.contains("evil.example"), "{label}: never from the Host header");
        } else {
            // Without a configured address the request's Host is the fallback: this shows the header arrived.
            assert!(page.contains("http://evil.example/s/"), "{label}: (fallback)");
        }
        app.stop().await;
    }
}
