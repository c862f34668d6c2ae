//! Administrative units: levels, the CSV exchange format, and validation of imported rows.
//!
//! CSV columns (header row, UTF-8): `code,name,level,parent_code,valid_from,valid_to`.
//! Dates are ISO `YYYY-MM-DD`; an empty `valid_to` means the unit is still in force; an empty `valid_from`
//! means "in force since before the list begins" and is stored as [`SINCE_EVER`].
//!
//! A unit is its code *and* its validity: the GSO reuses codes across the 2025 reform (commune `00004` is
//! Phường Trúc Bạch until 2025-06-30 and Phường Ba Đình from 2025-07-01), so a file may hold one code twice
//! with different `valid_from`.

use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use time::Date;
use time::macros::format_description;

/// The stored `valid_from` of a unit whose file leaves it empty ("since ever"): the smallest ISO date, so
/// that every date comparison (`valid_from <= date`) holds. Exported back as an empty cell.
pub const SINCE_EVER: &str = "0001-01-01";

/// Header of a merger mapping (`mergers-2025.csv`).
pub const MERGER_HEADER: [&str; 5] = ["level", "old_code", "new_code", "share", "note"];

pub const CSV_HEADER: [&str; 6] = ["code", "name", "level", "parent_code", "valid_from", "valid_to"];

/// The default levels. Levels are data (table `unit_level`), so the two-level structure in force since
/// 1 July 2025 (province → commune) needs no code change: communes simply have a province parent.
pub const DEFAULT_LEVELS: [(&str, &str, &str, i32); 4] = [
    ("province", "Tỉnh/Thành phố", "Province", 1),
    ("district", "Huyện/Quận/Thị xã", "District", 2),
    ("commune", "Xã/Phường/Thị trấn", "Commune", 3),
    ("village", "Thôn/Bản/Tổ dân phố", "Village", 4),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRecord {
    /// 1-based line in the file (header is line 1).
    pub line: usize,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dòng {}, cột {}: {}", self.line, self.column, self.message)
    }
}

/// All problems of a file, so the user can fix them in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowErrors(pub Vec<RowError>);

impl fmt::Display for RowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RowErrors {}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

pub fn format_date(d: Date) -> String {
    // ISO dates never fail to format; fall back to Display (which is also ISO) to stay panic-free.
    d.format(format_description!("[year]-[month]-[day]")).unwrap_or_else(|_| d.to_string())
}

/// A unit code: 1–32 characters of letters, digits, '-', '_' or '.'.
pub fn check_code(code: &str) -> Result<(), String> {
    if code.is_empty() {
        return Err("mã đơn vị trống".into());
    }
    if code.chars().count() > 32 {
        return Err(format!("mã đơn vị quá dài ({} ký tự, tối đa 32)", code.chars().count()));
    }
    if let Some(c) = code.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(format!("mã đơn vị '{code}' có ký tự không hợp lệ '{c}'"));
    }
    Ok(())
}

/// A CSV reader over `text` (a byte-order mark dropped) whose header must be `expected` (case and surrounding
/// spaces ignored); the one header check of the unit and merger files.
fn reader_with_header<'a>(text: &'a str, expected: &[&str]) -> Result<csv::Reader<&'a [u8]>, RowErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(RowErrors(vec![RowError {
                line: 1, column: "-".into(), message: format!("không đọc được tiêu đề: {e}")
            }]));
        }
    };
    if header.iter().map(String::as_str).collect::<Vec<_>>() != expected {
        return Err(RowErrors(vec![RowError {
            line: 1,
            column: "-".into(),
            message: format!("tiêu đề phải là '{}', nhận được '{}'", expected.join(","), header.join(",")),
        }]));
    }
    Ok(rdr)
}

/// Parse and validate a unit CSV. `known_levels` are the level codes in force. Checks each row and the file
/// as a whole (duplicate codes, a parent that is neither in the file nor — as the caller checks later — in
/// the database, validity ranges). Returns every problem found.
pub fn parse_units_csv(text: &str, known_levels: &[String]) -> Result<Vec<UnitRecord>, RowErrors> {
    parse_units_file(text, known_levels).map(|f| f.records)
}

