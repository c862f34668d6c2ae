//! The demo data: the units named in the five seed plans (their official GSO codes, the tree before the 2025
//! reform), their agencies, one account of each role, the seed plans imported as a user would, and a living
//! year on the Mộc Châu plan 426/KH-UBND that uses only what the documents say or what a demo user confirmed.
//!
//! Nothing is invented for the plans: a task's lead is the one the document names (an implementation duty,
//! a "giao … chủ trì" sentence, an appendix row — a *proposal* with its evidence sentence), confirmed by the
//! demo specialist `nv.mocchau` through the review step ([`crate::plans::confirm_owners`]) where the proposal
//! names one of the district's agencies or a group as written; a name that matches no agency waits for a
//! person on the review page. Due dates and recurrences are the parser's. Tasks without an owner stay without
//! one, and only owned tasks get progress updates. [`load`] reports, per plan, where its owners came from.
//!
//! Loading is idempotent, also when interrupted (`kill -9`): every step is one store transaction, and before
//! each step the loader checks whether that step's result is already there, so a rerun does exactly the steps
//! that are missing and ends with the same data as an uninterrupted run.

use crate::plans::{self as uc, OwnerChoice};
use crate::{App, Clock};
use chiso_core::access::{Role, Scope};
use chiso_core::plan::PlanStatus;
use chiso_core::progress::TaskStatus;
use chiso_store::StoreError;
use chiso_store::accounts::NewUser;
use chiso_store::plans::{PlanFilter, Task};
use chiso_store::progress::{NewEvidence, NewUpdate};
use std::fmt;

const UNITS_CSV: &str = include_str!("../../../datasets/demo/units.csv");

/// The shipped PAPI results (published figures, not demo inventions), loaded by the demo.
pub const PAPI_YEARS: &[(i32, &str)] = &[
    (2018, include_str!("../../../datasets/papi/2018.csv")),
    (2019, include_str!("../../../datasets/papi/2019.csv")),
    (2020, include_str!("../../../datasets/papi/2020.csv")),
    (2021, include_str!("../../../datasets/papi/2021.csv")),
    (2022, include_str!("../../../datasets/papi/2022.csv")),
    (2023, include_str!("../../../datasets/papi/2023.csv")),
    (2024, include_str!("../../../datasets/papi/2024.csv")),
];
const AGENCIES_CSV: &str = include_str!("../../../datasets/demo/agencies.csv");

/// GSO codes of the demo's units (datasets/units/units-2024.csv).
pub mod codes {
    pub const SON_LA: &str = "14";
    pub const MOC_CHAU: &str = "123";
    /// Xã Chiềng Sơn (Mộc Châu): the commune of the demo survey and of `vp.chiengson`.
    pub const CHIENG_SON: &str = "03985";
    /// Xã Chiềng Hắc (Mộc Châu).
    pub const CHIENG_HAC: &str = "04012";
    /// Xã Lóng Sập (Mộc Châu).
    pub const LONG_SAP: &str = "04045";
    pub const ME_LINH: &str = "250";
    pub const THANH_LIEM: &str = "351";
    /// Thị trấn Ân Thi (Huyện Ân Thi, Hưng Yên).
    pub const AN_THI_TOWN: &str = "12142";
}

/// The five seed plans (public administrative documents), with the demo unit each belongs to.
/// Seed 004 is a provincial plan whose text does not name its province; the demo files it under Sơn La.
pub const SEED_PLANS: &[(&str, &str, &[u8])] = &[
    (codes::THANH_LIEM, "000_6af07d2827319960.txt", include_bytes!("../../../datasets/plans/000_6af07d2827319960.txt")),
    (codes::AN_THI_TOWN, "001_a6cfdfd1320f5895.txt", include_bytes!("../../../datasets/plans/001_a6cfdfd1320f5895.txt")),
    (codes::ME_LINH, "002_54a8849ad7dd6938.txt", include_bytes!("../../../datasets/plans/002_54a8849ad7dd6938.txt")),
    (codes::MOC_CHAU, "003_187a403246ebc703.txt", include_bytes!("../../../datasets/plans/003_187a403246ebc703.txt")),
    (codes::SON_LA, "004_b2d75977fb5d80f4.txt", include_bytes!("../../../datasets/plans/004_b2d75977fb5d80f4.txt")),
];

