//! Published index results: parsing, scores from the leaves up, rankings among peers, and the
//! PAR-style score sheet (self-assessed vs appraised). Pure computation; the caller stores data
//! and supplies unit names.
//!
//! Rules (stated once, used everywhere here):
//! - **Scores up the tree.** A leaf's score is as published. An inner node's score follows the
//!   framework's aggregation (`sum` / `percent_of_max`: sum of the children; `mean`: their mean)
//!   and exists only when every child applying that year has a score. So a dimension whose
//!   sub-dimensions were not published has no score, and then neither has the total.
//! - **Not published is not zero.** A row with no value at all means the unit was not published
//!   that year; a leaf absent from that year's framework (PAPI 5.2 from 2021) is not a missing
//!   value.
//! - **Partial rows.** Values are required per group: the leaves under one inner node (a PAPI
//!   dimension, a PAR area) are published all together or not at all. A group with some but not
//!   all values is refused (the sums would be silently wrong). A wholly empty group is "not
//!   published" for that unit (PAPI 2018 published no D2/D4 for two provinces); the unit keeps
//!   its other scores and ranks but has no total.
//! - **Valid range.** A leaf's value must lie in `[0, max]` of that year (PAPI: max = 10 / the
//!   number of sub-dimensions of its dimension that year, e.g. 2.5 or 3.333). The lower bound is
//!   0, not the inferred PAPI floor 1/n, because that floor is not officially confirmed.
//! - **Ranking.** Higher is better. Standard competition ranking (1, 2, 2, 4) on values rounded
//!   to 4 decimals — the precision PAPI publishes — so 46.04151 and 46.04149 tie.
//!   `rank_change = previous_rank − rank`, so > 0 means the unit moved up.
//! - **Peer statistics.** Mean (unweighted, over the units with a score for the node) and best
//!   score per node, with the units holding the best score.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::framework::{Aggregation, Framework, Node, Source};

/// Tolerance when checking a value against a maximum (data carry ~9 decimals).
const RANGE_EPSILON: f64 = 1e-9;
/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 100;

/// Leaf scores of many units for one framework and year, as published.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct YearScores {
    pub framework: String,
    pub year: i32,
    /// unit code → leaf code → score. Units here have at least one published value.
    pub units: BTreeMap<String, BTreeMap<String, f64>>,
    /// Units listed in the data with no value at all that year.
    pub not_published: BTreeSet<String>,
    /// unit code → line of the file where it first appears (its code is in column 1), so later
    /// checks (unknown unit codes) can name the place.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lines: BTreeMap<String, u64>,
}

/// One problem in a results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataProblem {
    /// 1-based line in the file.
    pub line: u64,
    /// 1-based column (field number), when the problem is in one cell.
    pub column: Option<usize>,
    /// Column header of that cell.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for DataProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dòng {}", self.line)?;
        if let Some(c) = self.column {
            write!(f, ", cột {c}")?;
        }
        if let Some(h) = &self.field {
            write!(f, " ({h})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A results file refused as a whole, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsError {
    pub problems: Vec<DataProblem>,
    /// Problems found beyond those listed.
    pub more: usize,
}

impl fmt::Display for ResultsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tệp kết quả bị từ chối, không dữ liệu nào được nhận (results file refused)")?;
        for p in &self.problems {
            write!(f, "\n{p}")?;
        }
        if self.more > 0 {
            write!(f, "\n… và {} lỗi khác (and {} more)", self.more, self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for ResultsError {}

#[derive(Default)]
struct Problems {
    list: Vec<DataProblem>,
    more: usize,
}

impl Problems {
    fn add(&mut self, line: u64, column: Option<usize>, field: Option<&str>, message: String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(DataProblem { line, column, field: field.map(str::to_string), message });
        } else {
            self.more += 1;
        }
    }

    fn finish<T>(self, value: T) -> Result<T, ResultsError> {
        if self.list.is_empty() { Ok(value) } else { Err(ResultsError { problems: self.list, more: self.more }) }
    }
}

/// Parse a number as written in data files; a lone decimal comma ("2,5") is accepted.
fn parse_number(s: &str) -> Option<f64> {
    let v = s
        .parse::<f64>()
        .ok()
        .or_else(|| (s.matches(',').count() == 1 && !s.contains('.')).then(|| s.replace(',', ".")).and_then(|t| t.parse::<f64>().ok()))?;
    v.is_finite().then_some(v)
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

/// Which leaf a data column means: its `data_column` (`SC11`) or its code (`papi.d1.s1`).
fn leaf_for_column<'a>(fw: &'a Framework, header: &str) -> Option<&'a Node> {
    fw.root().walk().into_iter().find(|n| n.data_column.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(header)) || n.code == header)
}

/// Check a value of `leaf` in `year`; `None` = fine.
fn check_value(year_nodes: &HashMap<&str, &Node>, year: i32, leaf: &Node, v: f64) -> Option<String> {
    let Some(node) = year_nodes.get(leaf.code.as_str()) else {
        return Some(format!("`{}` không được đo trong năm {year} nên phải để trống (not measured that year)", leaf.code));
    };
    let lower = node.min.unwrap_or(0.0).min(0.0);
    if v < lower - RANGE_EPSILON {
        return Some(format!("điểm {v} của `{}` nhỏ hơn {lower} (score below the minimum)", leaf.code));
    }
    if let Some(max) = node.max
        && v > max + RANGE_EPSILON
    {
        return Some(format!(
            "điểm {v} của `{}` vượt điểm tối đa {} của năm {year} (score above the maximum)",
            leaf.code,
            round_to(max, 4)
        ));
    }
    None
}

