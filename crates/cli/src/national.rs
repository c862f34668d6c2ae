//! `chiso demo --scale national`: synthetic benchmark data on the real 2025 unit tree (34 provinces, 3,321
//! communes). Not the demo story and not real documents: every plan title says "(dữ liệu thử tải)" (load-test
//! data), texts are generated, evidence rows all point at one small placeholder file.
//!
//! Per province (one store transaction each, so an interrupted build resumes at the next province): ~15
//! departments and ~6 agencies per commune, a provincial plan of 60 tasks cascaded to a 100-task plan of every
//! commune, a year of updates (≈ 3.8 per task) and quarterly and half-year reports (on time, late, missing),
//! plus accounts `nv.<province code>` and `vp.<commune code>` with the demo password.

use anyhow::{Context, Result};
use chiso_app::App;
use chiso_core::access::{Role, Scope};
use chiso_core::period::{Frequency, Period};
use chiso_core::progress::{TaskCounts, TaskState, TaskStatus, TaskUpdate, derive_status};
use chiso_store::Store;
use chiso_store::bulk::{BulkAgency, BulkEvidence, BulkPlan, BulkReport, BulkTask, BulkUpdate, BulkUser};
use chiso_store::plans::PlanFilter;
use chiso_store::progress::end_of_day_ms;
use chiso_store::units::{Agency, Unit};
use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;
use time::{Date, Duration, Month};

const UNITS_2025: &str = include_str!("../../../datasets/units/units-2025.csv");

/// Marks every generated plan: load-test data, never to be mistaken for a real document.
pub const MARK: &str = "(dữ liệu thử tải)";

/// Departments of a province after the 2025 reorganisation (generic names; the first one hosts `nv.*`).
const PROVINCE_AGENCIES: &[&str] = &[
    "Sở Nội vụ",
    "Văn phòng UBND tỉnh",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Sở Ngoại vụ",
];

/// Agencies of a commune under the two-level model (the first one hosts `vp.*`).
const COMMUNE_AGENCIES: &[&str] = &[
    "Văn phòng HĐND và UBND",
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
    "Trung tâm Dịch vụ tổng hợp",
    "Ban Chỉ huy Quân sự",
];

/// Task themes by PAPI dimension (1–8).
const THEMES: &[(u8, &str)] = &[
    (1, "tổ chức cho người dân tham gia bầu cử, góp ý các công trình công cộng"),
    (2, "công khai danh sách hộ nghèo, quy hoạch sử dụng đất và bảng giá đất"),
    (3, "tiếp nhận và trả lời kiến nghị, phản ánh của người dân đúng hạn"),
    (4, "phòng, chống tham nhũng trong giải quyết thủ tục hành chính và tuyển dụng"),
    (5, "giải quyết thủ tục hành chính trực tuyến, đúng hạn tại bộ phận một cửa"),
    (6, "nâng cao chất lượng dịch vụ y tế, giáo dục, điện, nước sạch"),
    (7, "thu gom rác thải, bảo vệ chất lượng không khí và nguồn nước"),
    (8, "cung cấp thông tin, dịch vụ công trực tuyến trên cổng thông tin điện tử"),
];

/// A placeholder evidence file (every generated evidence row points at it).
const EVIDENCE_BYTES: &[u8] = b"%PDF-1.4\n% chiso: tep kiem chung gia lap (du lieu thu tai)\n%%EOF\n";

/// Deterministic pseudo-random numbers (SplitMix64): the same build gives the same data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn ymd(year: i32, month: u8, day: u8) -> Result<Date> {
    let m = Month::try_from(month).context("tháng")?;
    Date::from_calendar_date(year, m, day).context("ngày")
}

/// Unix ms of a Vietnam-time day at `hour`:00.
fn at(day: Date, hour: i64) -> i64 {
    end_of_day_ms(day) + 1 - (24 - hour) * 3_600_000
}

/// What the whole build wrote.
#[derive(Default)]
struct Totals {
    provinces: usize,
    communes: usize,
    skipped: usize,
    plans: u64,
    tasks: u64,
    updates: u64,
    evidence: u64,
    reports: u64,
}

