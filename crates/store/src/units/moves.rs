//! Moving a closed unit's people and history to its successor: the explicit, audited step after a reform
//! (`chiso units move`, and the page "Sắp xếp đơn vị sau sáp nhập" at `/units/moves`). A reform closes units
//! but moves nothing; this step, for one closed unit and one of its recorded successors (for a divided
//! commune the operator picks which), in one transaction:
//!
//! - **Accounts** of the closed unit move to the successor (their scope is the successor's subtree from
//!   their next request on). An agency account keeps its agency: the agency moves with it, or — when the
//!   successor already has an agency of that name — the account joins that one and the old agency stays.
//! - **History stays where it was written, and becomes the successor's.** Plans, reports, updates, results
//!   stay attached to the closed unit's row (so a year's figures keep naming the unit of that year), and the
//!   closed unit is placed *under its successor* in the tree (its parent becomes the successor; the paths of
//!   its subtree are rewritten). Scope in chiso is a subtree, so the successor's users — and everyone above
//!   them — now reach the predecessor's plans and reports as history: the rule "a successor's scope includes
//!   its predecessors' history" without a second kind of scope. Lists of a unit's children show units in
//!   force, so a closed predecessor never appears as a current child. Its former parent is kept in the audit.
//! - Every change is audited (one entry per account, agency and the unit's new place). Running it again
//!   changes nothing.
//!
//! **The tasks of the closed unit's plans keep their lead agency as written** (`task.lead_agency_id` and the
//! `lead_agency` text are not rewritten when an agency account joins the successor's agency of the same
//! name). Decided on purpose, for three reasons:
//!
//! 1. *History stays as written.* The old agency row stays on the closed unit with its name, so the old
//!    plan, its tasks, its reports and their exports keep naming the agency of that year, and the task page
//!    still resolves the lead. Rewriting the id would make an old plan claim the new commune's office led it.
//! 2. *The closed unit's tasks are not the successor's work list.* "Việc của tôi", the dashboards and the
//!    overviews count the tasks of the issued plans of a unit *in force* (a closed unit is never a current
//!    unit or child). The successor carries on its predecessors' duties through its own plan (a new commune
//!    issues its plan on the new province's one); listing the old plans' tasks too would put the same
//!    template tasks two or three times (one per merged commune) in the new office's list, overdue forever,
//!    and count them against the successor. The old tasks stay readable as history (scope: the closed unit
//!    is under its successor), for the successor's plan to take up again what is still to do.
//! 3. *Updates follow the plan's unit.* Agency staff update only tasks of their own unit's plans (the
//!    progress store's rule), so a moved agency account no longer writes into the closed unit's record; a
//!    specialist of the successor still reaches it (e.g. to close the old unit's last report).
//!
//! The store test `moving_keeps_old_tasks_as_history` pins this down.

use super::*;
use crate::list::{Sql, contains_pattern, fetch_all, fetch_page};
use chiso_core::list::{PageRequest, Paged, Sort, SortColumn, SortDir};

/// What a move did.
#[derive(Debug, Clone, Serialize)]
pub struct MoveSummary {
    pub from: Unit,
    pub to: Unit,
    /// Accounts moved (usernames).
    pub users: Vec<String>,
    /// Agencies moved with the unit / merged into the successor's agency of the same name.
    pub agencies_moved: usize,
    pub agencies_joined: usize,
    /// Plans and reports of the closed unit's subtree, now history the successor's users reach.
    pub plans: i64,
    pub reports: i64,
    /// The unit had already been placed under its successor and had no accounts left: nothing changed.
    pub unchanged: bool,
}

/// A successor of a closed unit, as the page of moves offers it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SuccessorChoice {
    /// The closed unit this is a successor of.
    pub predecessor_id: i64,
    pub id: i64,
    pub code: String,
    pub name: String,
    pub valid_from: String,
    /// `whole` or `part` (a divided unit).
    pub share: String,
    /// 1 for the successor that got the main part.
    pub main: i32,
    pub path: String,
    /// Whether the caller's scope reaches the successor (a move needs both ends in scope).
    #[sqlx(skip)]
    pub in_scope: bool,
}

/// A closed unit still to be dealt with: it has accounts, or it is not placed under a successor yet.
#[derive(Debug, Clone, Serialize)]
pub struct PendingMove {
    pub unit: Unit,
    /// Accounts of the unit (they would move).
    pub accounts: i64,
    /// Plans and reports of the unit's subtree (they would become the successor's history).
    pub plans: i64,
    pub reports: i64,
    /// Already under one of its successors (only accounts are left to move).
    pub placed: bool,
    /// Its successors, the main one first; empty when none is recorded.
    pub successors: Vec<SuccessorChoice>,
}