/// Leaf groups of a year: (inner node code, its leaf children's codes).
fn leaf_groups(tree: &Node) -> Vec<(String, Vec<String>)> {
    tree.walk()
        .into_iter()
        .filter(|n| !n.is_leaf())
        .map(|n| {
            let leaves: Vec<String> = n.children.iter().filter(|c| c.is_leaf()).map(|c| c.code.clone()).collect();
            (n.code.clone(), leaves)
        })
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

/// Parse published results in the wide shape of `datasets/papi/YYYY.csv`: a unit column
/// (`Province`, `Unit` or `Code`) and one column per leaf, named by its `data_column` (`SC11`) or
/// its code. Empty cell = not published. Every problem is reported with line and column; on any
/// problem nothing is returned.
pub fn parse_wide_csv(fw: &Framework, year: i32, text: &str) -> Result<YearScores, ResultsError> {
    let mut problems = Problems::default();
    let mut out = YearScores { framework: fw.code.clone(), year, ..YearScores::default() };
    if !fw.applies_to(year) {
        problems.add(1, None, None, format!("khung `{}` không áp dụng cho năm {year} (framework does not cover the year)", fw.code));
        return problems.finish(out);
    }
    let tree = fw.tree_for_year(Some(year));
    let year_nodes: HashMap<&str, &Node> = tree.walk().into_iter().map(|n| (n.code.as_str(), n)).collect();
    let mut records = csv_reader(text).into_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            problems.add(1, None, None, format!("không đọc được dòng tiêu đề: {e}"));
            return problems.finish(out);
        }
        None => {
            problems.add(1, None, None, "tệp rỗng (empty file)".to_string());
            return problems.finish(out);
        }
    };
    let header: Vec<String> = header.iter().map(str::to_string).collect();
    let unit_ok = header.first().is_some_and(|h| ["province", "unit", "code"].contains(&h.to_ascii_lowercase().as_str()));
    if !unit_ok {
        problems.add(
            1,
            Some(1),
            header.first().map(String::as_str),
            "cột đầu tiên phải là mã đơn vị `Province` / `Unit` (first column must be the unit code)".to_string(),
        );
    }
    // Column index → leaf.
    let mut columns: Vec<Option<&Node>> = vec![None];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, h) in header.iter().enumerate().skip(1) {
        let leaf = leaf_for_column(fw, h);
        match leaf {
            None => problems.add(1, Some(i + 1), Some(h), format!("cột `{h}` không thuộc khung `{}` (unknown column)", fw.code)),
            Some(n) if !n.is_leaf() => problems.add(
                1,
                Some(i + 1),
                Some(h),
                format!(
                    "cột `{h}` là `{}`, không phải chỉ tiêu lá; điểm tổng được tính, không nhập \
                     (only leaf scores are read)",
                    n.code
                ),
            ),
            Some(n) => {
                if let Some(first) = seen.insert(n.code.clone(), i + 1) {
                    problems.add(1, Some(i + 1), Some(h), format!("cột của `{}` lặp lại (đã có ở cột {first}) (duplicate column)", n.code));
                }
            }
        }
        columns.push(leaf.filter(|n| n.is_leaf()));
    }
    for leaf in tree.leaves() {
        if !seen.contains_key(&leaf.code) {
            let name = leaf.data_column.as_deref().unwrap_or(&leaf.code);
            problems.add(1, None, None, format!("thiếu cột `{name}` của `{}`, bắt buộc trong năm {year} (missing column)", leaf.code));
        }
    }
    if !problems.list.is_empty() {
        return problems.finish(out);
    }

    let groups = leaf_groups(&tree);
    let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.add(line, None, None, format!("lỗi CSV (CSV error): {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue; // blank line
        }
        if rec.len() != header.len() {
            problems.add(
                line,
                None,
                None,
                format!("dòng có {} ô nhưng tiêu đề có {} cột (wrong number of fields)", rec.len(), header.len()),
            );
            continue;
        }
        let unit = rec.get(0).unwrap_or_default().to_string();
        if unit.is_empty() {
            problems.add(line, Some(1), Some(&header[0]), "thiếu mã đơn vị (missing unit code)".into());
            continue;
        }
        if let Some(first) = first_line.insert(unit.clone(), line) {
            problems.add(line, Some(1), Some(&header[0]), format!("đơn vị `{unit}` lặp lại (đã có ở dòng {first}) (duplicate unit)"));
            continue;
        }
        let mut values: BTreeMap<String, f64> = BTreeMap::new();
        let mut empty_at: BTreeMap<String, usize> = BTreeMap::new();
        for (i, cell) in rec.iter().enumerate().skip(1) {
            let Some(leaf) = columns[i] else { continue };
            if cell.is_empty() {
                empty_at.insert(leaf.code.clone(), i + 1);
                continue;
            }
            let Some(v) = parse_number(cell) else {
                problems.add(line, Some(i + 1), Some(&header[i]), format!("`{cell}` không phải là số (not a number)"));
                continue;
            };
            if let Some(msg) = check_value(&year_nodes, year, leaf, v) {
                problems.add(line, Some(i + 1), Some(&header[i]), msg);
                continue;
            }
            values.insert(leaf.code.clone(), v);
        }
        check_groups(&groups, &values, &empty_at, line, &unit, &header, &mut problems);
        if values.is_empty() && !empty_at.is_empty() {
            out.not_published.insert(unit);
        } else if !values.is_empty() {
            out.units.insert(unit, values);
        }
    }
    out.lines = first_line;
    problems.finish(out)
}

