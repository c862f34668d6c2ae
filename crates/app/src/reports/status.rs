//! The status tree of a unit for a period and the report status document.

use super::{Reports, utc};
use crate::figures::FigureKey;
use crate::{ServiceError, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::period::{Period, ScheduledPeriod};
use chiso_core::progress::{OwnReport, ReportState, ReportStatus, ReporterKind, StatusNode, agency_leads_folded, report_status};
use chiso_core::text::fold;
use chiso_store::progress::{ReportRow, SubtreeStatus, TaskLine};
use chiso_store::units::{Agency, Unit};
use chiso_store::{Store, StoreError};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// When a report was submitted, if it stands submitted.
pub(super) fn submitted_at(r: &Option<ReportRow>) -> Option<OffsetDateTime> {
    r.as_ref().filter(|r| r.status == ReportState::Submitted).and_then(|r| r.submitted_at).and_then(utc)
}

/// The status tree of a unit for a period: its own tasks (those no reporting agency leads), its agencies
/// (with the tasks they lead), and its child units in force (recursively, `depth` levels), each with its
/// report. Built from the subtree read once ([`Store::subtree_status`]: a handful of queries over the unit
/// path), not unit by unit.
pub(super) fn status_node(sub: &SubtreeStatus, unit: &Unit, sp: &ScheduledPeriod, depth: usize) -> StatusNode {
    // Names folded once per task and per agency, not once per (task, agency) pair.
    let tasks: Vec<(&TaskLine, Option<String>)> = sub.tasks_of(unit.id).map(|t| (t, t.lead_agency.as_deref().map(fold))).collect();
    let folded: HashMap<i64, String> = sub.agencies_of(unit.id).map(|a| (a.id, fold(&a.name))).collect();
    let led_by = |(t, lead): &(&TaskLine, Option<String>), a: &Agency| {
        agency_leads_folded(t.lead_agency_id, lead.as_deref(), a.id, folded.get(&a.id).map(String::as_str).unwrap_or_default())
    };
    // The agencies that owe reports: those leading a task of the year's plans (what
    // `Store::reporting_agencies` says, read from the tasks already loaded).
    let agencies: Vec<&Agency> = sub.agencies_of(unit.id).filter(|a| tasks.iter().any(|t| led_by(t, a))).collect();
    let own = tasks.iter().filter(|t| !agencies.iter().any(|a| led_by(t, a))).map(|(t, _)| *t);
    let own_report =
        sp.due_for(&unit.level).map(|due| OwnReport { due, submitted_at: submitted_at(&sub.report_of(unit.id, None).cloned()) });
    let mut children = Vec::new();
    for a in &agencies {
        let due = sp.due_for_agency_of(&unit.level).or(sp.dues.first().map(|d| d.due));
        children.push(StatusNode {
            code: format!("{}#{}", unit.code, a.id),
            name: a.name.clone(),
            kind: ReporterKind::Agency,
            level: unit.level.clone(),
            own_report: due.map(|due| OwnReport { due, submitted_at: submitted_at(&sub.report_of(unit.id, Some(a.id)).cloned()) }),
            tasks: SubtreeStatus::counts(tasks.iter().filter(|t| led_by(t, a)).map(|(t, _)| *t)),
            children: Vec::new(),
        });
    }
    if depth > 0 {
        for child in sub.children_of(unit.id) {
            children.push(status_node(sub, child, sp, depth - 1));
        }
    }
    StatusNode {
        code: unit.code.clone(),
        name: unit.name.clone(),
        kind: ReporterKind::Unit,
        level: unit.level.clone(),
        own_report,
        tasks: SubtreeStatus::counts(own),
        children,
    }
}

/// The subtree of a unit as of `as_of` (within the period's data window).
pub(super) async fn subtree(
    store: &Store,
    scope: &Scope,
    unit: &Unit,
    period: Period,
    sp: &ScheduledPeriod,
    as_of: Date,
) -> Result<SubtreeStatus, StoreError> {
    store.subtree_status(scope, unit, i64::from(period.year()), &period.code(), as_of.min(sp.window.to)).await
}

impl Reports<'_> {
    /// The report status of a unit for a period (`chiso report status`, `/api/v1/reports/status`): its reports
    /// expected, received, on time, late and missing, and task counts, for the unit and each child, as of
    /// `as_of` (default: today by the application's clock).
    pub async fn status(&self, scope: &Scope, unit_code: &str, period: &str, as_of: Option<Date>) -> ServiceResult<ReportStatus> {
        let store = &self.app.store;
        let unit = store.unit_by_code(scope, unit_code).await?;
        let period = Period::parse(period).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let as_of = as_of.unwrap_or_else(|| self.app.today());
        // Kept while nothing below the unit (or in its chain) changes, like the pages' figures.
        let revision = store.subtree_revision(scope, Some(&unit)).await?;
        let key = FigureKey { kind: "report-status", unit_id: unit.id, detail: format!("{}|{as_of}", period.code()) };
        let status = self
            .app
            .figures
            .get_or_compute(key, revision, || async {
                let schedule = self.schedule_for(&unit, period.year()).await?;
                let sp = self.scheduled(&schedule, period)?;
                let sub = subtree(store, scope, &unit, period, &sp, as_of).await?;
                let root = status_node(&sub, &unit, &sp, 2);
                Ok::<_, ServiceError>(report_status(period, Some(sp.window), &root, as_of))
            })
            .await?;
        Ok(status.as_ref().clone())
    }
}
