use crate::helpers::*;

#[tokio::test]
async fn health_login_page_and_openapi_are_served() {
    on_each_app(|app| async move {
        let c = app.client();
        let h: serde_json::Value = c.get(app.url("/health")).send().await.expect("health").json().await.expect("json");
        assert_eq!(h["status"], "ok");
        assert_eq!(h["database"], app.label);
        let r = c.get(app.url("/login")).send().await.expect("login");
        assert_eq!(r.status(), 200);
        let body = r.text().await.expect("body");
        assert!(body.contains("lang=\"vi\"") && body.contains("Đăng nhập") && body.contains("Mật khẩu"), "Vietnamese login page");
        let doc: serde_json::Value = c.get(app.url("/api/v1/openapi.json")).send().await.expect("openapi").json().await.expect("json");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/v1/units"]["get"].is_object());
        let css = c.get(app.url("/assets/app.css")).send().await.expect("css");
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8", "assets are served by the binary");
    })
    .await;
}

#[tokio::test]
async fn login_logout_and_protected_pages() {
    on_each_app(|app| async move {
        let c = app.client();
        // Not logged in: pages redirect to the login page, the API answers 401.
        let r = c.get(app.url("/units")).send().await.expect("units");
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login?next=/units");
        assert_eq!(c.get(app.url("/api/v1/me")).send().await.expect("me").status(), 401);
        // Wrong password.
        let page = c.get(app.url("/login")).send().await.expect("page").text().await.expect("body");
        let csrf = hidden_value(&page, "csrf").expect("csrf");
        let r =
            c.post(app.url("/login")).form(&[("username", "nv.huyen"), ("password", "sai"), ("csrf", &csrf)]).send().await.expect("post");
        assert_eq!(r.status(), 401);
        assert!(r.text().await.expect("body").contains("không đúng"));
        // Right password: a session, the home page with the user's scope.
        let c = app.login("nv.huyen").await;
        let home = c.get(app.url("/")).send().await.expect("home").text().await.expect("body");
        assert!(home.contains("Người dùng nv.huyen") && home.contains("Huyện Mộc Châu và các đơn vị trực thuộc"), "{}", app.label);
        let me: serde_json::Value = c.get(app.url("/api/v1/me")).send().await.expect("me").json().await.expect("json");
        assert_eq!(me["role"], "specialist");
        // Logout needs the CSRF token.
        let bad = c.post(app.url("/logout")).form(&[("csrf", "x")]).send().await.expect("logout");
        assert_eq!(bad.status(), 403);
        assert_eq!(c.get(app.url("/")).send().await.expect("home").status(), 200, "still logged in");
        let csrf = csrf_of(&app, &c).await;
        let r = c.post(app.url("/logout")).form(&[("csrf", csrf.as_str())]).send().await.expect("logout");
        assert_eq!(r.status(), 303);
        assert_eq!(c.get(app.url("/")).send().await.expect("home").status(), 303, "logged out");
    })
    .await;
}

#[tokio::test]
async fn csrf_is_required_on_every_form() {
    on_each_app(|app| async move {
        // Login without the pre-session token cookie (a cross-site post) is refused.
        let c = app.client();
        let r = c
            .post(app.url("/login"))
            .form(&[("username", "nv.huyen"), ("password", PASSWORD), ("csrf", "forged")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403);
        let c = app.login("nv.huyen").await;
        let r = c
            .post(app.url("/units/X01/agencies"))
            .form(&[("csrf", "forged"), ("name", "Phòng Y tế"), ("kind", "office")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{}", app.label);
        let r = c
            .post(app.url("/api/v1/units"))
            .json(&serde_json::json!({"code": "V1", "name": "Bản", "level": "village", "parent_code": "X01", "valid_from": "2020-01-01"}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "API write without X-CSRF-Token");
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url("/units/X01/agencies"))
            .form(&[("csrf", csrf.as_str()), ("name", "Phòng Y tế"), ("kind", "office")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 303, "with the token it works");
        let r = c
            .post(app.url("/api/v1/units"))
            .header("X-CSRF-Token", &csrf)
            .json(
                &serde_json::json!({"code": "V1", "name": "Bản Mới", "level": "village", "parent_code": "X01", "valid_from": "2020-01-01"}),
            )
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 201);
    })
    .await;
}

async fn login_status(app: &TestApp, c: &reqwest::Client, username: &str, password: &str, forwarded: Option<&str>) -> u16 {
    let page = c.get(app.url("/login")).send().await.expect("page").text().await.expect("body");
    let csrf = hidden_value(&page, "csrf").expect("csrf");
    let mut req = c.post(app.url("/login")).form(&[("username", username), ("password", password), ("csrf", &csrf)]);
    if let Some(f) = forwarded {
        req = req.header("X-Forwarded-For", f);
    }
    req.send().await.expect("post").status().as_u16()
}

#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited() {
    on_each_app(|app| async move {
        let c = app.client();
        let mut last = 0;
        for _ in 0..6 {
            last = login_status(&app, &c, "admin", "doan-mo", None).await;
        }
        assert_eq!(last, 429, "{}", app.label);
        let body = {
            let page = c.get(app.url("/login")).send().await.expect("page").text().await.expect("body");
            let csrf = hidden_value(&page, "csrf").expect("csrf");
            c.post(app.url("/login"))
                .form(&[("username", "admin"), ("password", "doan-mo"), ("csrf", &csrf)])
                .send()
                .await
                .expect("post")
                .text()
                .await
                .expect("body")
        };
        assert!(body.contains("Vui lòng thử lại sau"), "{}: Vietnamese back-off message", app.label);
        // Without a trusted proxy header configured, a forged X-Forwarded-For does not escape the back-off.
        assert_eq!(login_status(&app, &c, "admin", "doan-mo", Some("10.9.9.9")).await, 429, "{}", app.label);
    })
    .await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_back_off_is_per_client_address() {
    for db in chiso_store::testing::TestDb::all().await.expect("dbs") {
        let app = spawn_app_with(db, |s| s.with_trusted_proxy_header("X-Forwarded-For").expect("header")).await;
        let c = app.client();
        // An attacker behind the proxy guesses the admin's password …
        for _ in 0..6 {
            login_status(&app, &c, "admin", "doan-mo", Some("203.0.113.7")).await;
        }
        assert_eq!(login_status(&app, &c, "admin", PASSWORD, Some("203.0.113.7")).await, 429, "{}", app.label);
        // … and tries many unknown usernames: the admin, behind the same proxy, still logs in.
        for i in 0..8 {
            login_status(&app, &c, &format!("khong-co-{i}"), "x", Some("198.51.100.1")).await;
        }
        let admin = app.client();
        assert_eq!(login_status(&app, &admin, "admin", PASSWORD, Some("10.0.0.1, 198.51.100.1")).await, 303, "{}", app.label);
        let other = app.client();
        assert_eq!(login_status(&app, &other, "admin", PASSWORD, Some("192.0.2.44")).await, 303, "{}", app.label);
        app.stop().await;
    }
}