/// A group is published whole or not at all.
fn check_groups(
    groups: &[(String, Vec<String>)],
    values: &BTreeMap<String, f64>,
    empty_at: &BTreeMap<String, usize>,
    line: u64,
    unit: &str,
    header: &[String],
    problems: &mut Problems,
) {
    for (group, leaves) in groups {
        let present = leaves.iter().filter(|l| values.contains_key(*l)).count();
        if present > 0 && present < leaves.len() {
            let missing: Vec<&String> = leaves.iter().filter(|l| !values.contains_key(*l)).collect();
            // Point at the first empty cell if there is one (a bad value was reported already).
            let Some((code, col)) = missing.iter().find_map(|l| empty_at.get(*l).map(|c| (*l, *c))) else {
                continue;
            };
            problems.add(
                line,
                Some(col),
                header.get(col - 1).map(String::as_str),
                format!(
                    "đơn vị `{unit}`: nhóm `{group}` chỉ có {present}/{} giá trị, thiếu `{code}`; \
                     một nhóm phải có đủ giá trị hoặc để trống cả nhóm (partially empty group)",
                    leaves.len()
                ),
            );
        }
    }
}

/// Parse the long format: a header `unit,node,score` then one row per unit and leaf (`node` is a
/// leaf code or its data column). An empty score means not published. Same checks as
/// [`parse_wide_csv`]: unknown nodes, non-numbers, out-of-range scores, duplicates, partial groups.
pub fn parse_long_csv(fw: &Framework, year: i32, text: &str) -> Result<YearScores, ResultsError> {
    let mut problems = Problems::default();
    let mut out = YearScores { framework: fw.code.clone(), year, ..YearScores::default() };
    if !fw.applies_to(year) {
        problems.add(1, None, None, format!("khung `{}` không áp dụng cho năm {year} (framework does not cover the year)", fw.code));
        return problems.finish(out);
    }
    let tree = fw.tree_for_year(Some(year));
    let year_nodes: HashMap<&str, &Node> = tree.walk().into_iter().map(|n| (n.code.as_str(), n)).collect();
    let mut records = csv_reader(text).into_records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|s| s.to_ascii_lowercase()).collect(),
        _ => {
            problems.add(1, None, None, "thiếu dòng tiêu đề `unit,node,score` (missing header)".into());
            return problems.finish(out);
        }
    };
    if header != ["unit", "node", "score"] {
        problems.add(1, None, None, format!("tiêu đề phải là `unit,node,score`, gặp `{}` (wrong header)", header.join(",")));
        return problems.finish(out);
    }
    let names = ["unit", "node", "score"];
    // unit → leaf → (line, value or None when empty)
    let mut rows: BTreeMap<String, BTreeMap<String, (u64, Option<f64>)>> = BTreeMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.add(line, None, None, format!("lỗi CSV (CSV error): {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() != 3 {
            problems.add(line, None, None, format!("dòng có {} ô, cần 3 (wrong number of fields)", rec.len()));
            continue;
        }
        let (unit, node, score) = (rec.get(0).unwrap_or_default(), rec.get(1).unwrap_or_default(), rec.get(2).unwrap_or_default());
        if unit.is_empty() {
            problems.add(line, Some(1), Some(names[0]), "thiếu mã đơn vị (missing unit code)".into());
            continue;
        }
        let Some(leaf) = leaf_for_column(fw, node).filter(|n| n.is_leaf()) else {
            problems.add(line, Some(2), Some(names[1]), format!("`{node}` không phải chỉ tiêu lá của khung `{}` (unknown leaf)", fw.code));
            continue;
        };
        let value = if score.is_empty() {
            None
        } else {
            let Some(v) = parse_number(score) else {
                problems.add(line, Some(3), Some(names[2]), format!("`{score}` không phải là số (not a number)"));
                continue;
            };
            if let Some(msg) = check_value(&year_nodes, year, leaf, v) {
                problems.add(line, Some(3), Some(names[2]), msg);
                continue;
            }
            Some(v)
        };
        let unit_rows = rows.entry(unit.to_string()).or_default();
        if let Some((first, _)) = unit_rows.get(&leaf.code) {
            problems.add(
                line,
                Some(2),
                Some(names[1]),
                format!("`{unit}` / `{}` lặp lại (đã có ở dòng {first}) (duplicate row)", leaf.code),
            );
            continue;
        }
        unit_rows.insert(leaf.code.clone(), (line, value));
    }
    let groups = leaf_groups(&tree);
    for (unit, unit_rows) in rows {
        let values: BTreeMap<String, f64> = unit_rows.iter().filter_map(|(k, (_, v))| v.map(|v| (k.clone(), v))).collect();
        let last_line = unit_rows.values().map(|(l, _)| *l).max().unwrap_or(1);
        for (group, leaves) in &groups {
            let present = leaves.iter().filter(|l| values.contains_key(*l)).count();
            if present > 0 && present < leaves.len() {
                let missing: Vec<&str> = leaves.iter().filter(|l| !values.contains_key(*l)).map(String::as_str).collect();
                let line = missing.iter().find_map(|m| unit_rows.get(*m).map(|(l, _)| *l)).unwrap_or(last_line);
                problems.add(
                    line,
                    None,
                    None,
                    format!(
                        "đơn vị `{unit}`: nhóm `{group}` chỉ có {present}/{} giá trị, thiếu {}; \
                         một nhóm phải có đủ giá trị hoặc không có giá trị nào (partially empty group)",
                        leaves.len(),
                        missing.join(", ")
                    ),
                );
            }
        }
        let first_line = unit_rows.values().map(|(l, _)| *l).min().unwrap_or(1);
        out.lines.insert(unit.clone(), first_line);
        if values.is_empty() {
            out.not_published.insert(unit);
        } else {
            out.units.insert(unit, values);
        }
    }
    problems.finish(out)
}

