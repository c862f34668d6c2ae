//! Benchmark: a province with 100 communes × 100 tasks each (half of them updated, 80% of the communes
//! reported): how long compiling the province's report status takes, and how long the report page takes
//! over real HTTP. Run: `cargo run --release -p chiso-cli --example bench_report [-- --communes 100 --tasks 100]`.

use chiso_core::access::{Role, Scope};
use chiso_core::period::Period;
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft};
use chiso_core::progress::TaskStatus;
use chiso_store::Store;
use chiso_store::accounts::NewUser;
use chiso_store::progress::NewUpdate;
use std::time::Instant;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn at(date: &str) -> i64 {
    chiso_store::progress::end_of_day_ms(chiso_core::unit::parse_date(date).unwrap_or(time::Date::MIN)) - 6 * 3_600_000
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let communes = arg("--communes", 100);
    let tasks_per = arg("--tasks", 100);
    let dir = std::env::temp_dir().join(format!("chiso-bench-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = Store::connect(&Store::sqlite_url_for_dir(&dir)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let sys = Scope::system("bench");
    let mut csv = String::from("code,name,level,parent_code,valid_from,valid_to\nP,Tỉnh Thử,province,,2025-07-01,\n");
    for i in 0..communes {
        csv.push_str(&format!("P.{i:03},Xã Thử {i},commune,P,2025-07-01,\n"));
    }
    let frameworks = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?);
    let service = chiso_app::App::new(store.clone(), frameworks.clone());
    let t0 = Instant::now();
    store.import_units_csv(&sys, &csv).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for i in 0..communes {
        let tasks: Vec<TaskDraft> = (0..tasks_per)
            .map(|k| TaskDraft {
                code: format!("{}", k + 1),
                text: format!("Nhiệm vụ {k} của xã {i}: công khai, minh bạch, giải quyết thủ tục hành chính"),
                nodes: vec![format!("papi.d{}", k % 8 + 1)],
                due_date: chiso_core::unit::parse_date(if k % 3 == 0 { "2026-04-30" } else { "2026-10-31" }),
                ..Default::default()
            })
            .collect();
        let draft = PlanDraft {
            doc_type: "KẾ HOẠCH".into(),
            year: 2026,
            year_to: None,
            families: vec!["PAPI".into()],
            number: Some(format!("{i}/KH-UBND")),
            place: None,
            issued_on: chiso_core::unit::parse_date("2026-01-15"),
            title: "Nâng cao chỉ số PAPI năm 2026".into(),
            status: PlanStatus::Issued,
            based_on: vec![],
            recipients: vec![],
            signer: None,
            child_deadline: None,
            document: serde_json::json!({}),
            tasks,
        };
        let plan = store.create_plan(&sys, &format!("P.{i:03}"), &draft, None, None).await?;
        for t in store.tasks(&sys, plan.id).await?.iter().step_by(2) {
            let up = NewUpdate {
                status: TaskStatus::InProgress,
                percent: Some(50),
                completed_on: None,
                reason: None,
                narrative: "Đang thực hiện".into(),
                files: vec![],
            };
            store.record_update_at(&sys, t.row.id, up, t.row.version, at("2026-05-10")).await?;
        }
        if i % 5 != 0 {
            let unit = store.unit_by_code(&sys, &format!("P.{i:03}")).await?;
            let h1 = Period::parse("2026-H1").map_err(|e| anyhow::anyhow!("{e}"))?;
            let on = service.clone().with_clock(chiso_app::Clock::Fixed { now_ms: at("2026-06-16") });
            on.reports().submit(&sys, &unit, None, h1, "Báo cáo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let setup = t0.elapsed();
    store
        .create_user(
            &sys,
            NewUser {
                username: "bench".into(),
                full_name: "Bench".into(),
                password: "mat-khau-bench".into(),
                role: Role::Specialist,
                unit_code: Some("P".into()),
                agency_id: None,
            },
        )
        .await?;
    println!("setup: {communes} communes × {tasks_per} tasks in {:.1} s", setup.as_secs_f64());

    // 1. The status document (what `chiso report status` and the API compute): computed from rows (a fresh
    // `App` each time, so nothing is kept), then kept (the same `App`: one revision query, see
    // `chiso_app::figures`).
    let as_of = chiso_core::unit::parse_date("2026-06-30");
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[0], v[v.len() - 1])
    };
    let mut computed = Vec::new();
    let mut kept = Vec::new();
    for _ in 0..10 {
        let fresh = chiso_app::App::new(store.clone(), frameworks.clone());
        let t = Instant::now();
        let s = fresh.reports().status(&sys, "P", "2026-H1", as_of).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        computed.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(s.children.len(), communes);
        let t = Instant::now();
        service.reports().status(&sys, "P", "2026-H1", as_of).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        kept.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (m, lo, hi) = median(computed);
    println!("report status (province, {} tasks), computed: median {m:.0} ms, min {lo:.0} ms, max {hi:.0} ms", communes * tasks_per);
    // The first call of `service` computed; the other nine were kept.
    let (m, lo, hi) = median(kept[1..].to_vec());
    println!("report status, kept (nothing changed): median {m:.1} ms, min {lo:.1} ms, max {hi:.1} ms");

    // 2. The report page over real HTTP on loopback.
    let app = chiso_web::Application::build(chiso_web::AppState::new(service, false), "127.0.0.1:0").await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until(std::future::pending()));
    let c = reqwest::Client::builder().cookie_store(true).build()?;
    let page = c.get(format!("{base}/login")).send().await?.text().await?;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_string();
    c.post(format!("{base}/login")).form(&[("username", "bench"), ("password", "mat-khau-bench"), ("csrf", csrf.as_str())]).send().await?;
    let mut page_times = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let r = c.get(format!("{base}/reports?unit=P&period=2026-H1")).send().await?;
        let ok = r.status().is_success();
        let body = r.text().await?;
        page_times.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(ok && body.contains("Xã Thử 0"), "report page failed");
    }
    // The first request computed the page's figures; the others found them kept.
    let first = page_times[0];
    let (m, lo, hi) = median(page_times[1..].to_vec());
    println!("report page over HTTP: first (computed) {first:.0} ms; then median {m:.1} ms, min {lo:.1} ms, max {hi:.1} ms");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
