//! Backup and restore at the level of tables: a consistent snapshot of every table (one read transaction,
//! REPEATABLE READ on PostgreSQL; `VACUUM INTO` a file on SQLite), loading such a snapshot into a freshly
//! migrated database of either backend, and a digest of every table (row count and SHA-256 of its rows in a
//! fixed order) so a restore can be checked complete. No scope: these are operator commands (`chiso backup`,
//! `chiso restore`), never reachable from the web.

use crate::{Db, Store, StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Column, Row, TypeInfo, ValueRef};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One table's rows: column names, then rows of JSON values (integers, booleans, text, null; floats as their
/// exact text).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableDump {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// What a restore is checked against: rows per table and a SHA-256 of the rows (in their sorted order).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableDigest {
    pub rows: u64,
    pub sha256: String,
}

impl TableDump {
    /// Rows are hashed as sorted JSON lines, so the digest does not depend on a backend's collation.
    pub fn digest(&self) -> TableDigest {
        let mut lines: Vec<String> = self.rows.iter().map(|r| serde_json::to_string(&normalise(r)).unwrap_or_default()).collect();
        lines.sort();
        let mut h = Sha256::new();
        h.update(self.columns.join(",").as_bytes());
        h.update(b"\n");
        for l in &lines {
            h.update(l.as_bytes());
            h.update(b"\n");
        }
        TableDigest { rows: self.rows.len() as u64, sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect() }
    }
}

/// Booleans are integers on SQLite: compare them as 0/1 so a digest means the same on both backends.
fn normalise(row: &[Value]) -> Vec<Value> {
    row.iter().map(|v| if let Value::Bool(b) = v { Value::from(i64::from(*b)) } else { v.clone() }).collect()
}

/// Tables not dumped: the migration bookkeeping, unit revisions (derived: the triggers that keep them create
/// a unit's row when the unit is restored, and every restored row bumps them again) and shared figures
/// (derived, computed again on demand).
const SKIP: &[&str] = &["_sqlx_migrations", "unit_revision", "unit_tree_revision", "shared_figure"];

fn quote(ident: &str) -> StoreResult<String> {
    if ident.is_empty() || !ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Invalid(format!("tên bảng/cột không hợp lệ: {ident}")));
    }
    Ok(format!("\"{ident}\""))
}

/// Order tables so every referenced table comes first (self-references are handled separately).
fn parents_first(tables: &[String], fks: &[(String, String)]) -> StoreResult<Vec<String>> {
    let mut deps: BTreeMap<&str, BTreeSet<&str>> = tables.iter().map(|t| (t.as_str(), BTreeSet::new())).collect();
    for (child, parent) in fks {
        if child != parent
            && let Some(d) = deps.get_mut(child.as_str())
            && tables.contains(parent)
        {
            d.insert(parent.as_str());
        }
    }
    let mut out: Vec<String> = Vec::new();
    while out.len() < tables.len() {
        let ready: Vec<&str> = deps
            .iter()
            .filter(|(t, d)| !out.iter().any(|o| o == *t) && d.iter().all(|p| out.iter().any(|o| o == p)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Invalid("các bảng tham chiếu vòng tròn: không xếp được thứ tự khôi phục".into()));
        }
        out.extend(ready.into_iter().map(String::from));
    }
    Ok(out)
}

/// A float as its shortest exact text: JSON readers need not parse floats exactly (serde_json does not by
/// default), Rust's `str::parse` does, so the restored value is the same bits.
fn float(x: f64) -> Value {
    Value::String(x.to_string())
}

fn sqlite_value(row: &sqlx::sqlite::SqliteRow, i: usize) -> StoreResult<Value> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().name().to_ascii_uppercase();
    Ok(match kind.as_str() {
        "INTEGER" | "INT" | "BIGINT" | "BOOLEAN" => Value::from(row.try_get::<i64, _>(i)?),
        "REAL" | "DOUBLE" | "FLOAT" | "NUMERIC" => float(row.try_get::<f64, _>(i)?),
        "BLOB" => return Err(StoreError::Invalid("cột BLOB không được hỗ trợ trong bản sao lưu".into())),
        _ => Value::from(row.try_get::<String, _>(i)?),
    })
}