/// A parsed unit file: the records, and the lines skipped because they carry neither a code nor a name
/// (the official 2024 list has one such empty record; there is nothing in it to import).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitFile {
    pub records: Vec<UnitRecord>,
    pub skipped_lines: Vec<usize>,
}

/// [`parse_units_csv`], also telling which lines were skipped as empty records.
pub fn parse_units_file(text: &str, known_levels: &[String]) -> Result<UnitFile, RowErrors> {
    let mut skipped_lines = Vec::new();
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut rdr = reader_with_header(text, &CSV_HEADER)?;
    let mut seen = HashSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { line, column: "-".into(), message: format!("dòng CSV không hợp lệ: {e}") });
                continue;
            }
        };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != 6 {
            errors.push(RowError { line, column: "-".into(), message: format!("cần 6 cột, có {}", rec.len()) });
            continue;
        }
        let field = |k: usize| rec.get(k).map(|f| crate::text::nfc(crate::text::csv_unguard(f))).unwrap_or_default();
        if field(0).is_empty() && field(1).is_empty() {
            skipped_lines.push(line);
            continue;
        }
        let mut bad = |column: &str, message: String| errors.push(RowError { line, column: column.into(), message });
        let code = field(0);
        let from_raw = field(4);
        if let Err(m) = check_code(&code) {
            bad("code", m);
        } else if !seen.insert((code.clone(), from_raw.clone())) {
            bad("code", format!("mã '{code}' bị trùng trong tệp (cùng ngày bắt đầu hiệu lực)"));
        }
        let name = field(1);
        if name.is_empty() {
            bad("name", "tên đơn vị trống".into());
        } else if let Err(m) = crate::limits::check_len("tên đơn vị", &name, crate::limits::MAX_NAME_CHARS) {
            bad("name", m);
        }
        let level = field(2);
        if !known_levels.contains(&level) {
            bad("level", format!("cấp '{level}' không có; các cấp hợp lệ: {}", known_levels.join(", ")));
        }
        let parent_code = Some(field(3)).filter(|s| !s.is_empty());
        if parent_code.as_deref() == Some(code.as_str()) {
            bad("parent_code", "đơn vị không thể là cấp trên của chính nó".into());
        }
        let valid_from = if from_raw.is_empty() { parse_date(SINCE_EVER) } else { parse_date(&from_raw) };
        if valid_from.is_none() {
            bad("valid_from", format!("ngày '{from_raw}' không hợp lệ (cần YYYY-MM-DD)"));
        }
        let to_raw = field(5);
        let valid_to = if to_raw.is_empty() { None } else { parse_date(&to_raw) };
        if !to_raw.is_empty() && valid_to.is_none() {
            bad("valid_to", format!("ngày '{to_raw}' không hợp lệ (cần YYYY-MM-DD)"));
        }
        if let (Some(f), Some(t)) = (valid_from, valid_to)
            && t < f
        {
            bad("valid_to", format!("ngày kết thúc {to_raw} trước ngày bắt đầu {from_raw}"));
        }
        if let Some(valid_from) = valid_from {
            records.push(UnitRecord { line, code, name, level, parent_code, valid_from, valid_to });
        }
    }
    if errors.is_empty() { Ok(UnitFile { records, skipped_lines }) } else { Err(RowErrors(errors)) }
}

/// Whether an old unit went entirely into a new one or was divided between several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Share {
    Whole,
    Part,
}

impl Share {
    pub fn as_str(self) -> &'static str {
        match self {
            Share::Whole => "whole",
            Share::Part => "part",
        }
    }
}

/// One row of a merger mapping: old unit → new unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergerRecord {
    pub line: usize,
    pub level: String,
    pub old_code: String,
    pub new_code: String,
    pub share: Share,
    /// The new unit that got the largest part of a divided old unit.
    pub main: bool,
}

impl MergerRecord {
    /// Does this row name the old unit's successor (the whole of it, or its main part)?
    pub fn is_successor(&self) -> bool {
        self.share == Share::Whole || self.main
    }
}