impl PendingMove {
    /// The successor a move without a choice goes to: the only one, when it is in the caller's scope.
    pub fn single_successor(&self) -> Option<&SuccessorChoice> {
        match self.successors.as_slice() {
            [one] if one.in_scope => Some(one),
            _ => None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    #[sqlx(flatten)]
    unit: Unit,
    accounts: i64,
    plans: i64,
    reports: i64,
}

/// What the list of pending moves asks for.
#[derive(Debug, Clone, Default)]
pub struct PendingFilter {
    /// Part of the unit's name (diacritics and case ignored) or of its code.
    pub text: Option<String>,
}

/// The columns the list of pending moves sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingColumn {
    Name,
    Code,
    Closed,
    Accounts,
}

impl SortColumn for PendingColumn {
    const ALL: &'static [PendingColumn] = &[PendingColumn::Name, PendingColumn::Code, PendingColumn::Closed, PendingColumn::Accounts];
    fn key(self) -> &'static str {
        match self {
            PendingColumn::Name => "name",
            PendingColumn::Code => "code",
            PendingColumn::Closed => "closed",
            PendingColumn::Accounts => "accounts",
        }
    }
    fn default_dir(self) -> SortDir {
        if self == PendingColumn::Accounts { SortDir::Desc } else { SortDir::Asc }
    }
}

impl PendingColumn {
    pub const DEFAULT: Sort<PendingColumn> = Sort { column: PendingColumn::Name, dir: SortDir::Asc };

    fn sql(self) -> &'static str {
        match self {
            PendingColumn::Name => "u.name_fold",
            PendingColumn::Code => "u.code",
            PendingColumn::Closed => "u.valid_to",
            PendingColumn::Accounts => "(SELECT COUNT(*) FROM app_user a WHERE a.unit_id = u.id)",
        }
    }
}

/// After `FROM unit u WHERE u.path LIKE (scope) || '%' AND u.valid_to < (today)`: the closed units that still
/// have accounts or that have a successor but are not placed under one.
const PENDING_REST: &str = " AND u.valid_to IS NOT NULL \
     AND (EXISTS (SELECT 1 FROM app_user a WHERE a.unit_id = u.id) \
       OR ((u.successor_id IS NOT NULL OR EXISTS (SELECT 1 FROM unit_predecessor s WHERE s.predecessor_id = u.id)) \
           AND COALESCE(u.parent_id, 0) <> COALESCE(u.successor_id, -1) \
           AND NOT EXISTS (SELECT 1 FROM unit_predecessor s WHERE s.predecessor_id = u.id AND s.unit_id = u.parent_id)))";

const PENDING_SELECT: &str = "SELECT u.id, u.code, u.name, u.level, u.parent_id, u.path, u.valid_from, u.valid_to, u.successor_id, \
     (SELECT COUNT(*) FROM app_user a WHERE a.unit_id = u.id) AS accounts, \
     (SELECT COUNT(*) FROM plan p JOIN unit x ON x.id = p.unit_id WHERE x.path LIKE u.path || '%') AS plans, \
     (SELECT COUNT(*) FROM report r JOIN unit x ON x.id = r.unit_id WHERE x.path LIKE u.path || '%') AS reports";

const UNIT_COLUMNS: &str = "SELECT id, code, name, level, parent_id, path, valid_from, valid_to, successor_id FROM unit WHERE id = $1";

