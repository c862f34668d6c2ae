//! Parsing published results files (wide and long CSV): every problem named with line and column.

use super::*;
use crate::text::vn_decimal;

/// Parse a number as written in data files; a lone decimal comma ("2,5") is accepted.
fn parse_number(s: &str) -> Option<f64> {
    let v = s
        .parse::<f64>()
        .ok()
        .or_else(|| (s.matches(',').count() == 1 && !s.contains('.')).then(|| s.replace(',', ".")).and_then(|t| t.parse::<f64>().ok()))?;
    v.is_finite().then_some(v)
}

pub(super) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
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
        return Some(format!("`{}` không được đo trong năm {year} nên phải để trống", leaf.code));
    };
    let lower = node.min.unwrap_or(0.0).min(0.0);
    if v < lower - RANGE_EPSILON {
        return Some(format!("điểm {} của `{}` nhỏ hơn {}", vn_decimal(v), leaf.code, vn_decimal(lower)));
    }
    if let Some(max) = node.max
        && v > max + RANGE_EPSILON
    {
        return Some(format!(
            "điểm {} của `{}` vượt điểm tối đa {} của năm {year}",
            vn_decimal(v),
            leaf.code,
            vn_decimal(round_to(max, 4))
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
        problems.add(1, None, None, format!("khung `{}` không áp dụng cho năm {year}", fw.code));
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
            problems.add(1, None, None, "tệp rỗng".to_string());
            return problems.finish(out);
        }
    };
    let header: Vec<String> = header.iter().map(str::to_string).collect();
    let unit_ok = header.first().is_some_and(|h| ["province", "unit", "code"].contains(&h.to_ascii_lowercase().as_str()));
    if !unit_ok {
        problems.add(1, Some(1), header.first().map(String::as_str), "cột đầu tiên phải là mã đơn vị `Province` / `Unit`".to_string());
    }
    // Column index → leaf.
    let mut columns: Vec<Option<&Node>> = vec![None];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, h) in header.iter().enumerate().skip(1) {
        let leaf = leaf_for_column(fw, h);
        match leaf {
            None => problems.add(1, Some(i + 1), Some(h), format!("cột `{h}` không thuộc khung `{}`", fw.code)),
            Some(n) if !n.is_leaf() => problems.add(
                1,
                Some(i + 1),
                Some(h),
                format!(
                    "cột `{h}` là `{}`, không phải chỉ tiêu lá; điểm tổng được tính, không nhập \
                    ",
                    n.code
                ),
            ),
            Some(n) => {
                if let Some(first) = seen.insert(n.code.clone(), i + 1) {
                    problems.add(1, Some(i + 1), Some(h), format!("cột của `{}` lặp lại (đã có ở cột {first})", n.code));
                }
            }
        }
        columns.push(leaf.filter(|n| n.is_leaf()));
    }
    for leaf in tree.leaves() {
        if !seen.contains_key(&leaf.code) {
            let name = leaf.data_column.as_deref().unwrap_or(&leaf.code);
            problems.add(1, None, None, format!("thiếu cột `{name}` của `{}`, bắt buộc trong năm {year}", leaf.code));
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
            problems.add(line, None, None, format!("dòng có {} ô nhưng tiêu đề có {} cột", rec.len(), header.len()));
            continue;
        }
        let unit = rec.get(0).unwrap_or_default().to_string();
        if unit.is_empty() {
            problems.add(line, Some(1), Some(&header[0]), "thiếu mã đơn vị".into());
            continue;
        }
        if let Some(first) = first_line.insert(unit.clone(), line) {
            problems.add(line, Some(1), Some(&header[0]), format!("đơn vị `{unit}` lặp lại (đã có ở dòng {first})"));
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
                problems.add(line, Some(i + 1), Some(&header[i]), format!("`{cell}` không phải là số"));
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
    no_rows(&out, &mut problems);
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
                     một nhóm phải có đủ giá trị hoặc để trống cả nhóm",
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
        problems.add(1, None, None, format!("khung `{}` không áp dụng cho năm {year}", fw.code));
        return problems.finish(out);
    }
    let tree = fw.tree_for_year(Some(year));
    let year_nodes: HashMap<&str, &Node> = tree.walk().into_iter().map(|n| (n.code.as_str(), n)).collect();
    let mut records = csv_reader(text).into_records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|s| s.to_ascii_lowercase()).collect(),
        _ => {
            problems.add(1, None, None, "thiếu dòng tiêu đề `unit,node,score`".into());
            return problems.finish(out);
        }
    };
    if header != ["unit", "node", "score"] {
        problems.add(1, None, None, format!("tiêu đề phải là `unit,node,score`, gặp `{}`", header.join(",")));
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
            problems.add(line, None, None, format!("dòng có {} ô, cần 3", rec.len()));
            continue;
        }
        let (unit, node, score) = (rec.get(0).unwrap_or_default(), rec.get(1).unwrap_or_default(), rec.get(2).unwrap_or_default());
        if unit.is_empty() {
            problems.add(line, Some(1), Some(names[0]), "thiếu mã đơn vị".into());
            continue;
        }
        let Some(leaf) = leaf_for_column(fw, node).filter(|n| n.is_leaf()) else {
            problems.add(line, Some(2), Some(names[1]), format!("`{node}` không phải chỉ tiêu lá của khung `{}`", fw.code));
            continue;
        };
        let value = if score.is_empty() {
            None
        } else {
            let Some(v) = parse_number(score) else {
                problems.add(line, Some(3), Some(names[2]), format!("`{score}` không phải là số"));
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
            problems.add(line, Some(2), Some(names[1]), format!("`{unit}` / `{}` lặp lại (đã có ở dòng {first})", leaf.code));
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
                         một nhóm phải có đủ giá trị hoặc không có giá trị nào",
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
    no_rows(&out, &mut problems);
    problems.finish(out)
}

/// A file with a header and no unit at all is refused: storing it would empty the year.
fn no_rows(out: &YearScores, problems: &mut Problems) {
    if out.units.is_empty() && out.not_published.is_empty() && problems.list.is_empty() {
        problems.add(
            2,
            None,
            None,
            "tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào của đơn vị (no data rows); \
             nhập tệp này sẽ xóa kết quả của cả năm nên không được nhận"
                .to_string(),
        );
    }
}

/// Layout of a results file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultsFormat {
    /// One row per unit, one column per leaf (`Province,SC11,…` as in `datasets/papi/YYYY.csv`).
    Wide,
    /// `unit,node,score`, one row per unit and leaf.
    Long,
}

impl ResultsFormat {
    pub fn parse(s: &str) -> Option<ResultsFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wide" | "rong" => Some(ResultsFormat::Wide),
            "long" | "dai" => Some(ResultsFormat::Long),
            _ => None,
        }
    }
}

/// Parse a results file of either layout (see [`parse_wide_csv`], [`parse_long_csv`]).
pub fn parse_results(fw: &Framework, year: i32, text: &str, format: ResultsFormat) -> Result<YearScores, ResultsError> {
    match format {
        ResultsFormat::Wide => parse_wide_csv(fw, year, text),
        ResultsFormat::Long => parse_long_csv(fw, year, text),
    }
}