/// Parse and validate a merger mapping (`level,old_code,new_code,share,note`; share `whole`/`part`, note
/// empty or `main`). An old unit either went whole into exactly one new unit, or was divided (all its rows
/// `part`, at most one `main`). Returns every problem found.
pub fn parse_mergers_csv(text: &str) -> Result<Vec<MergerRecord>, RowErrors> {
    let mut errors = Vec::new();
    let mut records: Vec<MergerRecord> = Vec::new();
    let mut rdr = reader_with_header(text, &MERGER_HEADER)?;
    let mut pairs = HashSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { line, column: "-".into(), message: format!("dòng CSV không hợp lệ: {e}") });
                continue;
            }
        };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != 5 {
            errors.push(RowError { line, column: "-".into(), message: format!("cần 5 cột, có {}", rec.len()) });
            continue;
        }
        let field = |k: usize| rec.get(k).map(crate::text::nfc).unwrap_or_default();
        let mut bad = |column: &str, message: String| errors.push(RowError { line, column: column.into(), message });
        let (level, old_code, new_code) = (field(0), field(1), field(2));
        if level.is_empty() {
            bad("level", "cấp trống".into());
        }
        for (column, code) in [("old_code", &old_code), ("new_code", &new_code)] {
            if let Err(m) = check_code(code) {
                bad(column, m);
            }
        }
        if !pairs.insert((old_code.clone(), new_code.clone(), level.clone())) {
            bad("new_code", format!("cặp '{old_code}' → '{new_code}' bị trùng trong tệp"));
        }
        let share = match field(3).as_str() {
            "whole" => Some(Share::Whole),
            "part" => Some(Share::Part),
            other => {
                bad("share", format!("tỷ lệ '{other}' không hợp lệ (whole hoặc part)"));
                None
            }
        };
        let main = match field(4).as_str() {
            "" => false,
            "main" => true,
            other => {
                bad("note", format!("ghi chú '{other}' không hợp lệ (để trống hoặc main)"));
                false
            }
        };
        if let Some(share) = share {
            records.push(MergerRecord { line, level, old_code, new_code, share, main });
        }
    }
    // Per old unit: whole → exactly one row; part → no whole row and at most one main.
    let mut by_old: std::collections::HashMap<(&str, &str), Vec<&MergerRecord>> = std::collections::HashMap::new();
    for r in &records {
        by_old.entry((r.level.as_str(), r.old_code.as_str())).or_default().push(r);
    }
    for ((_, old), rows) in &by_old {
        let wholes = rows.iter().filter(|r| r.share == Share::Whole).count();
        let mains = rows.iter().filter(|r| r.main).count();
        if wholes > 0 && rows.len() > 1 {
            let line = rows.iter().map(|r| r.line).max().unwrap_or(0);
            errors.push(RowError {
                line, column: "share".into(), message: format!("đơn vị '{old}' vừa nhập nguyên vẹn vừa được chia")
            });
        } else if mains > 1 {
            let line = rows.iter().filter(|r| r.main).map(|r| r.line).max().unwrap_or(0);
            errors.push(RowError {
                line, column: "note".into(), message: format!("đơn vị '{old}' có nhiều hơn một phần chính (main)")
            });
        }
    }
    errors.sort_by_key(|e| e.line);
    if errors.is_empty() { Ok(records) } else { Err(RowErrors(errors)) }
}

