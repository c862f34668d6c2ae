//! Demo data: the provinces, districts and communes named in the five seed plans, with their agencies and
//! one account of each role at different levels. Loading is idempotent, also when interrupted (`kill -9`):
//! every step is one store transaction, and before each step the loader checks whether that step's result is
//! already there, so a rerun does exactly the steps that are missing and ends with the same data as an
//! uninterrupted run.

use anyhow::{Context, Result};
use chiso_core::access::{Role, Scope};
use chiso_store::Store;
use chiso_store::accounts::NewUser;

const UNITS_CSV: &str = include_str!("../../../datasets/demo/units.csv");
const AGENCIES_CSV: &str = include_str!("../../../datasets/demo/agencies.csv");

/// The five seed plans (public administrative documents), with the demo unit each belongs to.
/// Seed 004 is a provincial plan whose text does not name its province; the demo files it under Sơn La.
const SEED_PLANS: &[(&str, &str, &[u8])] = &[
    ("351", "000_6af07d2827319960.txt", include_bytes!("../../../datasets/plans/000_6af07d2827319960.txt")),
    ("329.01", "001_a6cfdfd1320f5895.txt", include_bytes!("../../../datasets/plans/001_a6cfdfd1320f5895.txt")),
    ("250", "002_54a8849ad7dd6938.txt", include_bytes!("../../../datasets/plans/002_54a8849ad7dd6938.txt")),
    ("123", "003_187a403246ebc703.txt", include_bytes!("../../../datasets/plans/003_187a403246ebc703.txt")),
    ("14", "004_b2d75977fb5d80f4.txt", include_bytes!("../../../datasets/plans/004_b2d75977fb5d80f4.txt")),
];

/// The demo password of every demo account. Demo data is for trying the system, never for production.
pub const DEMO_PASSWORD: &str = "chiso-demo";

/// (username, full name, role, unit code, agency name)
type DemoAccount = (&'static str, &'static str, Role, Option<&'static str>, Option<&'static str>);

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    ("admin", "Quản trị hệ thống", Role::Admin, None, None),
    ("nv.sonla", "Chuyên viên Sở Nội vụ Sơn La", Role::Specialist, Some("14"), Some("Sở Nội vụ")),
    ("nv.mocchau", "Chuyên viên Phòng Nội vụ Mộc Châu", Role::Specialist, Some("123"), Some("Phòng Nội vụ")),
    ("ld.mocchau", "Chủ tịch UBND huyện Mộc Châu", Role::Leader, Some("123"), None),
    ("vhtt.mocchau", "Cán bộ Phòng Văn hóa và Thông tin Mộc Châu", Role::AgencyStaff, Some("123"), Some("Phòng Văn hóa và Thông tin")),
    ("vp.chiengson", "Công chức Văn phòng xã Chiềng Sơn", Role::Specialist, Some("123.03"), Some("Công chức Văn phòng - Thống kê")),
    ("nv.melinh", "Chuyên viên Phòng Nội vụ Mê Linh", Role::Specialist, Some("250"), Some("Phòng Nội vụ")),
    ("nv.thanhliem", "Chuyên viên Phòng Nội vụ Thanh Liêm", Role::Specialist, Some("351"), Some("Phòng Nội vụ")),
    ("vp.anthi", "Công chức Văn phòng thị trấn Ân Thi", Role::Specialist, Some("329.01"), Some("Công chức Văn phòng - Thống kê")),
    ("xem.hanoi", "Người xem Sở Nội vụ Hà Nội", Role::Viewer, Some("01"), None),
];

pub async fn load(store: &Store) -> Result<String> {
    let sys = Scope::system("demo");
    let units = store.import_units_csv(&sys, UNITS_CSV).await.map_err(|e| anyhow::anyhow!("datasets/demo/units.csv: {e}"))?;
    let mut agencies = 0;
    for (i, line) in AGENCIES_CSV.lines().enumerate().skip(1) {
        let parts: Vec<&str> = line.split(',').collect();
        let [unit_code, name, kind] = parts[..] else {
            anyhow::bail!("datasets/demo/agencies.csv dòng {}: cần 3 cột", i + 1);
        };
        let unit = store.unit_by_code(&sys, unit_code).await.with_context(|| format!("agencies.csv dòng {}", i + 1))?;
        store.ensure_agency(&sys, unit.id, name, kind).await?;
        agencies += 1;
    }
    let mut created = 0;
    for (username, full_name, role, unit, agency) in DEMO_ACCOUNTS {
        if store.user_by_username(username).await?.is_some() {
            continue;
        }
        let agency_id = match (unit, agency) {
            (Some(u), Some(a)) => {
                let unit = store.unit_by_code(&sys, u).await?;
                store.agencies(&sys, unit.id).await?.into_iter().find(|x| x.name == *a).map(|x| x.id)
            }
            _ => None,
        };
        store
            .create_user(
                &sys,
                NewUser {
                    username: (*username).into(),
                    full_name: (*full_name).into(),
                    password: DEMO_PASSWORD.into(),
                    role: *role,
                    unit_code: unit.map(String::from),
                    agency_id,
                },
            )
            .await?;
        created += 1;
    }
    let plans = load_plans(store, &sys).await?;
    let progress = load_progress(store, &sys).await?;
    let results = crate::results::load_demo(store).await?;
    let surveys = crate::surveys::load_demo(store).await?;
    Ok(format!(
        "Dữ liệu mẫu: {} đơn vị mới ({} đã có), {agencies} cơ quan, {created} tài khoản mới, {plans} kế hoạch mới, {progress} cập nhật và báo cáo tiến độ mới. {results} {surveys}",
        units.created,
        units.unchanged + units.updated
    ))
}

