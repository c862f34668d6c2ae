//! Lists that work (issue 12): the audit log, plans, the task library and the accounts page, paged in SQL
//! (page 2 is not page 1 and the pages together are the whole list), filtered (who, what, when, unit with
//! its subtree), sorted by whitelisted columns, searched by any part of a document number, bad parameters
//! told in Vietnamese, and nothing outside the caller's scope on any of them — on every backend.

use crate::helpers::*;
use chiso_core::access::{Role, Scope};
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};
use chiso_store::accounts::NewUser;
use std::collections::BTreeSet;

/// Plans of X01 (commune): `1/KH-UBND` … `60/KH-UBND`, years 2021–2024, every fifth a draft without a
/// number; one district plan `426/KH-UBND` of 123; one `15/QĐ-UBND` of X02. Each with one task per
/// plan (the district's with three). Returns (ids of X01's plans, id of 426, id of X02's).
async fn seed_plans(app: &TestApp) -> (Vec<i64>, i64, i64) {
    let sys = Scope::system("test");
    let draft = |number: Option<String>, year: i32, title: &str, tasks: usize| PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year,
        year_to: None,
        families: vec!["PAPI".into()],
        status: if number.is_some() { PlanStatus::Issued } else { PlanStatus::Draft },
        number,
        place: None,
        issued_on: time::Date::from_calendar_date(year, time::Month::February, 18).ok(),
        title: title.into(),
        based_on: vec![],
        recipients: vec![],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({}),
        tasks: (0..tasks)
            .map(|i| TaskDraft {
                code: format!("{}", i + 1),
                text: format!("Niêm yết công khai thủ tục hành chính, việc số {}", i + 1),
                nodes: vec!["papi.d1.s1".into()],
                ..Default::default()
            })
            .collect(),
    };
    let mut x01 = Vec::new();
    for i in 1..=60 {
        let number = if i % 5 == 0 { None } else { Some(format!("{i}/KH-UBND")) };
        let p = app
            .store
            .create_plan(&sys, "X01", &draft(number, 2021 + (i % 4), "Kế hoạch cải cách hành chính của xã", 1), None, None)
            .await
            .expect("plan");
        x01.push(p.id);
    }
    let district = app
        .store
        .create_plan(
            &sys,
            "123",
            &draft(Some("426/KH-UBND".into()), 2022, "Nâng cao chỉ số hiệu quả quản trị và hành chính công (PAPI)", 3),
            None,
            None,
        )
        .await
        .expect("426");
    let x02 = app
        .store
        .create_plan(&sys, "X02", &draft(Some("15/QĐ-UBND".into()), 2023, "Quyết định ban hành quy chế", 1), None, None)
        .await
        .expect("x02");
    (x01, district.id, x02.id)
}

/// The part of a page between `<table … id="ID">` and its `</table>`.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("table {id} in page"));
    let rest = &html[start..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

/// The numbers after every `prefix` in `html` (e.g. the ids of `href="/plans/`), in order, without repeats.
fn ids_after(html: &str, prefix: &str) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for (at, _) in html.match_indices(prefix) {
        let digits: String = html[at + prefix.len()..].chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse()
            && out.last() != Some(&n)
        {
            out.push(n);
        }
    }
    out
}

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// The plan ids a plans page lists.
async fn plan_ids(c: &reqwest::Client, app: &TestApp, path: &str) -> Vec<i64> {
    let (status, html) = get(c, app, path).await;
    assert_eq!(status, 200, "{}: {path}", app.label);
    ids_after(table(&html, "plans-table"), "href=\"/plans/")
}