/// Move the closed unit `$from_id` to its successor `$to_id` with the transaction `$tx` (see the module doc):
/// every read is made in the transaction, so moves of one batch see each other (a district moved first
/// carries its communes' paths along). Evaluates to the [`MoveSummary`]; an error leaves the function, and the
/// transaction is rolled back.
macro_rules! move_in_tx {
    ($tx:ident, $scope:expr, $from_id:expr, $to_id:expr) => {{
        let scope: &Scope = $scope;
        let from: Unit = sqlx::query_as(UNIT_COLUMNS)
            .bind($from_id)
            .fetch_optional(&mut *$tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("đơn vị #{}", $from_id)))?;
        check_reach(scope, &from)?;
        let to: Unit = sqlx::query_as(UNIT_COLUMNS)
            .bind($to_id)
            .fetch_optional(&mut *$tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("đơn vị kế thừa #{}", $to_id)))?;
        let Some(closed) = from.valid_to.clone() else {
            return Err(StoreError::Invalid(format!(
                "đơn vị {} ({}) vẫn còn hiệu lực; chỉ chuyển được đơn vị đã hết hiệu lực",
                from.name, from.code
            )));
        };
        let day_after = core_unit::parse_date(&closed)
            .and_then(|d| d.next_day())
            .map(core_unit::format_date)
            .ok_or_else(|| StoreError::Invalid(format!("ngày hết hiệu lực '{closed}' của {} ({}) không hợp lệ", from.name, from.code)))?;
        const LINKED: &str = "SELECT COUNT(*) FROM unit_predecessor WHERE predecessor_id = $1 AND unit_id = $2";
        let linked: i64 = sqlx::query_scalar(LINKED).bind(from.id).bind(to.id).fetch_one(&mut *$tx).await?;
        if (linked == 0 && from.successor_id != Some(to.id)) || !to.in_force_on(&day_after) {
            const NAMES: &str = "SELECT s.code || ' ' || s.name FROM unit s WHERE s.id = $2 \
                 OR s.id IN (SELECT p.unit_id FROM unit_predecessor p WHERE p.predecessor_id = $1) ORDER BY s.code";
            let names: Vec<String> =
                sqlx::query_scalar(NAMES).bind(from.id).bind(from.successor_id.unwrap_or(0)).fetch_all(&mut *$tx).await?;
            return Err(StoreError::Invalid(format!(
                "{} ({}) không phải đơn vị kế thừa của {} ({}, hết hiệu lực {closed}); đơn vị kế thừa: {}",
                to.name,
                to.code,
                from.name,
                from.code,
                if names.is_empty() { "(không có)".to_string() } else { names.join(", ") }
            )));
        }
        check_reach(scope, &to)?;
        if to.path.starts_with(&from.path) {
            return Err(StoreError::Invalid(format!("{} nằm trong {}: không thể đặt đơn vị dưới chính nó", to.name, from.name)));
        }
        const USERS: &str = "SELECT id, username, agency_id FROM app_user WHERE unit_id = $1 ORDER BY username";
        let users: Vec<(i64, String, Option<i64>)> = sqlx::query_as(USERS).bind(from.id).fetch_all(&mut *$tx).await?;
        const AGENCIES: &str = "SELECT id, unit_id, name, kind FROM agency WHERE unit_id = $1 ORDER BY id";
        let old_agencies: Vec<Agency> = sqlx::query_as(AGENCIES).bind(from.id).fetch_all(&mut *$tx).await?;
        let new_agencies: Vec<Agency> = sqlx::query_as(AGENCIES).bind(to.id).fetch_all(&mut *$tx).await?;
        let placed = from.parent_id == Some(to.id);
        let new_prefix = format!("{}{}/", to.path, from.id);
        let mut summary = MoveSummary {
            from: from.clone(),
            to: to.clone(),
            users: users.iter().map(|u| u.1.clone()).collect(),
            agencies_moved: 0,
            agencies_joined: 0,
            plans: 0,
            reports: 0,
            unchanged: placed && users.is_empty(),
        };
        let reason =
            Some(format!("chuyển {} ({}, hết hiệu lực {closed}) về đơn vị kế thừa {} ({})", from.name, from.code, to.name, to.code));
        if !summary.unchanged {
            // Agencies: join the successor's agency of the same name, else move with the unit.
            let mut agency_to: HashMap<i64, i64> = HashMap::new();
            for a in &old_agencies {
                match new_agencies.iter().find(|n| fold(&n.name) == fold(&a.name)) {
                    Some(n) => {
                        agency_to.insert(a.id, n.id);
                        summary.agencies_joined += 1;
                    }
                    None => {
                        sqlx::query("UPDATE agency SET unit_id = $1 WHERE id = $2").bind(to.id).bind(a.id).execute(&mut *$tx).await?;
                        audit!(
                            $tx,
                            scope,
                            Change {
                                unit_id: Some(to.id),
                                entity: "agency",
                                entity_id: a.id.to_string(),
                                action: "move",
                                field: Some("unit_id"),
                                old_value: Some(format!("{} – {} ({})", a.name, from.name, from.code)),
                                new_value: Some(format!("{} – {} ({})", a.name, to.name, to.code)),
                                reason: reason.clone(),
                            }
                        );
                        summary.agencies_moved += 1;
                    }
                }
            }
            for (id, username, agency) in &users {
                let new_agency = agency.map(|a| agency_to.get(&a).copied().unwrap_or(a));
                sqlx::query("UPDATE app_user SET unit_id = $1, agency_id = $2 WHERE id = $3")
                    .bind(to.id)
                    .bind(new_agency)
                    .bind(*id)
                    .execute(&mut *$tx)
                    .await?;
                audit!(
                    $tx,
                    scope,
                    Change {
                        unit_id: Some(to.id),
                        entity: "user",
                        entity_id: username.clone(),
                        action: "move",
                        field: Some("unit_id"),
                        old_value: Some(format!("{} ({})", from.name, from.code)),
                        new_value: Some(format!("{} ({})", to.name, to.code)),
                        reason: reason.clone(),
                    }
                );
            }
            if !placed {
                sqlx::query("UPDATE unit SET parent_id = $1 WHERE id = $2").bind(to.id).bind(from.id).execute(&mut *$tx).await?;
                // Rewrite the subtree's paths: the old prefix becomes the successor's path + the unit's id.
                const PATHS: &str = "UPDATE unit SET path = $1 || SUBSTR(path, $2) WHERE path LIKE $3 || '%'";
                let cut = i32::try_from(from.path.len()).unwrap_or(i32::MAX).saturating_add(1);
                sqlx::query(PATHS).bind(&new_prefix).bind(cut).bind(&from.path).execute(&mut *$tx).await?;
                let old_parent = match from.parent_id {
                    Some(pid) => sqlx::query_scalar::<_, String>("SELECT code || ' ' || name FROM unit WHERE id = $1")
                        .bind(pid)
                        .fetch_optional(&mut *$tx)
                        .await?
                        .unwrap_or_else(|| format!("#{pid}")),
                    None => "(gốc)".to_string(),
                };
                audit!(
                    $tx,
                    scope,
                    Change {
                        unit_id: Some(from.id),
                        entity: "unit",
                        entity_id: from.code.clone(),
                        action: "move",
                        field: Some("parent_id"),
                        old_value: Some(format!("thuộc {old_parent}")),
                        new_value: Some(format!("thuộc đơn vị kế thừa {} {} (lịch sử của đơn vị kế thừa)", to.code, to.name)),
                        reason: reason.clone(),
                    }
                );
            }
        }
        const PLANS: &str = "SELECT COUNT(*) FROM plan p JOIN unit u ON u.id = p.unit_id WHERE u.path LIKE $1 || '%'";
        const REPORTS: &str = "SELECT COUNT(*) FROM report r JOIN unit u ON u.id = r.unit_id WHERE u.path LIKE $1 || '%'";
        summary.plans = sqlx::query_scalar(PLANS).bind(&new_prefix).fetch_one(&mut *$tx).await?;
        summary.reports = sqlx::query_scalar(REPORTS).bind(&new_prefix).fetch_one(&mut *$tx).await?;
        summary.from = sqlx::query_as(UNIT_COLUMNS).bind(from.id).fetch_one(&mut *$tx).await?;
        summary
    }};
}

