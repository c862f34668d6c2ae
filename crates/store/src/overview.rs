//! What the overview of a unit's children needs (the Ministry's view of every province, a province's view of
//! every commune), read by a handful of queries over the unit path whatever the number of units: the lines,
//! the units in force under each, their plans of the year, their tasks counted by line × dimensions × the facts
//! a status depends on (one grouped query), the agencies leading tasks, and the period's reports. No rule is
//! applied here: the caller judges plans, tasks and reports with core's rules.

use crate::revision::Revision;
use crate::units::{Agency, Unit};
use crate::{Store, StoreError, StoreResult, on_db};
use chiso_core::access::{Reach, Scope};
use chiso_core::period::PlanDeadline;
use chiso_core::plan::PlanStatus;
use chiso_core::progress::{StatusFacts, TaskStatus};
use chiso_core::unit::{format_date, parse_date};
use time::Date;

/// The unit an overview looks at: the whole country (its lines are the units without a parent) or one unit.
#[derive(Debug, Clone, Copy)]
pub enum OverviewRoot<'a> {
    National,
    Unit(&'a Unit),
    /// One line only: the unit itself and its subtree (the national overview is put together province by
    /// province, each kept while its own subtree is unchanged).
    Line(&'a Unit),
}

/// A unit in force under a line (the line's unit included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineUnit {
    pub line_id: i64,
    pub unit_id: i64,
    pub level: String,
}

/// One plan of the year of a unit of the subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFact {
    pub unit_id: i64,
    pub status: PlanStatus,
    pub issued_on: Option<Date>,
    /// The date the parent plan required it by.
    pub deadline: Option<Date>,
}

/// `count` tasks of a line's subtree serving the framework nodes `nodes`, all with the same status facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskGroup {
    pub line_id: i64,
    pub nodes: Vec<String>,
    pub facts: StatusFacts,
    pub count: u32,
}

/// Who leads tasks of a unit's issued plans of the year (each distinct lead once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadFact {
    pub unit_id: i64,
    pub lead_agency_id: Option<i64>,
    pub lead_agency: Option<String>,
}

/// A report of the period of a unit (or one of its agencies) of the subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFact {
    pub unit_id: i64,
    pub agency_id: Option<i64>,
    /// When it was submitted, if it stands submitted (a returned report is not).
    pub submitted_at: Option<i64>,
}

/// Everything the overview counts, for one year / period, as of one day.
#[derive(Debug, Clone, Default)]
pub struct OverviewFacts {
    /// The lines: the children of the root (the units without a parent for the whole country) in force in the
    /// year, by name.
    pub lines: Vec<Unit>,
    pub units: Vec<LineUnit>,
    pub plans: Vec<PlanFact>,
    pub tasks: Vec<TaskGroup>,
    pub leads: Vec<LeadFact>,
    pub agencies: Vec<Agency>,
    pub reports: Vec<ReportFact>,
}

/// Lines of the root `$1` (0: the units without a parent; a negative id: that unit alone, see
/// [`OverviewRoot::Line`]) in force in the year (`$2` its last day, `$3` its first): the join every grouped
/// query of the overview starts from.
macro_rules! lines_where {
    () => {
        "((c.parent_id = $1) OR ($1 = 0 AND c.parent_id IS NULL) OR (c.id = -$1)) AND c.valid_from <= $2 AND (c.valid_to IS NULL OR c.valid_to >= $3)"
    };
}