#[tokio::test]
async fn plans_page_filter_sort_and_search_by_document_number() {
    on_each_app(|app| async move {
        let label = app.label;
        let (x01, district, x02) = seed_plans(&app).await;
        let all: BTreeSet<i64> = x01.iter().copied().chain([district, x02]).collect();
        let c = app.login("nv.huyen").await;

        // Paging: 62 plans, 50 a page; page 2 is different and the pages together are every plan.
        let (_, first) = get(&c, &app, "/plans").await;
        assert!(first.contains("62 kết quả · Trang 1/2"), "{label}: total and page count");
        assert!(first.contains("<a href=\"/units/X01\">Thị trấn Mộc Châu</a>"), "{label}: unit names link to their page");
        let p1 = plan_ids(&c, &app, "/plans").await;
        let p2 = plan_ids(&c, &app, "/plans?page=2").await;
        assert_eq!((p1.len(), p2.len()), (50, 12), "{label}");
        assert!(p1.iter().all(|id| !p2.contains(id)), "{label}: page 2 repeats nothing of page 1");
        assert_eq!(p1.iter().chain(&p2).copied().collect::<BTreeSet<_>>(), all, "{label}: the pages cover every plan");
        let (_, second) = get(&c, &app, "/plans?page=2").await;
        assert!(second.contains("Trang 2/2") && second.contains("rel=\"prev\""), "{label}: a link back");
        // A page beyond the last shows the last.
        assert_eq!(plan_ids(&c, &app, "/plans?page=9").await, p2, "{label}");

        // Search by any part of the document number, without diacritics, and by title words.
        assert_eq!(plan_ids(&c, &app, "/plans?q=426").await, vec![district], "{label}: '426'");
        assert_eq!(plan_ids(&c, &app, "/plans?q=426%2FKH").await, vec![district], "{label}: '426/KH'");
        assert_eq!(plan_ids(&c, &app, "/plans?q=qd-ubnd").await, vec![x02], "{label}: 'qd-ubnd' finds QĐ-UBND");
        let (_, kh) = get(&c, &app, "/plans?q=kh-ubnd").await;
        assert!(kh.contains("49 kết quả"), "{label}: 48 numbered plans of X01 and 426 match 'kh-ubnd'");
        assert_eq!(plan_ids(&c, &app, "/plans?q=KH-UBND").await, plan_ids(&c, &app, "/plans?q=kh-ubnd").await, "{label}: any case");
        assert_eq!(plan_ids(&c, &app, "/plans?q=hieu+qua+papi").await, vec![district], "{label}: title words, any order");
        let (_, typed) = get(&c, &app, "/plans?q=426%2FKH").await;
        assert!(typed.contains("value=\"426/KH\""), "{label}: the search stays in its field");

        // Filters: status, year, unit with its subtree.
        let drafts = plan_ids(&c, &app, "/plans?status=draft").await;
        assert_eq!(drafts.len(), 12, "{label}: every fifth of X01's plans is a draft");
        let y2022 = plan_ids(&c, &app, "/plans?year=2022").await;
        assert_eq!(y2022.len(), 16, "{label}: 15 of X01 and 426");
        assert!(y2022.contains(&district) && !y2022.contains(&x02), "{label}");
        let (_, x02_page) = get(&c, &app, "/plans?unit=X02").await;
        assert_eq!(ids_after(table(&x02_page, "plans-table"), "href=\"/plans/"), vec![x02], "{label}: one commune");
        let (_, district_page) = get(&c, &app, "/plans?unit=123").await;
        assert!(district_page.contains("62 kết quả"), "{label}: a district's filter holds its communes' plans");
        let both = plan_ids(&c, &app, "/plans?unit=X01&status=issued&year=2021&q=kh-ubnd").await;
        assert_eq!(both.len(), 12, "{label}: filters combine (years 2021 of X01: 15, 3 drafts)");

        // Sorting: by year ascending and descending, by task count; the links keep the filters.
        let (_, by_year) = get(&c, &app, "/plans?sort=year&dir=asc&status=issued").await;
        let years: Vec<i64> = ids_after(table(&by_year, "plans-table"), "</a></td><td>");
        assert!(years.windows(2).all(|w| w[0] <= w[1]) && years.first() == Some(&2021), "{label}: years ascending {years:?}");
        assert!(
            by_year.contains("href=\"/plans?status=issued\">Năm ▲"),
            "{label}: a second click reverses (to the default order), filter kept"
        );
        let (_, papi) = get(&c, &app, "/plans?family=PAPI&sort=year&dir=asc").await;
        assert!(
            papi.contains("href=\"/plans?family=PAPI&#38;sort=year&#38;dir=asc&#38;page=2\" rel=\"next\""),
            "{label}: next page keeps sort and filter"
        );
        let (_, by_tasks) = get(&c, &app, "/plans?sort=tasks").await;
        assert_eq!(ids_after(table(&by_tasks, "plans-table"), "href=\"/plans/").first(), Some(&district), "{label}: most tasks first");

        // Bad parameters: a Vietnamese message, the filters still filled in, nothing listed.
        for (path, message) in [
            ("/plans?page=abc&q=426", "Số trang &#39;abc&#39; không hợp lệ"),
            ("/plans?sort=id;DROP&q=426", "Không sắp xếp được theo"),
            ("/plans?year=hai&q=426", "Năm &#39;hai&#39; không hợp lệ"),
            ("/plans?status=burned&q=426", "Trạng thái &#39;burned&#39; không có"),
            ("/plans?dir=up&q=426", "Chiều sắp xếp"),
        ] {
            let (status, html) = get(&c, &app, path).await;
            assert_eq!(status, 400, "{label}: {path}");
            assert!(html.contains(message), "{label}: {path} says {message}");
            assert!(html.contains("value=\"426\""), "{label}: {path} keeps the search");
        }

        // Scope: a commune sees only its plans, whatever it asks for.
        let x = app.login("xa.x01").await;
        let (_, own) = get(&x, &app, "/plans").await;
        assert!(own.contains("60 kết quả"), "{label}: X01's plans only");
        let mut seen = plan_ids(&x, &app, "/plans").await;
        seen.extend(plan_ids(&x, &app, "/plans?page=2").await);
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), x01.iter().copied().collect(), "{label}");
        assert!(plan_ids(&x, &app, "/plans?q=426").await.is_empty(), "{label}: the district's plan is out of scope");
        assert!(plan_ids(&x, &app, "/plans?q=qd-ubnd").await.is_empty(), "{label}: a sibling commune's plan is out of scope");
        let (status, html) = get(&x, &app, "/plans?unit=123").await;
        assert_eq!(status, 400, "{label}: a unit outside the scope");
        assert!(
            html.contains("Không có đơn vị mã &#39;123&#39; trong phạm vi của bạn") && !html.contains(&format!("/plans/{district}\"")),
            "{label}"
        );
        let api: Vec<serde_json::Value> = x.get(app.url("/api/v1/plans?q=426")).send().await.expect("api").json().await.expect("json");
        assert!(api.is_empty(), "{label}: the API neither");
    })
    .await;
}