fn pg_value(row: &sqlx::postgres::PgRow, i: usize) -> StoreResult<Value> {
    let kind = row.columns()[i].type_info().name().to_ascii_uppercase();
    Ok(match kind.as_str() {
        "INT8" => row.try_get::<Option<i64>, _>(i)?.map(Value::from),
        "INT4" => row.try_get::<Option<i32>, _>(i)?.map(Value::from),
        "INT2" => row.try_get::<Option<i16>, _>(i)?.map(Value::from),
        "BOOL" => row.try_get::<Option<bool>, _>(i)?.map(Value::from),
        "FLOAT8" => row.try_get::<Option<f64>, _>(i)?.map(float),
        "FLOAT4" => row.try_get::<Option<f32>, _>(i)?.map(|f| float(f64::from(f))),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => row.try_get::<Option<String>, _>(i)?.map(Value::from),
        other => return Err(StoreError::Invalid(format!("kiểu cột {other} không được hỗ trợ trong bản sao lưu"))),
    }
    .unwrap_or(Value::Null))
}

/// A value bound for a column whose declared type is `ty` (lower case; PostgreSQL's `data_type` or
/// SQLite's declared type).
enum Bind {
    I64(Option<i64>),
    I32(Option<i32>),
    F64(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
}

fn bind_for(ty: &str, v: &Value) -> StoreResult<Bind> {
    let bad = || StoreError::Invalid(format!("giá trị {v} không hợp với kiểu cột {ty}"));
    let ty = ty.to_ascii_lowercase();
    Ok(if ty.contains("bool") {
        Bind::Bool(match v {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_i64().ok_or_else(bad)? != 0),
            _ => return Err(bad()),
        })
    } else if ty.contains("int") {
        let n = match v {
            Value::Null => None,
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Number(n) => Some(n.as_i64().ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        // PostgreSQL's `integer` wants a 4-byte value; SQLite's INTEGER is 8 bytes.
        match n.map(i32::try_from) {
            Some(Ok(x)) if ty == "integer" => Bind::I32(Some(x)),
            _ => Bind::I64(n),
        }
    } else if ty.contains("double") || ty.contains("real") || ty.contains("float") || ty.contains("numeric") {
        Bind::F64(match v {
            Value::Null => None,
            Value::Number(n) => Some(n.as_f64().ok_or_else(bad)?),
            Value::String(t) => Some(t.parse::<f64>().map_err(|_| bad())?),
            _ => return Err(bad()),
        })
    } else {
        Bind::Text(match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
    })
}

macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::I64(x) => q.bind(x),
                Bind::I32(x) => q.bind(x),
                Bind::F64(x) => q.bind(x),
                Bind::Bool(x) => q.bind(x),
                Bind::Text(x) => q.bind(x),
            };
        }
        q
    }};
}

impl Store {
    /// The tables chiso owns, parents before children, with their self-referencing columns.
    async fn tables_in_order(&self) -> StoreResult<(Vec<String>, BTreeMap<String, Vec<String>>)> {
        let (tables, fks): (Vec<String>, Vec<(String, String, String)>) = match &self.write {
            Db::Sqlite(p) => {
                const T: &str = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
                let tables: Vec<String> = sqlx::query_scalar(T).fetch_all(p).await?;
                let mut fks = Vec::new();
                for t in &tables {
                    let sql = format!("SELECT \"table\", \"from\" FROM pragma_foreign_key_list('{}')", t.replace('\'', "''"));
                    let rows: Vec<(String, String)> = sqlx::query_as(AssertSqlSafe(sql)).fetch_all(p).await?;
                    fks.extend(rows.into_iter().map(|(parent, col)| (t.clone(), parent, col)));
                }
                (tables, fks)
            }
            Db::Postgres(p) => {
                const T: &str = "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1";
                let tables: Vec<String> = sqlx::query_scalar(T).fetch_all(p).await?;
                const F: &str = "SELECT kcu.table_name::text, ccu.table_name::text, kcu.column_name::text \
                     FROM information_schema.table_constraints tc \
                     JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
                     JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                     WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()";
                let fks: Vec<(String, String, String)> = sqlx::query_as(F).fetch_all(p).await?;
                (tables, fks)
            }
        };
        let tables: Vec<String> = tables.into_iter().filter(|t| !SKIP.contains(&t.as_str())).collect();
        let pairs: Vec<(String, String)> = fks.iter().map(|(c, p, _)| (c.clone(), p.clone())).collect();
        let mut self_refs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (c, p, col) in fks {
            if c == p {
                self_refs.entry(c).or_default().push(col);
            }
        }
        Ok((parents_first(&tables, &pairs)?, self_refs))
    }

