//! Reading response files: CSV (any of `,` `;` tab, with or without a BOM) or the first sheet of an XLSX
//! workbook (KoboToolbox/ODK shape: `respondent_id`, `unit`, `group`, `weight`, then one column per
//! indicator code; columns starting with `_` are ignored). Every error names the line (CSV) or row (XLSX)
//! and, when one cell is at fault, the column.

use crate::{ErrorKind, Failure};
use chiso_core::text::nfc;
use chiso_stats::{Questionnaire, ResponseErrorKind, Responses, SurveyError};
use chiso_store::surveys::{NewResponse, ResponseImport};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Why a response file could not be read. `Display` is the Vietnamese message without the file name
/// ([`ReadError::message`] adds it).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The engine refused the header or a row (its message names line and column).
    #[error(transparent)]
    Engine(#[from] SurveyError),
    /// The XLSX container is not a valid zip, or unpacks to too much.
    #[error("tệp XLSX không hợp lệ: {0}")]
    BadXlsx(String),
    /// The XLSX parser gave up on the file (it panicked; the panic is contained).
    #[error("tệp XLSX hỏng (không đọc được)")]
    BrokenXlsx,
    #[error("không đọc được tệp XLSX: {0}")]
    UnreadableXlsx(String),
    #[error("dòng {line}: dòng CSV không đọc được ({message})")]
    BadCsvLine { line: u64, message: String },
    #[error("dòng {line}, cột {column}: ô không phải văn bản UTF-8 (hãy lưu tệp CSV với mã hoá UTF-8)")]
    NotUtf8 { line: u64, column: usize },
    /// A group the survey does not declare.
    #[error("dòng {line}, cột {column} (group): nhóm \"{group}\" không có trong khảo sát (các nhóm: {})", .groups.join(", "))]
    UnknownGroup { line: u64, column: usize, group: String, groups: Vec<String> },
    #[error("tệp trống: không có dòng tiêu đề")]
    Empty,
    /// Rows of the file are wrong: every problem found (up to [`MAX_LISTED`]), in file order.
    #[error("{}", .0)]
    Rows(RowProblems),
}

/// At most this many problems of a file are listed (the rest are counted).
pub const MAX_LISTED: usize = 1000;

/// One wrong cell (or row) of a response file, where a person finds it in a spreadsheet: the line (CSV,
/// header = line 1, a quoted field over several lines counted as the spreadsheet counts them: its record
/// starts on its first line) or row (XLSX), the column's name and what the cell holds.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub line: u64,
    /// 1-based column number and its header, when one cell is at fault.
    pub column: Option<(usize, String)>,
    /// What the cell holds (cut at 80 characters).
    pub value: Option<String>,
    /// What is wrong, in Vietnamese.
    pub message: String,
    /// The unit code, when the problem is a unit the survey does not cover.
    pub unknown_unit: Option<String>,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "dòng {}", self.line)?;
        if let Some((n, name)) = &self.column {
            write!(f, ", cột {n} ({name})")?;
        }
        if let Some(v) = &self.value {
            write!(f, ", giá trị \"{v}\"")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem of a response file (nothing of it is imported).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowProblems {
    pub problems: Vec<RowProblem>,
    /// Problems found beyond the first [`MAX_LISTED`].
    pub more: usize,
}

impl RowProblems {
    /// Add a problem (counted only, beyond [`MAX_LISTED`]).
    pub fn push(&mut self, p: RowProblem) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push(p);
        } else {
            self.more += 1;
        }
    }

    /// Number of problems found.
    pub fn count(&self) -> usize {
        self.problems.len() + self.more
    }
}

impl std::fmt::Display for RowProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} lỗi, không dòng nào được nhập: ", self.count())?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        if self.more > 0 {
            write!(f, "; và {} lỗi khác", self.more)?;
        }
        Ok(())
    }
}