/// Build (or complete) the national benchmark data. Returns a summary.
pub async fn load(store: &Store, app: &App) -> Result<String> {
    let start = Instant::now();
    let sys = Scope::system("demo-national");
    let today = app.today();
    let year = today.year();
    let err = |e: chiso_store::StoreError| anyhow::anyhow!("{e}");
    eprintln!("Dữ liệu thử tải toàn quốc {MARK}, năm {year}, tính đến ngày {today}:");

    // 1. The real 2025 unit tree (existing units are kept).
    let s = store.import_units_csv(&sys, UNITS_2025).await.map_err(|e| anyhow::anyhow!("datasets/units/units-2025.csv: {e}"))?;
    eprintln!("  đơn vị 2025: {} mới, {} không đổi ({:.1} s)", s.created, s.unchanged, start.elapsed().as_secs_f64());
    let in_force = format!("{year}-01-01");
    let units: Vec<Unit> = store.units(&sys).await.map_err(err)?.into_iter().filter(|u| u.in_force_on(&in_force)).collect();
    let provinces: Vec<&Unit> = units.iter().filter(|u| u.level == "province").collect();
    let mut communes_of: HashMap<i64, Vec<&Unit>> = HashMap::new();
    for u in units.iter().filter(|u| u.level == "commune") {
        if let Some(p) = u.parent_id {
            communes_of.entry(p).or_default().push(u);
        }
    }

    // 2. Agencies and accounts (one transaction each).
    let mut new_agencies = Vec::new();
    for p in &provinces {
        new_agencies.extend(PROVINCE_AGENCIES.iter().map(|n| BulkAgency { unit_id: p.id, name: (*n).into(), kind: "office".into() }));
        for c in communes_of.get(&p.id).into_iter().flatten() {
            new_agencies.extend(COMMUNE_AGENCIES.iter().map(|n| BulkAgency {
                unit_id: c.id,
                name: commune_agency(c, n),
                kind: "office".into(),
            }));
        }
    }
    let agencies = store.bulk_agencies(&sys, &new_agencies).await.map_err(err)?;
    let mut agencies_of: HashMap<i64, Vec<Agency>> = HashMap::new();
    for a in agencies {
        agencies_of.entry(a.unit_id).or_default().push(a);
    }
    for list in agencies_of.values_mut() {
        list.sort_by_key(|a| a.id);
    }
    let first_agency = |unit: &Unit, name: &str| agencies_of.get(&unit.id).and_then(|l| l.iter().find(|a| a.name == name)).map(|a| a.id);
    let mut users = Vec::new();
    for p in &provinces {
        users.push(BulkUser {
            username: format!("nv.{}", p.code),
            full_name: format!("Chuyên viên Sở Nội vụ {} {MARK}", p.name),
            role: Role::Specialist,
            unit_id: p.id,
            agency_id: first_agency(p, PROVINCE_AGENCIES[0]),
        });
        for c in communes_of.get(&p.id).into_iter().flatten() {
            users.push(BulkUser {
                username: format!("vp.{}", c.code),
                full_name: format!("Công chức Văn phòng HĐND và UBND {} {MARK}", c.name),
                role: Role::Specialist,
                unit_id: c.id,
                agency_id: first_agency(c, &commune_agency(c, COMMUNE_AGENCIES[0])),
            });
        }
    }
    let created = store.bulk_users(&sys, &users, chiso_app::demo::DEMO_PASSWORD).await.map_err(err)?;
    eprintln!(
        "  cơ quan: {} đơn vị có cơ quan; tài khoản: {created} mới / {} ({:.1} s)",
        agencies_of.len(),
        users.len(),
        start.elapsed().as_secs_f64()
    );
    let sha = store.bulk_store_file(&sys, EVIDENCE_BYTES).map_err(err)?;
    let evidence = BulkEvidence {
        file_name: "bien-ban-kiem-tra.pdf".into(),
        mime: "application/pdf".into(),
        size: EVIDENCE_BYTES.len() as i64,
        sha256: sha,
    };

    // 3. Report schedules (the default of Nghị định 09 unless plans set one), computed as the pages do.
    let mut periods = Period::all_in_year(year, Frequency::Quarter);
    periods.extend(Period::all_in_year(year, Frequency::HalfYear));
    let sample_province = provinces.first().context("không có tỉnh nào trong cây đơn vị 2025")?;
    let sample_commune = communes_of.get(&sample_province.id).and_then(|c| c.first()).context("tỉnh không có xã")?;
    let province_schedule = app.reports().schedule_for(sample_province, year).await.map_err(err)?;
    let commune_schedule = app.reports().schedule_for(sample_commune, year).await.map_err(err)?;
    let mut dues = Vec::new();
    for period in &periods {
        let (Ok(ps), Ok(cs)) = (app.reports().scheduled(&province_schedule, *period), app.reports().scheduled(&commune_schedule, *period))
        else {
            continue;
        };
        dues.push(Dues {
            period: *period,
            window: (cs.window.from, cs.window.to),
            commune: cs.due_for("commune"),
            commune_agency: cs.due_for_agency_of("commune"),
            province: ps.due_for("province"),
            province_agency: ps.due_for_agency_of("province"),
        });
    }

    // 4. Plans, tasks, updates and reports, one province per transaction.
    let mut totals = Totals::default();
    for (pi, p) in provinces.iter().enumerate() {
        let t0 = Instant::now();
        let communes: Vec<&Unit> = communes_of.get(&p.id).cloned().unwrap_or_default();
        let existing = store
            .plans(&sys, &PlanFilter { unit_code: Some(p.code.clone()), year: Some(i64::from(year)), ..Default::default() })
            .await
            .map_err(err)?;
        if existing.iter().any(|x| x.plan.unit_id == p.id && x.plan.title.contains(MARK)) {
            totals.skipped += 1;
            eprintln!("  [{}/{}] {}: đã có, bỏ qua", pi + 1, provinces.len(), p.name);
            continue;
        }
        let batch = province_batch(p, &communes, &agencies_of, year, today, &dues, &evidence)?;
        let c = store.bulk_plans(&sys, &batch.plans, &batch.reports, today).await.map_err(err)?;
        totals.provinces += 1;
        totals.communes += communes.len();
        totals.plans += c.plans;
        totals.tasks += c.tasks;
        totals.updates += c.updates;
        totals.evidence += c.evidence;
        totals.reports += c.reports;
        eprintln!(
            "  [{}/{}] {}: {} xã, {} nhiệm vụ, {} cập nhật, {} báo cáo ({:.1} s; tổng {:.0} s)",
            pi + 1,
            provinces.len(),
            p.name,
            communes.len(),
            c.tasks,
            c.updates,
            c.reports,
            t0.elapsed().as_secs_f64(),
            start.elapsed().as_secs_f64()
        );
        let _ = std::io::stderr().flush();
    }
    store.bulk_finish(&sys).await.map_err(err)?;
    Ok(format!(
        "Dữ liệu thử tải toàn quốc {MARK}: {} tỉnh và {} xã mới ({} tỉnh đã có), {} kế hoạch, {} nhiệm vụ, {} cập nhật, {} tệp kiểm chứng, {} báo cáo trong {:.1} s.\n\
         Tài khoản: nv.<mã tỉnh> (Sở Nội vụ) và vp.<mã xã> (Văn phòng HĐND và UBND xã), mật khẩu '{}'.",
        totals.provinces,
        totals.communes,
        totals.skipped,
        totals.plans,
        totals.tasks,
        totals.updates,
        totals.evidence,
        totals.reports,
        start.elapsed().as_secs_f64(),
        chiso_app::demo::DEMO_PASSWORD
    ))
}

