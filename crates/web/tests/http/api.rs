use crate::helpers::*;

#[tokio::test]
async fn frameworks_api_gives_the_papi_tree_by_year() {
    on_each_app(|app| async move {
        let c = app.login("nv.huyen").await;
        let t: serde_json::Value =
            c.get(app.url("/api/v1/frameworks/papi?year=2023")).send().await.expect("get").json().await.expect("json");
        assert_eq!(t["code"], "papi");
        let dims = t["children"].as_array().expect("dimensions");
        assert_eq!(dims.len(), 8);
        let subs: usize = dims.iter().map(|d| d["children"].as_array().map_or(0, |c| c.len())).sum();
        assert_eq!(subs, 28);
        let t19: serde_json::Value =
            c.get(app.url("/api/v1/frameworks/papi?year=2019")).send().await.expect("get").json().await.expect("json");
        let subs19: usize = t19["children"].as_array().expect("dims").iter().map(|d| d["children"].as_array().map_or(0, |c| c.len())).sum();
        assert_eq!(subs19, 29);
        let r = c.get(app.url("/api/v1/frameworks/nope")).send().await.expect("get");
        assert_eq!(r.status(), 404);
        let e: serde_json::Value = r.json().await.expect("json");
        assert_eq!(e["error"]["code"], "not_found");
        assert_eq!(c.get(app.url("/api/v1/frameworks/papi?year=abc")).send().await.expect("get").status(), 400);
        let page = c.get(app.url("/frameworks/papi?year=2023")).send().await.expect("page").text().await.expect("body");
        assert!(page.contains("papi.d8.s2") && !page.contains("papi.d5.s2"), "{}: the 2023 tree has no 5.2", app.label);
    })
    .await;
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    on_each_app(|app| async move {
        let doc: serde_json::Value =
            app.client().get(app.url("/api/v1/openapi.json")).send().await.expect("get").json().await.expect("json");
        let paths = doc["paths"].as_object().expect("paths");
        // The routes the API serves, read from the source of the router (so a new route without docs fails).
        let src = include_str!("../../src/api.rs");
        for line in src.lines().filter(|l| l.trim_start().starts_with(".route(\"")) {
            let path = line.split('"').nth(1).expect("path");
            assert!(paths.contains_key(path), "{path} is not documented in openapi.json");
        }
    })
    .await;
}

/// A JSON error body with `code`, whatever answered (handler, extractor, router, layer).
async fn json_error(r: reqwest::Response, status: u16, code: &str, what: &str) {
    assert_eq!(r.status(), status, "{what}");
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ct.starts_with("application/json"), "{what}: content-type {ct}");
    let e: serde_json::Value = r.json().await.expect("json body");
    assert_eq!(e["error"]["code"], code, "{what}: {e}");
    assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: a message");
}