impl Store {
    /// Move the accounts of the unit that had `from_code` on `from_on` (closed since) to its successor
    /// `to_code` (the unit with that code in force the day after it closed), and place the closed unit under
    /// it (see the module doc). One transaction, audited; needs a scope that reaches both units.
    pub async fn move_to_successor(&self, scope: &Scope, from_code: &str, from_on: &str, to_code: &str) -> StoreResult<MoveSummary> {
        require(scope, Permission::ManageUnits)?;
        let from = self.unit_by_code_on(scope, from_code, from_on).await?;
        let Some(closed) = from.valid_to.clone() else {
            return Err(StoreError::Invalid(format!(
                "đơn vị {} ({}) vẫn còn hiệu lực; chỉ chuyển được đơn vị đã hết hiệu lực",
                from.name, from.code
            )));
        };
        let day_after = core_unit::parse_date(&closed)
            .and_then(|d| d.next_day())
            .map(core_unit::format_date)
            .ok_or_else(|| StoreError::Invalid(format!("ngày hết hiệu lực '{closed}' không hợp lệ")))?;
        let to = self.unit_by_code_on(scope, to_code, &day_after).await?;
        let mut moved = self.move_units(scope, &[(from.id, to.id)]).await?;
        moved.pop().ok_or_else(|| StoreError::Invalid(format!("không chuyển được {} ({})", from.name, from.code)))
    }