/// The demo password of every demo account. Demo data is for trying the system, never for production.
pub const DEMO_PASSWORD: &str = "chiso-demo";

/// The demo specialist who confirms the Mộc Châu plan's owners on the review step.
pub const REVIEWER: &str = "nv.mocchau";

/// (username, full name, role, unit code, agency name)
pub type DemoAccount = (&'static str, &'static str, Role, Option<&'static str>, Option<&'static str>);

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    ("admin", "Quản trị hệ thống", Role::Admin, None, None),
    ("nv.sonla", "Chuyên viên Sở Nội vụ Sơn La", Role::Specialist, Some(codes::SON_LA), Some("Sở Nội vụ")),
    (REVIEWER, "Chuyên viên Phòng Nội vụ Mộc Châu", Role::Specialist, Some(codes::MOC_CHAU), Some("Phòng Nội vụ")),
    ("ld.mocchau", "Chủ tịch UBND huyện Mộc Châu", Role::Leader, Some(codes::MOC_CHAU), None),
    (
        "vhtt.mocchau",
        "Cán bộ Phòng Văn hóa và Thông tin Mộc Châu",
        Role::AgencyStaff,
        Some(codes::MOC_CHAU),
        Some("Phòng Văn hóa và Thông tin"),
    ),
    (
        "vp.chiengson",
        "Công chức Văn phòng xã Chiềng Sơn",
        Role::Specialist,
        Some(codes::CHIENG_SON),
        Some("Công chức Văn phòng - Thống kê"),
    ),
    ("nv.melinh", "Chuyên viên Phòng Nội vụ Mê Linh", Role::Specialist, Some(codes::ME_LINH), Some("Phòng Nội vụ")),
    ("nv.thanhliem", "Chuyên viên Phòng Nội vụ Thanh Liêm", Role::Specialist, Some(codes::THANH_LIEM), Some("Phòng Nội vụ")),
    ("vp.anthi", "Công chức Văn phòng thị trấn Ân Thi", Role::Specialist, Some(codes::AN_THI_TOWN), Some("Công chức Văn phòng - Thống kê")),
    ("xem.hanoi", "Người xem Sở Nội vụ Hà Nội", Role::Viewer, Some("01"), None),
];

/// The Mộc Châu plan that the living year follows.
const MOC_CHAU_PLAN: &str = "426/KH-UBND";

/// Why the demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Step(String),
}

fn step(what: &str) -> impl FnOnce(&dyn fmt::Display) -> DemoError + '_ {
    move |e| DemoError::Step(format!("{what}: {e}"))
}

/// Where one plan's task owners come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOwners {
    pub unit: String,
    pub plan: String,
    pub tasks: usize,
    /// Tasks whose lead the document names (a proposal with its evidence sentence, confirmed or not).
    pub from_document: usize,
    /// Of those, confirmed by a demo user through the review step.
    pub confirmed_in_review: usize,
    /// Of those, still waiting on the review page (e.g. a name that matches none of the unit's agencies).
    pub awaiting_review: usize,
    /// Tasks without any lead.
    pub unassigned: usize,
}

impl PlanOwners {
    fn of(unit: &str, plan: &str, tasks: &[Task]) -> PlanOwners {
        let has_lead = |t: &Task| t.row.lead_agency.as_deref().is_some_and(|s| !s.trim().is_empty());
        let read = |t: &&Task| has_lead(t) && t.row.lead_evidence.as_deref().is_some_and(|s| !s.trim().is_empty());
        PlanOwners {
            unit: unit.to_string(),
            plan: plan.to_string(),
            tasks: tasks.len(),
            from_document: tasks.iter().filter(read).count(),
            confirmed_in_review: tasks.iter().filter(read).filter(|t| !t.row.lead_proposed).count(),
            awaiting_review: tasks.iter().filter(read).filter(|t| t.row.lead_proposed).count(),
            unassigned: tasks.iter().filter(|t| !has_lead(t)).count(),
        }
    }
}

