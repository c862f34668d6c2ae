//! Long (~870 lines): updates, evidence files, reports and the subtree status read share private row types and
//! the evidence-file helpers; to be split by table once the report aggregates (issue 11) settle.
//!
//! Progress tracking: task updates with evidence files, returns for correction, periodic reports (compiled
//! from the updates in their data window, submitted on time or late), and the report deadlines read from each
//! plan. Evidence files are stored outside the database, content-addressed by SHA-256, under the store's
//! files directory.
//!
//! Rules are core's: an update is checked with `validate_update` and `evidence::check`, a task's status is
//! `derive_status`, "an agency leads this task" is `agency_leads`. Whether a report is on time, and whether its
//! period is locked, is decided by the caller (chiso-app, with core's `Deadline`) and passed in. Times come
//! from the caller's clock, never from here.

use crate::audit::Change;
use crate::plans::Task;
use crate::units::{Agency, Unit};
use crate::{Store, StoreError, StoreResult, audit, on_db, write_tx};
use chiso_core::access::{Permission, Role, Scope};
use chiso_core::evidence;
use chiso_core::limits::{MAX_NOTE_CHARS, check_len};
use chiso_core::period::{Period, PlanDeadline};
use chiso_core::progress::{ReportState, TaskCounts, TaskState, TaskStatus, TaskUpdate, agency_leads, derive_status, validate_update};
use chiso_core::text::{fold, nfc};
use chiso_core::unit::{format_date, parse_date};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use time::Date;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UpdateRow {
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub agency_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub percent: Option<i64>,
    pub completed_on: Option<String>,
    pub reason: Option<String>,
    pub narrative: String,
    pub created_by: String,
    pub created_at: i64,
    pub returned_reason: Option<String>,
    pub returned_by: Option<String>,
    pub returned_at: Option<i64>,
}

impl UpdateRow {
    pub fn as_core(&self) -> TaskUpdate {
        TaskUpdate {
            status: Some(self.status),
            percent: self.percent.map(|p| p.clamp(0, 100) as u8),
            completed_on: self.completed_on.as_deref().and_then(parse_date),
            reason: self.reason.clone(),
            returned: self.returned_reason.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: i64,
    pub task_update_id: i64,
    pub unit_id: i64,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// An uploaded file, before it is checked and stored.
pub struct NewEvidence {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub struct NewUpdate {
    pub status: TaskStatus,
    pub percent: Option<u8>,
    pub completed_on: Option<Date>,
    pub reason: Option<String>,
    pub narrative: String,
    pub files: Vec<NewEvidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateWithEvidence {
    pub update: UpdateRow,
    pub evidence: Vec<EvidenceRow>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub unit_id: i64,
    pub agency_id: Option<i64>,
    pub period: String,
    pub window_from: String,
    pub window_to: String,
    pub due_date: String,
    pub narrative: String,
    #[sqlx(try_from = "String")]
    pub status: ReportState,
    pub summary: String,
    pub submitted_at: Option<i64>,
    pub submitted_by: Option<String>,
    pub version: i64,
    /// The last return for correction: why, by whom, when (kept after the report is sent again).
    pub returned_reason: Option<String>,
    pub returned_by: Option<String>,
    pub returned_at: Option<i64>,
    /// Days after its due date the standing submission came in (0 on time; None before issue 12 or when not
    /// submitted).
    pub days_late: Option<i64>,
}

impl ReportRow {
    /// Submitted again after a return for correction.
    pub fn is_resubmission(&self) -> bool {
        self.status == ReportState::Submitted && self.returned_at.is_some()
    }
}

/// What a unit has recorded (see [`Store::unit_activity`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitActivity {
    /// When task updates of its issued plans were made: (the plan's year, Unix ms).
    pub update_ms: Vec<(i64, i64)>,
    /// The periods reports were filed for, by it, its agencies or any unit below it (and their agencies).
    pub reported: Vec<Period>,
    /// The years of the issued plans of it and of every unit below it.
    pub plan_years: Vec<i64>,
}

/// A report a unit received (see [`Store::received_reports`]).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReceivedReport {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    pub period: String,
    pub submitted_at: Option<i64>,
}

/// A report as submitted: what [`Store::submit_report`] stores. `on_time` is the caller's judgement (core's
/// `Deadline`), kept in the audit trail.
pub struct NewReport<'a> {
    pub unit: &'a Unit,
    pub agency_id: Option<i64>,
    pub period: &'a str,
    pub window: (Date, Date),
    pub due: Date,
    pub narrative: &'a str,
    pub summary: &'a TaskCounts,
    pub submitted_at_ms: i64,
    pub on_time: bool,
    /// Days after the due date (core's `days_late`): 0 when on time.
    pub days_late: u32,
}

/// A task as it stands at the end of a data window: its latest update made by then and derived status.
#[derive(Debug, Clone, Serialize)]
pub struct TaskProgress {
    pub task: Task,
    pub plan_title: String,
    pub latest: Option<UpdateRow>,
    pub evidence_count: i64,
    pub status: TaskStatus,
    pub dimensions: Vec<String>,
}

/// The framework dimensions a task serves ("papi.d2.s3" → "papi.d2").
pub fn task_dimensions(task: &Task) -> Vec<String> {
    let mut d: Vec<String> = task.nodes.iter().map(|n| chiso_core::plan::dimension_of(n)).collect();
    d.sort();
    d.dedup();
    d
}

/// The Vietnam-time day of a unix-millisecond time.
fn day_of(ms: i64) -> StoreResult<Date> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.to_offset(chiso_core::progress::VIETNAM_OFFSET).date())
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// End of a day in Vietnam (UTC+7), as unix milliseconds: updates made up to then count for that day.
pub fn end_of_day_ms(d: Date) -> i64 {
    let next = d.next_day().unwrap_or(d);
    let t = next.midnight().assume_offset(time::macros::offset!(+7));
    (t.unix_timestamp_nanos() / 1_000_000) as i64 - 1
}

/// Evidence files written under temporary names, not yet in their content-addressed places. Dropping it
/// removes whatever was not published.
#[derive(Default)]
pub(crate) struct Staged {
    /// (temporary path, final path)
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Rename each file to its final path (an identical file already there is kept: same hash, same bytes).
    pub(crate) fn publish(&mut self) -> StoreResult<()> {
        for (tmp, path) in std::mem::take(&mut self.files) {
            if path.exists() {
                let _ = std::fs::remove_file(&tmp);
            } else if let Err(e) = std::fs::rename(&tmp, &path) {
                let _ = std::fs::remove_file(&tmp);
                return Err(StoreError::Unavailable(format!("không ghi được tệp: {e}")));
            }
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Store {
    /// Where evidence files live (set by the caller that knows the data directory).
    pub fn with_files_dir(mut self, dir: PathBuf) -> Store {
        self.files_dir = Some(dir);
        self
    }

    fn file_path(&self, sha: &str) -> StoreResult<PathBuf> {
        let dir = self.files_dir.as_ref().ok_or_else(|| StoreError::Config("chưa cấu hình thư mục lưu tệp".into()))?;
        if sha.len() < 3 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid("mã tệp không hợp lệ".into()));
        }
        Ok(dir.join("evidence").join(&sha[..2]).join(&sha[2..]))
    }

    /// Write a file's bytes under a temporary name beside its final (content-addressed) place. Nothing is
    /// visible under the hash until [`Staged::publish`], which the caller does inside its transaction once
    /// every row is written; a failure before that (a 409, a refused field) removes the temporary file when
    /// the [`Staged`] guard is dropped, so failed uploads leave nothing on disk.
    pub(crate) fn stage_file(&self, staged: &mut Staged, bytes: &[u8]) -> StoreResult<String> {
        let sha: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        let path = self.file_path(&sha)?;
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Unavailable(format!("không tạo được thư mục {}: {e}", parent.display())))?;
        let nonce: String = crate::accounts::random_bytes()[..8].iter().map(|b| format!("{b:02x}")).collect();
        let tmp = path.with_extension(format!("tmp{}-{nonce}", std::process::id()));
        staged.files.push((tmp.clone(), path));
        std::fs::write(&tmp, bytes).map_err(|e| StoreError::Unavailable(format!("không ghi được tệp: {e}")))?;
        Ok(sha)
    }

