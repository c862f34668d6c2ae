//! Bulk loading of large generated data sets — the national-scale benchmark data of
//! `chiso demo --scale national` (34 provinces, 3,321 communes, ~340,000 tasks, ~1.3 million updates).
//!
//! The scoped, row-by-row APIs (`create_plan`, `record_update_at`, `submit_report`) check and audit every row;
//! at this size they would take hours. Here a whole batch (one province with its communes) is written in one
//! transaction with multi-row INSERTs, ids assigned in advance (`MAX(id) + 1` under the transaction's write
//! lock), and one audit entry per batch. Only the system scope may call these functions: they are for
//! generated data, not for people's input.

use crate::audit::Change;
use crate::units::Agency;
use crate::{Backend, Store, StoreError, StoreResult, audit, now_ms, on_db, write_tx};
use chiso_core::access::{Reach, Role, Scope};
use chiso_core::progress::{TaskCounts, TaskStatus, TaskUpdate, derive_status};
use chiso_core::text::fold;
use chiso_core::unit::format_date;
use time::Date;

/// An agency to create (nothing happens when the unit already has an agency of that name).
#[derive(Debug, Clone)]
pub struct BulkAgency {
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
}

/// An account to create with an already computed password hash (nothing happens when the username exists).
#[derive(Debug, Clone)]
pub struct BulkUser {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub agency_id: Option<i64>,
}

/// A plan with its tasks. `parent` is the index of an earlier plan of the same batch (the plan it cascades
/// from).
#[derive(Debug, Clone)]
pub struct BulkPlan {
    pub unit_id: i64,
    pub year: i32,
    pub number: String,
    pub issued_on: Date,
    pub title: String,
    pub parent: Option<usize>,
    /// The date this plan requires its child units' plans by (stored as their `parent_deadline` too).
    pub child_deadline: Option<Date>,
    pub tasks: Vec<BulkTask>,
}

/// A task. `source` is (plan index, task index) of the task of an earlier plan of the batch it comes from.
#[derive(Debug, Clone)]
pub struct BulkTask {
    pub code: String,
    pub text: String,
    /// The lead agency (id and name).
    pub lead: Option<(i64, String)>,
    pub due_date: Option<Date>,
    pub nodes: Vec<String>,
    pub source: Option<(usize, usize)>,
    /// In time order.
    pub updates: Vec<BulkUpdate>,
}

/// A progress update, with at most one evidence row (the file itself is not written).
#[derive(Debug, Clone)]
pub struct BulkUpdate {
    pub agency_id: Option<i64>,
    pub status: TaskStatus,
    pub percent: Option<u8>,
    pub completed_on: Option<Date>,
    pub narrative: String,
    pub created_by: String,
    pub created_at: i64,
    pub evidence: Option<BulkEvidence>,
}

#[derive(Debug, Clone)]
pub struct BulkEvidence {
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
}

/// A periodic report of a unit (or one of its agencies), submitted at `submitted_at` (unix ms).
#[derive(Debug, Clone)]
pub struct BulkReport {
    pub unit_id: i64,
    pub agency_id: Option<i64>,
    pub period: String,
    pub window: (Date, Date),
    pub due: Date,
    pub narrative: String,
    pub summary: TaskCounts,
    pub submitted_at: i64,
    pub submitted_by: String,
}

/// What one batch wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkCounts {
    pub plans: u64,
    pub tasks: u64,
    pub updates: u64,
    pub evidence: u64,
    pub reports: u64,
}

/// One value of a row of a multi-row INSERT.
enum V<'a> {
    I(i64),
    OI(Option<i64>),
    T(&'a str),
    S(String),
    OS(Option<String>),
    B(bool),
}