impl fmt::Display for PlanOwners {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Kế hoạch {} ({}): {} nhiệm vụ; {} có cơ quan chủ trì do văn bản nêu ({} đã được người dùng mẫu xác nhận qua bước rà soát, {} chờ rà soát); {} chưa giao.",
            self.plan, self.unit, self.tasks, self.from_document, self.confirmed_in_review, self.awaiting_review, self.unassigned
        )
    }
}

/// What [`load`] did.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub units_created: usize,
    pub units_existing: usize,
    pub agencies: usize,
    pub accounts_created: usize,
    pub plans_created: usize,
    pub owners_confirmed: usize,
    pub progress: usize,
    /// Per seed plan (and the Mộc Châu communes' plans): where the task owners came from.
    pub owners: Vec<PlanOwners>,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Dữ liệu mẫu: {} đơn vị mới ({} đã có), {} cơ quan, {} tài khoản mới, {} kế hoạch mới, {} cơ quan chủ trì được xác nhận, {} cập nhật và báo cáo tiến độ mới.",
            self.units_created,
            self.units_existing,
            self.agencies,
            self.accounts_created,
            self.plans_created,
            self.owners_confirmed,
            self.progress
        )?;
        for o in &self.owners {
            write!(f, "\n  {o}")?;
        }
        Ok(())
    }
}

/// Load the demo units, agencies, accounts, seed plans and the Mộc Châu living year (the PAPI results and
/// the survey are loaded by their own modules). Idempotent.
pub async fn load(app: &App) -> Result<DemoSummary, DemoError> {
    let store = &app.store;
    let sys = Scope::system("demo");
    let mut summary = DemoSummary::default();
    let units = store.import_units_csv(&sys, UNITS_CSV).await.map_err(|e| step("datasets/demo/units.csv")(&e))?;
    summary.units_created = units.created;
    summary.units_existing = units.unchanged + units.updated;
    for (i, line) in AGENCIES_CSV.lines().enumerate().skip(1) {
        let parts: Vec<&str> = line.split(',').collect();
        let [unit_code, name, kind] = parts[..] else {
            return Err(DemoError::Step(format!("datasets/demo/agencies.csv dòng {}: cần 3 cột", i + 1)));
        };
        let unit = store.unit_by_code(&sys, unit_code).await?;
        store.ensure_agency(&sys, unit.id, name, kind).await?;
        summary.agencies += 1;
    }
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
        let new = NewUser {
            username: (*username).into(),
            full_name: (*full_name).into(),
            password: DEMO_PASSWORD.into(),
            role: *role,
            unit_code: unit.map(String::from),
            agency_id,
        };
        store.create_user(&sys, new).await?;
        summary.accounts_created += 1;
    }
    summary.plans_created = load_plans(app, &sys).await?;
    summary.owners_confirmed = review_owners(app, &sys).await?;
    summary.progress = load_progress(app, &sys).await?;
    summary.owners = owners(app, &sys).await?;
    for o in &summary.owners {
        tracing::debug!(plan = %o.plan, unit = %o.unit, from_document = o.from_document, confirmed = o.confirmed_in_review,
            awaiting_review = o.awaiting_review, unassigned = o.unassigned, "demo: owners");
    }
    Ok(summary)
}