impl ReadError {
    /// The unit code of an "unknown unit" error, so the caller can say whether it is missing from the
    /// database or only outside the survey.
    pub fn unknown_unit(&self) -> Option<&str> {
        match self {
            ReadError::Engine(SurveyError::Responses(r)) => match &r.kind {
                ResponseErrorKind::UnknownUnit(code) => Some(code),
                _ => None,
            },
            ReadError::Rows(r) => r.problems.iter().find_map(|p| p.unknown_unit.as_deref()),
            _ => None,
        }
    }

    /// The line (CSV) or row (XLSX) at fault, when one is.
    pub fn line(&self) -> Option<u64> {
        match self {
            ReadError::Engine(SurveyError::Responses(r)) => Some(r.line),
            ReadError::BadCsvLine { line, .. } | ReadError::NotUtf8 { line, .. } | ReadError::UnknownGroup { line, .. } => Some(*line),
            ReadError::Rows(r) => r.problems.first().map(|p| p.line),
            _ => None,
        }
    }

    /// "file: message".
    pub fn message(&self, file: &str) -> String {
        format!("{file}: {self}")
    }
}

impl Failure for ReadError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }
}

/// A response file read and checked, ready for [`chiso_store::Store::import_responses`].
pub struct ParsedResponses {
    pub import: ResponseImport,
    /// What the engine accepted but the user should know (missing indicator columns, answers outside the
    /// scale that estimation clips).
    pub warnings: Vec<String>,
}

fn is_xlsx(bytes: &[u8], file: &str) -> bool {
    bytes.starts_with(b"PK\x03\x04") || file.to_lowercase().ends_with(".xlsx")
}

/// `,` unless `;` or tab is clearly the separator of the header line (spreadsheets in a Vietnamese locale
/// export `;`).
fn sniff_delimiter(text: &[u8]) -> u8 {
    let line = text.split(|&b| b == b'\n').next().unwrap_or(text);
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    let (comma, semi, tab) = (count(b','), count(b';'), count(b'\t'));
    if comma == 0 && semi > 0 && semi >= tab {
        b';'
    } else if comma == 0 && tab > 0 {
        b'\t'
    } else {
        b','
    }
}

/// Call `f` with each row of a CSV or XLSX file (the first is the header), with its line (CSV) or row
/// (XLSX) number; blank rows are skipped.
pub fn for_each_row(bytes: &[u8], file: &str, mut f: impl FnMut(u64, &[&str]) -> Result<(), ReadError>) -> Result<(), ReadError> {
    if is_xlsx(bytes, file) {
        check_zip(bytes).map_err(ReadError::BadXlsx)?;
        // calamine is a third-party parser: a panic on a malformed file becomes an error here.
        let range = std::panic::catch_unwind(|| {
            use calamine::Reader;
            let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
            match wb.worksheet_range_at(0) {
                Some(r) => r.map_err(|e| e.to_string()),
                None => Err("sổ tính không có trang nào".to_string()),
            }
        })
        .map_err(|_| ReadError::BrokenXlsx)?
        .map_err(ReadError::UnreadableXlsx)?;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        // The used range is a rectangle: a row's cells past the header's last name are not columns (unless
        // they hold something, which the engine then reports as a row longer than the header).
        let mut width: Option<usize> = None;
        let mut fields: Vec<String> = Vec::new();
        for (i, row) in range.rows().enumerate() {
            fields.clear();
            fields.extend(row.iter().map(cell_text));
            if fields.iter().all(String::is_empty) {
                continue;
            }
            let w = *width.get_or_insert_with(|| fields.iter().rposition(|f| !f.is_empty()).map_or(0, |p| p + 1));
            if fields.len() > w && fields[w..].iter().all(String::is_empty) {
                fields.truncate(w);
            }
            fields.resize(fields.len().max(w), String::new());
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            f(first_row + i as u64 + 1, &refs)?;
        }
        return Ok(());
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(sniff_delimiter(text)).from_reader(text);
    let mut rec = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(text, p.byte() as usize));
                return Err(ReadError::BadCsvLine { line, message: e.to_string() });
            }
        }
        // The csv reader's own line of a record is where it started reading, which is before the line
        // break of the previous record when lines end in CRLF, and before any blank lines: count ourselves.
        let line = lines.first_line(text, rdr.position().byte() as usize, &rec);
        if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        for (c, raw) in rec.iter().enumerate() {
            let s = std::str::from_utf8(raw).map_err(|_| ReadError::NotUtf8 { line, column: c + 1 })?;
            fields.push(s);
        }
        f(line, &fields)?;
    }
    Ok(())
}