/// A commune agency's name as that kind of commune calls it (a ward's economic office also covers
/// infrastructure and urban affairs).
fn commune_agency(c: &Unit, name: &str) -> String {
    if name == "Phòng Kinh tế" && c.name.starts_with("Phường") {
        "Phòng Kinh tế, Hạ tầng và Đô thị".into()
    } else {
        name.into()
    }
}

/// Due dates of one period for each kind of reporter.
struct Dues {
    period: Period,
    window: (Date, Date),
    commune: Option<Date>,
    commune_agency: Option<Date>,
    province: Option<Date>,
    province_agency: Option<Date>,
}

struct Batch {
    plans: Vec<BulkPlan>,
    reports: Vec<BulkReport>,
}

/// The task due dates of the year: end of each quarter and mid-December.
fn due_dates(year: i32) -> Result<[Date; 5]> {
    Ok([ymd(year, 3, 31)?, ymd(year, 6, 30)?, ymd(year, 9, 30)?, ymd(year, 11, 30)?, ymd(year, 12, 15)?])
}

/// A year of updates of one task: none for some, else 2–6 updates from January on, ending done (on time or
/// late) for most, until `today`.
fn updates_of(
    rng: &mut Rng,
    due: Option<Date>,
    year: i32,
    today: Date,
    by: &str,
    agency: Option<i64>,
    ev: &BulkEvidence,
) -> Result<Vec<BulkUpdate>> {
    if rng.below(100) < 8 {
        return Ok(Vec::new());
    }
    let n = 2 + rng.below(5) as i64;
    let start = ymd(year, 1, 10)? + Duration::days(rng.below(40) as i64);
    let end = due.map_or(today, |d| (d + Duration::days(rng.below(40) as i64 - 10)).min(today));
    let finishes = rng.below(100) < 75;
    let span = (end - start).whole_days().max(n);
    let mut out = Vec::new();
    for k in 0..n {
        let day = start + Duration::days(span * (k + 1) / n);
        if day > today {
            break;
        }
        let last = k == n - 1;
        let (status, percent, completed_on) = if last && finishes {
            (TaskStatus::Done, Some(100), Some(day))
        } else {
            (TaskStatus::InProgress, Some(((k + 1) * 80 / n).clamp(10, 90) as u8), None)
        };
        out.push(BulkUpdate {
            agency_id: agency,
            status,
            percent,
            completed_on,
            narrative: if status == TaskStatus::Done {
                format!("Đã hoàn thành, có biên bản kiểm tra {MARK}")
            } else {
                format!("Đang triển khai, đạt khoảng {}% {MARK}", percent.unwrap_or(0))
            },
            created_by: by.to_string(),
            created_at: at(day, 9 + rng.below(8) as i64),
            evidence: (status == TaskStatus::Done || k % 2 == 1).then(|| ev.clone()),
        });
    }
    Ok(out)
}