/// Import the seed plans (once), then show the cascade on the Mộc Châu plan 426/KH-UBND: two communes
/// make their plans from it, one issued on time and one late; the others have none yet.
async fn load_plans(app: &App, sys: &Scope) -> Result<usize, DemoError> {
    let store = &app.store;
    let mut created = 0;
    for (unit, name, bytes) in SEED_PLANS {
        let existing = store.plans(sys, &PlanFilter { unit_code: Some((*unit).into()), ..Default::default() }).await?;
        if existing.iter().any(|p| p.plan.source_name.as_deref() == Some(*name)) {
            continue;
        }
        uc::import_document(app, sys, unit, bytes, name, Some(2023)).await.map_err(|e| step(name)(&e))?;
        created += 1;
    }
    let moc_chau = store.plans_by_number(sys, MOC_CHAU_PLAN).await?;
    if let Some(parent) = moc_chau.first() {
        // Each commune's plan separately: created if missing, issued if an interrupted run left it a draft.
        let children = store.child_plans(sys, parent.id).await?;
        for (commune, issue) in [
            (codes::CHIENG_HAC, Some(("35/KH-UBND", "2022-02-19"))),
            (codes::CHIENG_SON, Some(("12/KH-UBND", "2022-02-25"))),
            (codes::LONG_SAP, None),
        ] {
            let unit = store.unit_by_code(sys, commune).await?;
            let child = match children.iter().find(|c| c.plan.unit_id == unit.id) {
                Some(c) => c.plan.clone(),
                None => {
                    created += 1;
                    uc::create_child_plan(app, sys, parent.id, commune).await.map_err(|e| step(commune)(&e))?
                }
            };
            if let Some((number, date)) = issue
                && child.status == PlanStatus::Draft
            {
                uc::issue_plan(app, sys, child.id, number, date, child.version).await.map_err(|e| step(commune)(&e))?;
            }
        }
    }
    Ok(created)
}

/// The review step on the Mộc Châu plan, as its specialist does it: every proposal that carries its evidence
/// sentence is confirmed when the proposed lead is one of the district's agencies (that agency) or a group
/// such as "Các cơ quan, đơn vị" (as written). A name that matches none of the agencies is left on the review
/// page for a person to choose or create the agency — the demo does not pick a body for it. Returns how many
/// owners were confirmed now (0 on a rerun).
async fn review_owners(app: &App, sys: &Scope) -> Result<usize, DemoError> {
    let store = &app.store;
    let Some(plan) = store.plans_by_number(sys, MOC_CHAU_PLAN).await?.into_iter().next() else { return Ok(0) };
    let Some(user) = store.user_by_username(REVIEWER).await? else { return Ok(0) };
    let scope = store.scope_for(&user).await?;
    let choices: Vec<uc::ReviewDecision> = store
        .tasks(&scope, plan.id)
        .await?
        .into_iter()
        .filter(|t| t.row.lead_proposed && t.row.lead_evidence.as_deref().is_some_and(|s| !s.trim().is_empty()))
        .filter_map(|t| {
            let lead = t.row.lead_agency.as_deref()?;
            let choice = match t.row.lead_agency_id {
                Some(id) => OwnerChoice::Agency(id),
                None if chiso_core::agency::is_group(lead) => OwnerChoice::AsWritten,
                None => return None,
            };
            Some(uc::ReviewDecision { task_id: t.row.id, lead: choice, nodes: None, coordinating: None, version: t.row.version })
        })
        .collect();
    Ok(uc::confirm_owners(app, &scope, plan.id, &choices).await.map_err(StoreError::from)?)
}

/// Where each plan's owners come from: the seed plans and the Mộc Châu communes' plans.
async fn owners(app: &App, sys: &Scope) -> Result<Vec<PlanOwners>, DemoError> {
    let store = &app.store;
    let mut out = Vec::new();
    for (unit, name, _) in SEED_PLANS {
        let plans = store.plans(sys, &PlanFilter { unit_code: Some((*unit).into()), ..Default::default() }).await?;
        for p in plans.iter().filter(|p| p.plan.source_name.as_deref() == Some(*name)) {
            let label = p.plan.number.clone().unwrap_or_else(|| p.plan.title.clone());
            out.push(PlanOwners::of(&p.unit_name, &label, &store.tasks(sys, p.plan.id).await?));
        }
    }
    if let Some(parent) = store.plans_by_number(sys, MOC_CHAU_PLAN).await?.into_iter().next() {
        for c in store.child_plans(sys, parent.id).await? {
            let unit = store.unit_by_id(sys, c.plan.unit_id).await?;
            let label = c.plan.number.clone().unwrap_or_else(|| "dự thảo".to_string());
            out.push(PlanOwners::of(&unit.name, &label, &store.tasks(sys, c.plan.id).await?));
        }
    }
    Ok(out)
}

