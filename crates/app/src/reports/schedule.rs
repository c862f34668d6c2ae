//! A unit's reporting schedule, from the deadlines stored with the plans of the unit and its ancestors.

use super::Reports;
use crate::{ServiceError, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::period::{Period, PlanDeadline, Schedule, SchedulePolicy, ScheduledPeriod, report_deadlines, schedule_from_deadlines_with};
use chiso_store::StoreError;
use chiso_store::plans::Plan;
use chiso_store::units::Unit;

impl Reports<'_> {
    /// The reporting schedule that applies to a unit in a year: read from the deadlines of the nearest issued
    /// plan of the unit or an ancestor that sets any ("communes report to Phòng Nội vụ before 05/06"), else
    /// the default of Nghị định 09/2019. Schedules are not confidential, so this reads with a system scope.
    pub async fn schedule_for(&self, unit: &Unit, year: i32) -> Result<Schedule, StoreError> {
        let store = &self.app.store;
        let cal = &*self.app.calendar;
        let sys = Scope::system("schedule");
        let mut chain = vec![unit.clone()];
        chain.extend(store.unit_ancestors(&sys, unit).await?.into_iter().rev());
        for (i, u) in chain.iter().enumerate() {
            for (plan_id, stored) in store.issued_plan_deadlines(u.id, i64::from(year)).await? {
                // A plan stored before its deadlines were kept: read them from its document now, once.
                let deadlines = match stored {
                    Some(d) => d,
                    None => self.record_deadlines(&store.plan(&sys, plan_id).await?).await?,
                };
                let pairs = PlanDeadline::pairs_for(&deadlines, year);
                if pairs.is_empty() {
                    continue;
                }
                let policy = self.policy_for_plan_of(u, &chain[i + 1..], year).await?;
                let s = schedule_from_deadlines_with(year, &pairs, &policy, cal);
                if !s.periods.is_empty() {
                    return Ok(s.or_nd09(&SchedulePolicy::default(), cal));
                }
            }
        }
        Ok(Schedule::nd09(year, &SchedulePolicy::default(), cal))
    }

    /// The schedule of one period: the unit's, else the Nghị định 09 default (None for an ad hoc period the
    /// schedule does not list).
    pub(super) fn period_schedule(&self, schedule: &Schedule, period: Period) -> Option<ScheduledPeriod> {
        schedule.get(period).cloned().or_else(|| ScheduledPeriod::nd09(period, &SchedulePolicy::default(), &self.app.calendar))
    }

    /// [`Reports::period_schedule`], failing when the period has no schedule.
    pub fn scheduled(&self, schedule: &Schedule, period: Period) -> ServiceResult<ScheduledPeriod> {
        self.period_schedule(schedule, period).ok_or_else(|| ServiceError::Invalid(format!("kỳ {} không có lịch báo cáo", period.code())))
    }

    /// Who reports to whom under a plan of `unit` (whose ancestors are `ancestors`, nearest first): from the
    /// unit levels the store holds and the unit's children in force — levels are data.
    async fn policy_for_plan_of(&self, unit: &Unit, ancestors: &[Unit], year: i32) -> Result<SchedulePolicy, StoreError> {
        let store = &self.app.store;
        let levels = store.unit_levels().await?;
        let by_depth: Vec<&str> = levels.iter().map(|l| l.code.as_str()).collect();
        let children = store.child_units_in_year(&Scope::system("schedule"), unit, i64::from(year)).await?;
        let child_levels: Vec<&str> = children.iter().map(|c| c.level.as_str()).collect();
        let path: Vec<&str> = std::iter::once(unit).chain(ancestors).map(|u| u.level.as_str()).collect();
        Ok(SchedulePolicy::default().for_plan_of(&path, &child_levels, &by_depth))
    }

    /// Read a plan's report deadlines from its document (core's reader) and keep them with the plan. Called
    /// when a plan is imported; a document that cannot be read sets no deadlines (recorded as none).
    pub async fn record_deadlines(&self, plan: &Plan) -> Result<Vec<PlanDeadline>, StoreError> {
        let document: serde_json::Value = serde_json::from_str(&plan.document).unwrap_or_default();
        let deadlines = report_deadlines(&document);
        self.app.store.set_plan_report_deadlines(plan.id, &deadlines, self.app.now_ms()).await?;
        Ok(deadlines)
    }
}