/// Line breaks as a spreadsheet counts them: LF, CRLF, or a lone CR (old Mac files).
fn line_breaks(bytes: &[u8]) -> u64 {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    let lone_cr = bytes.iter().enumerate().filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n')).count();
    (lf + lone_cr) as u64
}

/// Line numbers of CSV records as a spreadsheet shows them (the header is line 1; a record whose quoted
/// field spans lines is numbered by its first line), counted once over the text.
#[derive(Default)]
struct LineCounter {
    /// Bytes of the text counted so far, and the line breaks among them.
    upto: usize,
    breaks: u64,
}

impl LineCounter {
    fn count_to(&mut self, text: &[u8], end: usize) {
        let end = end.min(text.len());
        if end > self.upto {
            self.breaks += line_breaks(&text[self.upto..end]);
            self.upto = end;
        }
    }

    /// The 1-based line of byte `at`.
    fn line_at(&mut self, text: &[u8], at: usize) -> u64 {
        if at < self.upto {
            return 1 + line_breaks(&text[..at.min(text.len())]);
        }
        self.count_to(text, at);
        1 + self.breaks
    }

    /// The first line of a record that the reader consumed up to byte `end` (its terminator, if it has one,
    /// consumed or not): the line of its last byte less the line breaks inside its fields.
    fn first_line(&mut self, text: &[u8], end: usize, rec: &csv::ByteRecord) -> u64 {
        let mut last = end.min(text.len());
        while last > self.upto && matches!(text[last - 1], b'\n' | b'\r') {
            last -= 1;
        }
        self.count_to(text, last);
        let inner = rec.iter().map(line_breaks).sum::<u64>();
        (1 + self.breaks).saturating_sub(inner).max(1)
    }
}

/// Limits on what an uploaded XLSX container may unpack to, checked by reading every entry once before
/// calamine reads it (a small file must not unpack to gigabytes).
const MAX_XLSX_ENTRY: u64 = 512 * 1024 * 1024;
const MAX_XLSX_TOTAL: u64 = 768 * 1024 * 1024;
const MAX_XLSX_ENTRIES: usize = 10_000;