pub fn accounts_help() -> String {
    let mut s = format!("Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):\n");
    for (username, full_name, role, unit, _) in DEMO_ACCOUNTS {
        s.push_str(&format!(
            "  {:<14} {:<22} {}{}\n",
            username,
            role.name_vi(),
            full_name,
            unit.map(|u| format!(" [{u}]")).unwrap_or_default()
        ));
    }
    s
}

/// Import the seed plans (once), then show the cascade on the Mộc Châu plan 426/KH-UBND: two communes
/// make their plans from it, one issued on time and one late; the others have none yet.
async fn load_plans(store: &Store, sys: &Scope) -> Result<usize> {
    use chiso_app::plans as uc;
    use chiso_store::plans::PlanFilter;
    let frameworks = chiso_core::framework::FrameworkSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = crate::data::app(store.clone(), std::sync::Arc::new(frameworks));
    let mut created = 0;
    for (unit, name, bytes) in SEED_PLANS {
        let existing = store.plans(sys, &PlanFilter { unit_code: Some((*unit).into()), ..Default::default() }).await?;
        if existing.iter().any(|p| p.plan.source_name.as_deref() == Some(*name)) {
            continue;
        }
        uc::import_document(&app, sys, unit, bytes, name, Some(2023)).await.map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        created += 1;
    }
    let moc_chau = store.plans_by_number(sys, "426/KH-UBND").await?;
    if let Some(parent) = moc_chau.first() {
        // Each commune's plan separately: created if missing, issued if an interrupted run left it a draft.
        let children = store.child_plans(sys, parent.id).await?;
        for (commune, issue) in
            [("123.01", Some(("35/KH-UBND", "2022-02-19"))), ("123.03", Some(("12/KH-UBND", "2022-02-25"))), ("123.04", None)]
        {
            let unit = store.unit_by_code(sys, commune).await?;
            let child = match children.iter().find(|c| c.plan.unit_id == unit.id) {
                Some(c) => c.plan.clone(),
                None => {
                    created += 1;
                    uc::create_child_plan(&app, sys, parent.id, commune).await?
                }
            };
            if let Some((number, date)) = issue
                && child.status == chiso_core::plan::PlanStatus::Draft
            {
                uc::issue_plan(&app, sys, child.id, number, date, child.version).await?;
            }
        }
    }
    Ok(created)
}

fn at(date: &str, hour: i64) -> i64 {
    let d = chiso_core::unit::parse_date(date).unwrap_or(time::Date::MIN);
    chiso_store::progress::end_of_day_ms(d) + 1 - (24 - hour) * 3_600_000
}

