//! Query building shared by the lists (audit log, plans, tasks, accounts): a query is fixed SQL text with
//! numbered placeholders and the values bound to them. Only `&'static str` fragments are ever appended to
//! the text (the columns a list sorts by are fixed expressions chosen by an enum), so nothing a request says
//! becomes SQL. Paging is `LIMIT`/`OFFSET` with a `COUNT(*)` of the same filtered query; the same text runs
//! on SQLite and PostgreSQL.

use crate::{Db, StoreResult, on_db};
use chiso_core::list::{PageRequest, Paged, SortDir};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

/// SQL text and its bound values, in placeholder order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &'static str) -> Sql {
        Sql { text: text.to_string(), args: Vec::new() }
    }

    /// Append fixed SQL text.
    pub fn push(&mut self, text: &'static str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    fn placeholder(&mut self, arg: Arg) -> &mut Sql {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Append a placeholder bound to a text value.
    pub fn text(&mut self, v: impl Into<String>) -> &mut Sql {
        self.placeholder(Arg::Text(v.into()))
    }

    /// Append a placeholder bound to an integer.
    pub fn int(&mut self, v: i64) -> &mut Sql {
        self.placeholder(Arg::Int(v))
    }

    /// `ORDER BY` the given fixed expressions, each in a direction.
    pub fn order_by(&mut self, keys: &[(&'static str, SortDir)]) -> &mut Sql {
        for (i, (expr, dir)) in keys.iter().enumerate() {
            self.push(if i == 0 { " ORDER BY " } else { ", " });
            self.push(expr);
            self.push(match dir {
                SortDir::Asc => " ASC",
                SortDir::Desc => " DESC",
            });
        }
        self
    }

    /// The text for sqlx: safe by construction, since only `&'static str` fragments and generated
    /// placeholders (`$n`) are ever appended to it.
    fn checked(&self) -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(self.text.clone())
    }

    /// This query's text with fixed text before it (the placeholders keep their numbers).
    pub fn prefixed(&self, head: &'static str) -> Sql {
        Sql { text: format!("{head} {}", self.text), args: self.args.clone() }
    }
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

/// Every row of a query.
pub(crate) async fn fetch_all<T>(db: &Db, sql: &Sql) -> StoreResult<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    Ok(on_db!(db, |p| bind_all!(sqlx::query_as::<_, T>(sql.checked()), &sql.args).fetch_all(p).await)?)
}

async fn count(db: &Db, sql: &Sql) -> StoreResult<i64> {
    Ok(on_db!(db, |p| bind_all!(sqlx::query_scalar::<_, i64>(sql.checked()), &sql.args).fetch_one(p).await)?)
}

/// One page of `SELECT {select} {from_where} ORDER BY {order}` and the number of rows of the whole query.
/// A page beyond the last is the last page.
pub(crate) async fn fetch_page<T>(
    db: &Db,
    select: &'static str,
    from_where: &Sql,
    order: &[(&'static str, SortDir)],
    page: PageRequest,
) -> StoreResult<Paged<T>>
where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let total = count(db, &from_where.prefixed("SELECT COUNT(*)")).await?;
    let page = page.clamp_to(total);
    let mut q = from_where.prefixed(select);
    q.order_by(order);
    q.push(" LIMIT ").int(page.limit()).push(" OFFSET ").int(page.offset());
    let items = fetch_all(db, &q).await?;
    Ok(Paged { items, total, page: page.page, size: page.size })
}

/// `%text%` for a `LIKE`, with the pattern characters of the text removed (they would match anything).
pub(crate) fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace(['%', '_', '\\'], ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_numbered_placeholders_and_never_sql() {
        let mut q = Sql::new("FROM t WHERE 1 = 1");
        q.push(" AND a = ").text("x'; DROP TABLE t; --").push(" AND b = ").int(3);
        q.order_by(&[("t.name", SortDir::Asc), ("t.id", SortDir::Desc)]);
        assert_eq!(q.text, "FROM t WHERE 1 = 1 AND a = $1 AND b = $2 ORDER BY t.name ASC, t.id DESC");
        assert_eq!(q.args.len(), 2);
        let c = q.prefixed("SELECT COUNT(*)");
        assert!(c.text.starts_with("SELECT COUNT(*) FROM t") && c.args.len() == 2);
        assert_eq!(contains_pattern("50%_a"), "%50a%");
    }
}