// ---------------------------------------------------------------------------------------------
// Unit codes of a file → unit codes of the system

/// The shipped mapping from PAPI's province codes (P01…P63) to the official province codes of the
/// unit table (`datasets/papi/province-units.csv`), embedded like the framework files.
pub const PAPI_PROVINCE_MAPPING: &str = include_str!("../../../datasets/papi/province-units.csv");

/// The mapping a framework's published files need by default: PAPI files use their own province
/// codes; other frameworks' files are expected to use the system's unit codes.
pub fn default_mapping(framework: &str) -> Option<&'static str> {
    (framework == "papi").then_some(PAPI_PROVINCE_MAPPING)
}

/// Parse a mapping file from the unit codes used in a results file to the system's unit codes:
/// a header line (`papi_code,unit_code`, any names) then two columns per line. A file code or a
/// unit code listed twice is refused (two provinces cannot share one unit).
pub fn parse_unit_mapping(text: &str) -> Result<BTreeMap<String, String>, ResultsError> {
    let mut problems = Problems::default();
    let mut out = BTreeMap::new();
    let mut records = csv_reader(text).into_records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(str::to_string).collect(),
        Some(Err(e)) => {
            problems.add(1, None, None, format!("không đọc được dòng tiêu đề: {e}"));
            return problems.finish(out);
        }
        None => {
            problems.add(1, None, None, "tệp ánh xạ rỗng (empty mapping file)".into());
            return problems.finish(out);
        }
    };
    if header.len() != 2 {
        problems.add(
            1,
            None,
            None,
            format!("tệp ánh xạ cần đúng 2 cột `mã trong tệp,mã đơn vị` (vd. `papi_code,unit_code`), gặp {} cột", header.len()),
        );
        return problems.finish(out);
    }
    let mut unit_lines: BTreeMap<String, u64> = BTreeMap::new();
    let mut code_lines: BTreeMap<String, u64> = BTreeMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.add(line, None, None, format!("lỗi CSV (CSV error): {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() != 2 {
            problems.add(line, None, None, format!("dòng có {} ô, cần 2 (wrong number of fields)", rec.len()));
            continue;
        }
        let (code, unit) = (rec.get(0).unwrap_or_default(), rec.get(1).unwrap_or_default());
        for (i, v) in [code, unit].iter().enumerate() {
            if v.is_empty() {
                problems.add(line, Some(i + 1), Some(&header[i]), "ô trống (empty cell)".into());
            }
        }
        if code.is_empty() || unit.is_empty() {
            continue;
        }
        if let Some(first) = code_lines.insert(code.to_string(), line) {
            problems.add(line, Some(1), Some(&header[0]), format!("mã `{code}` lặp lại (đã có ở dòng {first}) (duplicate code)"));
            continue;
        }
        if let Some(first) = unit_lines.insert(unit.to_string(), line) {
            problems.add(
                line,
                Some(2),
                Some(&header[1]),
                format!("đơn vị `{unit}` đã được gán cho mã khác ở dòng {first} (unit mapped twice)"),
            );
            continue;
        }
        out.insert(code.to_string(), unit.to_string());
    }
    problems.finish(out)
}

/// Re-key `data` from the file's unit codes to the system's through `mapping`. A code the mapping
/// does not know is refused with its line (column 1), never dropped: a results file is stored
/// whole or not at all.
pub fn map_unit_codes(data: YearScores, mapping: &BTreeMap<String, String>) -> Result<YearScores, ResultsError> {
    let mut problems = Problems::default();
    let line_of = |code: &str| data.lines.get(code).copied().unwrap_or(0);
    let mut codes: Vec<&String> = data.units.keys().chain(data.not_published.iter()).collect();
    codes.sort_by_key(|c| (line_of(c), (*c).clone()));
    for code in codes {
        if !mapping.contains_key(code.as_str()) {
            problems.add(
                line_of(code),
                Some(1),
                None,
                format!("mã đơn vị `{code}` không có trong tệp ánh xạ (unknown unit code, not in the mapping)"),
            );
        }
    }
    let map = |c: &String| mapping.get(c).cloned().unwrap_or_else(|| c.clone());
    let out = YearScores {
        framework: data.framework.clone(),
        year: data.year,
        units: data.units.iter().map(|(k, v)| (map(k), v.clone())).collect(),
        not_published: data.not_published.iter().map(map).collect(),
        lines: data.lines.iter().map(|(k, v)| (map(k), *v)).collect(),
    };
    problems.finish(out)
}

