//! The overview of a unit's children for a period — the Ministry's view of every province, a province's view
//! of every commune: each child's plans issued on time, its tasks by dimension, its reports on time, late and
//! missing. Read by a handful of grouped queries ([`chiso_store::Store::overview_facts`]) whatever the number of units,
//! judged by core's rules.

use super::views::PeriodChoice;
use super::{Reports, utc};
use crate::figures::FigureKey;
use crate::{ServiceError, ServiceResult};
use chiso_core::access::{Reach, Scope};
use chiso_core::period::{Activity, Frequency, Period, Schedule, SchedulePolicy, ScheduledPeriod, default_period, picker_periods};
use chiso_core::plan::dimension_of;
use chiso_core::progress::{
    OverviewLine, PlanIssue, PlanIssueCounts, SubmissionCounts, TaskCounts, add_tasks, agency_leads_folded, submission,
};
use chiso_core::text::fold;
use chiso_store::StoreError;
use chiso_store::overview::{OverviewFacts, OverviewRoot};
use chiso_store::units::Unit;
use std::collections::HashMap;
use std::sync::Arc;
use time::Date;

/// The code that asks for the whole country (`/overview?unit=toan-quoc`); no unit has it.
pub const NATIONAL: &str = "toan-quoc";

/// A task's lead: the agency's id, and its name folded.
type Lead = (Option<i64>, Option<String>);

/// Everything the overview page shows.
pub struct Overview {
    /// The unit looked at; None for the whole country.
    pub root: Option<Unit>,
    pub period: Period,
    pub choice: PeriodChoice,
    pub scheduled: ScheduledPeriod,
    /// The day reports are judged on (today); tasks are counted as of the end of the period's data window
    /// when that is earlier.
    pub as_of: Date,
    /// One line per child in force, by name, with its unit.
    pub lines: Vec<(Unit, OverviewLine)>,
    pub plans: PlanIssueCounts,
    pub tasks: TaskCounts,
    pub reports: SubmissionCounts,
    /// When these figures were computed (Unix ms, by the application's clock).
    pub computed_at_ms: i64,
}

impl Overview {
    /// An overview of its lines, with their totals.
    fn new(
        root: Option<Unit>,
        choice: PeriodChoice,
        scheduled: ScheduledPeriod,
        as_of: Date,
        lines: Vec<(Unit, OverviewLine)>,
        computed_at_ms: i64,
    ) -> Overview {
        let mut plans = PlanIssueCounts::default();
        let mut tasks = TaskCounts::default();
        let mut reports = SubmissionCounts::default();
        for (_, l) in &lines {
            plans.merge(&l.plans);
            tasks.merge(&l.tasks);
            reports.merge(&l.reports);
        }
        Overview { root, period: choice.period, choice, scheduled, as_of, lines, plans, tasks, reports, computed_at_ms }
    }
}