/// Bind parameters per statement. Far under both backends' limits (SQLite 32,766, PostgreSQL 65,535): the
/// SQLite driver's cost per statement grows faster than linearly with its parameters (debug build: 3,355
/// accounts of 8 columns in one statement took 27 s; in statements of this size the 20,000 agencies and the
/// accounts together took ≈ 10 s in debug, 0.6 s including the unit import in release on PostgreSQL).
const MAX_PARAMS: usize = 960;

fn insert_values(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 6);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        sql.push_str(if r > 0 { ", (" } else { "(" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(r * cols + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Insert `rows` (each `cols` values) with multi-row INSERTs inside the transaction `$tx`.
macro_rules! insert_rows {
    ($tx:ident, $head:expr, $tail:expr, $cols:expr, $rows:expr) => {{
        let cols: usize = $cols;
        let rows: &[Vec<V>] = $rows;
        for chunk in rows.chunks((MAX_PARAMS / cols).max(1)) {
            let mut sql = insert_values($head, cols, chunk.len());
            sql.push_str($tail);
            // Built from this module's constant table and column names and numbered placeholders only.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in chunk {
                debug_assert_eq!(row.len(), cols);
                for v in row {
                    q = match v {
                        V::I(x) => q.bind(*x),
                        V::OI(x) => q.bind(*x),
                        V::T(s) => q.bind(*s),
                        V::S(s) => q.bind(s.as_str()),
                        V::OS(s) => q.bind(s.as_deref()),
                        V::B(b) => q.bind(*b),
                    };
                }
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// The next free id of a table (its largest id + 1) inside the transaction `$tx`.
macro_rules! next_id {
    ($tx:ident, $table:literal) => {{
        let max: Option<i64> = sqlx::query_scalar(concat!("SELECT MAX(id) FROM ", $table)).fetch_one(&mut *$tx).await?;
        max.unwrap_or(0) + 1
    }};
}

fn system_only(scope: &Scope) -> StoreResult<()> {
    if scope.user_id.is_none() && scope.role == Role::Admin && matches!(scope.reach, Reach::All) {
        Ok(())
    } else {
        Err(StoreError::Forbidden("nạp dữ liệu hàng loạt (chỉ lệnh quản trị)".into()))
    }
}

/// A day's end-of-day status of a task given its updates in time order, as the pages derive it.
fn status_after(due: Option<Date>, update: Option<&BulkUpdate>, day: Date) -> TaskStatus {
    let core = update.map(|u| TaskUpdate {
        status: Some(u.status),
        percent: u.percent,
        completed_on: u.completed_on,
        reason: None,
        returned: None,
    });
    derive_status(due, core.as_ref(), day)
}

impl Store {
    /// Create agencies (one transaction; existing ones are kept) and return every agency of the given units.
    pub async fn bulk_agencies(&self, scope: &Scope, agencies: &[BulkAgency]) -> StoreResult<Vec<Agency>> {
        system_only(scope)?;
        let folded: Vec<String> = agencies.iter().map(|a| fold(&a.name)).collect();
        let rows: Vec<Vec<V>> =
            agencies.iter().zip(&folded).map(|(a, f)| vec![V::I(a.unit_id), V::T(&a.name), V::T(f), V::T(&a.kind)]).collect();
        write_tx!(self, |tx| {
            insert_rows!(
                tx,
                "INSERT INTO agency (unit_id, name, name_fold, kind)",
                " ON CONFLICT (unit_id, name_fold) DO NOTHING",
                4,
                &rows
            );
            audit!(
                tx,
                scope,
                Change {
                    entity: "agency",
                    entity_id: "bulk".into(),
                    action: "bulk_create",
                    new_value: Some(format!("{} cơ quan (dữ liệu thử tải)", agencies.len())),
                    ..Default::default()
                }
            );
        });
        let mut units: Vec<i64> = agencies.iter().map(|a| a.unit_id).collect();
        units.sort_unstable();
        units.dedup();
        const SQL: &str = "SELECT id, unit_id, name, kind FROM agency ORDER BY id";
        let all: Vec<Agency> = on_db!(&self.read, |p| sqlx::query_as(SQL).fetch_all(p).await)?;
        Ok(all.into_iter().filter(|a| units.binary_search(&a.unit_id).is_ok()).collect())
    }

    /// Create accounts that all share one password (hashed once here: hashing per account would take as
    /// long as the rest of the load). Existing usernames are left alone. Returns how many were created.
    pub async fn bulk_users(&self, scope: &Scope, users: &[BulkUser], password: &str) -> StoreResult<u64> {
        system_only(scope)?;
        crate::accounts::check_password_rules(password)?;
        let hash = crate::accounts::hash_password(password.to_string(), self.hash_cost).await?;
        let now = now_ms();
        let rows: Vec<Vec<V>> = users
            .iter()
            .map(|u| {
                vec![
                    V::T(&u.username),
                    V::T(&u.full_name),
                    V::S(fold(&u.full_name)),
                    V::T(&hash),
                    V::T(u.role.as_str()),
                    V::I(u.unit_id),
                    V::OI(u.agency_id),
                    V::B(true),
                    V::I(now),
                ]
            })
            .collect();
        const COUNT: &str = "SELECT COUNT(*) FROM app_user";
        let before: i64 = on_db!(&self.read, |p| sqlx::query_scalar(COUNT).fetch_one(p).await)?;
        write_tx!(self, |tx| {
            insert_rows!(
                tx,
                "INSERT INTO app_user (username, full_name, full_name_fold, password_hash, role, unit_id, agency_id, active, created_at)",
                " ON CONFLICT (username) DO NOTHING",
                9,
                &rows
            );
            audit!(
                tx,
                scope,
                Change {
                    entity: "user",
                    entity_id: "bulk".into(),
                    action: "bulk_create",
                    new_value: Some(format!("{} tài khoản (dữ liệu thử tải)", users.len())),
                    ..Default::default()
                }
            );
        });
        let after: i64 = on_db!(&self.read, |p| sqlx::query_scalar(COUNT).fetch_one(p).await)?;
        Ok((after - before).max(0) as u64)
    }

    /// Write a batch of plans (issued), their tasks, updates, evidence rows and the given reports in one
    /// transaction, with one audit entry. Task status and version are those the updates leave (`as_of` is the
    /// day the stored status is derived for). Plans record that they set no report deadlines of their own.
    pub async fn bulk_plans(&self, scope: &Scope, plans: &[BulkPlan], reports: &[BulkReport], as_of: Date) -> StoreResult<BulkCounts> {
        system_only(scope)?;
        let now = now_ms();
        let counts = write_tx!(self, |tx| {
            let first_plan = next_id!(tx, "plan");
            let first_task = next_id!(tx, "task");
            let first_update = next_id!(tx, "task_update");
            let first_evidence = next_id!(tx, "evidence");
            // Ids of every task of the batch: task_ids[plan][task].
            let mut task_ids: Vec<Vec<i64>> = Vec::with_capacity(plans.len());
            let mut next_task = first_task;
            for p in plans {
                task_ids.push((0..p.tasks.len() as i64).map(|k| next_task + k).collect());
                next_task += p.tasks.len() as i64;
            }
            let mut plan_rows = Vec::with_capacity(plans.len());
            let mut deadline_rows = Vec::with_capacity(plans.len());
            let mut task_rows = Vec::new();
            let mut node_rows = Vec::new();
            let mut update_rows = Vec::new();
            let mut evidence_rows = Vec::new();
            let mut next_update = first_update;
            let mut next_evidence = first_evidence;
            for (pi, p) in plans.iter().enumerate() {
                let plan_id = first_plan + pi as i64;
                let parent = match p.parent {
                    Some(i) if i < pi => Some(first_plan + i as i64),
                    Some(i) => return Err(StoreError::Invalid(format!("kế hoạch {pi}: kế hoạch cấp trên {i} phải đứng trước"))),
                    None => None,
                };
                plan_rows.push(vec![
                    V::I(plan_id),
                    V::I(p.unit_id),
                    V::T("KẾ HOẠCH"),
                    V::I(i64::from(p.year)),
                    V::T("PAPI"),
                    V::T(&p.number),
                    V::S(fold(&p.number)),
                    V::S(format_date(p.issued_on)),
                    V::T(&p.title),
                    V::S(fold(&p.title)),
                    V::T("issued"),
                    V::OI(parent),
                    V::T("[]"),
                    V::T("{}"),
                    V::I(1),
                    V::I(now),
                    V::I(now),
                    V::OS(p.child_deadline.map(format_date)),
                    V::OS(p.parent.and_then(|i| plans.get(i)).and_then(|pp| pp.child_deadline).map(format_date)),
                ]);
                deadline_rows.push(vec![V::I(plan_id), V::T("[]"), V::I(now)]);
                for (ti, t) in p.tasks.iter().enumerate() {
                    let task_id = task_ids[pi][ti];
                    let source = match t.source {
                        Some((sp, st)) if sp < pi => task_ids[sp].get(st).copied(),
                        _ => None,
                    };
                    let status = status_after(t.due_date, t.updates.last(), as_of);
                    let (lead_id, lead_name) = match &t.lead {
                        Some((id, name)) => (Some(*id), Some(name.clone())),
                        None => (None, None),
                    };
                    task_rows.push(vec![
                        V::I(task_id),
                        V::I(plan_id),
                        V::I(ti as i64),
                        V::T(&t.code),
                        V::T(&t.text),
                        V::S(fold(&format!("{} {}", t.text, lead_name.as_deref().unwrap_or("")))),
                        V::OS(lead_name),
                        V::OI(lead_id),
                        V::T("[]"),
                        V::OS(t.due_date.map(format_date)),
                        V::T(status.as_str()),
                        V::OI(source),
                        V::I(1 + t.updates.len() as i64),
                        V::I(now),
                        V::I(t.updates.last().map_or(now, |u| u.created_at)),
                    ]);
                    let mut nodes = t.nodes.clone();
                    nodes.sort();
                    nodes.dedup();
                    for n in nodes {
                        node_rows.push(vec![V::I(task_id), V::S(n)]);
                    }
                    for u in &t.updates {
                        let update_id = next_update;
                        next_update += 1;
                        update_rows.push(vec![
                            V::I(update_id),
                            V::I(task_id),
                            V::I(p.unit_id),
                            V::OI(u.agency_id),
                            V::T(u.status.as_str()),
                            V::OI(u.percent.map(i64::from)),
                            V::OS(u.completed_on.map(format_date)),
                            V::T(&u.narrative),
                            V::T(&u.created_by),
                            V::I(u.created_at),
                        ]);
                        if let Some(e) = &u.evidence {
                            evidence_rows.push(vec![
                                V::I(next_evidence),
                                V::I(update_id),
                                V::I(p.unit_id),
                                V::T(&e.file_name),
                                V::T(&e.mime),
                                V::I(e.size),
                                V::T(&e.sha256),
                                V::T(&u.created_by),
                                V::I(u.created_at),
                            ]);
                            next_evidence += 1;
                        }
                    }
                }
            }
            let summaries: Vec<String> =
                reports.iter().map(|r| serde_json::to_string(&r.summary).unwrap_or_else(|_| "{}".into())).collect();
            let report_rows: Vec<Vec<V>> = reports
                .iter()
                .zip(&summaries)
                .map(|(r, s)| {
                    vec![
                        V::I(r.unit_id),
                        V::I(r.agency_id.unwrap_or(0)),
                        V::OI(r.agency_id),
                        V::T(&r.period),
                        V::S(format_date(r.window.0)),
                        V::S(format_date(r.window.1)),
                        V::S(format_date(r.due)),
                        V::T(&r.narrative),
                        V::T("submitted"),
                        V::T(s),
                        V::I(r.submitted_at),
                        V::T(&r.submitted_by),
                        V::I(1),
                        V::I(r.submitted_at),
                        V::I(r.submitted_at),
                    ]
                })
                .collect();
            insert_rows!(
                tx,
                "INSERT INTO plan (id, unit_id, doc_type, year, families, number, number_fold, issued_on, title, title_fold, status, parent_plan_id, \
                 recipients, document, version, created_at, updated_at, child_deadline, parent_deadline)",
                "",
                19,
                &plan_rows
            );
            insert_rows!(tx, "INSERT INTO plan_report_deadlines (plan_id, deadlines, computed_at)", "", 3, &deadline_rows);
            insert_rows!(
                tx,
                "INSERT INTO task (id, plan_id, position, code, text, text_fold, lead_agency, lead_agency_id, coordinating, due_date, \
                 status, source_task_id, version, created_at, updated_at)",
                "",
                15,
                &task_rows
            );
            insert_rows!(tx, "INSERT INTO task_node (task_id, node_code)", "", 2, &node_rows);
            insert_rows!(
                tx,
                "INSERT INTO task_update (id, task_id, unit_id, agency_id, status, percent, completed_on, narrative, created_by, created_at)",
                "",
                10,
                &update_rows
            );
            insert_rows!(
                tx,
                "INSERT INTO evidence (id, task_update_id, unit_id, file_name, mime, size, sha256, uploaded_by, uploaded_at)",
                "",
                9,
                &evidence_rows
            );
            insert_rows!(
                tx,
                "INSERT INTO report (unit_id, agency_key, agency_id, period, window_from, window_to, due_date, narrative, status, summary, \
                 submitted_at, submitted_by, version, created_at, updated_at)",
                " ON CONFLICT (unit_id, agency_key, period) DO NOTHING",
                15,
                &report_rows
            );
            let counts = BulkCounts {
                plans: plan_rows.len() as u64,
                tasks: task_rows.len() as u64,
                updates: update_rows.len() as u64,
                evidence: evidence_rows.len() as u64,
                reports: report_rows.len() as u64,
            };
            audit!(
                tx,
                scope,
                Change {
                    unit_id: plans.first().map(|p| p.unit_id),
                    entity: "plan",
                    entity_id: "bulk".into(),
                    action: "bulk_create",
                    new_value: Some(format!(
                        "{} kế hoạch, {} nhiệm vụ, {} cập nhật, {} báo cáo (dữ liệu thử tải)",
                        counts.plans, counts.tasks, counts.updates, counts.reports
                    )),
                    ..Default::default()
                }
            );
            counts
        });
        Ok(counts)
    }

    /// After ids were assigned by [`Store::bulk_plans`]: move PostgreSQL's identity sequences past them (SQLite
    /// needs nothing).
    pub async fn bulk_finish(&self, scope: &Scope) -> StoreResult<()> {
        system_only(scope)?;
        if self.backend() == Backend::Postgres {
            for table in ["plan", "task", "task_update", "evidence"] {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                );
                if let crate::Db::Postgres(p) = &self.write {
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
                }
            }
            if let crate::Db::Postgres(p) = &self.write {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        } else if let crate::Db::Sqlite(p) = &self.write {
            sqlx::query("ANALYZE").execute(p).await?;
        }
        Ok(())
    }
}

impl Store {
    /// Keep one evidence file (content-addressed, like uploads) and return its SHA-256, for generated
    /// evidence rows that all point at it.
    pub fn bulk_store_file(&self, scope: &Scope, bytes: &[u8]) -> StoreResult<String> {
        system_only(scope)?;
        let mut staged = crate::progress::Staged::default();
        let sha = self.stage_file(&mut staged, bytes)?;
        staged.publish()?;
        Ok(sha)
    }
}
