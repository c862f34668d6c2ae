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