/// Half a year of work on the Mộc Châu plan 426/KH-UBND (2022): lead agencies and due dates assigned,
/// updates with evidence from agencies and communes, and H1 2022 reports — some on time, some late, some
/// missing — so the dashboard and the report pages are alive on first start.
async fn load_progress(store: &Store, sys: &Scope) -> Result<usize> {
    use chiso_core::plan::Recurrence;
    use chiso_core::progress::TaskStatus;
    use chiso_store::plans::TaskPatch;
    use chiso_store::progress::{NewEvidence, NewUpdate};
    let district = store.unit_by_code(sys, "123").await?;
    // The district's report is the last step: when it is there, everything is.
    if store.report_of(sys, &district, None, "2022-H1").await?.is_some() {
        return Ok(0);
    }
    let Some(plan) = store.plans_by_number(sys, "426/KH-UBND").await?.into_iter().next() else { return Ok(0) };
    let mut n = 0;
    // Who leads what, by dimension, and a due date for the concrete ones.
    let leads = [
        ("papi.d1", "Phòng Nội vụ"),
        ("papi.d2", "Phòng Tài nguyên và Môi trường"),
        ("papi.d3", "Phòng Tư pháp"),
        ("papi.d4", "Phòng Nội vụ"),
        ("papi.d5", "Văn phòng HĐND - UBND huyện"),
        ("papi.d6", "Văn phòng HĐND - UBND huyện"),
        ("papi.d7", "Phòng Tài nguyên và Môi trường"),
        ("papi.d8", "Phòng Văn hóa và Thông tin"),
    ];
    for t in store.tasks(sys, plan.id).await? {
        // Owners the document names (implementation duties) are the document's, not the demo's.
        if t.row.lead_agency.is_some() {
            continue;
        }
        let dim = t.nodes.first().map(|n| n.split('.').take(2).collect::<Vec<_>>().join(".")).unwrap_or_default();
        let Some((_, lead)) = leads.iter().find(|(d, _)| *d == dim) else { continue };
        if t.row.lead_agency.is_some() {
            continue; // assigned by an earlier, interrupted run
        }
        let concrete = dim == "papi.d5" || dim == "papi.d8";
        let patch = TaskPatch {
            lead_agency: Some(Some((*lead).to_string())),
            expected_result: Some(Some("Báo cáo kết quả, tài liệu kiểm chứng".into())),
            due_date: if concrete { Some(Some(time::macros::date!(2022 - 04 - 30))) } else { None },
            recurrence: if concrete { None } else { Some(Some(Recurrence::Continuous)) },
            ..Default::default()
        };
        store.update_task(sys, t.row.id, patch, t.row.version).await?;
    }
    // Updates made between March and May 2022.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% chiso demo evidence\n%%EOF\n".to_vec();
    for (i, t) in store.tasks(sys, plan.id).await?.iter().enumerate() {
        if !store.task_updates(sys, t.row.id).await?.is_empty() {
            continue;
        }
        let (status, percent, day, narrative) = match i % 5 {
            0 => (TaskStatus::Done, Some(100), "2022-04-20", "Đã hoàn thành; có biên bản và hình ảnh kèm theo."),
            1 => (TaskStatus::InProgress, Some(60), "2022-05-10", "Đang triển khai tại các xã, thị trấn."),
            2 => (TaskStatus::Done, Some(100), "2022-05-25", "Hoàn thành, đã báo cáo UBND huyện."),
            3 => (TaskStatus::InProgress, Some(30), "2022-03-28", "Đã ban hành văn bản hướng dẫn."),
            _ => continue,
        };
        let completed_on = status.is_done().then(|| chiso_core::unit::parse_date(day)).flatten();
        let files =
            if i % 10 == 0 { vec![NewEvidence { file_name: format!("bien-ban-{}.pdf", i + 1), bytes: pdf.clone() }] } else { Vec::new() };
        let up = NewUpdate { status, percent, completed_on, reason: None, narrative: narrative.into(), files };
        store.record_update_at(sys, t.row.id, up, t.row.version, at(day, 10)).await?;
        n += 1;
    }
    // Communes that made their plans update some of their tasks too.
    for commune in ["123.01", "123.03"] {
        let unit = store.unit_by_code(sys, commune).await?;
        let plans = store
            .plans(sys, &chiso_store::plans::PlanFilter { unit_code: Some(commune.into()), year: Some(2022), ..Default::default() })
            .await?;
        for p in plans {
            for t in store.tasks(sys, p.plan.id).await?.iter().take(6) {
                if !store.task_updates(sys, t.row.id).await?.is_empty() {
                    continue;
                }
                let up = NewUpdate {
                    status: TaskStatus::Done,
                    percent: Some(100),
                    completed_on: chiso_core::unit::parse_date("2022-05-20"),
                    reason: None,
                    narrative: format!("{} đã thực hiện.", unit.name),
                    files: Vec::new(),
                };
                store.record_update_at(sys, t.row.id, up, t.row.version, at("2022-05-20", 9)).await?;
                n += 1;
            }
        }
    }
    // H1 2022 reports: communes due 05/06, district agencies 05/06, the district 10/06.
    let h1 = chiso_core::period::Period::parse("2022-H1").map_err(|e| anyhow::anyhow!("{e}"))?;
    let agencies = store.agencies(sys, district.id).await?;
    let agency = |name: &str| agencies.iter().find(|a| a.name == name).map(|a| a.id);
    let submissions: [(&str, Option<i64>, &str, &str); 5] = [
        ("123", agency("Phòng Văn hóa và Thông tin"), "2022-06-03", "Đã hoàn thành các nhiệm vụ về quản trị điện tử."),
        ("123", agency("Phòng Nội vụ"), "2022-06-07", "Báo cáo gửi chậm do tổng hợp số liệu các xã."),
        ("123.01", None, "2022-06-04", "Thị trấn đã triển khai đầy đủ các nhiệm vụ được giao."),
        ("123.03", None, "2022-06-08", "Xã gửi báo cáo muộn."),
        ("123", None, "2022-06-09", "UBND huyện báo cáo kết quả 6 tháng đầu năm 2022."),
    ];
    let frameworks = std::sync::Arc::new(chiso_core::framework::FrameworkSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?);
    let base = chiso_app::App::new(store.clone(), frameworks);
    for (code, agency_id, day, narrative) in submissions {
        let unit = store.unit_by_code(sys, code).await?;
        if store.report_of(sys, &unit, agency_id, "2022-H1").await?.is_some_and(|r| r.submitted_at.is_some()) {
            continue;
        }
        // Submitted at that moment of 2022: the use case runs on a clock set to it.
        let app = base.clone().with_clock(chiso_app::Clock::Fixed { now_ms: at(day, 15) });
        app.reports().submit(sys, &unit, agency_id, h1, narrative).await.map_err(|e| anyhow::anyhow!("{code} {day}: {e}"))?;
        n += 1;
    }
    Ok(n)
}
