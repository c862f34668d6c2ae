//! After a reform: moving closed units' accounts and history to their successors — the one use case behind
//! `chiso units move` and the page "Sắp xếp đơn vị sau sáp nhập" (`/units/moves`). The store does the move
//! (scope, audit, one transaction; see `chiso_store::units` moves); this layer reads the clock (which units
//! are closed *today*), picks the batch (every closed unit with exactly one successor in the caller's scope)
//! and parses what a person typed (`CODE@DATE`).

use crate::{App, ServiceError, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::list::{PageRequest, Paged, Sort};
use chiso_store::units::{MoveSummary, PendingColumn, PendingFilter, PendingMove};

/// What the batch move did.
#[derive(Debug, Clone, Default)]
pub struct BatchMove {
    /// The units moved, in order (each with its accounts, agencies, plans and reports).
    pub moved: Vec<MoveSummary>,
    /// Closed units left for a person: several successors to choose from, none recorded, or the only one
    /// outside the caller's scope.
    pub left: Vec<PendingMove>,
}

impl BatchMove {
    /// Accounts moved in all.
    pub fn accounts(&self) -> usize {
        self.moved.iter().map(|m| m.users.len()).sum()
    }
}

fn today_iso(app: &App) -> String {
    chiso_core::unit::format_date(app.today())
}

/// One page of the closed units within the scope still to be moved (closed before today).
pub async fn pending(
    app: &App,
    scope: &Scope,
    filter: &PendingFilter,
    sort: Sort<PendingColumn>,
    page: PageRequest,
) -> ServiceResult<Paged<PendingMove>> {
    Ok(app.store.pending_moves(scope, &today_iso(app), filter, sort, page).await?)
}

/// "CODE@DATE" (the unit that had CODE on DATE) as the command line takes it.
pub fn parse_code_on(s: &str) -> ServiceResult<(String, String)> {
    match s.split_once('@') {
        Some((code, on)) if !code.trim().is_empty() && !on.trim().is_empty() => Ok((code.trim().to_string(), on.trim().to_string())),
        _ => Err(ServiceError::Invalid(format!("'{s}': cần dạng MÃ@NGÀY, ví dụ 00004@2025-06-30 (đơn vị mang mã đó vào ngày đó)"))),
    }
}

/// Move the closed unit that had `code` on `on` to its successor `to_code` (one of its recorded successors).
pub async fn move_one(app: &App, scope: &Scope, code: &str, on: &str, to_code: &str) -> ServiceResult<MoveSummary> {
    Ok(app.store.move_to_successor(scope, code.trim(), on.trim(), to_code.trim()).await?)
}

/// Move every closed unit within the scope that has exactly one successor (in the scope too), in one
/// transaction: all of them or none. The others are returned as left for a person to decide.
pub async fn move_all_single(app: &App, scope: &Scope) -> ServiceResult<BatchMove> {
    let pending = app.store.all_pending_moves(scope, &today_iso(app)).await?;
    let (single, left): (Vec<PendingMove>, Vec<PendingMove>) = pending.into_iter().partition(|p| p.single_successor().is_some());
    let pairs: Vec<(i64, i64)> = single.iter().filter_map(|p| p.single_successor().map(|s| (p.unit.id, s.id))).collect();
    let moved = if pairs.is_empty() { Vec::new() } else { app.store.move_units(scope, &pairs).await? };
    Ok(BatchMove { moved, left })
}
