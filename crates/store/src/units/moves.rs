//! Moving a closed unit's people and history to its successor: the explicit, audited step after a reform
//! (`chiso units move`). A reform closes units but moves nothing; this step, for one closed unit and one
//! of its recorded successors (for a divided commune the operator picks which), in one transaction:
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

use super::*;

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
        let successors = self.successors_of(scope, from.id).await?;
        if !successors.iter().any(|s| s.id == to.id) {
            let names: Vec<String> = successors.iter().map(|s| format!("{} {}", s.code, s.name)).collect();
            return Err(StoreError::Invalid(format!(
                "{} ({}) không phải đơn vị kế thừa của {} ({}); đơn vị kế thừa: {}",
                to.name,
                to.code,
                from.name,
                from.code,
                if names.is_empty() { "(không có)".to_string() } else { names.join(", ") }
            )));
        }
        if to.path.starts_with(&from.path) {
            return Err(StoreError::Invalid(format!("{} nằm trong {}: không thể đặt đơn vị dưới chính nó", to.name, from.name)));
        }
        const USERS: &str = "SELECT id, username, agency_id FROM app_user WHERE unit_id = $1 ORDER BY username";
        let users: Vec<(i64, String, Option<i64>)> = on_db!(&self.read, |p| sqlx::query_as(USERS).bind(from.id).fetch_all(p).await)?;
        const AGENCIES: &str = "SELECT id, unit_id, name, kind FROM agency WHERE unit_id = $1 ORDER BY id";
        let old_agencies: Vec<Agency> = on_db!(&self.read, |p| sqlx::query_as(AGENCIES).bind(from.id).fetch_all(p).await)?;
        let new_agencies: Vec<Agency> = on_db!(&self.read, |p| sqlx::query_as(AGENCIES).bind(to.id).fetch_all(p).await)?;
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
            write_tx!(self, |tx| {
                // Agencies: join the successor's agency of the same name, else move with the unit.
                let mut agency_to: HashMap<i64, i64> = HashMap::new();
                for a in &old_agencies {
                    match new_agencies.iter().find(|n| fold(&n.name) == fold(&a.name)) {
                        Some(n) => {
                            agency_to.insert(a.id, n.id);
                            summary.agencies_joined += 1;
                        }
                        None => {
                            sqlx::query("UPDATE agency SET unit_id = $1 WHERE id = $2").bind(to.id).bind(a.id).execute(&mut *tx).await?;
                            audit!(
                                tx,
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
                        .execute(&mut *tx)
                        .await?;
                    audit!(
                        tx,
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
                    sqlx::query("UPDATE unit SET parent_id = $1 WHERE id = $2").bind(to.id).bind(from.id).execute(&mut *tx).await?;
                    // Rewrite the subtree's paths: the old prefix becomes the successor's path + the unit's id.
                    const PATHS: &str = "UPDATE unit SET path = $1 || SUBSTR(path, $2) WHERE path LIKE $3 || '%'";
                    let cut = i32::try_from(from.path.len()).unwrap_or(i32::MAX).saturating_add(1);
                    sqlx::query(PATHS).bind(&new_prefix).bind(cut).bind(&from.path).execute(&mut *tx).await?;
                    let old_parent = match from.parent_id {
                        Some(pid) => sqlx::query_scalar::<_, String>("SELECT code || ' ' || name FROM unit WHERE id = $1")
                            .bind(pid)
                            .fetch_optional(&mut *tx)
                            .await?
                            .unwrap_or_else(|| format!("#{pid}")),
                        None => "(gốc)".to_string(),
                    };
                    audit!(
                        tx,
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
            });
        }
        const PLANS: &str = "SELECT COUNT(*) FROM plan p JOIN unit u ON u.id = p.unit_id WHERE u.path LIKE $1 || '%'";
        const REPORTS: &str = "SELECT COUNT(*) FROM report r JOIN unit u ON u.id = r.unit_id WHERE u.path LIKE $1 || '%'";
        summary.plans = on_db!(&self.read, |p| sqlx::query_scalar(PLANS).bind(&new_prefix).fetch_one(p).await)?;
        summary.reports = on_db!(&self.read, |p| sqlx::query_scalar(REPORTS).bind(&new_prefix).fetch_one(p).await)?;
        summary.from = self.unit_by_id(scope, from.id).await?;
        Ok(summary)
    }
}