#[tokio::test]
async fn every_api_error_is_the_json_error_body() {
    on_each_app(|app| async move {
        let anon = app.client();
        json_error(anon.get(app.url("/api/v1/me")).send().await.expect("get"), 401, "unauthorized", "no session").await;
        let c = app.login("admin").await;
        json_error(c.get(app.url("/api/v1/nope")).send().await.expect("get"), 404, "not_found", "unknown path").await;
        json_error(c.delete(app.url("/api/v1/units")).send().await.expect("delete"), 405, "method_not_allowed", "wrong method").await;
        json_error(c.put(app.url("/api/v1/plans/1")).send().await.expect("put"), 405, "method_not_allowed", "wrong method").await;
        json_error(c.get(app.url("/api/v1/plans/abc")).send().await.expect("get"), 400, "bad_request", "malformed path").await;
        json_error(c.get(app.url("/api/v1/surveys/1.5/estimates")).send().await.expect("get"), 400, "bad_request", "malformed path").await;
        json_error(c.get(app.url("/api/v1/surveys?year=abc")).send().await.expect("get"), 400, "bad_request", "malformed query").await;
        json_error(c.get(app.url("/api/v1/reports/status?unit=123")).send().await.expect("get"), 400, "bad_request", "missing query").await;
        json_error(c.get(app.url("/api/v1/tasks/search?q=a&q=b")).send().await.expect("get"), 400, "bad_request", "repeated query").await;
        json_error(c.get(app.url("/api/v1/plans/999999")).send().await.expect("get"), 404, "not_found", "no such plan").await;
        let unit =
            serde_json::json!({"code": "X09", "name": "Xã mới", "level": "commune", "parent_code": "123", "valid_from": "2020-01-01"});
        json_error(c.post(app.url("/api/v1/units")).json(&unit).send().await.expect("post"), 403, "csrf", "no CSRF header").await;
        let me: serde_json::Value = c.get(app.url("/api/v1/me")).send().await.expect("me").json().await.expect("json");
        let token = me["csrf_token"].as_str().expect("token").to_string();
        let post = || c.post(app.url("/api/v1/units")).header("X-CSRF-Token", &token);
        json_error(post().header("content-type", "application/json").body("{").send().await.expect("post"), 400, "bad_request", "bad JSON")
            .await;
        json_error(post().json(&serde_json::json!({"code": 1})).send().await.expect("post"), 422, "invalid", "wrong shape").await;
        json_error(post().body("code=X09").send().await.expect("post"), 415, "unsupported_media_type", "not JSON").await;
        let big = format!("{{\"code\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
        json_error(post().header("content-type", "application/json").body(big).send().await.expect("post"), 413, "too_large", "too large")
            .await;
        json_error(
            c.post(app.url("/api/v1/results/papi/2022/units/123/draft-plan")).send().await.expect("post"),
            403,
            "csrf",
            "draft without CSRF",
        )
        .await;
        // Pages keep their HTML error pages.
        let r = c.get(app.url("/nope")).send().await.expect("get");
        assert_eq!(r.status(), 404);
        assert!(r.text().await.expect("body").contains("Lỗi 404"));
    })
    .await;
}

#[tokio::test]
async fn a_nul_byte_is_bad_input_on_every_backend() {
    on_each_app(|app| async move {
        let c = app.login("admin").await;
        let csrf = csrf_of(&app, &c).await;
        // Path and query, API: the JSON error.
        json_error(c.get(app.url("/api/v1/units/12%003")).send().await.expect("get"), 400, "bad_request", "NUL in path").await;
        json_error(c.get(app.url("/api/v1/units?q=m%00c")).send().await.expect("get"), 400, "bad_request", "NUL in query").await;
        json_error(c.get(app.url("/api/v1/plans?unit=%00")).send().await.expect("get"), 400, "bad_request", "NUL in query").await;
        // JSON body.
        let unit =
            serde_json::json!({"code": "X09", "name": "Xã\u{0}mới", "level": "commune", "parent_code": "123", "valid_from": "2020-01-01"});
        let r = c.post(app.url("/api/v1/units")).header("X-CSRF-Token", &csrf).json(&unit).send().await.expect("post");
        json_error(r, 400, "bad_request", "NUL in JSON").await;
        // Pages: the Vietnamese error page.
        let page_error = |r: reqwest::Response, what: &'static str| async move {
            assert_eq!(r.status(), 400, "{what}");
            let body = r.text().await.expect("body");
            assert!(body.contains("Lỗi 400") && body.contains("NUL"), "{what}: {body}");
        };
        page_error(c.get(app.url("/units/12%003")).send().await.expect("get"), "NUL in a page path").await;
        page_error(c.get(app.url("/plans?q=%00")).send().await.expect("get"), "NUL in a page query").await;
        let form = [("csrf", csrf.as_str()), ("code", "X09"), ("name", "Xã\0mới"), ("level", "commune"), ("valid_from", "2020-01-01")];
        page_error(c.post(app.url("/units/123/children")).form(&form).send().await.expect("post"), "NUL in a form").await;
        let upload = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("unit", "12\u{0}3")
            .part("file", reqwest::multipart::Part::bytes(b"\0binary files may hold NUL".to_vec()).file_name("kh.docx"));
        page_error(c.post(app.url("/plans/import")).multipart(upload).send().await.expect("post"), "NUL in a multipart field").await;
        // The login form, before any session.
        let anon = app.client();
        let login = anon.get(app.url("/login")).send().await.expect("login page").text().await.expect("body");
        let token = hidden_value(&login, "csrf").expect("csrf");
        let form = [("username", "admin\0"), ("password", PASSWORD), ("csrf", token.as_str()), ("next", "/")];
        page_error(anon.post(app.url("/login")).form(&form).send().await.expect("post"), "NUL in the login form").await;
        // Nothing was written.
        let units: serde_json::Value = c.get(app.url("/api/v1/units")).send().await.expect("units").json().await.expect("json");
        assert!(units.as_array().expect("list").iter().all(|u| u["code"] != "X09"), "{}: no unit created", app.label);
    })
    .await;
}