/// Units of `data` in file order (line), published or not.
pub fn units_by_line(data: &YearScores) -> Vec<(u64, &str)> {
    let mut v: Vec<(u64, &str)> =
        data.units.keys().chain(data.not_published.iter()).map(|u| (data.lines.get(u).copied().unwrap_or(0), u.as_str())).collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Scores up the tree

/// Every node's score for one unit, from its leaf scores (see the module rules).
pub fn compute_scores(fw: &Framework, year: i32, leaves: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    if fw.applies_to(year) {
        let tree = fw.tree_for_year(Some(year));
        score_node(&tree, fw.aggregation, leaves, &mut out);
    }
    out
}

fn score_node(node: &Node, agg: Aggregation, leaves: &BTreeMap<String, f64>, out: &mut BTreeMap<String, f64>) -> Option<f64> {
    let value = if node.is_leaf() {
        leaves.get(&node.code).copied()
    } else {
        // Visit every child so partial subtrees still get their own scores.
        let values: Vec<Option<f64>> = node.children.iter().map(|c| score_node(c, agg, leaves, out)).collect();
        let values: Option<Vec<f64>> = values.into_iter().collect();
        values.map(|v| match agg {
            Aggregation::Sum | Aggregation::PercentOfMax => v.iter().sum(),
            Aggregation::Mean => v.iter().sum::<f64>() / v.len() as f64,
        })
    };
    if let Some(v) = value {
        out.insert(node.code.clone(), v);
    }
    value
}

/// `x` rounded to `decimals` places (half away from zero).
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// A change of rank in words: "tăng 6 bậc", "giảm 2 bậc", "giữ nguyên" (`change` > 0 moved up).
pub fn rank_change_vi(change: i32) -> String {
    match change {
        0 => "giữ nguyên".to_string(),
        c if c > 0 => format!("tăng {c} bậc"),
        c => format!("giảm {} bậc", c.unsigned_abs()),
    }
}

/// Standard competition ranks (1, 2, 2, 4), higher value first, on values rounded to 4 decimals.
pub fn competition_ranks(values: &BTreeMap<String, f64>) -> BTreeMap<String, u32> {
    // Integer keys make ties exact after rounding.
    let keys: BTreeMap<&String, i64> = values.iter().map(|(u, v)| (u, (v * 10_000.0).round() as i64)).collect();
    let mut sorted: Vec<i64> = keys.values().copied().collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    keys.into_iter()
        .map(|(u, k)| {
            let better = sorted.partition_point(|&s| s > k);
            (u.clone(), better as u32 + 1)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rankings

/// A unit code with the name the caller supplies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRef {
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One unit's result on one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeResult {
    pub score: f64,
    /// Score as % of the node's maximum (`percent_of_max` frameworks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    pub rank: u32,
    /// Number of units ranked on this node.
    pub of: u32,
    pub previous_score: Option<f64>,
    pub previous_rank: Option<u32>,
    /// Year of `previous_score` / `previous_rank`: the latest earlier year in which the unit had a
    /// score for this node (normally the year before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_year: Option<i32>,
    /// `previous_rank − rank`: > 0 moved up.
    pub rank_change: Option<i32>,
    pub score_change: Option<f64>,
}

/// One unit in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedUnit {
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Root score (PAPI total out of 80; PAR points out of 100); `None` when a part is unpublished.
    pub total: Option<f64>,
    pub rank: Option<u32>,
    pub previous_total: Option<f64>,
    pub previous_rank: Option<u32>,
    /// Year the previous total and rank are from (see [`NodeResult::previous_year`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_year: Option<i32>,
    pub rank_change: Option<i32>,
    pub total_change: Option<f64>,
    /// Scores of the root's children (PAPI dimensions, PAR areas).
    pub dimensions: BTreeMap<String, f64>,
    /// Every node with a score: score, rank and change.
    pub nodes: BTreeMap<String, NodeResult>,
}

/// Peer statistics of one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeStats {
    /// Units with a score.
    pub count: u32,
    /// Unweighted mean over those units ("national mean" for provinces).
    pub mean: f64,
    pub best: f64,
    /// Units holding the best score (after rounding to 4 decimals).
    pub best_units: Vec<String>,
    pub worst: f64,
    /// Maximum of the node that year.
    pub max: Option<f64>,
}

/// Ranking of all units for one framework and year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub framework: String,
    pub year: i32,
    pub previous_year: Option<i32>,
    /// Units with a total, best first (ties in unit-code order).
    pub ranked: Vec<RankedUnit>,
    /// Units with some scores but no total (a whole group unpublished).
    pub partially_published: Vec<RankedUnit>,
    pub not_published: Vec<UnitRef>,
    /// Per node code.
    pub stats: BTreeMap<String, NodeStats>,
}

impl Ranking {
    /// Fill unit names from the caller's directory.
    pub fn set_names(&mut self, name_of: impl Fn(&str) -> Option<String>) {
        for u in self.ranked.iter_mut().chain(self.partially_published.iter_mut()) {
            u.name = name_of(&u.unit);
        }
        for u in &mut self.not_published {
            u.name = name_of(&u.unit);
        }
    }

    /// A unit's entry (ranked or partially published).
    pub fn unit(&self, unit: &str) -> Option<&RankedUnit> {
        self.ranked.iter().chain(self.partially_published.iter()).find(|u| u.unit == unit)
    }
}