    /// May this scope update this task? Agency staff only for tasks their agency leads or coordinates.
    async fn check_may_update(&self, scope: &Scope, task: &Task, unit: &Unit) -> StoreResult<()> {
        if !scope.can(Permission::UpdateTasks) {
            return Err(StoreError::Forbidden(Permission::UpdateTasks.name_vi().into()));
        }
        if scope.role == Role::AgencyStaff {
            let Some(aid) = scope.agency_id else {
                return Err(StoreError::Forbidden("cập nhật nhiệm vụ (tài khoản chưa gắn với cơ quan)".into()));
            };
            let agency = self.agency_by_id(scope, aid).await?;
            let leads = agency_leads(task.row.lead_agency_id, task.row.lead_agency.as_deref(), aid, &agency.name);
            let coordinates = task.coordinating_agencies.iter().any(|c| fold(c) == fold(&agency.name));
            if agency.unit_id != unit.id || !(leads || coordinates) {
                return Err(StoreError::Forbidden(format!(
                    "cập nhật nhiệm vụ {} (cơ quan {} không chủ trì hay phối hợp)",
                    task.row.code, agency.name
                )));
            }
        }
        Ok(())
    }

    /// Record progress on a task at `at_ms` (unix ms, the caller's clock), with evidence files, in one
    /// transaction. Checked with core's rules first (nothing is written when a field or a file is wrong). Fails
    /// with `Conflict` when the task changed since `expected_version` was read (two people cannot silently
    /// overwrite each other).
    pub async fn record_update_at(
        &self,
        scope: &Scope,
        task_id: i64,
        new: NewUpdate,
        expected_version: i64,
        at_ms: i64,
    ) -> StoreResult<UpdateRow> {
        let task = self.task(scope, task_id).await?;
        let plan = self.plan(scope, task.row.plan_id).await?;
        let unit = self.unit_by_id(scope, plan.unit_id).await?;
        self.check_may_update(scope, &task, &unit).await?;
        let today = day_of(at_ms)?;
        let core = TaskUpdate {
            status: Some(new.status),
            percent: new.percent,
            completed_on: new.completed_on,
            reason: new.reason.clone(),
            returned: None,
        };
        validate_update(&core, today)
            .map_err(|errs| StoreError::Invalid(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")))?;
        let narrative = nfc(&new.narrative);
        if narrative.is_empty() {
            return Err(StoreError::Invalid("cần mô tả kết quả thực hiện".into()));
        }
        check_len("mô tả kết quả thực hiện", &narrative, MAX_NOTE_CHARS)
            .and_then(|_| check_len("lý do", new.reason.as_deref().unwrap_or(""), MAX_NOTE_CHARS))
            .map_err(StoreError::Invalid)?;
        // Check every file before anything is written.
        let mut files = Vec::new();
        for f in &new.files {
            let kind = evidence::check(&f.file_name, &f.bytes).map_err(StoreError::Invalid)?;
            files.push((f, kind));
        }
        let mut staged = Staged::default();
        let mut stored = Vec::new();
        for (f, kind) in &files {
            stored.push((f.file_name.clone(), kind.mime(), f.bytes.len() as i64, self.stage_file(&mut staged, &f.bytes)?));
        }
        let derived = derive_status(task.row.due_date.as_deref().and_then(parse_date), Some(&core), today);
        let now = at_ms;
        let row = write_tx!(self, |tx| {
            const BUMP: &str = "UPDATE task SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4";
            let n = sqlx::query(BUMP)
                .bind(derived.as_str())
                .bind(now)
                .bind(task_id)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "nhiệm vụ {} vừa được người khác cập nhật; hãy xem cập nhật mới nhất rồi nhập lại",
                    task.row.code
                )));
            }
            const INS: &str = "INSERT INTO task_update (task_id, unit_id, agency_id, status, percent, completed_on, reason, narrative, user_id, created_by, created_at) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                RETURNING id, task_id, unit_id, agency_id, status, percent, completed_on, reason, narrative, created_by, created_at, returned_reason, returned_by, returned_at";
            let row: UpdateRow = sqlx::query_as(INS)
                .bind(task_id)
                .bind(unit.id)
                .bind(scope.agency_id)
                .bind(new.status.as_str())
                .bind(new.percent.map(i64::from))
                .bind(new.completed_on.map(format_date))
                .bind(new.reason.as_deref().map(nfc).filter(|s| !s.is_empty()))
                .bind(&narrative)
                .bind(scope.user_id)
                .bind(&scope.actor)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            for (name, mime, size, sha) in &stored {
                const EV: &str = "INSERT INTO evidence (task_update_id, unit_id, file_name, mime, size, sha256, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
                sqlx::query(EV)
                    .bind(row.id)
                    .bind(unit.id)
                    .bind(name)
                    .bind(*mime)
                    .bind(*size)
                    .bind(sha)
                    .bind(&scope.actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(unit.id),
                    entity: "task",
                    entity_id: task_id.to_string(),
                    action: "progress",
                    field: Some("status"),
                    old_value: Some(task.row.status.clone()),
                    new_value: Some(format!(
                        "{} ({}%){}",
                        derived.as_str(),
                        new.percent.unwrap_or(0),
                        if stored.is_empty() { String::new() } else { format!(", {} tệp kiểm chứng", stored.len()) }
                    )),
                    ..Default::default()
                }
            );
            // Every row is written: move the files to their places just before the commit.
            staged.publish()?;
            row
        });
        Ok(row)
    }

    /// A higher level returns an update for correction at `at_ms`: it counts as not done until corrected. Audited.
    /// Returns the update as it was before (its task, unit and agency say whom to tell).
    pub async fn return_update(&self, scope: &Scope, update_id: i64, reason: &str, at_ms: i64) -> StoreResult<UpdateRow> {
        if !scope.can(Permission::Appraise) {
            return Err(StoreError::Forbidden("trả lại cập nhật để chỉnh sửa".into()));
        }
        let reason = nfc(reason);
        if reason.is_empty() {
            return Err(StoreError::Invalid("cần nêu lý do trả lại".into()));
        }
        check_len("lý do trả lại", &reason, MAX_NOTE_CHARS).map_err(StoreError::Invalid)?;
        const SQL: &str = "SELECT id, task_id, unit_id, agency_id, status, percent, completed_on, reason, narrative, created_by, created_at, returned_reason, returned_by, returned_at FROM task_update WHERE id = $1";
        let up: UpdateRow = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(update_id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("cập nhật #{update_id}")))?;
        let task = self.task(scope, up.task_id).await?;
        if up.created_by == scope.actor {
            return Err(StoreError::Forbidden("tự trả lại cập nhật của chính mình".into()));
        }
        let mut core = up.as_core();
        core.returned = Some(reason.clone());
        let derived = derive_status(task.row.due_date.as_deref().and_then(parse_date), Some(&core), day_of(at_ms)?);
        let now = at_ms;
        write_tx!(self, |tx| {
            const RET: &str = "UPDATE task_update SET returned_reason = $1, returned_by = $2, returned_at = $3 WHERE id = $4";
            sqlx::query(RET).bind(&reason).bind(&scope.actor).bind(now).bind(update_id).execute(&mut *tx).await?;
            const BUMP: &str = "UPDATE task SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3";
            sqlx::query(BUMP).bind(derived.as_str()).bind(now).bind(up.task_id).execute(&mut *tx).await?;
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(up.unit_id),
                    entity: "task",
                    entity_id: up.task_id.to_string(),
                    action: "return",
                    field: Some("status"),
                    old_value: Some(up.status.as_str().to_string()),
                    new_value: Some(derived.as_str().to_string()),
                    reason: Some(reason.clone()),
                }
            );
        });
        Ok(up)
    }

    /// The updates of a task, newest first, with their evidence.
    pub async fn task_updates(&self, scope: &Scope, task_id: i64) -> StoreResult<Vec<UpdateWithEvidence>> {
        self.task(scope, task_id).await?;
        const SQL: &str = "SELECT id, task_id, unit_id, agency_id, status, percent, completed_on, reason, narrative, created_by, created_at, returned_reason, returned_by, returned_at \
             FROM task_update WHERE task_id = $1 ORDER BY created_at DESC, id DESC";
        let ups: Vec<UpdateRow> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(task_id).fetch_all(p).await)?;
        const EV: &str = "SELECT e.id, e.task_update_id, e.unit_id, e.file_name, e.mime, e.size, e.sha256, e.uploaded_by, e.uploaded_at \
             FROM evidence e JOIN task_update u ON u.id = e.task_update_id WHERE u.task_id = $1 ORDER BY e.id";
        let evs: Vec<EvidenceRow> = on_db!(&self.read, |p| sqlx::query_as(EV).bind(task_id).fetch_all(p).await)?;
        Ok(ups
            .into_iter()
            .map(|u| {
                let evidence = evs.iter().filter(|e| e.task_update_id == u.id).cloned().collect();
                UpdateWithEvidence { update: u, evidence }
            })
            .collect())
    }

    /// An evidence file's metadata and bytes, never outside the scope.
    pub async fn evidence_file(&self, scope: &Scope, id: i64) -> StoreResult<(EvidenceRow, Vec<u8>)> {
        const SQL: &str =
            "SELECT id, task_update_id, unit_id, file_name, mime, size, sha256, uploaded_by, uploaded_at FROM evidence WHERE id = $1";
        let ev: EvidenceRow = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("tệp kiểm chứng #{id}")))?;
        self.unit_by_id(scope, ev.unit_id).await?;
        let path = self.file_path(&ev.sha256)?;
        let bytes = std::fs::read(&path).map_err(|e| StoreError::Unavailable(format!("không đọc được tệp kiểm chứng #{id}: {e}")))?;
        Ok((ev, bytes))
    }

    /// Tasks of the unit's plans for `year` (issued plans only), optionally only those an agency leads, each
    /// with its latest update made by the end of `as_of` and its derived status on that day.
    pub async fn task_progress(
        &self,
        scope: &Scope,
        unit: &Unit,
        year: i64,
        agency: Option<&Agency>,
        as_of: Date,
    ) -> StoreResult<Vec<TaskProgress>> {
        let plans = self.issued_plans_of(scope, unit, year).await?;
        let cutoff = end_of_day_ms(as_of);
        let mut out = Vec::new();
        for plan in plans {
            let tasks = self.tasks(scope, plan.id).await?;
            const LATEST: &str = "SELECT u.id, u.task_id, u.unit_id, u.agency_id, u.status, u.percent, u.completed_on, u.reason, u.narrative, u.created_by, u.created_at, \
                 u.returned_reason, u.returned_by, u.returned_at FROM task_update u JOIN task t ON t.id = u.task_id \
                 WHERE t.plan_id = $1 AND u.created_at <= $2 ORDER BY u.created_at, u.id";
            let ups: Vec<UpdateRow> = on_db!(&self.read, |pool| sqlx::query_as(LATEST).bind(plan.id).bind(cutoff).fetch_all(pool).await)?;
            let mut latest: HashMap<i64, UpdateRow> = HashMap::new();
            for u in ups {
                latest.insert(u.task_id, u);
            }
            const EVC: &str = "SELECT u.task_id, COUNT(e.id) FROM evidence e JOIN task_update u ON u.id = e.task_update_id JOIN task t ON t.id = u.task_id \
                 WHERE t.plan_id = $1 AND e.uploaded_at <= $2 GROUP BY u.task_id";
            let counts: Vec<(i64, i64)> = on_db!(&self.read, |pool| sqlx::query_as(EVC).bind(plan.id).bind(cutoff).fetch_all(pool).await)?;
            let counts: HashMap<i64, i64> = counts.into_iter().collect();
            for t in tasks {
                if let Some(a) = agency
                    && !agency_leads(t.row.lead_agency_id, t.row.lead_agency.as_deref(), a.id, &a.name)
                {
                    continue;
                }
                let up = latest.remove(&t.row.id);
                let status =
                    derive_status(t.row.due_date.as_deref().and_then(parse_date), up.as_ref().map(|u| u.as_core()).as_ref(), as_of);
                out.push(TaskProgress {
                    dimensions: task_dimensions(&t),
                    evidence_count: counts.get(&t.row.id).copied().unwrap_or(0),
                    plan_title: plan.title.clone(),
                    latest: up,
                    status,
                    task: t,
                });
            }
        }
        Ok(out)
    }

    /// Counts by status and dimension of a list of task progress lines.
    pub fn counts_of(progress: &[TaskProgress]) -> TaskCounts {
        let states: Vec<TaskState> = progress
            .iter()
            .map(|p| TaskState { code: p.task.row.code.clone(), dimensions: p.dimensions.clone(), status: p.status })
            .collect();
        TaskCounts::from_states(&states)
    }

    /// The report of a unit (or one of its agencies) for a period, if one was started or submitted.
    pub async fn report_of(&self, scope: &Scope, unit: &Unit, agency_id: Option<i64>, period: &str) -> StoreResult<Option<ReportRow>> {
        self.unit_by_id(scope, unit.id).await?;
        const SQL: &str = "SELECT id, unit_id, agency_id, period, window_from, window_to, due_date, narrative, status, summary, submitted_at, submitted_by, version, returned_reason, returned_by, returned_at, days_late \
             FROM report WHERE unit_id = $1 AND agency_key = $2 AND period = $3";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit.id).bind(agency_id.unwrap_or(0)).bind(period).fetch_optional(p).await)?)
    }

    pub async fn report_by_id(&self, scope: &Scope, id: i64) -> StoreResult<ReportRow> {
        const SQL: &str = "SELECT id, unit_id, agency_id, period, window_from, window_to, due_date, narrative, status, summary, submitted_at, submitted_by, version, returned_reason, returned_by, returned_at, days_late FROM report WHERE id = $1";
        let r: ReportRow = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await)?
            .ok_or_else(|| StoreError::NotFound(format!("báo cáo #{id}")))?;
        self.unit_by_id(scope, r.unit_id).await?;
        Ok(r)
    }

    /// The reports of a unit (or of its agency `agency_id`) that stand returned for correction, of any period,
    /// oldest period first: what its people have to correct and send again.
    pub async fn returned_reports(&self, scope: &Scope, unit: &Unit, agency_id: Option<i64>) -> StoreResult<Vec<ReportRow>> {
        self.unit_by_id(scope, unit.id).await?;
        const SQL: &str = "SELECT id, unit_id, agency_id, period, window_from, window_to, due_date, narrative, status, summary, submitted_at, submitted_by, version, returned_reason, returned_by, returned_at, days_late \
             FROM report WHERE unit_id = $1 AND agency_key = $2 AND status = 'returned' ORDER BY window_to, period";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit.id).bind(agency_id.unwrap_or(0)).fetch_all(p).await)?)
    }

    /// May this scope submit the report of `unit` (or of its agency `agency_id`)? Agency staff only their own
    /// agency's report.
    pub async fn check_may_submit(&self, scope: &Scope, unit: &Unit, agency_id: Option<i64>) -> StoreResult<()> {
        if !(scope.can(Permission::UpdateTasks) || scope.can(Permission::EditPlans)) {
            return Err(StoreError::Forbidden("gửi báo cáo".into()));
        }
        self.unit_by_id(scope, unit.id).await?;
        if let Some(aid) = agency_id {
            let a = self.agency_by_id(scope, aid).await?;
            if a.unit_id != unit.id {
                return Err(StoreError::Invalid("cơ quan không thuộc đơn vị".into()));
            }
            if scope.role == Role::AgencyStaff && scope.agency_id != Some(aid) {
                return Err(StoreError::Forbidden(format!("gửi báo cáo thay cho {}", a.name)));
            }
        } else if scope.role == Role::AgencyStaff {
            return Err(StoreError::Forbidden("gửi báo cáo của đơn vị (chỉ gửi được báo cáo của cơ quan mình)".into()));
        }
        Ok(())
    }

    /// Submit (or re-submit after a return) a unit's or agency's report for a period: the narrative, the
    /// task counts, and the submission time. Whether the period still accepts it is the caller's decision.
    pub async fn submit_report(&self, scope: &Scope, new: &NewReport<'_>) -> StoreResult<ReportRow> {
        let NewReport { unit, agency_id, period, window, due, narrative, summary, submitted_at_ms, on_time, days_late } = *new;
        self.check_may_submit(scope, unit, agency_id).await?;
        let existing = self.report_of(scope, unit, agency_id, period).await?;
        if existing.as_ref().is_some_and(|r| r.status == ReportState::Submitted) {
            return Err(StoreError::Conflict(format!("báo cáo kỳ {period} đã gửi")));
        }
        let summary_json = serde_json::to_string(summary).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let narrative = nfc(narrative);
        check_len("nội dung báo cáo", &narrative, MAX_NOTE_CHARS).map_err(StoreError::Invalid)?;
        let now = submitted_at_ms;
        let id = write_tx!(self, |tx| {
            let id: i64 = match &existing {
                Some(r) => {
                    const UPD: &str = "UPDATE report SET narrative = $1, status = 'submitted', summary = $2, submitted_at = $3, submitted_by = $4, due_date = $5, \
                         days_late = $9, version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8";
                    let n = sqlx::query(UPD)
                        .bind(&narrative)
                        .bind(&summary_json)
                        .bind(submitted_at_ms)
                        .bind(&scope.actor)
                        .bind(format_date(due))
                        .bind(now)
                        .bind(r.id)
                        .bind(r.version)
                        .bind(i64::from(days_late))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if n == 0 {
                        return Err(StoreError::Conflict("báo cáo vừa được người khác sửa".into()));
                    }
                    r.id
                }
                None => {
                    const INS: &str = "INSERT INTO report (unit_id, agency_key, agency_id, period, window_from, window_to, due_date, narrative, status, summary, submitted_at, submitted_by, version, created_at, updated_at, days_late) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9, $10, $11, 1, $12, $12, $13) RETURNING id";
                    sqlx::query_scalar(INS)
                        .bind(unit.id)
                        .bind(agency_id.unwrap_or(0))
                        .bind(agency_id)
                        .bind(period)
                        .bind(format_date(window.0))
                        .bind(format_date(window.1))
                        .bind(format_date(due))
                        .bind(&narrative)
                        .bind(&summary_json)
                        .bind(submitted_at_ms)
                        .bind(&scope.actor)
                        .bind(now)
                        .bind(i64::from(days_late))
                        .fetch_one(&mut *tx)
                        .await?
                }
            };
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(unit.id),
                    entity: "report",
                    entity_id: id.to_string(),
                    action: "submit",
                    field: Some("status"),
                    old_value: existing.as_ref().map(|r| r.status.as_str().to_string()),
                    new_value: Some(format!(
                        "submitted {period}{}",
                        if on_time { " (đúng hạn)".to_string() } else { format!(" (muộn {days_late} ngày)") }
                    )),
                    ..Default::default()
                }
            );
            id
        });
        self.report_by_id(scope, id).await
    }

    /// Return a submitted report for correction at `at_ms` (audited); it then counts as not received.
    /// Returns the report as it was before (its unit, agency and period say whom to tell).
    pub async fn return_report(&self, scope: &Scope, report_id: i64, reason: &str, at_ms: i64) -> StoreResult<ReportRow> {
        if !scope.can(Permission::Appraise) {
            return Err(StoreError::Forbidden("trả lại báo cáo".into()));
        }
        let r = self.report_by_id(scope, report_id).await?;
        let unit = self.unit_by_id(scope, r.unit_id).await?;
        // A unit's own report goes to its parent: only a higher level returns it (agency reports go to the unit).
        if !chiso_core::progress::may_return_report(scope, &unit.path, r.agency_id.is_some()) {
            return Err(StoreError::Forbidden("tự trả lại báo cáo của đơn vị mình".into()));
        }
        let reason = nfc(reason);
        if reason.is_empty() {
            return Err(StoreError::Invalid("cần nêu lý do trả lại".into()));
        }
        check_len("lý do trả lại", &reason, MAX_NOTE_CHARS).map_err(StoreError::Invalid)?;
        write_tx!(self, |tx| {
            const UPD: &str = "UPDATE report SET status = 'returned', submitted_at = NULL, returned_reason = $3, returned_by = $4, \
                 returned_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'submitted'";
            let n = sqlx::query(UPD).bind(at_ms).bind(report_id).bind(&reason).bind(&scope.actor).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("báo cáo chưa gửi hoặc đã bị trả lại".into()));
            }
            audit!(
                tx,
                scope,
                Change {
                    unit_id: Some(r.unit_id),
                    entity: "report",
                    entity_id: report_id.to_string(),
                    action: "return",
                    field: Some("status"),
                    old_value: Some(r.status.as_str().to_string()),
                    new_value: Some(ReportState::Returned.as_str().into()),
                    reason: Some(reason.clone()),
                }
            );
        });
        Ok(r)
    }

    /// Reports received by `unit` and submitted since `since_ms`, newest first: its direct children's own
    /// reports and its agencies' reports (what a reviewer of the unit has to read). At most `limit`.
    pub async fn received_reports(&self, scope: &Scope, unit: &Unit, since_ms: i64, limit: i64) -> StoreResult<Vec<ReceivedReport>> {
        self.unit_by_id(scope, unit.id).await?;
        const SQL: &str = "SELECT r.id, r.unit_id, u.code AS unit_code, u.name AS unit_name, r.agency_id, a.name AS agency_name, r.period, r.submitted_at \
             FROM report r JOIN unit u ON u.id = r.unit_id LEFT JOIN agency a ON a.id = r.agency_id \
             WHERE r.status = 'submitted' AND r.submitted_at >= $1 \
               AND ((u.parent_id = $2 AND r.agency_id IS NULL) OR (r.unit_id = $2 AND r.agency_id IS NOT NULL)) \
             ORDER BY r.submitted_at DESC, r.id DESC LIMIT $3";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(since_ms).bind(unit.id).bind(limit).fetch_all(p).await)?)
    }

    /// What a unit has recorded, for choosing the period a page opens on: when task updates of its issued
    /// plans were made (with the plan's year, Unix ms), the periods reports were filed for by it, its agencies or its direct children
    /// (codes that do not parse are skipped), and the years of its issued plans. Each list sorted, no repeats.
    pub async fn unit_activity(&self, scope: &Scope, unit: &Unit) -> StoreResult<UnitActivity> {
        self.unit_by_id(scope, unit.id).await?;
        const UPDATES: &str = "SELECT DISTINCT p.year, u.created_at FROM task_update u JOIN task t ON t.id = u.task_id JOIN plan p ON p.id = t.plan_id \
             WHERE p.unit_id = $1 AND p.status = 'issued' ORDER BY p.year, u.created_at";
        // A unit's pages cover its subtree (a province's dashboard counts its communes): the periods reported
        // and the plan years anywhere below it count as its data, not only its own (a province whose own plan
        // is a draft still has the years of its districts' and communes' plans to pick from).
        const REPORTS: &str =
            "SELECT DISTINCT r.period FROM unit u JOIN report r ON r.unit_id = u.id WHERE u.path LIKE $1 || '%' ORDER BY 1";
        const YEARS: &str = "SELECT DISTINCT p.year FROM plan p JOIN unit u ON u.id = p.unit_id \
             WHERE u.path LIKE $1 || '%' AND p.status = 'issued' ORDER BY 1";
        let path = unit.path.as_str();
        let update_ms: Vec<(i64, i64)> = on_db!(&self.read, |p| sqlx::query_as(UPDATES).bind(unit.id).fetch_all(p).await)?;
        let periods: Vec<String> = on_db!(&self.read, |p| sqlx::query_scalar(REPORTS).bind(path).fetch_all(p).await)?;
        let plan_years: Vec<i64> = on_db!(&self.read, |p| sqlx::query_scalar(YEARS).bind(path).fetch_all(p).await)?;
        let mut reported: Vec<Period> = periods.iter().filter_map(|c| Period::parse(c).ok()).collect();
        reported.sort();
        reported.dedup();
        Ok(UnitActivity { update_ms, reported, plan_years })
    }

    /// Agencies of a unit that lead at least one task of its issued plans for `year`: they owe reports.
    pub async fn reporting_agencies(&self, scope: &Scope, unit: &Unit, year: i64) -> StoreResult<Vec<Agency>> {
        let agencies = self.agencies(scope, unit.id).await?;
        if agencies.is_empty() {
            return Ok(agencies);
        }
        let tasks = self.task_progress(scope, unit, year, None, Date::MAX).await?;
        Ok(agencies
            .into_iter()
            .filter(|a| tasks.iter().any(|t| agency_leads(t.task.row.lead_agency_id, t.task.row.lead_agency.as_deref(), a.id, &a.name)))
            .collect())
    }

    /// The report deadlines read from a plan's document when it was stored, or None when they were never
    /// recorded (a plan stored before they were kept: the caller computes and records them).
    pub async fn plan_report_deadlines(&self, plan_id: i64) -> StoreResult<Option<Vec<PlanDeadline>>> {
        const SQL: &str = "SELECT deadlines FROM plan_report_deadlines WHERE plan_id = $1";
        let json: Option<String> = on_db!(&self.read, |p| sqlx::query_scalar(SQL).bind(plan_id).fetch_optional(p).await)?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Invalid(format!("hạn báo cáo của kế hoạch #{plan_id}: {e}"))))
            .transpose()
    }

    /// Record a plan's report deadlines (once: a second writer, e.g. two servers reading an old plan at the
    /// same time, changes nothing).
    pub async fn set_plan_report_deadlines(&self, plan_id: i64, deadlines: &[PlanDeadline], at_ms: i64) -> StoreResult<()> {
        const SQL: &str =
            "INSERT INTO plan_report_deadlines (plan_id, deadlines, computed_at) VALUES ($1, $2, $3) ON CONFLICT (plan_id) DO NOTHING";
        let json = serde_json::to_string(deadlines).map_err(|e| StoreError::Invalid(e.to_string()))?;
        on_db!(&self.write, |p| sqlx::query(SQL).bind(plan_id).bind(&json).bind(at_ms).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// One task of a subtree as it stands on a day: whose plan it is, who leads it, what it serves, its status
/// (core's `derive_status` on its latest update by then) — what the status tree counts, without the task's
/// text, updates or evidence.
#[derive(Debug, Clone)]
pub struct TaskLine {
    pub task_id: i64,
    /// The unit whose plan holds the task.
    pub unit_id: i64,
    pub lead_agency_id: Option<i64>,
    pub lead_agency: Option<String>,
    pub dimensions: Vec<String>,
    pub status: TaskStatus,
}

/// What the status tree of a unit needs about its whole subtree for one period, read in five queries
/// whatever the number of units (see [`Store::subtree_status`]).
#[derive(Debug, Clone, Default)]
pub struct SubtreeStatus {
    /// The units below the root (not the root) in force in the year, by name.
    pub units: Vec<Unit>,
    /// The agencies of the root and of every unit below it, by name.
    pub agencies: Vec<Agency>,
    /// The tasks of the issued plans of the year of the root and every unit below it.
    pub tasks: Vec<TaskLine>,
    /// The reports of the period of the root, the units below it and their agencies.
    pub reports: Vec<ReportRow>,
}

impl SubtreeStatus {
    /// The direct children of a unit, in force in the year, by name (as [`Store::child_units_in_year`]).
    pub fn children_of(&self, unit_id: i64) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.parent_id == Some(unit_id))
    }

    /// A unit's agencies, by name (as [`Store::agencies`]).
    pub fn agencies_of(&self, unit_id: i64) -> impl Iterator<Item = &Agency> {
        self.agencies.iter().filter(move |a| a.unit_id == unit_id)
    }

    /// The tasks of a unit's own plans (as [`Store::task_progress`] without an agency).
    pub fn tasks_of(&self, unit_id: i64) -> impl Iterator<Item = &TaskLine> {
        self.tasks.iter().filter(move |t| t.unit_id == unit_id)
    }

    /// The report of a unit (or one of its agencies) for the period (as [`Store::report_of`]).
    pub fn report_of(&self, unit_id: i64, agency_id: Option<i64>) -> Option<&ReportRow> {
        self.reports.iter().find(|r| r.unit_id == unit_id && r.agency_id.unwrap_or(0) == agency_id.unwrap_or(0))
    }

    /// Counts by status and dimension of task lines.
    pub fn counts<'a>(lines: impl IntoIterator<Item = &'a TaskLine>) -> TaskCounts {
        let states: Vec<TaskState> = lines
            .into_iter()
            .map(|t| TaskState { code: t.task_id.to_string(), dimensions: t.dimensions.clone(), status: t.status })
            .collect();
        TaskCounts::from_states(&states)
    }
}

