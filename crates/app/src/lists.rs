//! The lists a person pages through: the audit log and the accounts (plans and the task library are in
//! [`crate::plans`]). Filters, sort and page are typed (`chiso_core::list`, the store's filter and column
//! types); the store applies them in SQL within the caller's scope.

use crate::{App, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::list::{PageRequest, Paged, Sort};
use chiso_store::accounts::{UserColumn, UserFilter, UserListItem};
use chiso_store::audit::{AuditColumn, AuditEntry, AuditFilter};

/// One page of the audit log within the scope.
pub async fn audit_log(
    app: &App,
    scope: &Scope,
    filter: &AuditFilter,
    sort: Sort<AuditColumn>,
    page: PageRequest,
) -> ServiceResult<Paged<AuditEntry>> {
    Ok(app.store.audit_page(scope, filter, sort, page).await?)
}

/// Every entry of the filtered audit log within the scope (for the CSV export), read page by page.
pub async fn audit_log_all(app: &App, scope: &Scope, filter: &AuditFilter, sort: Sort<AuditColumn>) -> ServiceResult<Vec<AuditEntry>> {
    let mut out = Vec::new();
    let mut page = PageRequest::new(1, chiso_core::list::MAX_PAGE_SIZE);
    loop {
        let p = app.store.audit_page(scope, filter, sort, page).await?;
        let more = p.has_next();
        out.extend(p.items);
        if !more {
            return Ok(out);
        }
        page = PageRequest::new(page.page + 1, page.size);
    }
}

/// One page of the accounts within the scope.
pub async fn users(
    app: &App,
    scope: &Scope,
    filter: &UserFilter,
    sort: Sort<UserColumn>,
    page: PageRequest,
) -> ServiceResult<Paged<UserListItem>> {
    Ok(app.store.users_page(scope, filter, sort, page).await?)
}