    /// Move each closed unit `from` of `moves` to its successor `to` (unit ids), in this order, in ONE
    /// transaction: every move or none (the first refusal — out of scope, not a successor, still in force —
    /// leaves everything as it was and names the unit). Audited as [`Store::move_to_successor`].
    pub async fn move_units(&self, scope: &Scope, moves: &[(i64, i64)]) -> StoreResult<Vec<MoveSummary>> {
        require(scope, Permission::ManageUnits)?;
        let mut out = Vec::with_capacity(moves.len());
        write_tx!(self, |tx| {
            for &(from_id, to_id) in moves {
                let summary = move_in_tx!(tx, scope, from_id, to_id);
                out.push(summary);
            }
        });
        Ok(out)
    }

    /// One page of the closed units within the scope (closed before `today`, ISO) that still have accounts
    /// or are not yet placed under a successor, with their successors and what a move would carry.
    pub async fn pending_moves(
        &self,
        scope: &Scope,
        today: &str,
        filter: &PendingFilter,
        sort: Sort<PendingColumn>,
        page: PageRequest,
    ) -> StoreResult<Paged<PendingMove>> {
        require(scope, Permission::ManageUnits)?;
        let mut q = Sql::new("FROM unit u WHERE u.path LIKE ");
        q.text(scope.path_prefix()).push(" || '%' AND u.valid_to < ").text(today).push(PENDING_REST);
        if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q.push(" AND (u.name_fold LIKE ")
                .text(contains_pattern(&fold(text)))
                .push(" OR u.code LIKE ")
                .text(contains_pattern(text))
                .push(")");
        }
        let order = [(sort.column.sql(), sort.dir), ("u.code", SortDir::Asc), ("u.id", SortDir::Asc)];
        let paged: Paged<PendingRow> = fetch_page(&self.read, PENDING_SELECT, &q, &order, page).await?;
        let ids: Vec<i64> = paged.items.iter().map(|r| r.unit.id).collect();
        let mut successors = self.successor_choices(scope, &ids).await?;
        Ok(paged.map(|r| {
            let mine: Vec<SuccessorChoice> = successors.remove(&r.unit.id).unwrap_or_default();
            let placed = r.unit.parent_id.is_some_and(|p| mine.iter().any(|s| s.id == p));
            PendingMove { placed, successors: mine, accounts: r.accounts, plans: r.plans, reports: r.reports, unit: r.unit }
        }))
    }

    /// Every pending move within the scope (all pages).
    pub async fn all_pending_moves(&self, scope: &Scope, today: &str) -> StoreResult<Vec<PendingMove>> {
        let mut out = Vec::new();
        let mut page = PageRequest::new(1, chiso_core::list::MAX_PAGE_SIZE);
        loop {
            let p = self.pending_moves(scope, today, &PendingFilter::default(), PendingColumn::DEFAULT, page).await?;
            let more = p.has_next();
            out.extend(p.items);
            if !more {
                return Ok(out);
            }
            page = PageRequest::new(page.page + 1, page.size);
        }
    }

    /// The successors of the closed units `ids` (predecessor links, and the successor of a plain merger), the
    /// main one first, each marked with whether the scope reaches it.
    async fn successor_choices(&self, scope: &Scope, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<SuccessorChoice>>> {
        let mut out: HashMap<i64, Vec<SuccessorChoice>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut linked = Sql::new(
            "SELECT p.predecessor_id, s.id, s.code, s.name, s.valid_from, p.share, p.main, s.path \
             FROM unit_predecessor p JOIN unit s ON s.id = p.unit_id WHERE p.predecessor_id IN (",
        );
        let mut merged = Sql::new(
            "SELECT u.id AS predecessor_id, s.id, s.code, s.name, s.valid_from, 'whole' AS share, 1 AS main, s.path \
             FROM unit u JOIN unit s ON s.id = u.successor_id WHERE u.id IN (",
        );
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                linked.push(", ");
                merged.push(", ");
            }
            linked.int(*id);
            merged.int(*id);
        }
        linked.push(")");
        merged.push(")");
        let mut rows: Vec<SuccessorChoice> = fetch_all(&self.read, &linked).await?;
        for m in fetch_all::<SuccessorChoice>(&self.read, &merged).await? {
            if !rows.iter().any(|r| r.predecessor_id == m.predecessor_id && r.id == m.id) {
                rows.push(m);
            }
        }
        rows.sort_by(|a, b| {
            let first = |s: &SuccessorChoice| if s.share == "whole" || s.main == 1 { 0 } else { 1 };
            (first(a), &a.code).cmp(&(first(b), &b.code))
        });
        for mut r in rows {
            r.in_scope = scope.reaches_path(&r.path);
            out.entry(r.predecessor_id).or_default().push(r);
        }
        Ok(out)
    }
}