#[tokio::test]
async fn the_task_library_pages_filters_and_stays_in_scope() {
    on_each_app(|app| async move {
        let label = app.label;
        let (x01, district, _) = seed_plans(&app).await;
        let c = app.login("nv.huyen").await;
        let (_, first) = get(&c, &app, "/library").await;
        assert!(first.contains("64 kết quả · Trang 1/2"), "{label}: 60 + 3 + 1 tasks, listed without a search");
        let t1 = ids_after(table(&first, "library"), "href=\"/tasks/");
        let (_, second) = get(&c, &app, "/library?page=2").await;
        let t2 = ids_after(table(&second, "library"), "href=\"/tasks/");
        assert_eq!((t1.len(), t2.len()), (50, 14), "{label}");
        assert!(t1.iter().all(|t| !t2.contains(t)), "{label}: page 2 differs");
        let (_, search) = get(&c, &app, "/library?q=viec+so+3").await;
        assert_eq!(ids_after(table(&search, "library"), "href=\"/tasks/").len(), 1, "{label}: words without diacritics");
        assert!(search.contains(&format!("href=\"/plans/{district}#task-")) && search.contains("href=\"/units/123\""), "{label}: links");
        let (_, unit) = get(&c, &app, "/library?unit=X02").await;
        assert!(unit.contains("1 kết quả"), "{label}: unit filter");
        let x = app.login("xa.x01").await;
        let (_, own) = get(&x, &app, "/library?q=viec+so+3").await;
        assert!(own.contains("0 kết quả") && !own.contains(&format!("/plans/{district}")), "{label}: out of scope");
        let (_, own) = get(&x, &app, "/library").await;
        assert!(own.contains("60 kết quả"), "{label}: X01's {} tasks", x01.len());
        // One plan's tasks, sorted, from its page's link; another's plan is refused.
        let (_, plan_page) = get(&c, &app, &format!("/plans/{district}")).await;
        assert!(plan_page.contains(&format!("href=\"/library?plan={district}\"")), "{label}: the plan page links to its task list");
        let (_, of_plan) = get(&c, &app, &format!("/library?plan={district}&sort=text&dir=desc")).await;
        let texts: Vec<i64> = ids_after(table(&of_plan, "library"), "việc số ");
        assert_eq!(texts, vec![3, 2, 1], "{label}: the plan's three tasks, by text descending");
        let (status, _) = get(&x, &app, &format!("/library?plan={district}")).await;
        assert_eq!(status, 400, "{label}: a plan outside the scope");
        let (status, bad) = get(&x, &app, "/library?page=0").await;
        assert!(status == 400 && bad.contains("Số trang &#39;0&#39; không hợp lệ"), "{label}");
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_pages_filters_reads_as_sentences_and_stays_in_scope() {
    on_each_app(|app| async move {
        let label = app.label;
        // More entries than the old page's cap of 300: agencies of the province (outside the communes).
        let sys = Scope::system("test");
        let province = app.store.unit_by_code(&sys, "14").await.expect("province");
        for i in 0..240 {
            app.store.ensure_agency(&sys, province.id, &format!("Sở số {i}"), "department").await.expect("agency");
        }
        let (x01, district, x02) = seed_plans(&app).await;
        // nv.huyen issues a draft plan of X01 over HTTP: an entry by another person.
        let draft_id = x01[4];
        let c = app.login("nv.huyen").await;
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("/plans/{draft_id}/issue")))
            .form(&[("csrf", csrf.as_str()), ("number", "77/KH-UBND"), ("issued_on", "2022-03-01"), ("version", "1")])
            .send()
            .await
            .expect("issue");
        assert_eq!(r.status(), 303, "{label}");
        let everything = app
            .store
            .audit_page(&sys, &Default::default(), chiso_store::audit::AuditColumn::DEFAULT, chiso_core::list::PageRequest::new(1, 500))
            .await
            .expect("audit");
        assert!(everything.total > 300, "{label}: more than the old cap of 300? {}", everything.total);

        let admin = app.login("admin").await;
        let (_, first) = get(&admin, &app, "/audit").await;
        let pages = (everything.total + 49) / 50;
        assert!(first.contains(&format!("{} kết quả · Trang 1/{pages}", everything.total)), "{label}: no 300-row cap");
        let mut seen: Vec<i64> = Vec::new();
        for page in 1..=pages {
            let (status, html) = get(&admin, &app, &format!("/audit?page={page}")).await;
            assert_eq!(status, 200, "{label}");
            let ids = ids_after(table(&html, "audit-log"), "id=\"audit-");
            assert!(ids.iter().all(|id| !seen.contains(id)), "{label}: page {page} repeats nothing");
            seen.extend(ids);
        }
        assert_eq!(seen.len() as i64, everything.total, "{label}: the pages cover the whole log");
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "{label}: newest first");

        // Who: the person's entries only, read as a sentence with links.
        let (_, mine) = get(&admin, &app, "/audit?actor=nv.huyen").await;
        let rows = table(&mine, "audit-log");
        assert_eq!(ids_after(rows, "id=\"audit-").len(), 1, "{label}: one change by nv.huyen");
        assert!(
            rows.contains(&format!("<a href=\"/audit?actor=nv.huyen\">nv.huyen</a> ban hành kế hoạch <a href=\"/plans/{draft_id}\">số {draft_id}</a>: Dự thảo → Đã ban hành 77/KH-UBND ngày 01/03/2022")),
            "{label}: a sentence: {rows}"
        );
        assert!(!rows.contains("issued") && !rows.contains("2022-03-01"), "{label}: no raw codes or ISO dates");
        assert!(mine.contains("value=\"nv.huyen\""), "{label}: the filter stays filled in");
        // What: action and entity kinds.
        let (_, issues) = get(&admin, &app, "/audit?entity=plan&action=issue").await;
        assert_eq!(ids_after(table(&issues, "audit-log"), "id=\"audit-").len(), 1, "{label}");
        let (_, created) = get(&admin, &app, "/audit?entity=plan&action=create").await;
        assert!(created.contains("62 kết quả"), "{label}: every plan's creation");
        // When: today holds everything, tomorrow nothing; dd/mm/yyyy works too.
        let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
        let iso = |d: time::Date| chiso_core::unit::format_date(d);
        let (_, today_page) = get(&admin, &app, &format!("/audit?from={}&to={}", iso(today), iso(today))).await;
        assert!(today_page.contains(&format!("{} kết quả", everything.total)), "{label}: today");
        let tomorrow = today.next_day().expect("tomorrow");
        let (_, none) = get(&admin, &app, &format!("/audit?from={}", chiso_core::text::vn_date_short(tomorrow))).await;
        assert!(none.contains("0 kết quả") && none.contains("Không có thay đổi nào khớp bộ lọc"), "{label}: tomorrow");
        // Where: a commune and a district with its subtree.
        let (_, x02_page) = get(&admin, &app, "/audit?unit=X02").await;
        let x02_rows = table(&x02_page, "audit-log");
        assert!(x02_rows.contains(&format!("/plans/{x02}\"")) && !x02_rows.contains(&format!("/plans/{district}\"")), "{label}: X02");
        let (_, d) = get(&admin, &app, "/audit?unit=123&entity=plan&action=create").await;
        assert!(d.contains("62 kết quả"), "{label}: the district's subtree");
        // Sort by unit, then back; the header links keep the filters.
        let (_, sorted) = get(&admin, &app, "/audit?entity=plan&sort=unit&dir=asc").await;
        assert!(sorted.contains("href=\"/audit?entity=plan&#38;sort=unit&#38;dir=desc\""), "{label}");
        // CSV of the filtered log.
        let csv = admin.get(app.url("/audit/export.csv?actor=nv.huyen")).send().await.expect("csv").text().await.expect("body");
        assert_eq!(csv.lines().count(), 2, "{label}: header and one row: {csv}");
        assert!(csv.contains("nv.huyen ban hành kế hoạch"), "{label}");
        // Bad parameters.
        for (path, message) in [
            ("/audit?entity=widget", "Loại đối tượng &#39;widget&#39; không có"),
            ("/audit?action=drop", "Loại thao tác &#39;drop&#39; không có"),
            ("/audit?from=31/02/2022", "Ngày bắt đầu &#39;31/02/2022&#39; không hợp lệ"),
            ("/audit?from=2022-03-02&to=2022-03-01", "ngày kết thúc trước ngày bắt đầu"),
        ] {
            let (status, html) = get(&admin, &app, path).await;
            assert!(status == 400 && html.contains(message), "{label}: {path}");
        }

        // Scope: the commune's officer sees its own entries and nothing of the district or the sibling.
        let x = app.login("xa.x01").await;
        let mut x_rows = String::new();
        for page in 1..=3 {
            let (_, html) = get(&x, &app, &format!("/audit?page={page}")).await;
            x_rows.push_str(table(&html, "audit-log"));
        }
        assert!(x_rows.contains(&format!("/plans/{}\"", x01[0])), "{label}: its own plans");
        assert!(!x_rows.contains(&format!("/plans/{district}\"")) && !x_rows.contains(&format!("/plans/{x02}\"")), "{label}: out of scope");
        let csv = x.get(app.url("/audit/export.csv")).send().await.expect("csv").text().await.expect("body");
        assert!(!csv.contains("Xã Chiềng Sơn") && !csv.contains("Huyện Mộc Châu"), "{label}: the export neither");
        let (status, _) = get(&x, &app, "/audit?unit=X02").await;
        assert_eq!(status, 400, "{label}: a unit outside the scope is refused");
    })
    .await;
}

