//! Errors a person meets are pages in the layout, in Vietnamese (English when they chose English): a path
//! parameter of the wrong type, an unknown route, a form that does not deserialize, a wrong method, an
//! oversized upload, a server error. Switching language stays on the same page (same-origin only). Checked
//! with the golden walk's visible-text checker (`crates/cli/tests/visible`).

use crate::helpers::*;
use crate::visible;

/// The page's status, and its body after checking that it is an error page in the layout with nothing a
/// Vietnamese reader should not see.
async fn vietnamese_error_page(r: reqwest::Response, status: u16, what: &str, label: &str) -> String {
    assert_eq!(r.status().as_u16(), status, "{label}: {what}");
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ct.starts_with("text/html"), "{label}: {what}: {ct}");
    let body = r.text().await.expect("body");
    assert!(body.contains("<html lang=\"vi\">") && body.contains("class=\"topbar\""), "{label}: {what}: in the layout: {body}");
    assert!(body.contains(&format!("Lỗi {status}")), "{label}: {what}: {body}");
    let offences = visible::offences(&body);
    assert!(offences.is_empty(), "{label}: {what}: {:#?}", visible::describe(what, &offences));
    body
}

#[tokio::test]
async fn error_pages_are_in_the_layout_in_vietnamese_or_english() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;

        // axum's "Invalid URL: Cannot parse `abc` to a `i64`" → what and where, in Vietnamese, with the menu.
        let body = vietnamese_error_page(c.get(app.url("/tasks/abc")).send().await.expect("get"), 400, "/tasks/abc", label).await;
        assert!(body.contains("Đường dẫn /tasks/abc không hợp lệ: “abc” không phải là một số."), "{label}: {body}");
        assert!(body.contains("class=\"mainnav\"") && body.contains("Người dùng nv.huyen"), "{label}: the user's own layout");
        assert!(!body.contains("Invalid URL") && !body.contains("Cannot parse"), "{label}: {body}");

        let body =
            vietnamese_error_page(c.get(app.url("/khong-co-trang-nay")).send().await.expect("get"), 404, "unknown route", label).await;
        assert!(body.contains("Không tìm thấy trang /khong-co-trang-nay"), "{label}: {body}");
        let body = vietnamese_error_page(c.get(app.url("/units/KHONGCO")).send().await.expect("get"), 404, "unknown unit", label).await;
        assert!(body.contains("Không tìm thấy"), "{label}: {body}");
        // A wrong method (axum answers 405 with an empty body).
        let body = vietnamese_error_page(c.get(app.url("/logout")).send().await.expect("get"), 405, "GET /logout", label).await;
        assert!(body.contains("Đường dẫn /logout không nhận thao tác GET."), "{label}: {body}");
        // A form that does not deserialize (axum: "Failed to deserialize form body: missing field `code`").
        let csrf = csrf_of(&app, &c).await;
        let r = c.post(app.url("/units/123/children")).form(&[("csrf", csrf.as_str())]).send().await.expect("post");
        let body = vietnamese_error_page(r, 422, "form without its fields", label).await;
        assert!(body.contains("Biểu mẫu gửi tới /units/123/children thiếu trường “Mã”."), "{label}: {body}");
        assert!(!body.contains("Failed to deserialize"), "{label}: {body}");

        // Not logged in: the same page, without the menu.
        let anon = app.client();
        let body =
            vietnamese_error_page(anon.get(app.url("/khong-co-trang-nay")).send().await.expect("get"), 404, "anonymous 404", label).await;
        assert!(!body.contains("class=\"mainnav\""), "{label}: no menu for a visitor");

        // English when the user chose English: the page's own words in English, the detail named as Vietnamese.
        let r = c.get(app.url("/lang/en")).send().await.expect("lang");
        assert_eq!(r.status(), 303, "{label}");
        let r = c.get(app.url("/tasks/abc")).send().await.expect("get");
        assert_eq!(r.status(), 400, "{label}");
        let body = r.text().await.expect("body");
        assert!(body.contains("<html lang=\"en\">") && body.contains("Error 400 – Bad request"), "{label}: {body}");
        assert!(body.contains("The address or the data sent is not valid.") && body.contains("Details (in Vietnamese)"), "{label}: {body}");
        assert!(!body.contains("Invalid URL"), "{label}: {body}");
    })
    .await;
}

#[tokio::test]
async fn an_oversized_upload_and_a_server_error_are_vietnamese_pages() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("admin").await;
        let csrf = csrf_of(&app, &c).await;
        // A plan document over its route limit (20 MB): the multipart parser's English never reaches the page.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("unit", "X01")
            .part("file", reqwest::multipart::Part::bytes(vec![b'a'; 21 * 1024 * 1024]).file_name("kh.txt"));
        let r = c.post(app.url("/plans/import")).multipart(form).send().await.expect("post");
        let body = vietnamese_error_page(r, 413, "oversized upload", label).await;
        assert!(body.contains("vượt quá giới hạn") && body.contains("tài liệu kế hoạch 20 MB"), "{label}: names the limit in MB: {body}");
        assert!(body.contains("class=\"mainnav\""), "{label}: in the user's layout");

        // A server error (the store fails under the page): Vietnamese, in the layout, no internals.
        chiso_store::testing::exec(&app.store, "DROP TABLE notification").await.expect("drop");
        let body = vietnamese_error_page(c.get(app.url("/units")).send().await.expect("get"), 500, "server error", label).await;
        assert!(body.contains("Đã có lỗi hệ thống"), "{label}: {body}");
        assert!(!body.contains("notification") && !body.contains("SQL"), "{label}: no internals shown: {body}");
    })
    .await;
}

#[tokio::test]
async fn switching_language_stays_on_the_same_page_of_this_site_only() {
    on_each_app(|app| async move {
        let label = app.label;
        let c = app.login("nv.huyen").await;
        let host = app.base.trim_start_matches("http://").to_string();
        let switch = |referer: Option<String>, query: &'static str| {
            let mut r = c.get(app.url(&format!("/lang/en{query}")));
            if let Some(referer) = referer {
                r = r.header("referer", referer);
            }
            r.send()
        };
        let location = |r: reqwest::Response| {
            assert_eq!(r.status(), 303, "{label}");
            r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
        };
        // Back to the page the link was on, with its query.
        let r = switch(Some(format!("http://{host}/units/123?on=2024-01-01#x")), "").await.expect("lang");
        assert_eq!(location(r), "/units/123?on=2024-01-01", "{label}");
        let page = c.get(app.url("/units/123")).send().await.expect("get").text().await.expect("body");
        assert!(page.contains("<html lang=\"en\">") && page.contains("href=\"/lang/vi\""), "{label}: the switch has no fixed destination");
        // Another site, or no referer: the home page; `next` still wins when it is a local path.
        let r = switch(Some("http://example.com/units/123".into()), "").await.expect("lang");
        assert_eq!(location(r), "/", "{label}: never another origin");
        let r = switch(Some(format!("http://{host}//example.com/x")), "").await.expect("lang");
        assert_eq!(location(r), "/", "{label}: never a scheme-relative path");
        let r = switch(None, "").await.expect("lang");
        assert_eq!(location(r), "/", "{label}");
        let r = switch(Some(format!("http://{host}/units")), "?next=/plans").await.expect("lang");
        assert_eq!(location(r), "/plans", "{label}");
        let r = switch(Some(format!("http://{host}/units")), "?next=//example.com").await.expect("lang");
        assert_eq!(location(r), "/units", "{label}: an unsafe next falls back to the referer");
    })
    .await;
}
