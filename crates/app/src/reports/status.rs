//! The status tree of a unit for a period and the report status document.

use super::{Reports, utc};
use crate::{ServiceError, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::period::{Period, ScheduledPeriod};
use chiso_core::progress::{OwnReport, ReportState, ReportStatus, ReporterKind, StatusNode, agency_leads, report_status};
use chiso_store::progress::{ReportRow, TaskProgress};
use chiso_store::units::Unit;
use chiso_store::{Store, StoreError};
use std::future::Future;
use std::pin::Pin;
use time::{Date, OffsetDateTime};

/// When a report was submitted, if it stands submitted.
pub(super) fn submitted_at(r: &Option<ReportRow>) -> Option<OffsetDateTime> {
    r.as_ref().filter(|r| r.status == ReportState::Submitted).and_then(|r| r.submitted_at).and_then(utc)
}

type NodeFuture<'a> = Pin<Box<dyn Future<Output = Result<StatusNode, StoreError>> + Send + 'a>>;

/// The status tree of a unit for a period: its own tasks (those no reporting agency leads), its agencies
/// (with the tasks they lead), and its child units in force (recursively, `depth` levels), each with its
/// report.
pub(super) fn status_node<'a>(
    store: &'a Store,
    scope: &'a Scope,
    unit: &'a Unit,
    period: Period,
    sp: &'a ScheduledPeriod,
    as_of: Date,
    depth: usize,
) -> NodeFuture<'a> {
    Box::pin(async move {
        let year = i64::from(period.year());
        let status_day = as_of.min(sp.window.to);
        let progress = store.task_progress(scope, unit, year, None, status_day).await?;
        let led_by = |t: &TaskProgress, a: &chiso_store::units::Agency| {
            agency_leads(t.task.row.lead_agency_id, t.task.row.lead_agency.as_deref(), a.id, &a.name)
        };
        // The agencies that owe reports: those leading a task of the year's plans (what
        // `Store::reporting_agencies` says, read from the tasks already loaded instead of loading them again).
        let agencies: Vec<chiso_store::units::Agency> =
            store.agencies(scope, unit.id).await?.into_iter().filter(|a| progress.iter().any(|t| led_by(t, a))).collect();
        let own: Vec<TaskProgress> = progress.iter().filter(|t| !agencies.iter().any(|a| led_by(t, a))).cloned().collect();
        let own_report = match sp.due_for(&unit.level) {
            Some(due) => Some(OwnReport { due, submitted_at: submitted_at(&store.report_of(scope, unit, None, &period.code()).await?) }),
            None => None,
        };
        let mut children = Vec::new();
        for a in &agencies {
            let tasks: Vec<TaskProgress> = progress.iter().filter(|t| led_by(t, a)).cloned().collect();
            let due = sp.due_for_agency_of(&unit.level).or(sp.dues.first().map(|d| d.due));
            children.push(StatusNode {
                code: format!("{}#{}", unit.code, a.id),
                name: a.name.clone(),
                kind: ReporterKind::Agency,
                level: unit.level.clone(),
                own_report: match due {
                    Some(due) => Some(OwnReport {
                        due,
                        submitted_at: submitted_at(&store.report_of(scope, unit, Some(a.id), &period.code()).await?),
                    }),
                    None => None,
                },
                tasks: Store::counts_of(&tasks),
                children: Vec::new(),
            });
        }
        if depth > 0 {
            for child in store.child_units_in_year(scope, unit, year).await? {
                children.push(status_node(store, scope, &child, period, sp, as_of, depth - 1).await?);
            }
        }
        Ok(StatusNode {
            code: unit.code.clone(),
            name: unit.name.clone(),
            kind: ReporterKind::Unit,
            level: unit.level.clone(),
            own_report,
            tasks: Store::counts_of(&own),
            children,
        })
    })
}

impl Reports<'_> {
    /// The report status of a unit for a period (`chiso report status`, `/api/v1/reports/status`): its reports
    /// expected, received, on time, late and missing, and task counts, for the unit and each child, as of
    /// `as_of` (default: today by the application's clock).
    pub async fn status(&self, scope: &Scope, unit_code: &str, period: &str, as_of: Option<Date>) -> ServiceResult<ReportStatus> {
        let store = &self.app.store;
        let unit = store.unit_by_code(scope, unit_code).await?;
        let period = Period::parse(period).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let schedule = self.schedule_for(&unit, period.year()).await?;
        let sp = self.scheduled(&schedule, period)?;
        let as_of = as_of.unwrap_or_else(|| self.app.today());
        let root = status_node(store, scope, &unit, period, &sp, as_of, 2).await?;
        Ok(report_status(period, Some(sp.window), &root, as_of))
    }
}