#[tokio::test]
async fn the_accounts_page_pages_filters_sorts_and_stays_in_scope() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        for i in 0..60 {
            app.store
                .create_user(
                    &sys,
                    NewUser {
                        username: format!("cb.x01.{i:02}"),
                        full_name: format!("Cán bộ số {i:02}"),
                        password: PASSWORD.into(),
                        role: if i % 3 == 0 { Role::Viewer } else { Role::Specialist },
                        unit_code: Some("X01".into()),
                        agency_id: None,
                    },
                )
                .await
                .expect("user");
        }
        let names = |html: &str| -> Vec<String> {
            table(html, "users-table").split("<code>").skip(1).filter_map(|s| s.split("</code>").next()).map(String::from).collect()
        };
        let admin = app.login("admin").await;
        let (_, p1) = get(&admin, &app, "/users").await;
        let (_, p2) = get(&admin, &app, "/users?page=2").await;
        assert!(p1.contains("64 kết quả · Trang 1/2"), "{label}");
        let (n1, n2) = (names(&p1), names(&p2));
        assert_eq!((n1.len(), n2.len()), (50, 14), "{label}");
        let mut all: Vec<String> = n1.iter().chain(&n2).cloned().collect();
        let sorted = {
            let mut s = all.clone();
            s.sort();
            s
        };
        assert_eq!(all, sorted, "{label}: by username");
        all.dedup();
        assert_eq!(all.len(), 64, "{label}: every account once");
        assert!(p1.contains("href=\"/audit?actor=admin\"") && p1.contains("href=\"/units/X01\""), "{label}: links");
        let (_, desc) = get(&admin, &app, "/users?sort=username&dir=desc").await;
        assert_eq!(names(&desc).first().map(String::as_str), Some("xem.x02"), "{label}: descending");
        let (_, viewers) = get(&admin, &app, "/users?role=viewer&unit=123").await;
        assert!(viewers.contains("21 kết quả"), "{label}: 20 viewers of X01 and xem.x02, in the district's subtree");
        let (_, x02) = get(&admin, &app, "/users?unit=X02").await;
        assert_eq!(names(&x02), vec!["xem.x02".to_string()], "{label}");
        let (_, q) = get(&admin, &app, "/users?q=s%E1%BB%91+07").await;
        assert_eq!(names(&q), vec!["cb.x01.07".to_string()], "{label}: by full name");
        let (status, bad) = get(&admin, &app, "/users?role=king").await;
        assert!(status == 400 && bad.contains("Vai trò &#39;king&#39; không có"), "{label}");
        // The commune's officer: its 61 accounts, none of the district's or the sibling's.
        let x = app.login("xa.x01").await;
        let (_, own) = get(&x, &app, "/users").await;
        let (_, own2) = get(&x, &app, "/users?page=2").await;
        assert!(own.contains("61 kết quả"), "{label}");
        let seen: Vec<String> = names(&own).into_iter().chain(names(&own2)).collect();
        assert!(!seen.iter().any(|n| n == "nv.huyen" || n == "xem.x02" || n == "admin"), "{label}: out of scope {seen:?}");
    })
    .await;
}