fn province_batch(
    p: &Unit,
    communes: &[&Unit],
    agencies_of: &HashMap<i64, Vec<Agency>>,
    year: i32,
    today: Date,
    dues: &[Dues],
    ev: &BulkEvidence,
) -> Result<Batch> {
    let mut rng = Rng::new(p.id as u64);
    let task_dues = due_dates(year)?;
    let no_agencies = Vec::new();
    let p_agencies = agencies_of.get(&p.id).unwrap_or(&no_agencies);
    let mut plans = Vec::with_capacity(communes.len() + 1);
    let mut reports = Vec::new();
    let issued = ymd(year, 1, 20)?;
    let by_nv = format!("nv.{}", p.code);
    // The provincial plan: 60 tasks, led by the departments.
    let mut tasks = Vec::with_capacity(60);
    for k in 0..60usize {
        let (dim, theme) = THEMES[k % THEMES.len()];
        let lead = p_agencies.get(k % p_agencies.len().max(1)).map(|a| (a.id, a.name.clone()));
        let due = Some(task_dues[k % task_dues.len()]);
        let updates = updates_of(&mut rng, due, year, today, &by_nv, lead.as_ref().map(|l| l.0), ev)?;
        tasks.push(BulkTask {
            code: format!("{}", k + 1),
            text: format!("Chỉ đạo, hướng dẫn {theme} trên địa bàn tỉnh (nhiệm vụ thử tải {})", k + 1),
            lead,
            due_date: due,
            nodes: vec![format!("papi.d{dim}")],
            source: None,
            updates,
        });
    }
    plans.push(BulkPlan {
        unit_id: p.id,
        year,
        number: format!("{}/KH-UBND-TT", 100 + p.id % 800),
        issued_on: issued,
        title: format!("Kế hoạch nâng cao Chỉ số PAPI tỉnh năm {year} {MARK}"),
        parent: None,
        // Communes are asked for their plans by 15 February; they issue them between 5 and 24 February.
        child_deadline: Some(ymd(year, 2, 15)?),
        tasks,
    });
    reports.extend(reports_of(&mut rng, (p, None), &plans[0].tasks, dues, |d| d.province, &by_nv, today));
    for a in p_agencies {
        let led: Vec<BulkTask> = plans[0].tasks.iter().filter(|t| t.lead.as_ref().is_some_and(|l| l.0 == a.id)).cloned().collect();
        if !led.is_empty() {
            reports.extend(reports_of(&mut rng, (p, Some(a.id)), &led, dues, |d| d.province_agency, &by_nv, today));
        }
    }
    // Commune plans: the 60 provincial tasks cascaded plus 40 of the commune's own.
    for c in communes {
        let c_agencies = agencies_of.get(&c.id).unwrap_or(&no_agencies);
        let by_vp = format!("vp.{}", c.code);
        let mut tasks = Vec::with_capacity(100);
        for k in 0..100usize {
            let (dim, theme) = THEMES[(k * 3 + 1) % THEMES.len()];
            // Every seventh task stays with the commune's leadership (no agency leads it).
            let lead = if k % 7 == 6 { None } else { c_agencies.get(k % c_agencies.len().max(1)).map(|a| (a.id, a.name.clone())) };
            let due = Some(task_dues[(k + 1) % task_dues.len()]);
            let updates = updates_of(&mut rng, due, year, today, &by_vp, lead.as_ref().map(|l| l.0), ev)?;
            let (text, source, nodes) = if k < 60 {
                let src = &plans[0].tasks[k];
                (format!("Triển khai tại xã: {}", src.text), Some((0, k)), src.nodes.clone())
            } else {
                (format!("Tổ chức {theme} tại {} (nhiệm vụ thử tải {})", c.name, k + 1), None, vec![format!("papi.d{dim}")])
            };
            tasks.push(BulkTask { code: format!("{}", k + 1), text, lead, due_date: due, nodes, source, updates });
        }
        reports.extend(reports_of(&mut rng, (c, None), &tasks, dues, |d| d.commune, &by_vp, today));
        for a in c_agencies {
            let led: Vec<BulkTask> = tasks.iter().filter(|t| t.lead.as_ref().is_some_and(|l| l.0 == a.id)).cloned().collect();
            if !led.is_empty() {
                reports.extend(reports_of(&mut rng, (c, Some(a.id)), &led, dues, |d| d.commune_agency, &by_vp, today));
            }
        }
        plans.push(BulkPlan {
            unit_id: c.id,
            year,
            number: format!("{}/KH-UBND", 10 + c.id % 300),
            issued_on: ymd(year, 2, 5)? + Duration::days(rng.below(20) as i64),
            title: format!("Kế hoạch nâng cao Chỉ số PAPI năm {year} của {} {MARK}", c.name),
            parent: Some(0),
            child_deadline: None,
            tasks,
        });
    }
    Ok(Batch { plans, reports })
}