fn check_zip(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    if archive.len() > MAX_XLSX_ENTRIES {
        return Err(format!("{} phần, quá giới hạn {MAX_XLSX_ENTRIES}", archive.len()));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{i}"));
        let read = std::io::copy(&mut (&mut entry).take(MAX_XLSX_ENTRY + 1), &mut std::io::sink()).map_err(|e| format!("{name}: {e}"))?;
        total += read;
        if read > MAX_XLSX_ENTRY || total > MAX_XLSX_TOTAL {
            return Err(format!("{name}: giải nén quá {} MB", MAX_XLSX_TOTAL / 1024 / 1024));
        }
    }
    Ok(())
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

/// Read a response file (CSV, or the first sheet of an XLSX) against a questionnaire. Unit codes must be in
/// `valid_units`; groups must be in `groups` unless it is empty; answers within their question's scale
/// (refused, not clipped). A wrong header stops the reading (its error names line 1 and the column); wrong
/// rows do not: every problem of every row is listed ([`ReadError::Rows`]), each with its line, column
/// name and value, and then nothing is returned to import.
pub fn read_responses(
    q: &Questionnaire,
    bytes: &[u8],
    file: &str,
    valid_units: &HashSet<String>,
    groups: &[String],
) -> Result<ParsedResponses, ReadError> {
    let mut builder: Option<chiso_stats::ResponsesBuilder<'_>> = None;
    let mut import = ResponseImport { source_name: file.to_string(), ..Default::default() };
    let mut lines: HashMap<String, u64> = HashMap::new();
    let mut header: Vec<String> = Vec::new();
    // Per column: the indicator it holds.
    let mut indicator_of: Vec<Option<usize>> = Vec::new();
    let mut problems = RowProblems::default();
    // Any unit the survey covers, to stand in for a wrong one while the rest of its row is checked.
    let stand_in_unit = valid_units.iter().min().cloned();
    for_each_row(bytes, file, |line, fields| {
        let Some(b) = builder.as_mut() else {
            builder = Some(Responses::builder(q, fields, Some(valid_units))?);
            for (c, name) in fields.iter().enumerate() {
                let name = name.trim_start_matches('\u{feff}').trim();
                header.push(name.to_string());
                let lower = name.to_lowercase();
                indicator_of.push(q.indicators.iter().position(|i| i.code.to_lowercase() == lower));
                let slot = match lower.as_str() {
                    "respondent_id" => &mut import.id_column,
                    "unit" => &mut import.unit_column,
                    "group" => &mut import.group_column,
                    "weight" => &mut import.weight_column,
                    _ => continue,
                };
                *slot = Some(c + 1);
            }
            return Ok(());
        };
        let cell = |c: usize, value: &str, message: String| RowProblem {
            line,
            column: Some((c + 1, header.get(c).cloned().unwrap_or_default())),
            value: Some(shorten(value)),
            message,
            unknown_unit: None,
        };
        if fields.len() != header.len() {
            problems.push(RowProblem {
                line,
                column: None,
                value: None,
                message: format!("dòng có {} ô, dòng tiêu đề có {} ô", fields.len(), header.len()),
                unknown_unit: None,
            });
            return Ok(());
        }
        let mut row: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let before = problems.count();
        // The engine accepts any group; a survey that declares its groups accepts only those.
        if let Some(gc) = import.group_column
            && !groups.is_empty()
            && let Some(g) = fields.get(gc - 1).map(|g| nfc(g.trim()))
            && !g.is_empty()
            && !groups.contains(&g)
        {
            problems.push(cell(gc - 1, &g, format!("nhóm \"{g}\" không có trong khảo sát (các nhóm: {})", groups.join(", "))));
            row[gc - 1] = String::new();
        }
        // Answers outside their question's scale are refused (the engine would clip them).
        for (c, f) in fields.iter().enumerate() {
            let Some(ind) = indicator_of.get(c).copied().flatten().and_then(|j| q.indicators.get(j)) else { continue };
            if let Some(v) = chiso_stats::parse_number(f.trim())
                && !(ind.min..=ind.max).contains(&v)
            {
                problems.push(cell(
                    c,
                    f,
                    format!(
                        "câu trả lời nằm ngoài thang của câu {} ({} đến {}); sửa lại hoặc để trống nếu không biết",
                        ind.code,
                        vn_scale(ind.min),
                        vn_scale(ind.max)
                    ),
                ));
                row[c] = String::new();
            }
        }
        // The engine checks the rest, one cell at a time: each cell it refuses is noted and blanked (or given a
        // stand-in) so that the next one is found too. The row is added only to find later duplicates.
        for _ in 0..=row.len() {
            let refs: Vec<&str> = row.iter().map(String::as_str).collect();
            let Err(e) = b.push_row_at(line, &refs) else { break };
            let SurveyError::Responses(r) = &e else { return Err(ReadError::Engine(e)) };
            let Some(col) = r.column.map(|c| c - 1).filter(|&c| c < row.len()) else {
                problems.push(RowProblem { line, column: None, value: None, message: r.kind.to_string(), unknown_unit: None });
                break;
            };
            let mut p = cell(col, &row[col], r.kind.to_string());
            if let ResponseErrorKind::UnknownUnit(code) = &r.kind {
                p.message = format!("mã đơn vị \"{code}\" không thuộc phạm vi khảo sát");
                p.unknown_unit = Some(code.clone());
            }
            problems.push(p);
            row[col] = match (Some(col + 1) == import.unit_column, Some(col + 1) == import.id_column, Some(col + 1) == import.weight_column)
            {
                (true, _, _) => match &stand_in_unit {
                    Some(u) => u.clone(),
                    None => break,
                },
                (_, true, _) => format!("\u{1}dòng {line}"),
                (_, _, true) => "1".into(),
                _ => String::new(),
            };
        }
        if problems.count() == before
            && let Some(ic) = import.id_column
            && let Some(id) = fields.get(ic - 1)
        {
            lines.insert(id.trim().to_string(), line);
        }
        Ok(())
    })?;
    let builder = builder.ok_or(ReadError::Empty)?;
    if problems.count() > 0 {
        return Err(ReadError::Rows(problems));
    }
    let responses = builder.finish()?;
    let codes = responses.indicator_codes().to_vec();
    let mut rows: Vec<NewResponse> = responses
        .records()
        .map(|r| NewResponse {
            line: lines.get(r.respondent_id).copied().unwrap_or(0),
            respondent_id: r.respondent_id.to_string(),
            unit_code: r.unit.to_string(),
            group: r.group.map(String::from),
            weight: r.weight,
            answers: codes.iter().zip(&r.answers).filter_map(|(c, a)| a.map(|v| (c.clone(), v))).collect(),
        })
        .collect();
    rows.sort_by_key(|r| r.line);
    import.rows = rows;
    Ok(ParsedResponses { import, warnings: responses.warnings().to_vec() })
}

/// A cell's text as shown in a message: at most 80 characters.
fn shorten(v: &str) -> String {
    let v = v.trim();
    if v.chars().count() > 80 { format!("{}…", v.chars().take(80).collect::<String>()) } else { v.to_string() }
}

/// "3" for whole numbers, else "2,5".
fn vn_scale(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}").replace('.', ",") }
}

