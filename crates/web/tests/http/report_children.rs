//! The report page's list of children (`/reports?unit=123&period=2025-H1`) with more than a page of them:
//! 50 a page (page 2 and 3 exist and together with page 1 are the whole list), filtered by name without
//! diacritics and by report state, sorted by a column, the query kept in every link, the counts above the
//! list those of every child whatever the filter, and a wrong sort, state or page number told on the page
//! (or clamped onto the last page), never a server error — on every backend.

use crate::helpers::*;
use chiso_core::access::Scope;
use chiso_core::progress::TaskStatus;
use chiso_core::text::fold;
use chiso_store::bulk::{BulkPlan, BulkReport, BulkTask, BulkUpdate};
use time::Date;
use time::macros::date;

fn ms(d: Date, hour: i64) -> i64 {
    chiso_store::progress::end_of_day_ms(d) + 1 - (24 - hour) * 3_600_000
}

fn done_task(code: usize) -> BulkTask {
    BulkTask {
        code: code.to_string(),
        text: format!("Nhiệm vụ {code}"),
        lead: None,
        due_date: Some(date!(2025 - 04 - 30)),
        nodes: vec!["papi.d1".into()],
        source: None,
        updates: vec![BulkUpdate {
            agency_id: None,
            status: TaskStatus::Done,
            percent: Some(100),
            completed_on: Some(date!(2025 - 04 - 01)),
            narrative: "Xong".into(),
            created_by: "test".into(),
            created_at: ms(date!(2025 - 04 - 01), 10),
            evidence: None,
        }],
    }
}

fn report(unit_id: i64, submitted: Date) -> BulkReport {
    BulkReport {
        unit_id,
        agency_id: None,
        period: "2025-H1".into(),
        window: (date!(2024 - 12 - 15), date!(2025 - 06 - 14)),
        due: date!(2025 - 06 - 20),
        narrative: "Báo cáo".into(),
        summary: Default::default(),
        submitted_at: ms(submitted, 10),
        submitted_by: "test".into(),
    }
}

/// The names of the children's table rows, in order.
fn names(page: &str) -> Vec<String> {
    let start = page.find("id=\"children\"").expect("children table");
    let table = &page[start..start + page[start..].find("</table>").expect("end of table")];
    table
        .split("<tr class=\"")
        .skip(1)
        .map(|row| {
            let cell = &row[row.find("<td>").expect("cell") + 4..];
            let cell = &cell[..cell.find(" · ").expect("name then link")];
            // The unit's name is a link; an agency's is text.
            let text = cell.rsplit_once("\">").map_or(cell, |(_, t)| t);
            text.trim_end_matches("</a>").to_string()
        })
        .collect()
}

fn inner(page: &str, id: &str) -> String {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} in page"));
    let rest = &page[start..];
    let body = &rest[rest.find('>').expect(">") + 1..];
    body[..body.find("</").expect("end")].to_string()
}

