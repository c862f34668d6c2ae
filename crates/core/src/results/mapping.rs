//! Unit codes of a file → unit codes of the system (the PAPI province codes P01…P63 and others).

use super::*;

/// The shipped mapping from PAPI's province codes (P01…P63) to the official province codes of the
/// unit table (`datasets/papi/province-units.csv`), embedded like the framework files.
pub const PAPI_PROVINCE_MAPPING: &str = include_str!("../../../../datasets/papi/province-units.csv");

/// The mapping a framework's published files need by default: PAPI files use their own province
/// codes; other frameworks' files are expected to use the system's unit codes.
pub fn default_mapping(fw: &Framework) -> Option<&'static str> {
    (fw.family == Family::Papi).then_some(PAPI_PROVINCE_MAPPING)
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
            problems.add(1, None, None, "tệp ánh xạ rỗng".into());
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
            problems.add(line, None, None, format!("dòng có {} ô, cần 2", rec.len()));
            continue;
        }
        let (code, unit) = (rec.get(0).unwrap_or_default(), rec.get(1).unwrap_or_default());
        for (i, v) in [code, unit].iter().enumerate() {
            if v.is_empty() {
                problems.add(line, Some(i + 1), Some(&header[i]), "ô trống".into());
            }
        }
        if code.is_empty() || unit.is_empty() {
            continue;
        }
        if let Some(first) = code_lines.insert(code.to_string(), line) {
            problems.add(line, Some(1), Some(&header[0]), format!("mã `{code}` lặp lại (đã có ở dòng {first})"));
            continue;
        }
        if let Some(first) = unit_lines.insert(unit.to_string(), line) {
            problems.add(line, Some(2), Some(&header[1]), format!("đơn vị `{unit}` đã được gán cho mã khác ở dòng {first}"));
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
            problems.add(line_of(code), Some(1), None, format!("mã đơn vị `{code}` không có trong tệp ánh xạ"));
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