/// Why a response file on disk could not be read (no database: any unit code is accepted).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("không đọc được {file}: {error}")]
    Io { file: String, error: std::io::Error },
    /// A CSV file, streamed by the engine: its message names the file.
    #[error(transparent)]
    Csv(SurveyError),
    /// An XLSX file.
    #[error("{file}: {error}")]
    Xlsx { file: String, error: ReadError },
}

impl Failure for FileError {
    fn kind(&self) -> ErrorKind {
        match self {
            FileError::Io { .. } => ErrorKind::Unavailable,
            FileError::Csv(_) | FileError::Xlsx { .. } => ErrorKind::Invalid,
        }
    }
}

/// Responses from a file on disk: a CSV streamed by the engine (in parallel), or the first sheet of an XLSX
/// workbook. There is no database here, so any unit code is accepted.
pub fn read_response_file(q: &Questionnaire, path: &Path) -> Result<Responses, FileError> {
    let file = path.display().to_string();
    if !file.to_lowercase().ends_with(".xlsx") {
        return Responses::from_csv_path(q, path, None).map_err(FileError::Csv);
    }
    let bytes = std::fs::read(path).map_err(|error| FileError::Io { file: file.clone(), error })?;
    let xlsx = |error: ReadError| FileError::Xlsx { file: file.clone(), error };
    let mut builder: Option<chiso_stats::ResponsesBuilder<'_>> = None;
    for_each_row(&bytes, &file, |line, fields| {
        match builder.as_mut() {
            None => builder = Some(Responses::builder(q, fields, None)?),
            Some(b) => b.push_row_at(line, fields)?,
        }
        Ok(())
    })
    .map_err(xlsx)?;
    let builder = builder.ok_or(ReadError::Empty).map_err(xlsx)?;
    builder.finish().map_err(|e| xlsx(ReadError::Engine(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: &str = r#"
framework = "papi"
[[indicator]]
code = "a"
node = "papi.d1.s1"
min = 1
max = 4
direction = 1
options = [{ label = "Rất kém", value = 1 }, { label = "Kém", value = 2 }, { label = "Tốt", value = 3 }, { label = "Rất tốt", value = 4 }]
[[indicator]]
code = "b"
node = "papi.d1.s2"
min = 0
max = 1
direction = -1
groups = ["dn"]
"#;

    fn units(codes: &[&str]) -> HashSet<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn synthetic_responses_are_reproducible_and_read_back() {
        use crate::surveys::synthetic_responses_csv;
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let us = vec!["X01".to_string(), "X02".to_string()];
        let gs = vec!["nd".to_string(), "dn".to_string()];
        let a = synthetic_responses_csv(&q, &us, &gs, 500, 3, "T-");
        assert_eq!(a, synthetic_responses_csv(&q, &us, &gs, 500, 3, "T-"), "same seed, same file");
        assert_ne!(a, synthetic_responses_csv(&q, &us, &gs, 500, 4, "T-"));
        let p = read_responses(&q, a.as_bytes(), "s.csv", &units(&["X01", "X02"]), &gs).map_err(|e| e.message("s.csv")).expect("read");
        assert_eq!(p.import.rows.len(), 500);
        assert_eq!(p.import.rows[0].line, 2);
        assert_eq!(p.import.rows[499].respondent_id, "T-00500");
        // `b` is asked of group dn only.
        assert!(p.import.rows.iter().filter(|r| r.group.as_deref() == Some("nd")).all(|r| r.answers.iter().all(|(c, _)| c != "b")));
        let missing = p.import.rows.iter().filter(|r| !r.answers.iter().any(|(c, _)| c == "a")).count();
        assert!((5..60).contains(&missing), "about 5% missing: {missing}");
        assert_eq!(
            (p.import.id_column, p.import.unit_column, p.import.group_column, p.import.weight_column),
            (Some(1), Some(2), Some(3), Some(4))
        );
    }

    #[test]
    fn bad_files_name_line_and_column() {
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let ok_units = units(&["X01"]);
        let cases: [(&str, &str, Option<u64>); 6] = [
            ("respondent_id,unit,group,weight,a,zz\n", "cột 6", Some(1)),
            ("respondent_id,unit,group,weight,a\nr1,X01,,1,3\nr2,X01,,1,nhiều\n", "dòng 3, cột 5", Some(3)),
            ("respondent_id,unit,group,weight,a\nr1,X01,,0,3\n", "dòng 2, cột 4", Some(2)),
            ("respondent_id,unit,group,weight,a\nr1,X01,,1,3\nr2,X09,,1,3\n", "dòng 3, cột 2", Some(3)),
            ("respondent_id,unit,group,weight,a\nr1,X01,hs,1,3\n", "dòng 2, cột 3 (group)", Some(2)),
            ("", "không có dòng tiêu đề", None),
        ];
        for (text, expected, line) in cases {
            let e = read_responses(&q, text.as_bytes(), "r.csv", &ok_units, &["nd".to_string()]).err().expect("an error");
            let m = e.message("r.csv");
            assert!(m.starts_with("r.csv: ") && m.contains(expected), "expected «{expected}» in {m}");
            assert_eq!(e.line(), line, "{m}");
        }
        let e = read_responses(&q, b"respondent_id,unit,weight,a\nr1,X09,1,3\n", "r.csv", &ok_units, &[]).err().expect("unknown unit");
        assert_eq!(e.unknown_unit(), Some("X09"));
        let e = read_responses(&q, b"respondent_id,unit,weight,a\nr1,X01,1,\xff\n", "r.csv", &ok_units, &[]).err().expect("latin-1");
        assert!(matches!(e, ReadError::NotUtf8 { line: 2, column: 4 }), "{e}");
    }

    fn problems(r: Result<ParsedResponses, ReadError>) -> RowProblems {
        match r {
            Err(ReadError::Rows(p)) => p,
            Err(e) => panic!("expected row problems, got {e}"),
            Ok(_) => panic!("expected row problems, got a file to import"),
        }
    }

    #[test]
    fn every_problem_is_listed_with_the_line_a_spreadsheet_shows() {
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let ok_units = units(&["X01", "X02"]);
        let groups = vec!["nd".to_string(), "dn".to_string()];
        // CRLF line ends (Excel), a blank line, a note over two lines inside quotes, and five mistakes on four
        // lines: an answer out of the scale 1–4 (line 3), a word that is no option and a bad weight on the
        // same line (4), an unknown unit after the two-line note (7), a repeated respondent (8).
        let text = "respondent_id,unit,group,weight,a,b,_note\r\n\
                    r1,X01,nd,1,3,,\r\n\
                    r2,X01,nd,1,9,,\r\n\
                    r3,X02,dn,-1,nhiều,1,\r\n\
                    \r\n\
                    r4,X01,nd,1,2,,\"ghi chú\r\nhai dòng\"\r\n\
                    r5,X77,nd,1,1,,\r\n\
                    r1,X01,nd,1,1,,\r\n";
        let p = problems(read_responses(&q, text.as_bytes(), "r.csv", &ok_units, &groups));
        let seen: Vec<(u64, Option<&str>, Option<&str>)> =
            p.problems.iter().map(|x| (x.line, x.column.as_ref().map(|(_, n)| n.as_str()), x.value.as_deref())).collect();
        assert_eq!(
            seen,
            [
                (3, Some("a"), Some("9")),
                (4, Some("weight"), Some("-1")),
                (4, Some("a"), Some("nhiều")),
                (8, Some("unit"), Some("X77")),
                (9, Some("respondent_id"), Some("r1")),
            ],
            "{p}"
        );
        assert!(p.problems[0].message.contains("ngoài thang") && p.problems[0].message.contains("1 đến 4"), "{p}");
        assert!(p.problems[4].message.contains("dòng 2"), "the first r1 is on line 2: {p}");
        assert_eq!(p.problems[3].unknown_unit.as_deref(), Some("X77"));
        let shown = ReadError::Rows(p.clone()).message("r.csv");
        assert!(shown.starts_with("r.csv: 5 lỗi, không dòng nào được nhập: dòng 3, cột 5 (a), giá trị \"9\""), "{shown}");
        // The same file with LF line ends gives the same lines.
        let lf = text.replace("\r\n", "\n");
        let p2 = problems(read_responses(&q, lf.as_bytes(), "r.csv", &ok_units, &groups));
        assert_eq!(p2.problems.iter().map(|x| x.line).collect::<Vec<_>>(), [3, 4, 4, 8, 9]);
        // Corrected, it reads, and a value at the end of the scale is kept as it is (not clipped).
        let good = "respondent_id,unit,group,weight,a,b\nr1,X01,nd,1,4,\nr2,X01,dn,1,1,0\n";
        let ok = read_responses(&q, good.as_bytes(), "r.csv", &ok_units, &groups).map_err(|e| e.message("r.csv")).expect("read");
        assert_eq!(ok.import.rows.len(), 2);
        assert!(ok.warnings.iter().all(|w| !w.contains("cắt")), "{:?}", ok.warnings);
    }

    #[test]
    fn a_file_of_mistakes_lists_at_most_a_thousand_and_counts_the_rest() {
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let mut text = String::from("respondent_id,unit,weight,a\n");
        for i in 0..1500 {
            text.push_str(&format!("r{i},X01,1,7\n"));
        }
        let p = problems(read_responses(&q, text.as_bytes(), "r.csv", &units(&["X01"]), &[]));
        assert_eq!((p.problems.len(), p.more, p.count()), (MAX_LISTED, 500, 1500));
        assert_eq!(p.problems.last().map(|x| x.line), Some(1001));
    }

    #[test]
    fn semicolons_labels_and_bom_are_read() {
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let text = "\u{feff}respondent_id;unit;weight;a;_uuid\nr1;X01;1,5;Tốt;abc\n";
        let p = read_responses(&q, text.as_bytes(), "r.csv", &units(&["X01"]), &[]).map_err(|e| e.message("r.csv")).expect("read");
        assert_eq!(p.import.rows[0].weight, 1.5);
        assert_eq!(p.import.rows[0].answers, vec![("a".to_string(), 3.0)]);
        assert!(p.warnings.iter().any(|w| w.contains('b')), "the missing column b is a warning: {:?}", p.warnings);
    }

    #[test]
    fn xlsx_files_are_read_like_csv() {
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["respondent_id", "unit", "group", "weight", "a", "b"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).expect("header");
        }
        // Row 2: numbers as numbers; row 3: the answer as an option label; row 4: blank; row 5: a bad weight.
        ws.write_string(1, 0, "r1").expect("w");
        ws.write_string(1, 1, "X01").expect("w");
        ws.write_string(1, 2, "dn").expect("w");
        ws.write_number(1, 3, 1.5).expect("w");
        ws.write_number(1, 4, 4.0).expect("w");
        ws.write_number(1, 5, 0.0).expect("w");
        ws.write_string(2, 0, "r2").expect("w");
        ws.write_string(2, 1, "X01").expect("w");
        ws.write_number(2, 3, 1.0).expect("w");
        ws.write_string(2, 4, "Kém").expect("w");
        let good = wb.save_to_buffer().expect("xlsx");
        let p = read_responses(&q, &good, "r.xlsx", &units(&["X01"]), &[]).map_err(|e| e.message("r.xlsx")).expect("read");
        assert_eq!(p.import.rows.len(), 2);
        assert_eq!(p.import.rows[0].answers, vec![("a".to_string(), 4.0), ("b".to_string(), 0.0)]);
        assert_eq!((p.import.rows[0].weight, p.import.rows[0].group.as_deref()), (1.5, Some("dn")));
        assert_eq!(p.import.rows[1].answers, vec![("a".to_string(), 2.0)], "option label read as its value");
        ws_bad_weight();
    }

    /// A bad cell of an XLSX file is named by its row and column as Excel shows them.
    fn ws_bad_weight() {
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["respondent_id", "unit", "weight", "a"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).expect("header");
        }
        for (r, w) in [(1u32, 1.0), (3, -2.0)] {
            ws.write_string(r, 0, format!("r{r}")).expect("w");
            ws.write_string(r, 1, "X01").expect("w");
            ws.write_number(r, 2, w).expect("w");
        }
        let bytes = wb.save_to_buffer().expect("xlsx");
        let e = read_responses(&q, &bytes, "r.xlsx", &units(&["X01"]), &[]).err().map(|e| e.message("r.xlsx")).expect("bad weight");
        assert!(e.contains("dòng 4, cột 3"), "{e}");
        let broken = read_responses(&q, b"PK\x03\x04 not a zip", "x.xlsx", &units(&["X01"]), &[]).err();
        assert!(matches!(broken, Some(ReadError::BadXlsx(_))), "a broken container is an error, not a panic: {broken:?}");
    }

    #[test]
    fn files_on_disk_are_read_as_csv_or_xlsx() {
        let q = Questionnaire::from_toml_str(Q).expect("q");
        let dir = std::env::temp_dir().join(format!("chiso-app-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let csv = dir.join("r.csv");
        std::fs::write(&csv, "respondent_id,unit,weight,a\nr1,ANY,1,3\n").expect("write");
        assert_eq!(read_response_file(&q, &csv).expect("csv").len(), 1, "any unit code without a database");
        let empty = dir.join("e.xlsx");
        std::fs::write(&empty, rust_xlsxwriter::Workbook::new().save_to_buffer().expect("xlsx")).expect("write");
        let e = read_response_file(&q, &empty).err().map(|e| e.to_string()).expect("empty");
        assert!(e.ends_with("e.xlsx: tệp trống: không có dòng tiêu đề"), "{e}");
        let Err(e) = read_response_file(&q, &dir.join("missing.xlsx")) else { panic!("a missing file is an error") };
        assert!(matches!(e, FileError::Io { .. }), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