impl Store {
    /// The facts of the overview of `root` for `year` and `period` (the report period's code), task states as
    /// of the end of `as_of`. The whole country needs a scope that reaches everything; a unit must be within
    /// the scope (its subtree then is).
    pub async fn overview_facts(
        &self,
        scope: &Scope,
        root: OverviewRoot<'_>,
        year: i64,
        period: &str,
        as_of: Date,
    ) -> StoreResult<OverviewFacts> {
        let (root_id, root_path) = match root {
            OverviewRoot::National => {
                if !matches!(scope.reach, Reach::All) {
                    return Err(StoreError::OutOfScope("toàn quốc".into()));
                }
                (0i64, "/".to_string())
            }
            OverviewRoot::Unit(u) => {
                let u = self.unit_by_id(scope, u.id).await?;
                (u.id, u.path)
            }
            OverviewRoot::Line(u) => {
                let u = self.unit_by_id(scope, u.id).await?;
                (-u.id, u.path)
            }
        };
        let last = format!("{year}-12-31");
        let first = format!("{year}-01-01");
        const LINES: &str = concat!(
            "SELECT c.id, c.code, c.name, c.level, c.parent_id, c.path, c.valid_from, c.valid_to, c.successor_id FROM unit c WHERE ",
            lines_where!(),
            " ORDER BY c.name"
        );
        let lines: Vec<Unit> = on_db!(&self.read, |p| sqlx::query_as(LINES).bind(root_id).bind(&last).bind(&first).fetch_all(p).await)?;
        const UNITS: &str = concat!(
            "SELECT c.id, un.id, un.level FROM unit c JOIN unit un ON un.path LIKE c.path || '%' WHERE ",
            lines_where!(),
            " AND un.valid_from <= $2 AND (un.valid_to IS NULL OR un.valid_to >= $3)"
        );
        let units: Vec<(i64, i64, String)> =
            on_db!(&self.read, |p| sqlx::query_as(UNITS).bind(root_id).bind(&last).bind(&first).fetch_all(p).await)?;
        let units = units.into_iter().map(|(line_id, unit_id, level)| LineUnit { line_id, unit_id, level }).collect();

        // Plans of the year (or spanning it) of every unit of the subtree.
        const PLANS: &str = "SELECT p.unit_id, p.status, p.issued_on, p.parent_deadline FROM plan p JOIN unit un ON un.id = p.unit_id \
             WHERE un.path LIKE $1 || '%' AND (p.year = $2 OR (p.year <= $2 AND p.year_to >= $2))";
        let plans: Vec<(i64, String, Option<String>, Option<String>)> =
            on_db!(&self.read, |p| sqlx::query_as(PLANS).bind(&root_path).bind(year).fetch_all(p).await)?;
        let mut plan_facts = Vec::with_capacity(plans.len());
        for (unit_id, status, issued_on, deadline) in plans {
            let status = PlanStatus::parse(&status).ok_or_else(|| StoreError::Invalid(format!("trạng thái kế hoạch '{status}'")))?;
            plan_facts.push(PlanFact {
                unit_id,
                status,
                issued_on: issued_on.as_deref().and_then(parse_date),
                deadline: deadline.as_deref().and_then(parse_date),
            });
        }

        // Tasks of the issued plans of the year, each with its latest update made by the cutoff, reduced to
        // the facts `StatusFacts` holds and counted by line × node set × facts. Dates are ISO text, so
        // comparing them as text compares the days.
        const TASKS: &str = concat!(
            "SELECT line_id, nodes, status, returned, reason, percent_given, completed_late, past_due, COUNT(*) FROM ( \
               SELECT c.id AS line_id, \
                 (SELECT string_agg(n.node_code, ',' ORDER BY n.node_code) FROM task_node n WHERE n.task_id = t.id) AS nodes, \
                 lu.status AS status, \
                 CASE WHEN lu.returned_reason IS NULL THEN 0 ELSE 1 END AS returned, \
                 CASE WHEN lu.status = 'cannot_do' THEN lu.reason END AS reason, \
                 CASE WHEN lu.percent > 0 THEN 1 ELSE 0 END AS percent_given, \
                 CASE WHEN t.due_date IS NULL OR lu.completed_on IS NULL THEN -1 WHEN lu.completed_on > t.due_date THEN 1 ELSE 0 END AS completed_late, \
                 CASE WHEN t.due_date IS NOT NULL AND t.due_date < $5 THEN 1 ELSE 0 END AS past_due \
               FROM unit c JOIN unit un ON un.path LIKE c.path || '%' JOIN plan p ON p.unit_id = un.id JOIN task t ON t.plan_id = p.id \
               LEFT JOIN task_update lu ON lu.id = (SELECT u2.id FROM task_update u2 WHERE u2.task_id = t.id AND u2.created_at <= $4 \
                 ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1) \
               WHERE ",
            lines_where!(),
            " AND (p.year = $6 OR (p.year <= $6 AND p.year_to >= $6)) AND p.status = 'issued' \
             ) x GROUP BY line_id, nodes, status, returned, reason, percent_given, completed_late, past_due"
        );
        type Row = (i64, Option<String>, Option<String>, i32, Option<String>, i32, i32, i32, i64);
        let cutoff = crate::progress::end_of_day_ms(as_of);
        let today = format_date(as_of);
        let rows: Vec<Row> = on_db!(&self.read, |p| sqlx::query_as(TASKS)
            .bind(root_id)
            .bind(&last)
            .bind(&first)
            .bind(cutoff)
            .bind(&today)
            .bind(year)
            .fetch_all(p)
            .await)?;
        let mut tasks = Vec::with_capacity(rows.len());
        for (line_id, nodes, status, returned, reason, percent_given, completed_late, past_due, count) in rows {
            let entered = status
                .map(|s| TaskStatus::parse(&s).ok_or_else(|| StoreError::Invalid(format!("trạng thái nhiệm vụ '{s}'"))))
                .transpose()?;
            let facts = StatusFacts {
                entered,
                returned: returned != 0,
                reason_given: reason.is_some_and(|r| !r.trim().is_empty()),
                percent_given: percent_given != 0,
                completed_late: match completed_late {
                    -1 => None,
                    x => Some(x != 0),
                },
                past_due: past_due != 0,
            };
            let nodes = nodes.map(|n| n.split(',').map(str::to_string).collect()).unwrap_or_default();
            tasks.push(TaskGroup { line_id, nodes, facts, count: u32::try_from(count).unwrap_or(u32::MAX) });
        }

        const LEADS: &str = "SELECT p.unit_id, t.lead_agency_id, t.lead_agency FROM task t JOIN plan p ON p.id = t.plan_id \
             JOIN unit un ON un.id = p.unit_id WHERE un.path LIKE $1 || '%' AND (p.year = $2 OR (p.year <= $2 AND p.year_to >= $2)) \
             AND p.status = 'issued' AND (t.lead_agency_id IS NOT NULL OR t.lead_agency IS NOT NULL) \
             GROUP BY p.unit_id, t.lead_agency_id, t.lead_agency";
        let leads: Vec<(i64, Option<i64>, Option<String>)> =
            on_db!(&self.read, |p| sqlx::query_as(LEADS).bind(&root_path).bind(year).fetch_all(p).await)?;
        let leads =
            leads.into_iter().map(|(unit_id, lead_agency_id, lead_agency)| LeadFact { unit_id, lead_agency_id, lead_agency }).collect();
        const AGENCIES: &str = "SELECT a.id, a.unit_id, a.name, a.kind FROM agency a JOIN unit u ON u.id = a.unit_id WHERE u.path LIKE $1 || '%' ORDER BY a.name";
        let agencies: Vec<Agency> = on_db!(&self.read, |p| sqlx::query_as(AGENCIES).bind(&root_path).fetch_all(p).await)?;
        const REPORTS: &str = "SELECT r.unit_id, r.agency_id, CASE WHEN r.status = 'submitted' THEN r.submitted_at END FROM report r \
             JOIN unit u ON u.id = r.unit_id WHERE u.path LIKE $1 || '%' AND r.period = $2";
        let reports: Vec<(i64, Option<i64>, Option<i64>)> =
            on_db!(&self.read, |p| sqlx::query_as(REPORTS).bind(&root_path).bind(period).fetch_all(p).await)?;
        let reports =
            reports.into_iter().map(|(unit_id, agency_id, submitted_at)| ReportFact { unit_id, agency_id, submitted_at }).collect();
        Ok(OverviewFacts { lines, units, plans: plan_facts, tasks, leads, agencies, reports })
    }
}