/// The reports of one reporter for every period due by now: about 75 % on time, 13 % late, 12 % missing.
fn reports_of(
    rng: &mut Rng,
    (unit, agency_id): (&Unit, Option<i64>),
    tasks: &[BulkTask],
    dues: &[Dues],
    due_of: impl Fn(&Dues) -> Option<Date>,
    by: &str,
    today: Date,
) -> Vec<BulkReport> {
    let mut out = Vec::new();
    for d in dues {
        let Some(due) = due_of(d) else { continue };
        let roll = rng.below(100);
        if roll >= 88 {
            continue;
        }
        let day = if roll < 75 { due - Duration::days(rng.below(5) as i64) } else { due + Duration::days(1 + rng.below(10) as i64) };
        if day > today {
            continue;
        }
        let submitted_at = at(day, 10);
        out.push(BulkReport {
            unit_id: unit.id,
            agency_id,
            period: d.period.code(),
            window: d.window,
            due,
            narrative: format!("Báo cáo {} {MARK}", d.period.label_vi()),
            summary: counts_at(tasks, d.window.1),
            submitted_at,
            submitted_by: by.to_string(),
        });
    }
    out
}

/// Task counts at the end of `day`, as a report of that window states them.
fn counts_at(tasks: &[BulkTask], day: Date) -> TaskCounts {
    let cutoff = end_of_day_ms(day);
    let states: Vec<TaskState> = tasks
        .iter()
        .map(|t| {
            let latest = t.updates.iter().rev().find(|u| u.created_at <= cutoff).map(|u| TaskUpdate {
                status: Some(u.status),
                percent: u.percent,
                completed_on: u.completed_on,
                reason: None,
                returned: None,
            });
            TaskState {
                code: t.code.clone(),
                dimensions: t.nodes.iter().map(|n| chiso_core::plan::dimension_of(n)).collect(),
                status: derive_status(t.due_date, latest.as_ref(), day),
            }
        })
        .collect();
    TaskCounts::from_states(&states)
}
