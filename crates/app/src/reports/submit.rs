//! Submitting a report (on time or late, refused once its period is locked) and returning one.

use super::Reports;
use crate::clock::date_vn;
use crate::{ErrorKind, Failure, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::period::Period;
use chiso_core::progress::{Deadline, ReportState, VIETNAM_OFFSET};
use chiso_core::text::vn_date_short;
use chiso_store::progress::{NewReport, ReportRow};
use chiso_store::units::Unit;
use chiso_store::{Store, StoreError};
use time::Date;

/// Why a report was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The period has no reporting schedule (an ad hoc period no plan sets).
    #[error("kỳ {0} không có lịch báo cáo")]
    NoSchedule(String),
    /// The schedule sets no due date this reporter could be held to.
    #[error("kỳ báo cáo không có hạn")]
    NoDeadline,
    /// The grace after the due date has passed (and the report was not returned for correction). `period` is
    /// the period's Vietnamese label.
    #[error("Kỳ báo cáo {period} đã khóa từ ngày {}; không nhận báo cáo mới nữa (chỉ báo cáo bị trả lại mới được sửa và gửi lại)", vn_date_short(*locked_after))]
    Locked { period: String, locked_after: Date },
    /// Already submitted and not returned for correction (the period's Vietnamese label).
    #[error("Báo cáo {0} đã gửi; chỉ gửi lại được khi cấp trên trả lại để chỉnh sửa")]
    AlreadySubmitted(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Failure for SubmitError {
    fn kind(&self) -> ErrorKind {
        match self {
            SubmitError::NoSchedule(_) | SubmitError::NoDeadline => ErrorKind::Invalid,
            SubmitError::Locked { .. } | SubmitError::AlreadySubmitted(_) => ErrorKind::Conflict,
            SubmitError::Store(e) => e.kind(),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            SubmitError::NoSchedule(_) => "no_schedule",
            SubmitError::NoDeadline => "no_deadline",
            SubmitError::Locked { .. } => "locked",
            SubmitError::AlreadySubmitted(_) => "already_submitted",
            SubmitError::Store(e) => e.code(),
        }
    }
}

impl Reports<'_> {
    /// Compile and submit the report of `unit` (or of its agency `agency_id`) for `period`, now by the
    /// application's clock: the task counts as of today (or the end of the data window), the narrative, and
    /// core's judgement of on time or late with the days after the due date. Refused once the period is locked
    /// (core's `Deadline`), except a report returned for correction, which is corrected and sent again late. The
    /// level the report goes to is notified (a resubmission says so).
    pub async fn submit(
        &self,
        scope: &Scope,
        unit: &Unit,
        agency_id: Option<i64>,
        period: Period,
        narrative: &str,
    ) -> Result<ReportRow, SubmitError> {
        let store = &self.app.store;
        let schedule = self.schedule_for(unit, period.year()).await?;
        let sp = self.period_schedule(&schedule, period).ok_or_else(|| SubmitError::NoSchedule(period.code()))?;
        let due = match agency_id {
            Some(_) => sp.due_for_agency_of(&unit.level),
            None => sp.due_for(&unit.level),
        }
        .or(sp.dues.last().map(|d| d.due))
        .ok_or(SubmitError::NoDeadline)?;
        let deadline = Deadline::new(due, schedule.lock_grace_working_days, &self.app.calendar);
        let agency = match agency_id {
            Some(id) => Some(store.agency_by_id(scope, id).await?),
            None => None,
        };
        store.check_may_submit(scope, unit, agency_id).await?;
        let at_ms = self.app.now_ms();
        let at = super::utc(at_ms).ok_or_else(|| StoreError::Invalid(format!("thời điểm {at_ms} không hợp lệ")))?;
        let day = date_vn(at_ms).unwrap_or_else(|| at.to_offset(VIETNAM_OFFSET).date());
        let stored = store.report_of(scope, unit, agency_id, &period.code()).await?.map(|r| r.status);
        if stored == Some(ReportState::Submitted) {
            return Err(SubmitError::AlreadySubmitted(period.label_vi()));
        }
        // After the lock only a report returned for correction is taken (core's rule), and its lateness kept.
        if !deadline.accepts(day, stored) {
            return Err(SubmitError::Locked { period: period.label_vi(), locked_after: deadline.locked_after });
        }
        let tasks = store.task_progress(scope, unit, i64::from(period.year()), agency.as_ref(), day.min(sp.window.to)).await?;
        let counts = Store::counts_of(&tasks);
        let report = NewReport {
            unit,
            agency_id,
            period: &period.code(),
            window: (sp.window.from, sp.window.to),
            due,
            narrative,
            summary: &counts,
            submitted_at_ms: at_ms,
            on_time: deadline.is_on_time(at),
            days_late: deadline.days_late(at),
        };
        let row = store.submit_report(scope, &report).await?;
        crate::notices::report_submitted(self.app, scope, &row, unit, agency.as_ref().map(|a| a.name.as_str())).await;
        Ok(row)
    }

    /// Return a submitted report for correction (it then counts as not received); the reporting unit (or
    /// agency) is notified.
    pub async fn return_report(&self, scope: &Scope, report_id: i64, reason: &str) -> ServiceResult<()> {
        let r = self.app.store.return_report(scope, report_id, reason, self.app.now_ms()).await?;
        let unit = self.app.store.unit_by_id(scope, r.unit_id).await?;
        crate::notices::report_returned(self.app, scope, &r, &unit, reason.trim()).await;
        Ok(())
    }
}