    /// Every table's rows, read in one transaction (a consistent snapshot while others write), each sorted
    /// by all its columns.
    pub async fn dump_tables(&self) -> StoreResult<Vec<TableDump>> {
        let (tables, _) = self.tables_in_order().await?;
        // Column lists first: on an in-memory SQLite the pool has one connection, held by the transaction.
        let mut columns = Vec::with_capacity(tables.len());
        for t in &tables {
            columns.push(self.columns(t).await?);
        }
        let mut out = Vec::with_capacity(tables.len());
        match &self.read {
            Db::Sqlite(p) => {
                let mut tx = p.begin().await?;
                for (t, cols) in tables.iter().zip(columns.clone()) {
                    let order: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
                    let sql = format!("SELECT * FROM {} ORDER BY {}", quote(t)?, order.join(", "));
                    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
                    let rows = rows
                        .iter()
                        .map(|r| (0..cols.len()).map(|i| sqlite_value(r, i)).collect::<StoreResult<Vec<_>>>())
                        .collect::<StoreResult<Vec<_>>>()?;
                    out.push(TableDump { name: t.clone(), columns: cols.into_iter().map(|c| c.0).collect(), rows });
                }
                tx.commit().await?;
            }
            Db::Postgres(p) => {
                let mut tx = p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
                for (t, cols) in tables.iter().zip(columns.clone()) {
                    let order: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
                    let sql = format!("SELECT * FROM {} ORDER BY {}", quote(t)?, order.join(", "));
                    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
                    let rows = rows
                        .iter()
                        .map(|r| (0..cols.len()).map(|i| pg_value(r, i)).collect::<StoreResult<Vec<_>>>())
                        .collect::<StoreResult<Vec<_>>>()?;
                    out.push(TableDump { name: t.clone(), columns: cols.into_iter().map(|c| c.0).collect(), rows });
                }
                tx.commit().await?;
            }
        }
        Ok(out)
    }

    /// Row count and SHA-256 of every table (see [`TableDump::digest`]).
    pub async fn table_digests(&self) -> StoreResult<BTreeMap<String, TableDigest>> {
        Ok(self.dump_tables().await?.iter().map(|d| (d.name.clone(), d.digest())).collect())
    }

    /// (name, declared type) of a table's columns, in order.
    async fn columns(&self, table: &str) -> StoreResult<Vec<(String, String)>> {
        Ok(match &self.read {
            Db::Sqlite(p) => {
                let sql = format!("SELECT name, type FROM pragma_table_info('{}') ORDER BY cid", table.replace('\'', "''"));
                sqlx::query_as(AssertSqlSafe(sql)).fetch_all(p).await?
            }
            Db::Postgres(p) => {
                const SQL: &str = "SELECT column_name::text, data_type::text FROM information_schema.columns \
                                   WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position";
                sqlx::query_as(SQL).bind(table).fetch_all(p).await?
            }
        })
    }

