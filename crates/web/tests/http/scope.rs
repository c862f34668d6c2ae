//! Route by route: a commune officer (an administrator of commune X01) cannot read or change the sibling
//! commune X02 or the parent district 123 through any route.

use crate::helpers::*;
use chiso_core::access::Scope;

#[tokio::test]
async fn a_commune_officer_cannot_reach_a_sibling_or_the_parent_through_any_route() {
    on_each_app(|app| async move {
        let c = app.login("xa.x01").await;
        let csrf = csrf_of(&app, &c).await;
        let label = app.label;
        for target in ["X02", "123", "14"] {
            for path in [format!("/units/{target}"), format!("/api/v1/units/{target}"), format!("/api/v1/units/{target}/agencies")] {
                let r = c.get(app.url(&path)).send().await.expect("get");
                assert_eq!(r.status(), 403, "{label}: GET {path}");
            }
            let r = c.post(app.url(&format!("/units/{target}/agencies"))).form(&[("csrf", csrf.as_str()), ("name", "Phòng Lạ"), ("kind", "office")]).send().await.expect("post");
            assert_eq!(r.status(), 403, "{label}: add agency to {target}");
            let r = c
                .post(app.url(&format!("/units/{target}/children")))
                .form(&[("csrf", csrf.as_str()), ("code", "Z9"), ("name", "Bản Lạ"), ("level", "village"), ("valid_from", "2020-01-01")])
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 403, "{label}: add child to {target}");
            let r = c
                .post(app.url("/api/v1/units"))
                .header("X-CSRF-Token", &csrf)
                .json(&serde_json::json!({"code": "Z8", "name": "Bản", "level": "village", "parent_code": target, "valid_from": "2020-01-01"}))
                .send()
                .await
                .expect("post");
            assert!(r.status() == 403 || r.status() == 422, "{label}: API create under {target}: {}", r.status());
        }
        // Lists show only the officer's own subtree.
        let units: Vec<serde_json::Value> = c.get(app.url("/api/v1/units")).send().await.expect("list").json().await.expect("json");
        let codes: Vec<&str> = units.iter().filter_map(|u| u["code"].as_str()).collect();
        assert_eq!(codes, vec!["X01"], "{label}");
        let searched: Vec<serde_json::Value> = c.get(app.url("/api/v1/units?q=chieng")).send().await.expect("search").json().await.expect("json");
        assert!(searched.is_empty(), "{label}: search does not leak the sibling");
        let csv = c.get(app.url("/units/export.csv")).send().await.expect("export").text().await.expect("body");
        assert!(csv.contains("X01") && !csv.contains("X02,"), "{label}: export");
        let page = c.get(app.url("/units")).send().await.expect("units").text().await.expect("body");
        assert!(page.contains("Thị trấn Mộc Châu") && !page.contains("Chiềng Sơn"), "{label}: units page");
        let users = c.get(app.url("/users")).send().await.expect("users").text().await.expect("body");
        assert!(!users.contains("xem.x02") && !users.contains("nv.huyen"), "{label}: accounts of others are hidden");
        // Accounts and CSV imports cannot reach outside either.
        let r = c
            .post(app.url("/users"))
            .form(&[("csrf", csrf.as_str()), ("username", "ke.xam.nhap"), ("full_name", "X"), ("password", "mat-khau-dai"), ("role", "admin"), ("unit_code", "X02")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{label}: create account in sibling");
        let part = reqwest::multipart::Part::bytes("code,name,level,parent_code,valid_from,valid_to\nX02,Xã Bị Đổi Tên,commune,123,2000-01-01,\n".as_bytes().to_vec()).file_name("u.csv");
        let form = reqwest::multipart::Form::new().text("csrf", csrf.clone()).part("file", part);
        let r = c.post(app.url("/units/import")).multipart(form).send().await.expect("import");
        assert_eq!(r.status(), 422, "{label}: import touching the sibling is refused");
        // Nothing changed.
        let sys = Scope::system("check");
        assert_eq!(app.store.unit_by_code(&sys, "X02").await.expect("x02").name, "Xã Chiềng Sơn");
        let x02 = app.store.unit_by_code(&sys, "X02").await.expect("x02");
        assert!(app.store.agencies(&sys, x02.id).await.expect("agencies").is_empty());
        assert!(app.store.unit_by_code(&sys, "Z9").await.is_err() && app.store.unit_by_code(&sys, "Z8").await.is_err());
        assert!(app.store.user_by_username("ke.xam.nhap").await.expect("lookup").is_none());
    })
    .await;
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_write() {
    on_each_app(|app| async move {
        let c = app.login("xem.x02").await;
        let csrf = csrf_of(&app, &c).await;
        assert_eq!(c.get(app.url("/units/X02")).send().await.expect("get").status(), 200);
        let r = c
            .post(app.url("/units/X02/agencies"))
            .form(&[("csrf", csrf.as_str()), ("name", "Phòng X"), ("kind", "office")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{}", app.label);
        // The district specialist sees both communes.
        let d = app.login("nv.huyen").await;
        let units: Vec<serde_json::Value> = d.get(app.url("/api/v1/units")).send().await.expect("list").json().await.expect("json");
        assert_eq!(units.len(), 3, "{}: district + 2 communes", app.label);
    })
    .await;
}