impl Store {
    /// The lines of an overview (as [`Store::overview_facts`] has them, by name), each with the revision of
    /// its subtree ([`crate::revision`]): one grouped range scan over the unit paths.
    pub async fn line_revisions(&self, scope: &Scope, root: OverviewRoot<'_>, year: i64) -> StoreResult<Vec<(Unit, Revision)>> {
        let root_id = match root {
            OverviewRoot::National => {
                if !matches!(scope.reach, Reach::All) {
                    return Err(StoreError::OutOfScope("toàn quốc".into()));
                }
                0
            }
            OverviewRoot::Unit(u) => self.unit_by_id(scope, u.id).await?.id,
            OverviewRoot::Line(u) => -self.unit_by_id(scope, u.id).await?.id,
        };
        let last = format!("{year}-12-31");
        let first = format!("{year}-01-01");
        // Every path below `c.path` sorts in [c.path, c.path without its last '/' followed by '0').
        const SQLITE: &str = concat!(
            "SELECT c.id, c.code, c.name, c.level, c.parent_id, c.path, c.valid_from, c.valid_to, c.successor_id, \
               COUNT(u.id), COALESCE(SUM(r.rev), 0), COALESCE(SUM(u.id), 0) FROM unit c \
             JOIN unit u ON u.path >= c.path AND u.path < substr(c.path, 1, length(c.path) - 1) || '0' \
             LEFT JOIN unit_revision r ON r.unit_id = u.id WHERE ",
            lines_where!(),
            " GROUP BY c.id ORDER BY c.name"
        );
        const POSTGRES: &str = concat!(
            "SELECT c.id, c.code, c.name, c.level, c.parent_id, c.path, c.valid_from, c.valid_to, c.successor_id, \
               COUNT(u.id), COALESCE(SUM(r.rev), 0)::BIGINT, COALESCE(SUM(u.id), 0)::BIGINT FROM unit c \
             JOIN unit u ON u.path COLLATE \"C\" >= c.path AND u.path COLLATE \"C\" < substr(c.path, 1, length(c.path) - 1) || '0' \
             LEFT JOIN unit_revision r ON r.unit_id = u.id WHERE ",
            lines_where!(),
            " GROUP BY c.id ORDER BY c.name"
        );
        type Row = (i64, String, String, String, Option<i64>, String, String, Option<String>, Option<i64>, i64, i64, i64);
        let rows: Vec<Row> = match &self.read {
            crate::Db::Sqlite(p) => sqlx::query_as(SQLITE).bind(root_id).bind(&last).bind(&first).fetch_all(p).await?,
            crate::Db::Postgres(p) => sqlx::query_as(POSTGRES).bind(root_id).bind(&last).bind(&first).fetch_all(p).await?,
        };
        Ok(rows
            .into_iter()
            .map(|(id, code, name, level, parent_id, path, valid_from, valid_to, successor_id, units, sum, ids)| {
                (
                    Unit { id, code, name, level, parent_id, path, valid_from, valid_to, successor_id },
                    Revision { units, sum, ids, chain: 0, tree: 0 },
                )
            })
            .collect())
    }

