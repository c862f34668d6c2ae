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

#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited() {
    on_each_app(|app| async move {
        let c = app.client();
        let page = c.get(app.url("/login")).send().await.expect("page").text().await.expect("body");
        let csrf = hidden_value(&page, "csrf").expect("csrf");
        let mut last = 0;
        for _ in 0..6 {
            let r = c
                .post(app.url("/login"))
                .form(&[("username", "admin"), ("password", "doan-mo"), ("csrf", &csrf)])
                .send()
                .await
                .expect("post");
            last = r.status().as_u16();
        }
        assert_eq!(last, 429, "{}", app.label);
    })
    .await;
}