fn at(date: &str, hour: i64) -> i64 {
    let d = chiso_core::unit::parse_date(date).unwrap_or(time::Date::MIN);
    chiso_store::progress::end_of_day_ms(d) + 1 - (24 - hour) * 3_600_000
}

/// Half a year of work on the Mộc Châu plan 426/KH-UBND (2022): updates with evidence on the tasks that have
/// a confirmed owner (and only those), and H1 2022 reports — some on time, some late, some missing — so the
/// dashboard and the report pages are alive on first start. No lead, due date or result is added to a task.
async fn load_progress(app: &App, sys: &Scope) -> Result<usize, DemoError> {
    let store = &app.store;
    let district = store.unit_by_code(sys, codes::MOC_CHAU).await?;
    // The district's report is the last step: when it is there, everything is.
    if store.report_of(sys, &district, None, "2022-H1").await?.is_some() {
        return Ok(0);
    }
    let Some(plan) = store.plans_by_number(sys, MOC_CHAU_PLAN).await?.into_iter().next() else { return Ok(0) };
    let mut n = 0;
    // Updates made between March and May 2022, by the owners of the owned tasks.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% chiso demo evidence\n%%EOF\n".to_vec();
    let owned: Vec<Task> = store.tasks(sys, plan.id).await?.into_iter().filter(Task::has_confirmed_lead).collect();
    for (i, t) in owned.iter().enumerate() {
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
            if i % 5 == 0 { vec![NewEvidence { file_name: format!("bien-ban-{}.pdf", i + 1), bytes: pdf.clone() }] } else { Vec::new() };
        let up = NewUpdate { status, percent, completed_on, reason: None, narrative: narrative.into(), files };
        store.record_update_at(sys, t.row.id, up, t.row.version, at(day, 10)).await?;
        n += 1;
    }
    // H1 2022 reports: communes due 05/06, district agencies 05/06, the district 10/06.
    let h1 = chiso_core::period::Period::parse("2022-H1").map_err(|e| step("2022-H1")(&e))?;
    let agencies = store.agencies(sys, district.id).await?;
    let agency = |name: &str| agencies.iter().find(|a| a.name == name).map(|a| a.id);
    let submissions: [(&str, Option<i64>, &str, &str); 5] = [
        (
            codes::MOC_CHAU,
            agency("Phòng Văn hóa và Thông tin"),
            "2022-06-03",
            "Đã triển khai công tác thông tin, tuyên truyền theo kế hoạch.",
        ),
        (codes::MOC_CHAU, agency("Phòng Nội vụ"), "2022-06-07", "Báo cáo gửi chậm do tổng hợp số liệu các xã."),
        (codes::CHIENG_HAC, None, "2022-06-04", "Xã đã triển khai kế hoạch của xã."),
        (codes::CHIENG_SON, None, "2022-06-08", "Xã gửi báo cáo muộn."),
        (codes::MOC_CHAU, None, "2022-06-09", "UBND huyện báo cáo kết quả 6 tháng đầu năm 2022."),
    ];
    for (code, agency_id, day, narrative) in submissions {
        let unit = store.unit_by_code(sys, code).await?;
        if store.report_of(sys, &unit, agency_id, "2022-H1").await?.is_some_and(|r| r.submitted_at.is_some()) {
            continue;
        }
        // Submitted at that moment of 2022: the use case runs on a clock set to it.
        let app = app.clone().with_clock(Clock::Fixed { now_ms: at(day, 15) });
        app.reports().submit(sys, &unit, agency_id, h1, narrative).await.map_err(|e| step(&format!("{code} {day}"))(&e))?;
        n += 1;
    }
    Ok(n)
}