/// Order records so that every parent that is in the file comes before its children. A cycle inside the
/// file is an error naming the lines involved.
pub fn order_parents_first(records: Vec<UnitRecord>) -> Result<Vec<UnitRecord>, RowErrors> {
    let in_file: HashSet<String> = records.iter().map(|r| r.code.clone()).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut pending = records;
    let mut out = Vec::with_capacity(pending.len());
    loop {
        let before = pending.len();
        let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|r| match &r.parent_code {
            Some(p) => !in_file.contains(p) || placed.contains(p),
            None => true,
        });
        for r in &ready {
            placed.insert(r.code.clone());
        }
        out.extend(ready);
        pending = rest;
        if pending.is_empty() {
            return Ok(out);
        }
        if pending.len() == before {
            return Err(RowErrors(
                pending
                    .iter()
                    .map(|r| RowError {
                        line: r.line,
                        column: "parent_code".into(),
                        message: format!("vòng lặp cấp trên qua '{}'", r.code),
                    })
                    .collect(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Vec<String> {
        DEFAULT_LEVELS.iter().map(|l| l.0.to_string()).collect()
    }

    #[test]
    fn parses_a_good_file_and_orders_parents_first() {
        let csv = "code,name,level,parent_code,valid_from,valid_to\n\
                   123,Huyện Mộc Châu,district,14,2000-01-01,\n\
                   14,Tỉnh Sơn La,province,,2000-01-01,\n";
        let recs = parse_units_csv(csv, &levels()).expect("valid");
        assert_eq!(recs.len(), 2);
        let ordered = order_parents_first(recs).expect("no cycle");
        assert_eq!(ordered[0].code, "14");
        assert_eq!(ordered[1].parent_code.as_deref(), Some("14"));
    }

    #[test]
    fn reports_every_bad_field_with_line_and_column() {
        let csv = "code,name,level,parent_code,valid_from,valid_to\n\
                   14,Tỉnh Sơn La,province,,2000-13-01,\n\
                   14,,galaxy,,2000-01-01,1999-01-01\n\
                   14,Tỉnh Sơn La,province,,2000-13-01,\n";
        let err = parse_units_csv(csv, &levels()).expect_err("invalid");
        let cols: Vec<(usize, &str)> = err.0.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert!(cols.contains(&(2, "valid_from")));
        assert!(cols.contains(&(4, "code")), "duplicate code and validity");
        assert!(cols.contains(&(3, "name")));
        assert!(cols.contains(&(3, "level")));
        assert!(cols.contains(&(3, "valid_to")));
        assert!(err.to_string().contains("dòng 2, cột valid_from"));
    }

    #[test]
    fn wrong_header_and_cycles_are_refused() {
        assert!(parse_units_csv("a,b\n1,2\n", &levels()).is_err());
        let csv = "code,name,level,parent_code,valid_from,valid_to\nA,a,commune,B,2000-01-01,\nB,b,commune,A,2000-01-01,\n";
        let recs = parse_units_csv(csv, &levels()).expect("rows valid");
        assert!(order_parents_first(recs).is_err());
    }

    #[test]
    fn empty_valid_from_is_since_ever_and_a_code_may_return_with_another_validity() {
        let csv = "code,name,level,parent_code,valid_from,valid_to\n\
                   00004,Phường Trúc Bạch,commune,,,2025-06-30\n\
                   ,,commune,318,,2025-06-30\n\
                   00004,Phường Ba Đình,commune,,2025-07-01,\n";
        let file = parse_units_file(csv, &levels()).expect("valid");
        assert_eq!(file.skipped_lines, vec![3], "a record with neither code nor name is skipped, and said so");
        assert_eq!(file.records.len(), 2);
        assert_eq!(format_date(file.records[0].valid_from), SINCE_EVER);
        assert_eq!(format_date(file.records[1].valid_from), "2025-07-01");
        let twice = "code,name,level,parent_code,valid_from,valid_to\nA,a,commune,,,\nA,b,commune,,,\n";
        assert!(parse_units_csv(twice, &levels()).is_err(), "same code and same validity twice is a duplicate");
    }

    #[test]
    fn parses_mergers_and_refuses_inconsistent_shares() {
        let csv = "level,old_code,new_code,share,note\n\
                   province,35,37,whole,\n\
                   commune,00001,00004,part,main\n\
                   commune,00001,00008,part,\n";
        let rows = parse_mergers_csv(csv).expect("valid");
        assert_eq!(rows.len(), 3);
        assert!(rows[0].is_successor() && rows[1].is_successor() && !rows[2].is_successor());
        let bad = "level,old_code,new_code,share,note\n\
                   province,35,37,whole,\n\
                   province,35,36,whole,\n\
                   commune,1,2,half,\n\
                   commune,3,4,part,main\n\
                   commune,3,5,part,main\n";
        let err = parse_mergers_csv(bad).expect_err("invalid");
        let cols: Vec<(usize, &str)> = err.0.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert!(cols.contains(&(3, "share")), "{err}");
        assert!(cols.contains(&(4, "share")), "{err}");
        assert!(cols.contains(&(6, "note")), "{err}");
    }
}