#[tokio::test]
async fn a_long_list_of_children_is_filtered_sorted_and_paged_with_its_totals_kept() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        let store = &app.store;
        // 120 more communes under the district (besides X01 and X02): 122 children.
        let mut csv = String::from("code,name,level,parent_code,valid_from,valid_to\n");
        for i in 1..=120 {
            let name = if i == 7 { "Xã Đồng Tâm".to_string() } else { format!("Xã Thử Nghiệm {i:03}") };
            csv.push_str(&format!("C{i:03},{name},commune,123,2000-01-01,\n"));
        }
        store.import_units_csv(&sys, &csv).await.expect("units");
        let mut ids = Vec::new();
        for i in 1..=120 {
            ids.push(store.unit_by_code(&sys, &format!("C{i:03}")).await.expect("unit").id);
        }
        // C001 has done 3 tasks, C002 2, C003 1; C001–C010 reported on time, C011–C015 late; the rest nothing.
        let plans: Vec<BulkPlan> = (0..3)
            .map(|k| BulkPlan {
                unit_id: ids[k],
                year: 2025,
                number: format!("{}/KH-UBND", k + 1),
                issued_on: date!(2025 - 01 - 20),
                title: "Kế hoạch xã".into(),
                parent: None,
                child_deadline: None,
                tasks: (0..3 - k).map(|t| done_task(t + 1)).collect(),
            })
            .collect();
        let mut reports: Vec<BulkReport> = ids[..10].iter().map(|id| report(*id, date!(2025 - 06 - 14))).collect();
        reports.extend(ids[10..15].iter().map(|id| report(*id, date!(2025 - 08 - 20))));
        store.bulk_plans(&sys, &plans, &reports, date!(2025 - 06 - 14)).await.expect("bulk");
        store.bulk_finish(&sys).await.expect("finish");

        let c = app.login("nv.huyen").await;
        let get = |q: String| {
            let c = c.clone();
            let url = app.url(&format!("/reports?unit=123&period=2025-H1{q}"));
            async move {
                let r = c.get(&url).send().await.expect("page");
                let status = r.status().as_u16();
                (status, r.text().await.expect("body"))
            }
        };
        let (status, first) = get(String::new()).await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(inner(&first, "pager-label"), "122 kết quả · Trang 1/3", "{label}");
        let summary = inner(&first, "children-summary");
        let counts = ["Đã gửi đúng hạn: 10", "Đã gửi muộn: 5", "Chưa gửi: 107", "Đã trả lại: 0"];
        for n in counts {
            assert!(first.contains(&format!("{n}</a>")), "{label}: {n} in {summary}");
        }
        let (completeness, timeliness) = (inner(&first, "completeness"), inner(&first, "timeliness"));
        let p1 = names(&first);
        assert_eq!(p1.len(), 50, "{label}: 50 a page");
        let (status, second) = get("&page=2".into()).await;
        assert_eq!(status, 200, "{label}");
        assert!(second.contains("Trang 2/3"), "{label}");
        let p2 = names(&second);
        let p3 = names(&get("&page=3".into()).await.1);
        assert_eq!((p2.len(), p3.len()), (50, 22), "{label}");
        let mut all: Vec<String> = p1.iter().chain(&p2).chain(&p3).cloned().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 122, "{label}: the pages together are the whole list, once each");
        assert!(first.contains("href=\"/reports?unit=123&#38;period=2025-H1&#38;page=2\" rel=\"next\""), "{label}: next page link");

        // By name, without diacritics: the totals above stay those of every child.
        let (status, found) = get("&q=dong%20TAM".into()).await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(names(&found), ["Xã Đồng Tâm"], "{label}");
        assert_eq!(inner(&found, "pager-label"), "1 kết quả · Trang 1/1", "{label}");
        for n in counts {
            assert!(found.contains(&format!("{n}</a>")), "{label}: filtered page keeps {n}");
        }
        assert_eq!((inner(&found, "completeness"), inner(&found, "timeliness")), (completeness.clone(), timeliness.clone()), "{label}");
        assert!(found.contains("name=\"q\" value=\"dong TAM\""), "{label}: the filter shown back as typed");

        // By state, and the sort kept in the page links with the filters.
        let (_, late) = get("&state=late".into()).await;
        let late_names = names(&late);
        assert_eq!(late_names, (11..=15).map(|i| format!("Xã Thử Nghiệm {i:03}")).collect::<Vec<_>>(), "{label}");
        assert!(late.contains("<option value=\"late\" selected>"), "{label}");
        let (_, not_sent) = get("&state=not_sent&q=thu%20nghiem&sort=name&dir=desc".into()).await;
        assert_eq!(inner(&not_sent, "pager-label"), "105 kết quả · Trang 1/3", "{label}: 119 such communes less the 14 of them that sent");
        assert!(
            not_sent.contains(
                "href=\"/reports?unit=123&#38;period=2025-H1&#38;q=thu%20nghiem&#38;state=not_sent&#38;sort=name&#38;dir=desc&#38;page=2\""
            ),
            "{label}: the next page keeps filters and sort"
        );
        let desc = names(&not_sent);
        assert_eq!(desc[0], "Xã Thử Nghiệm 120", "{label}");
        assert!(desc.windows(2).all(|w| fold(&w[0]) >= fold(&w[1])), "{label}: by name, descending: {desc:?}");
        assert!(
            not_sent.contains("name=\"sort\" value=\"name\"") && not_sent.contains("name=\"dir\" value=\"desc\""),
            "{label}: the filter form keeps the sort"
        );

        // By tasks done, most first; by due date and state without a failure.
        let (_, by_done) = get("&sort=done".into()).await;
        assert_eq!(&names(&by_done)[..3], ["Xã Thử Nghiệm 001", "Xã Thử Nghiệm 002", "Xã Thử Nghiệm 003"], "{label}");
        assert!(by_done.contains("<td class=\"num\">3/3</td>"), "{label}: tasks done of all");
        let (_, by_state) = get("&sort=state&dir=desc".into()).await;
        let mut on_time: Vec<String> = names(&by_state)[..10].to_vec();
        on_time.sort();
        let mut expected: Vec<String> =
            (1..=10).map(|i| if i == 7 { "Xã Đồng Tâm".into() } else { format!("Xã Thử Nghiệm {i:03}") }).collect();
        expected.sort();
        assert_eq!(on_time, expected, "{label}: on time first when descending");
        assert_eq!(get("&sort=due&dir=asc".into()).await.0, 200, "{label}");

        // A return for correction comes back to the list as it was, and the returned report is found by state.
        let csrf = csrf_of(&app, &c).await;
        let back = hidden_value(&late, "back").expect("back");
        assert_eq!(back, "/reports?unit=123&#38;period=2025-H1&#38;state=late", "{label}");
        let report = store
            .report_of(&sys, &store.unit_by_code(&sys, "C011").await.expect("c011"), None, "2025-H1")
            .await
            .expect("report")
            .expect("stored");
        let r = c
            .post(app.url(&format!("/reports/{}/return", report.id)))
            .form(&[("csrf", csrf.as_str()), ("reason", "Thiếu số liệu"), ("back", "/reports?unit=123&period=2025-H1&state=late")])
            .send()
            .await
            .expect("return");
        assert_eq!(r.status(), 303, "{label}");
        assert_eq!(r.headers()["location"], "/reports?unit=123&period=2025-H1&state=late", "{label}");
        let (_, returned) = get("&state=returned".into()).await;
        assert_eq!(names(&returned), ["Xã Thử Nghiệm 011"], "{label}");
        assert!(returned.contains("Đã trả lại: 1</a>") && returned.contains("Đã gửi muộn: 4</a>"), "{label}");

        // Wrong values: told on the page, the list shown with the defaults; a page beyond the last is the last.
        let (status, bad_sort) = get("&sort=ten;DROP&dir=up".into()).await;
        assert_eq!(status, 200, "{label}");
        assert!(bad_sort.contains("Không sắp xếp được theo"), "{label}");
        assert_eq!(names(&bad_sort), p1, "{label}: default order");
        let (status, far) = get("&page=999".into()).await;
        assert_eq!(status, 200, "{label}");
        assert_eq!((inner(&far, "pager-label"), names(&far)), ("122 kết quả · Trang 3/3".to_string(), p3.clone()), "{label}: clamped");
        let (status, bad_page) = get("&page=abc&state=gui".into()).await;
        assert_eq!(status, 200, "{label}");
        assert!(bad_page.contains("Số trang &#39;abc&#39;") || bad_page.contains("Số trang 'abc'"), "{label}");
        assert!(bad_page.contains("Tình trạng báo cáo"), "{label}: unknown state told");
        assert_eq!(names(&bad_page), p1, "{label}: page 1, no filter");
        let (status, _) = get("&page=0".into()).await;
        assert_eq!(status, 200, "{label}");
    })
    .await;
}