/// Node scores and ranks of every unit of one year.
struct YearTable {
    scores: BTreeMap<String, BTreeMap<String, f64>>, // unit → node → score
    ranks: BTreeMap<String, BTreeMap<String, u32>>,  // node → unit → rank
}

fn year_table(fw: &Framework, data: &YearScores) -> YearTable {
    let scores: BTreeMap<String, BTreeMap<String, f64>> =
        data.units.iter().map(|(u, leaves)| (u.clone(), compute_scores(fw, data.year, leaves))).collect();
    let mut by_node: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (u, nodes) in &scores {
        for (n, v) in nodes {
            by_node.entry(n.clone()).or_default().insert(u.clone(), *v);
        }
    }
    let ranks = by_node.iter().map(|(n, vals)| (n.clone(), competition_ranks(vals))).collect();
    YearTable { scores, ranks }
}

/// Rank the units of `current` on every node, with change against `previous` (any earlier year
/// of the same framework, normally the year before).
pub fn rank(fw: &Framework, current: &YearScores, previous: Option<&YearScores>) -> Ranking {
    let earlier: Vec<&YearScores> = previous.into_iter().collect();
    rank_with_history(fw, current, &earlier)
}

/// Rank the units of `current` on every node. The change of each unit and node is taken against
/// the latest year of `earlier` (years before `current`'s) in which that unit had a score for
/// that node, and that year is stated (`previous_year`): a province not published last year
/// (Quảng Ninh 2023) is compared with the year before (2022) rather than with nothing.
pub fn rank_with_history(fw: &Framework, current: &YearScores, earlier: &[&YearScores]) -> Ranking {
    let year = current.year;
    let cur = year_table(fw, current);
    let mut past: Vec<(i32, YearTable)> = earlier.iter().filter(|p| p.year < year).map(|p| (p.year, year_table(fw, p))).collect();
    // Latest first: the first table with a score is the one compared with.
    past.sort_by_key(|p| std::cmp::Reverse(p.0));
    let previous_year = past.first().map(|(y, _)| *y);
    let root = fw.code.as_str();
    let percent = fw.aggregation == Aggregation::PercentOfMax;
    let tree = fw.tree_for_year(Some(year));
    let max_of = |code: &str| tree.find(code).and_then(|n| n.max);
    let dims: Vec<String> = tree.children.iter().map(|c| c.code.clone()).collect();

    let mut ranked = Vec::new();
    let mut partial = Vec::new();
    for (unit, nodes) in &cur.scores {
        let mut results = BTreeMap::new();
        for (code, &score) in nodes {
            let rank = cur.ranks.get(code).and_then(|r| r.get(unit)).copied().unwrap_or(0);
            let of = cur.ranks.get(code).map_or(0, |r| r.len() as u32);
            let found = past.iter().find_map(|(y, t)| {
                let s = t.scores.get(unit).and_then(|s| s.get(code)).copied()?;
                let r = t.ranks.get(code).and_then(|r| r.get(unit)).copied();
                Some((*y, s, r))
            });
            let previous_score = found.map(|(_, s, _)| s);
            let previous_rank = found.and_then(|(_, _, r)| r);
            results.insert(
                code.clone(),
                NodeResult {
                    score,
                    percent: percent.then(|| max_of(code)).flatten().filter(|m| *m > 0.0).map(|m| score / m * 100.0),
                    rank,
                    of,
                    previous_score,
                    previous_rank,
                    previous_year: found.map(|(y, _, _)| y),
                    rank_change: previous_rank.map(|p| p as i32 - rank as i32),
                    score_change: previous_score.map(|p| score - p),
                },
            );
        }
        let total = results.get(root);
        let entry = RankedUnit {
            unit: unit.clone(),
            name: None,
            total: total.map(|r| r.score),
            rank: total.map(|r| r.rank),
            previous_total: total.and_then(|r| r.previous_score),
            previous_rank: total.and_then(|r| r.previous_rank),
            previous_year: total.and_then(|r| r.previous_year),
            rank_change: total.and_then(|r| r.rank_change),
            total_change: total.and_then(|r| r.score_change),
            dimensions: dims.iter().filter_map(|d| nodes.get(d).map(|v| (d.clone(), *v))).collect(),
            nodes: results,
        };
        if entry.total.is_some() {
            ranked.push(entry);
        } else {
            partial.push(entry);
        }
    }
    ranked.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.unit.cmp(&b.unit)));

    let mut stats = BTreeMap::new();
    for n in tree.walk() {
        let vals: Vec<(&String, f64)> = cur.scores.iter().filter_map(|(u, s)| s.get(&n.code).map(|v| (u, *v))).collect();
        if vals.is_empty() {
            continue;
        }
        let count = vals.len();
        let mean = vals.iter().map(|(_, v)| v).sum::<f64>() / count as f64;
        let best = vals.iter().map(|(_, v)| *v).fold(f64::NEG_INFINITY, f64::max);
        let worst = vals.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
        let best_key = (best * 10_000.0).round() as i64;
        let best_units = vals.iter().filter(|(_, v)| (v * 10_000.0).round() as i64 == best_key).map(|(u, _)| (*u).clone()).collect();
        stats.insert(n.code.clone(), NodeStats { count: count as u32, mean, best, best_units, worst, max: n.max });
    }

    Ranking {
        framework: fw.code.clone(),
        year,
        previous_year,
        ranked,
        partially_published: partial,
        not_published: current.not_published.iter().map(|u| UnitRef { unit: u.clone(), name: None }).collect(),
        stats,
    }
}