/// PAPI 2018–2024 for all provinces, and Mê Linh's PAR INDEX 2024 sheet self-scored and submitted for
/// appraisal. Idempotent: an identical year is not rewritten, an existing sheet is left alone.
pub async fn load_results(app: &App) -> Result<String, DemoError> {
    use crate::results::{ImportRequest, Mapping};
    use chiso_core::access::Reach;
    use chiso_core::framework::Source;
    use chiso_core::results::{ResultsFormat, SheetAction};
    use chiso_store::assessments::SelfScoreInput;
    let store = &app.store;
    let framework = |code: &str| app.frameworks.get(code).ok_or_else(|| DemoError::Step(format!("không có bộ chỉ số '{code}'")));
    let papi = framework("papi")?;
    let mut imported = 0;
    for (year, text) in PAPI_YEARS {
        let source = format!("datasets/papi/{year}.csv");
        let req = ImportRequest {
            framework: papi,
            year: *year,
            text,
            format: ResultsFormat::Wide,
            mapping: Mapping::Default,
            source: &source,
            confirm_removal: false,
        };
        let s = app.results().import(&Scope::system("demo"), req).await.map_err(|e| step(&source)(&e))?;
        if !s.unchanged {
            imported += 1;
        }
    }
    let par = framework("par_index")?;
    let sys = Scope::system("demo");
    let mut sheet = "đã có";
    // Three steps (create, self-score, submit): an interrupted run left the sheet as a draft, so resume it.
    let existing = if store.unit_by_code(&sys, codes::ME_LINH).await.is_ok() {
        store.assessment_for(&sys, codes::ME_LINH, "par_index", 2024).await?
    } else {
        None
    };
    let resume = existing.as_ref().is_some_and(|a| a.status == "draft");
    if let Ok(unit) = store.unit_by_code(&sys, codes::ME_LINH).await
        && (existing.is_none() || resume)
    {
        // Self-assessment is the assessed unit's own step: the demo acts as Mê Linh itself (as its
        // specialist would), never as the system above it.
        let melinh = Scope {
            user_id: None,
            actor: sys.actor.clone(),
            role: Role::Specialist,
            reach: Reach::Subtree { unit_id: unit.id, path: unit.path.clone() },
            agency_id: None,
        };
        let a = match existing {
            Some(a) => a,
            None => app.assessments().create(&melinh, par, codes::ME_LINH, 2024).await.map_err(|e| step("par_index 2024")(&e))?,
        };
        // Below full score where the Mê Linh plan says work is needed (Biểu 02).
        let lower = [("par.a1.c5", 1.0), ("par.a3.c4", 2.5), ("par.a5.c2", 2.0), ("par.a7.c3", 2.5), ("par.a8.c1", 1.5)];
        let inputs: Vec<SelfScoreInput> = par
            .leaves_for_year(2024)
            .into_iter()
            .filter(|l| l.source != Source::Survey)
            .map(|l| SelfScoreInput {
                node: l.code.clone(),
                score: lower.iter().find(|(c, _)| *c == l.code).map(|(_, v)| *v).or(l.max),
                evidence: Some(format!("Báo cáo kết quả thực hiện: {}", l.name_vi)),
                missing_reason: None,
            })
            .collect();
        app.assessments().save_self_scores(&melinh, par, a.id, &inputs, None).await.map_err(|e| step("par_index 2024")(&e))?;
        app.assessments().transition(&melinh, par, a.id, SheetAction::Submit, None, None).await.map_err(|e| step("par_index 2024")(&e))?;
        sheet = "mới";
    }
    Ok(format!("PAPI 2018–2024: {imported} năm được nhập; phiếu chấm điểm CCHC 2024 của Mê Linh: {sheet}."))
}