impl Reports<'_> {
    /// The overview of `unit_code` ([`NATIONAL`] for the whole country, which needs a scope reaching
    /// everything; empty: the caller's own unit, the whole country for a scope reaching everything) for
    /// `period` (empty: the page's default period).
    /// Figures computed earlier for the same unit, period and day are served again while nothing below the
    /// unit changed (its subtree's revision, [`crate::figures`]); the scope is checked on every call.
    pub async fn overview(&self, scope: &Scope, unit_code: &str, period: &str) -> ServiceResult<Arc<Overview>> {
        let store = &self.app.store;
        let root = match (unit_code.trim(), &scope.reach) {
            (NATIONAL, Reach::All) | ("", Reach::All) => None,
            (NATIONAL, _) => return Err(StoreError::OutOfScope("toàn quốc".into()).into()),
            ("", Reach::Subtree { unit_id, .. }) => Some(store.unit_by_id(scope, *unit_id).await?),
            (code, _) => Some(store.unit_by_code(scope, code).await?),
        };
        // A unit's whole overview is kept while nothing below it changes (one query to know); when something
        // did, it is put together again from its lines, of which only the changed ones are computed. The
        // country's is put together on every request: its lines' revisions cost about what the whole
        // country's would (every unit is read either way).
        let Some(root) = root else { return self.composed_overview(scope, None, period).await.map(Arc::new) };
        let revision = store.subtree_revision(scope, Some(&root)).await?;
        let key = FigureKey { kind: "overview", unit_id: root.id, detail: format!("{}|{}", period.trim(), self.app.today()) };
        self.app.figures.get_or_compute(key, revision, || self.composed_overview(scope, Some(root.clone()), period)).await
    }

    /// The period shown and its schedule: for the whole country, Nghị định 09's; for a unit, its own (kept
    /// while nothing below it or in its chain changes — its plans set them).
    async fn overview_frame(&self, scope: &Scope, root: Option<&Unit>, period: &str) -> ServiceResult<(PeriodChoice, ScheduledPeriod)> {
        let Some(unit) = root else {
            let choice = self.national_period_choice(period)?;
            let schedule = Schedule::nd09(choice.period.year(), &SchedulePolicy::default(), &self.app.calendar);
            let sp = self.scheduled(&schedule, choice.period)?;
            return Ok((choice, sp));
        };
        let revision = self.app.store.subtree_revision(scope, Some(unit)).await?;
        let key = FigureKey { kind: "overview-frame", unit_id: unit.id, detail: format!("{}|{}", period.trim(), self.app.today()) };
        let frame = self
            .app
            .figures
            .get_or_compute(key, revision, || async {
                let choice = self.period_choice(scope, unit, period).await?;
                let schedule = self.schedule_for(unit, choice.period.year()).await?;
                let sp = self.scheduled(&schedule, choice.period)?;
                Ok::<_, ServiceError>((choice, sp))
            })
            .await?;
        Ok(frame.as_ref().clone())
    }

    /// An overview put together line by line: each line (a province of the country, a commune of a province)
    /// is kept while its own subtree is unchanged ([`crate::figures`]) and shared with the other processes on
    /// the database, so an update recomputes one line, not the whole overview (the country's reads every
    /// task of the year: seconds), and a second process reads what the first computed.
    async fn composed_overview(&self, scope: &Scope, root: Option<Unit>, period: &str) -> ServiceResult<Overview> {
        let store = &self.app.store;
        let (choice, sp) = self.overview_frame(scope, root.as_ref(), period).await?;
        let period = choice.period;
        let today = self.app.today();
        let year = i64::from(period.year());
        // The schedule's due dates judge the lines' reports: lines computed under another schedule are others.
        let schedule_digest = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            format!("{sp:?}").hash(&mut h);
            h.finish()
        };
        let at = match &root {
            Some(u) => OverviewRoot::Unit(u),
            None => OverviewRoot::National,
        };
        let mut lines = Vec::new();
        for (unit, revision) in store.line_revisions(scope, at, year).await? {
            let key =
                FigureKey { kind: "overview-line", unit_id: unit.id, detail: format!("{}|{today}|{schedule_digest:x}", period.code()) };
            let line = self
                .app
                .figures
                .get_or_compute_shared(store, key, revision, || async {
                    let facts =
                        store.overview_facts(scope, OverviewRoot::Line(&unit), year, &period.code(), today.min(sp.window.to)).await?;
                    Ok::<_, ServiceError>(overview_lines(&facts, &sp, today).into_iter().next().map(|(_, l)| l))
                })
                .await?;
            if let Some(line) = line.as_ref() {
                lines.push((unit, line.clone()));
            }
        }
        Ok(Overview::new(root, choice, sp, today, lines, self.app.now_ms()))
    }

    /// The periods of the national overview: those of the default schedule (Nghị định 09) of this year and
    /// the last, the one asked for, else the half-year in progress.
    fn national_period_choice(&self, requested: &str) -> ServiceResult<PeriodChoice> {
        let today = self.app.today();
        let asked = if requested.trim().is_empty() {
            None
        } else {
            Some(Period::parse(requested).map_err(|e| ServiceError::Invalid(e.to_string()))?)
        };
        let mut years = vec![today.year(), today.year() - 1];
        years.extend(asked.map(|p| p.year()));
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let cal = &*self.app.calendar;
        let options: Vec<ScheduledPeriod> =
            years.iter().flat_map(|y| picker_periods(&Schedule::nd09(*y, &SchedulePolicy::default(), cal), cal)).collect();
        let period = match asked {
            Some(p) => p,
            None => default_period(&options, &Activity::default(), today)
                .or_else(|| Period::containing_nd09(today, Frequency::HalfYear))
                .ok_or_else(|| ServiceError::Invalid("không xác định được kỳ".into()))?,
        };
        let mut options: Vec<Period> = options.into_iter().map(|o| o.period).collect();
        if !options.contains(&period) {
            options.insert(0, period);
        }
        Ok(PeriodChoice { period, options, has_data: true, latest_with_data: None })
    }
}