// ---------------------------------------------------------------------------------------------
// PAR-style score sheet

/// A leaf's scores on a sheet: the unit's own (tự chấm) and the appraised one (thẩm định).
/// Survey leaves carry their survey score in either field (it is not self-assessed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeafScore {
    pub code: String,
    pub self_score: Option<f64>,
    pub appraised_score: Option<f64>,
}

/// One row of a score sheet (every node of the year's tree, root first, depth first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    pub code: String,
    pub name_vi: String,
    pub depth: usize,
    pub source: Source,
    pub max: f64,
    /// Sum of the self scores below (or the leaf's self score).
    pub self_score: Option<f64>,
    /// Sum of the appraised scores below; a leaf not (yet) adjusted counts its self score, as the
    /// higher level accepts it.
    pub appraised_score: Option<f64>,
    /// `appraised − self`.
    pub difference: Option<f64>,
    /// `self_score / max × 100`.
    pub self_percent: Option<f64>,
    pub appraised_percent: Option<f64>,
    /// Leaves below with a score / all leaves below.
    pub scored_leaves: usize,
    pub leaves: usize,
}

/// A unit's score sheet for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSheet {
    pub framework: String,
    pub year: i32,
    pub rows: Vec<SheetRow>,
}

impl ScoreSheet {
    pub fn row(&self, code: &str) -> Option<&SheetRow> {
        self.rows.iter().find(|r| r.code == code)
    }

    /// The whole index (root row).
    pub fn overall(&self) -> Option<&SheetRow> {
        self.rows.first()
    }
}

/// Build the score sheet: points per node (sums of the leaves below, unscored leaves count 0 and
/// are counted in `scored_leaves`), % of maximum overall, per area and per criterion, self vs
/// appraised side by side. Refuses unknown leaves, duplicates and scores outside `[0, max]`.
pub fn score_sheet(fw: &Framework, year: i32, scores: &[LeafScore]) -> Result<ScoreSheet, ResultsError> {
    let mut problems = Problems::default();
    let tree = fw.tree_for_year(Some(year));
    let mut by_leaf: BTreeMap<&str, &LeafScore> = BTreeMap::new();
    for (i, s) in scores.iter().enumerate() {
        let line = i as u64 + 1;
        match tree.find(&s.code) {
            Some(n) if n.is_leaf() => {
                for (field, v) in [("self_score", s.self_score), ("appraised_score", s.appraised_score)] {
                    if let Some(v) = v
                        && (!v.is_finite() || v < -RANGE_EPSILON || n.max.is_some_and(|m| v > m + RANGE_EPSILON))
                    {
                        problems.add(
                            line,
                            None,
                            Some(field),
                            format!("`{}`: điểm {v} ngoài khoảng 0–{} (score out of range)", s.code, n.max.unwrap_or(0.0)),
                        );
                    }
                }
                if by_leaf.insert(&s.code, s).is_some() {
                    problems.add(line, None, Some("code"), format!("`{}` lặp lại (duplicate)", s.code));
                }
            }
            Some(_) => {
                problems.add(line, None, Some("code"), format!("`{}` không phải chỉ tiêu lá; điểm tổng được tính (not a leaf)", s.code))
            }
            None => problems.add(
                line,
                None,
                Some("code"),
                format!("`{}` không có trong khung `{}` năm {year} (unknown criterion)", s.code, fw.code),
            ),
        }
    }
    let mut rows = Vec::new();
    sheet_rows(&tree, 0, &by_leaf, &mut rows);
    problems.finish(ScoreSheet { framework: fw.code.clone(), year, rows })
}

/// Returns (self, appraised, scored leaves, leaves) of `node`.
fn sheet_rows(
    node: &Node,
    depth: usize,
    scores: &BTreeMap<&str, &LeafScore>,
    rows: &mut Vec<SheetRow>,
) -> (Option<f64>, Option<f64>, usize, usize) {
    let at = rows.len();
    let max = node.max.unwrap_or(0.0);
    rows.push(SheetRow {
        code: node.code.clone(),
        name_vi: node.name_vi.clone(),
        depth,
        source: node.source,
        max,
        self_score: None,
        appraised_score: None,
        difference: None,
        self_percent: None,
        appraised_percent: None,
        scored_leaves: 0,
        leaves: 0,
    });
    let (s, a, scored, leaves) = if node.is_leaf() {
        let entry = scores.get(node.code.as_str());
        let s = entry.and_then(|e| e.self_score);
        let a = entry.and_then(|e| e.appraised_score.or(e.self_score));
        (s, a, usize::from(s.is_some() || a.is_some()), 1)
    } else {
        let mut acc = (None::<f64>, None::<f64>, 0, 0);
        for c in &node.children {
            let (s, a, sc, l) = sheet_rows(c, depth + 1, scores, rows);
            acc.0 = add_opt(acc.0, s);
            acc.1 = add_opt(acc.1, a);
            acc.2 += sc;
            acc.3 += l;
        }
        acc
    };
    let pct = |v: Option<f64>| v.filter(|_| max > 0.0).map(|v| v / max * 100.0);
    let row = &mut rows[at];
    row.self_score = s;
    row.appraised_score = a;
    row.difference = match (s, a) {
        (Some(s), Some(a)) => Some(a - s),
        _ => None,
    };
    row.self_percent = pct(s);
    row.appraised_percent = pct(a);
    row.scored_leaves = scored;
    row.leaves = leaves;
    (s, a, scored, leaves)
}

