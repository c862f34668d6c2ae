//! The period picker of the dashboard and the report page: it offers every quarter, both half-years and the
//! year of the unit's plan years; the selected option is the period of the heading; with no `period` the
//! pages open on the most recent period with data; a period with no data says what to do instead of drawing
//! empty charts.

use crate::helpers::*;
use chiso_core::access::Scope;
use chiso_core::progress::TaskStatus;
use chiso_store::progress::NewUpdate;

const SEED_003: &[u8] = include_bytes!("../../../../datasets/plans/003_187a403246ebc703.txt");

/// The text of the page's `<h1>`.
fn heading(html: &str) -> String {
    html.split("<h1>").nth(1).and_then(|s| s.split("</h1>").next()).unwrap_or_default().to_string()
}

/// The options of the period select: (value, label, selected).
fn period_options(html: &str) -> Vec<(String, String, bool)> {
    let select = html.split("<select name=\"period\"").nth(1).and_then(|s| s.split("</select>").next()).unwrap_or_default();
    select
        .split("<option ")
        .skip(1)
        .map(|o| {
            let value = o.split("value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_string();
            let label = o.split('>').nth(1).and_then(|s| s.split("</option").next()).unwrap_or_default().to_string();
            (value, label, o.split('>').next().unwrap_or_default().contains("selected"))
        })
        .collect()
}

/// The selected option, checked to be the one and only, and to be the period named in the heading.
fn selected_matches_heading(html: &str, what: &str) -> String {
    let opts = period_options(html);
    let selected: Vec<_> = opts.iter().filter(|o| o.2).collect();
    assert_eq!(selected.len(), 1, "{what}: exactly one period selected in {opts:?}");
    let h = heading(html).to_lowercase();
    assert!(h.contains(&selected[0].1.to_lowercase()), "{what}: heading '{h}' names the selected '{}'", selected[0].1);
    selected[0].0.clone()
}

const EMPTY: &str = "Chưa có số liệu cho kỳ này — ";

#[tokio::test]
async fn period_picker_default_and_empty_state() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let store = &app.store;
        let frameworks = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().expect("frameworks"));
        let uc = chiso_app::App::new(store.clone(), frameworks);
        let plan = chiso_app::plans::import_document(&uc, &sys, "123", SEED_003, "003.txt", None).await.expect("import");
        let c = app.login("nv.huyen").await;
        let get = |path: &'static str| {
            let c = c.clone();
            let url = app.url(path);
            async move { c.get(url).send().await.expect("get").text().await.expect("body") }
        };
        for page in ["/dashboard?unit=123", "/reports?unit=123"] {
            // No update and no report yet: the current period (today's half-year), which says it has no data.
            let html = get(page).await;
            let values: Vec<String> = period_options(&html).into_iter().map(|o| o.0).collect();
            for want in ["2022-Q1", "2022-Q2", "2022-H1", "2022-Q3", "2022-Q4", "2022-H2", "2022-Y"] {
                assert!(values.iter().any(|v| v == want), "{label} {page}: {want} offered in {values:?}");
            }
            let labels: Vec<String> = period_options(&html).into_iter().map(|o| o.1).collect();
            for want in ["6 tháng đầu năm 2022", "6 tháng cuối năm 2022", "Quý I năm 2022", "Năm 2022"] {
                assert!(labels.iter().any(|l| l == want), "{label} {page}: '{want}' in {labels:?}");
            }
            let selected = selected_matches_heading(&html, page);
            assert!(values.contains(&selected), "{label}");
            assert!(html.contains(EMPTY), "{label} {page}: the empty state");
            assert!(!html.contains("echarts.min.js"), "{label} {page}: no empty chart drawn");
        }
        // An update made on 01/03/2022: the pages open on 6 tháng đầu năm 2022 (holding it), with charts.
        let task = store.tasks(&sys, plan.id).await.expect("tasks").into_iter().next().expect("a task");
        let up = NewUpdate {
            status: TaskStatus::InProgress,
            percent: Some(40),
            completed_on: None,
            reason: None,
            narrative: "Đã triển khai".into(),
            files: vec![],
        };
        let at = chiso_store::progress::end_of_day_ms(chiso_core::unit::parse_date("2022-03-01").expect("date")) - 12 * 3_600_000;
        store.record_update_at(&sys, task.row.id, up, task.row.version, at).await.expect("update");
        for page in ["/dashboard?unit=123", "/reports?unit=123"] {
            let html = get(page).await;
            assert_eq!(selected_matches_heading(&html, page), "2022-H1", "{label} {page}: the period with data");
            assert!(heading(&html).contains("6 tháng đầu năm 2022"), "{label} {page}: {}", heading(&html));
            assert!(!html.contains(EMPTY), "{label} {page}: data, so no empty state");
            assert!(html.contains("echarts.min.js"), "{label} {page}: charts");
        }
        // The second half-year, named in the URL: selected, in the heading, and empty (the update is in H1) with
        // a link to the period that has data.
        for page in ["/dashboard?unit=123&period=2022-H2", "/reports?unit=123&period=2022-H2"] {
            let html = get(page).await;
            assert_eq!(selected_matches_heading(&html, page), "2022-H2", "{label} {page}");
            assert!(heading(&html).contains("6 tháng cuối năm 2022"), "{label} {page}");
            assert!(html.contains(EMPTY), "{label} {page}: the empty state");
            assert!(html.contains("period=2022-H1\">6 tháng đầu năm 2022</a>"), "{label} {page}: points to the period with data");
        }
        // A quarter named in the URL is the heading's too (the bug: heading H2, select Q1).
        let html = get("/reports?unit=123&period=2022-Q1").await;
        assert_eq!(selected_matches_heading(&html, "Q1"), "2022-Q1", "{label}");
        // The province above holds no plan of its own: its pages cover the district's, so they offer that plan's
        // year too (the bug: only this year's periods, 2022 out of reach).
        let admin = app.login("admin").await;
        for page in ["/dashboard?unit=14", "/reports?unit=14"] {
            let html = admin.get(app.url(page)).send().await.expect("get").text().await.expect("body");
            let values: Vec<String> = period_options(&html).into_iter().map(|o| o.0).collect();
            assert!(values.iter().any(|v| v == "2022-H1"), "{label} {page}: the district's plan year offered in {values:?}");
        }
    })
    .await;
}