    /// A consistent copy of the SQLite database in one file (`VACUUM INTO`), safe while the server runs.
    pub async fn sqlite_snapshot(&self, path: &Path) -> StoreResult<()> {
        let Db::Sqlite(p) = &self.read else {
            return Err(StoreError::Config("VACUUM INTO chỉ dùng cho SQLite".into()));
        };
        let target = path.to_str().ok_or_else(|| StoreError::Invalid("đường dẫn không hợp lệ".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(p).await?;
        Ok(())
    }

    /// Is every chiso table empty (a freshly created database, ready to be restored into)? Unit levels are
    /// seeded on connect and do not count.
    pub async fn is_empty_for_restore(&self) -> StoreResult<bool> {
        let (tables, _) = self.tables_in_order().await?;
        for t in tables.iter().filter(|t| t.as_str() != "unit_level") {
            let sql = format!("SELECT COUNT(*) FROM {}", quote(t)?);
            let n: i64 = crate::on_db!(&self.read, |p| sqlx::query_scalar(AssertSqlSafe(sql.clone())).fetch_one(p).await)?;
            if n > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Load dumped tables into this (freshly migrated, empty) database in one transaction: parents first,
    /// self-references set after every row of the table is in, identity sequences moved past the largest id.
    pub async fn load_tables(&self, dumps: &[TableDump]) -> StoreResult<()> {
        let (order, self_refs) = self.tables_in_order().await?;
        let by_name: BTreeMap<&str, &TableDump> = dumps.iter().map(|d| (d.name.as_str(), d)).collect();
        for d in dumps {
            if !order.contains(&d.name) {
                return Err(StoreError::Invalid(format!("bảng '{}' trong bản sao lưu không có trong cơ sở dữ liệu này", d.name)));
            }
        }
        let mut plans = Vec::new();
        for t in &order {
            let Some(d) = by_name.get(t.as_str()) else { continue };
            let cols = self.columns(t).await?;
            let types: BTreeMap<&str, &str> = cols.iter().map(|(n, ty)| (n.as_str(), ty.as_str())).collect();
            for c in &d.columns {
                if !types.contains_key(c.as_str()) {
                    return Err(StoreError::Invalid(format!("cột '{t}.{c}' trong bản sao lưu không có trong cơ sở dữ liệu này")));
                }
            }
            let selfs = self_refs.get(t).cloned().unwrap_or_default();
            plans.push((t.clone(), *d, types.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(), selfs));
        }
        macro_rules! load {
            ($tx:ident) => {{
                for (t, d, types, selfs) in &plans {
                    let qt = quote(t)?;
                    // Unit levels are seeded on connect: the backup's rows replace them.
                    let clear = format!("DELETE FROM {qt}");
                    sqlx::query(AssertSqlSafe(clear)).execute(&mut *$tx).await?;
                    let names: Vec<String> = d.columns.iter().map(|c| quote(c)).collect::<StoreResult<_>>()?;
                    let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
                    let ins = format!("INSERT INTO {qt} ({}) VALUES ({})", names.join(", "), marks.join(", "));
                    let self_idx: Vec<usize> = d.columns.iter().enumerate().filter(|(_, c)| selfs.contains(c)).map(|(i, _)| i).collect();
                    for row in &d.rows {
                        let mut binds = Vec::with_capacity(row.len());
                        for (i, (c, v)) in d.columns.iter().zip(row).enumerate() {
                            let v = if self_idx.contains(&i) { &Value::Null } else { v };
                            binds.push(bind_for(types.get(c).map(String::as_str).unwrap_or("text"), v)?);
                        }
                        bind_all!(sqlx::query(AssertSqlSafe(ins.clone())), binds).execute(&mut *$tx).await?;
                    }
                    if !self_idx.is_empty() {
                        let id = d
                            .columns
                            .iter()
                            .position(|c| c == "id")
                            .ok_or_else(|| StoreError::Invalid(format!("bảng '{t}' tự tham chiếu nhưng không có cột id")))?;
                        let sets: Vec<String> = self_idx
                            .iter()
                            .enumerate()
                            .map(|(k, &i)| Ok(format!("{} = ${}", quote(&d.columns[i])?, k + 1)))
                            .collect::<StoreResult<_>>()?;
                        let upd = format!("UPDATE {qt} SET {} WHERE \"id\" = ${}", sets.join(", "), self_idx.len() + 1);
                        for row in d.rows.iter().filter(|r| self_idx.iter().any(|&i| !r[i].is_null())) {
                            let mut binds = Vec::new();
                            for &i in &self_idx {
                                binds.push(bind_for(types.get(&d.columns[i]).map(String::as_str).unwrap_or("text"), &row[i])?);
                            }
                            binds.push(bind_for(types.get("id").map(String::as_str).unwrap_or("bigint"), &row[id])?);
                            bind_all!(sqlx::query(AssertSqlSafe(upd.clone())), binds).execute(&mut *$tx).await?;
                        }
                    }
                }
            }};
        }
        match &self.write {
            Db::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                load!(tx);
                tx.commit().await?;
            }
            Db::Postgres(p) => {
                let mut tx = p.begin().await?;
                load!(tx);
                // Identity columns continue after the restored ids.
                for (t, d, _, _) in &plans {
                    if d.columns.iter().any(|c| c == "id") {
                        let sql = format!(
                            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {}), 0) + 1, false) \
                             WHERE pg_get_serial_sequence('{t}', 'id') IS NOT NULL",
                            quote(t)?
                        );
                        sqlx::query(AssertSqlSafe(sql)).execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first_and_cycles_are_refused() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let f = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        let order = parents_first(&t(&["b", "a", "c"]), &f(&[("b", "a"), ("c", "b"), ("a", "a")])).expect("order");
        assert_eq!(order, t(&["a", "b", "c"]));
        assert!(parents_first(&t(&["a", "b"]), &f(&[("a", "b"), ("b", "a")])).is_err());
    }

    #[test]
    fn digests_treat_booleans_as_integers() {
        let a = TableDump { name: "t".into(), columns: vec!["x".into()], rows: vec![vec![Value::Bool(true)]] };
        let b = TableDump { name: "t".into(), columns: vec!["x".into()], rows: vec![vec![Value::from(1)]] };
        assert_eq!(a.digest(), b.digest());
    }
}