#[tokio::test]
async fn the_accounts_page_finds_full_names_typed_without_diacritics_or_case() {
    on_each_app(|app| async move {
        let label = app.label;
        let sys = Scope::system("test");
        for (username, full_name, unit) in
            [("nv.an", "Nguyễn Văn An", "X01"), ("nt.binh", "Nguyễn Thị Bình", "X01"), ("tv.duc", "Trần Văn Đức", "X02")]
        {
            let new = NewUser {
                username: username.into(),
                full_name: full_name.into(),
                password: PASSWORD.into(),
                role: Role::Specialist,
                unit_code: Some(unit.into()),
                agency_id: None,
            };
            app.store.create_user(&sys, new).await.expect("user");
        }
        let names = |html: &str| -> Vec<String> {
            table(html, "users-table").split("<code>").skip(1).filter_map(|s| s.split("</code>").next()).map(String::from).collect()
        };
        let admin = app.login("admin").await;
        let (status, html) = get(&admin, &app, "/users?q=nguyen+van").await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(names(&html), ["nv.an"], "{label}: typed without accents");
        assert!(html.contains("Nguyễn Văn An") && html.contains("1 kết quả"), "{label}: the name shown as written");
        let (_, html) = get(&admin, &app, "/users?q=NGUYEN&sort=name").await;
        assert_eq!(names(&html), ["nt.binh", "nv.an"], "{label}: in capitals, sorted by name");
        let (_, html) = get(&admin, &app, "/users?q=duc").await;
        assert_eq!(names(&html), ["tv.duc"], "{label}: đ typed as d");
        let (_, html) = get(&admin, &app, "/users?q=Tr%E1%BA%A7n+V%C4%83n").await;
        assert_eq!(names(&html), ["tv.duc"], "{label}: with accents still");
        // The commune's officer: the same search, only its own commune's account.
        let x = app.login("xa.x01").await;
        let (_, html) = get(&x, &app, "/users?q=van").await;
        assert_eq!(names(&html), ["nv.an"], "{label}: not X02's Trần Văn Đức");
    })
    .await;
}