// ---------------------------------------------------------------------------------------------
// Score-sheet workflow

/// Where a score sheet stands. The unit scores itself (draft), submits, the higher level
/// appraises; optionally the unit explains (giải trình) and the higher level appraises again;
/// then the sheet is finalised and locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetStatus {
    Draft,
    Submitted,
    Appraised,
    Explained,
    ReAppraised,
    Finalised,
}

impl SheetStatus {
    pub const ALL: [SheetStatus; 6] = [
        SheetStatus::Draft,
        SheetStatus::Submitted,
        SheetStatus::Appraised,
        SheetStatus::Explained,
        SheetStatus::ReAppraised,
        SheetStatus::Finalised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SheetStatus::Draft => "draft",
            SheetStatus::Submitted => "submitted",
            SheetStatus::Appraised => "appraised",
            SheetStatus::Explained => "explained",
            SheetStatus::ReAppraised => "re_appraised",
            SheetStatus::Finalised => "finalised",
        }
    }

    pub fn parse(s: &str) -> Option<SheetStatus> {
        SheetStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            SheetStatus::Draft => "Đang tự chấm",
            SheetStatus::Submitted => "Đã gửi, chờ thẩm định",
            SheetStatus::Appraised => "Đã thẩm định",
            SheetStatus::Explained => "Đã giải trình, chờ thẩm định lại",
            SheetStatus::ReAppraised => "Đã thẩm định lại",
            SheetStatus::Finalised => "Đã chốt kết quả",
        }
    }

    /// The unit may change its self scores and evidence.
    pub fn self_scoring_open(self) -> bool {
        self == SheetStatus::Draft
    }

    /// The higher level may appraise (accept / adjust) criteria.
    pub fn appraisal_open(self) -> bool {
        matches!(self, SheetStatus::Submitted | SheetStatus::Explained)
    }

    /// The unit may explain (giải trình) the appraisal.
    pub fn explanation_open(self) -> bool {
        self == SheetStatus::Appraised
    }
}

/// A change of a sheet's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetAction {
    /// The unit sends its self-assessment for appraisal.
    Submit,
    /// The higher level closes an appraisal round.
    CompleteAppraisal,
    /// The unit sends its explanation of the appraisal (opens the second round).
    Explain,
    /// The higher level fixes the result; the sheet is locked.
    Finalise,
    /// The higher level takes the sheet one step back to where it can be changed (reason required).
    Reopen,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The assessed unit (or a scope reaching it) with the self-score permission.
    Unit,
    /// The higher level: a scope reaching the unit's parent, with the appraisal permission.
    Appraiser,
}

impl SheetAction {
    pub const ALL: [SheetAction; 5] =
        [SheetAction::Submit, SheetAction::CompleteAppraisal, SheetAction::Explain, SheetAction::Finalise, SheetAction::Reopen];

    pub fn as_str(self) -> &'static str {
        match self {
            SheetAction::Submit => "submit",
            SheetAction::CompleteAppraisal => "complete_appraisal",
            SheetAction::Explain => "explain",
            SheetAction::Finalise => "finalise",
            SheetAction::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<SheetAction> {
        SheetAction::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            SheetAction::Submit => "Gửi thẩm định",
            SheetAction::CompleteAppraisal => "Hoàn thành thẩm định",
            SheetAction::Explain => "Gửi giải trình",
            SheetAction::Finalise => "Chốt kết quả",
            SheetAction::Reopen => "Mở lại",
        }
    }

    pub fn actor(self) -> Actor {
        match self {
            SheetAction::Submit | SheetAction::Explain => Actor::Unit,
            _ => Actor::Appraiser,
        }
    }

    pub fn needs_reason(self) -> bool {
        self == SheetAction::Reopen
    }
}

/// The status after `action`, or why it is not allowed. `second_round`: the sheet went through
/// the explanation round (reopening a finalised sheet returns to that round's appraisal).
pub fn next_status(status: SheetStatus, action: SheetAction, second_round: bool) -> Result<SheetStatus, String> {
    use SheetAction as A;
    use SheetStatus as S;
    let next = match (status, action) {
        (S::Draft, A::Submit) => S::Submitted,
        (S::Submitted, A::CompleteAppraisal) => S::Appraised,
        (S::Explained, A::CompleteAppraisal) => S::ReAppraised,
        (S::Appraised, A::Explain) => S::Explained,
        (S::Appraised | S::ReAppraised, A::Finalise) => S::Finalised,
        (S::Submitted, A::Reopen) => S::Draft,
        (S::Appraised, A::Reopen) => S::Submitted,
        (S::ReAppraised, A::Reopen) => S::Explained,
        (S::Finalised, A::Reopen) if second_round => S::Explained,
        (S::Finalised, A::Reopen) => S::Submitted,
        (s, a) => {
            return Err(format!(
                "không thể \"{}\" khi phiếu ở trạng thái \"{}\" (action not allowed in this status)",
                a.name_vi(),
                s.name_vi()
            ));
        }
    };
    Ok(next)
}

fn add_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    }
}

#[cfg(test)]
mod tests;