/// The overview's lines from its facts: per line, the plans of its units in force (each unit's best plan of
/// the year), its tasks (grouped facts, dimensions of their nodes), and the reports its units and their
/// agencies leading a task owe for the period — due as the status tree has them ([`super::status`]), judged on
/// `as_of`.
fn overview_lines(facts: &OverviewFacts, sp: &ScheduledPeriod, as_of: Date) -> Vec<(Unit, OverviewLine)> {
    let mut plans_of: HashMap<i64, Vec<PlanIssue>> = HashMap::new();
    for p in &facts.plans {
        plans_of.entry(p.unit_id).or_default().push(PlanIssue::of(p.status, p.issued_on, p.deadline));
    }
    let mut tasks_of: HashMap<i64, TaskCounts> = HashMap::new();
    for g in &facts.tasks {
        let dims: Vec<String> = g.nodes.iter().map(|n| dimension_of(n)).collect();
        add_tasks(tasks_of.entry(g.line_id).or_default(), &g.facts, &dims, g.count);
    }
    let mut leads_of: HashMap<i64, Vec<Lead>> = HashMap::new();
    for l in &facts.leads {
        leads_of.entry(l.unit_id).or_default().push((l.lead_agency_id, l.lead_agency.as_deref().map(fold)));
    }
    // The agencies that owe reports: those leading a task of the year's plans (as the status tree says).
    let mut agency_ids: HashMap<i64, Vec<i64>> = HashMap::new();
    for a in &facts.agencies {
        let Some(leads) = leads_of.get(&a.unit_id) else { continue };
        let name = fold(&a.name);
        if leads.iter().any(|(id, lead)| agency_leads_folded(*id, lead.as_deref(), a.id, &name)) {
            agency_ids.entry(a.unit_id).or_default().push(a.id);
        }
    }
    let submitted: HashMap<(i64, i64), Option<i64>> =
        facts.reports.iter().map(|r| ((r.unit_id, r.agency_id.unwrap_or(0)), r.submitted_at)).collect();
    let submitted_at = |unit_id: i64, agency_id: i64| submitted.get(&(unit_id, agency_id)).copied().flatten().and_then(utc);
    let mut out = Vec::with_capacity(facts.lines.len());
    for line in &facts.lines {
        let mut l = OverviewLine {
            code: line.code.clone(),
            name: line.name.clone(),
            level: line.level.clone(),
            plan: PlanIssue::best(plans_of.get(&line.id).into_iter().flatten().copied()),
            plans: PlanIssueCounts::default(),
            tasks: tasks_of.remove(&line.id).unwrap_or_default(),
            own_report: None,
            reports: SubmissionCounts::default(),
        };
        for u in facts.units.iter().filter(|u| u.line_id == line.id) {
            l.plans.add(PlanIssue::best(plans_of.get(&u.unit_id).into_iter().flatten().copied()));
            if let Some(due) = sp.due_for(&u.level) {
                let s = submission(due, submitted_at(u.unit_id, 0), as_of);
                l.reports.add(s);
                if u.unit_id == line.id {
                    l.own_report = Some(s);
                }
            }
            let due = sp.due_for_agency_of(&u.level).or(sp.dues.first().map(|d| d.due));
            if let Some(due) = due {
                for a in agency_ids.get(&u.unit_id).into_iter().flatten() {
                    l.reports.add(submission(due, submitted_at(u.unit_id, *a), as_of));
                }
            }
        }
        out.push((line.clone(), l));
    }
    out
}