impl Store {
    /// Everything the status tree of `unit` for `year` / `period` needs about its subtree, as of the end of
    /// `as_of`: units in force, agencies, task states and reports, each read by one query over the unit path
    /// (`path LIKE prefix`), not per unit. The root must be within the scope; its subtree then is too.
    pub async fn subtree_status(&self, scope: &Scope, unit: &Unit, year: i64, period: &str, as_of: Date) -> StoreResult<SubtreeStatus> {
        self.unit_by_id(scope, unit.id).await?;
        let path = unit.path.as_str();
        const UNITS: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit \
             WHERE path LIKE $1 || '%' AND id <> $2 AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $4) ORDER BY name";
        let start = format!("{year}-12-31");
        let end = format!("{year}-01-01");
        let units: Vec<Unit> =
            on_db!(&self.read, |p| sqlx::query_as(UNITS).bind(path).bind(unit.id).bind(&start).bind(&end).fetch_all(p).await)?;
        const AGENCIES: &str = "SELECT a.id, a.unit_id, a.name, a.kind FROM agency a JOIN unit u ON u.id = a.unit_id WHERE u.path LIKE $1 || '%' ORDER BY a.name";
        let agencies: Vec<Agency> = on_db!(&self.read, |p| sqlx::query_as(AGENCIES).bind(path).fetch_all(p).await)?;
        // The tasks `task_progress` reads: of issued plans of the year (or spanning it), each with its latest
        // update made by the cutoff — the greatest (created_at, id).
        const TASKS: &str = "SELECT t.id, p.unit_id, t.lead_agency_id, t.lead_agency, t.due_date, lu.status, lu.percent, lu.completed_on, lu.reason, \
             lu.returned_reason FROM task t JOIN plan p ON p.id = t.plan_id JOIN unit un ON un.id = p.unit_id \
             LEFT JOIN task_update lu ON lu.id = (SELECT u2.id FROM task_update u2 WHERE u2.task_id = t.id AND u2.created_at <= $3 \
             ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1) \
             WHERE un.path LIKE $1 || '%' AND (p.year = $2 OR (p.year <= $2 AND p.year_to >= $2)) AND p.status = 'issued'";
        const NODES: &str = "SELECT t.id, n.node_code FROM task_node n JOIN task t ON t.id = n.task_id JOIN plan p ON p.id = t.plan_id \
             JOIN unit un ON un.id = p.unit_id \
             WHERE un.path LIKE $1 || '%' AND (p.year = $2 OR (p.year <= $2 AND p.year_to >= $2)) AND p.status = 'issued'";
        type Row = (
            i64,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let cutoff = end_of_day_ms(as_of);
        let rows: Vec<Row> = on_db!(&self.read, |p| sqlx::query_as(TASKS).bind(path).bind(year).bind(cutoff).fetch_all(p).await)?;
        let nodes: Vec<(i64, String)> = on_db!(&self.read, |p| sqlx::query_as(NODES).bind(path).bind(year).fetch_all(p).await)?;
        let mut dims: HashMap<i64, Vec<String>> = HashMap::new();
        for (task_id, code) in nodes {
            dims.entry(task_id).or_default().push(chiso_core::plan::dimension_of(&code));
        }
        let mut tasks = Vec::with_capacity(rows.len());
        for (task_id, unit_id, lead_agency_id, lead_agency, due, status, percent, completed_on, reason, returned) in rows {
            let update = match status {
                Some(s) => Some(TaskUpdate {
                    status: Some(TaskStatus::try_from(s).map_err(|e| StoreError::Invalid(e.to_string()))?),
                    percent: percent.map(|p| p.clamp(0, 100) as u8),
                    completed_on: completed_on.as_deref().and_then(parse_date),
                    reason,
                    returned,
                }),
                None => None,
            };
            let status = derive_status(due.as_deref().and_then(parse_date), update.as_ref(), as_of);
            let mut d = dims.remove(&task_id).unwrap_or_default();
            d.sort();
            d.dedup();
            tasks.push(TaskLine { task_id, unit_id, lead_agency_id, lead_agency, dimensions: d, status });
        }
        const REPORTS: &str = "SELECT r.id, r.unit_id, r.agency_id, r.period, r.window_from, r.window_to, r.due_date, r.narrative, r.status, r.summary, \
             r.submitted_at, r.submitted_by, r.version, r.returned_reason, r.returned_by, r.returned_at, r.days_late FROM report r JOIN unit u ON u.id = r.unit_id WHERE u.path LIKE $1 || '%' AND r.period = $2";
        let reports: Vec<ReportRow> = on_db!(&self.read, |p| sqlx::query_as(REPORTS).bind(path).bind(period).fetch_all(p).await)?;
        Ok(SubtreeStatus { units, agencies, tasks, reports })
    }
}