    /// The issued plans of `unit_id` for `year` (or spanning it), newest first (year, issue date, id), each
    /// with the report deadlines stored with it (None when they were never recorded): what a unit's reporting
    /// schedule is read from, in one indexed query per unit of the chain instead of a plan listing and a
    /// deadline read per plan. Schedules are not confidential: no scope.
    pub async fn issued_plan_deadlines(&self, unit_id: i64, year: i64) -> StoreResult<Vec<(i64, Option<Vec<PlanDeadline>>)>> {
        const SQL: &str = "SELECT p.id, d.deadlines FROM plan p LEFT JOIN plan_report_deadlines d ON d.plan_id = p.id \
             WHERE p.unit_id = $1 AND (p.year = $2 OR (p.year <= $2 AND p.year_to >= $2)) AND p.status = 'issued' \
             ORDER BY p.year DESC, p.issued_on DESC, p.id DESC";
        let rows: Vec<(i64, Option<String>)> = on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit_id).bind(year).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(id, json)| {
                let d = json
                    .map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Invalid(format!("hạn báo cáo của kế hoạch #{id}: {e}"))))
                    .transpose()?;
                Ok((id, d))
            })
            .collect()
    }
}

impl Store {
    /// The issued plans of a unit (within the scope) for `year` (or spanning it), newest first: what
    /// [`Store::task_progress`] reads, by the plan's unit index instead of a listing of every plan in scope.
    pub async fn issued_plans_of(&self, scope: &Scope, unit: &Unit, year: i64) -> StoreResult<Vec<crate::plans::Plan>> {
        if !scope.can(chiso_core::access::Permission::View) {
            return Err(StoreError::Forbidden(chiso_core::access::Permission::View.name_vi().to_string()));
        }
        self.unit_by_id(scope, unit.id).await?;
        const SQL: &str = "SELECT p.id, p.unit_id, p.doc_type, p.year, p.year_to, p.families, p.number, p.place, p.issued_on, p.title, p.status, \
            p.parent_plan_id, p.child_deadline, p.signer_authority, p.signer_position, p.signer_name, p.recipients, p.document, p.source_name, \
            p.version, p.created_at, p.updated_at, p.parent_deadline, p.parent_note FROM plan p \
            WHERE p.unit_id = $1 AND (p.year = $2 OR (p.year <= $2 AND p.year_to >= $2)) AND p.status = 'issued' \
            ORDER BY p.year DESC, p.issued_on DESC, p.id DESC";
        Ok(on_db!(&self.read, |p| sqlx::query_as(SQL).bind(unit.id).bind(year).fetch_all(p).await)?)
    }
}
