//! Citizen surveys (issue 6): survey list and creation (questionnaire TOML), the survey page (questionnaire,
//! invitations with links and QR codes, responses per unit and group, import from CSV/XLSX, estimation), the
//! estimates page (intervals, small-sample warnings, radar chart beside the official results), the public
//! form `/s/{token}` (no login, one answer per token), and the JSON API.
//!
//! The conversions the CLI and the demo loader share live here too: reading a response file
//! ([`read_responses`]), importing it ([`import_file`]), estimating a stored survey ([`compute_estimates`]),
//! the structure a questionnaire is scored over ([`structure_for`]) and synthetic responses
//! ([`synthetic_responses_csv`]).

use crate::auth::{CurrentUser, cookie};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::Base;
use crate::startup::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HOST, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chiso_core::access::{Permission, Scope};
use chiso_core::framework::{Framework, FrameworkSet};
use chiso_core::text::{nfc, vn_date_short, vn_number};
use chiso_stats::{Questionnaire, Report, ResponseErrorKind, Responses, ScoreOptions, Structure, SurveyError, UnitReport};
use chiso_store::surveys::{
    FormLookup, Invitation, NewEstimate, NewResponse, NewSurvey, ResponseImport, ResponseImportSummary, StoredEstimate, StoredResponse,
    Survey, SurveyFilter, SurveyListItem, SurveyStatus, check_answer, is_asked,
};
use chiso_store::units::Unit;
use chiso_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The sample questionnaire shipped with the system (13 questions over the 8 PAPI dimensions).
pub const SAMPLE_QUESTIONNAIRE: &str = include_str!("../../../datasets/surveys/papi-mini.toml");
/// Response files uploaded on the survey page: at most 64 MB (larger files: `chiso survey import`).
pub const IMPORT_LIMIT: usize = 64 * 1024 * 1024;
/// Questionnaire files: at most 2 MB.
const QUESTIONNAIRE_LIMIT: usize = 2 * 1024 * 1024;
/// Units (and groups) with fewer respondents get a small-sample warning.
pub const SMALL_SAMPLE: usize = 30;
/// Most bootstrap replicates asked from the web page.
const MAX_WEB_BOOTSTRAP: usize = 20_000;
const FORM_CSRF_COOKIE: &str = "chiso_form_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(list).post(create))
        .route("/surveys/sample-questionnaire.toml", get(sample_questionnaire))
        .route("/surveys/{id}", get(detail))
        .route("/surveys/{id}/questionnaire.toml", get(export_questionnaire))
        .route("/surveys/{id}/template.csv", get(template_csv))
        .route("/surveys/{id}/sample.csv", get(sample_csv))
        .route("/surveys/{id}/status", post(set_status))
        .route("/surveys/{id}/invitations", post(invite))
        .route("/surveys/{id}/invitations/print", get(print_invitations))
        .route("/surveys/{id}/responses", post(import_upload).layer(DefaultBodyLimit::max(IMPORT_LIMIT + 64 * 1024)))
        .route("/surveys/{id}/estimates", get(estimates_page).post(compute))
        .route("/surveys/{id}/sheet", post(fill_sheet))
        .route("/s/{token}", get(form_page).post(form_submit))
        .route("/s/{token}/done", get(form_done))
        .route("/api/v1/surveys", get(api_list))
        .route("/api/v1/surveys/{id}", get(api_detail))
        .route("/api/v1/surveys/{id}/estimates", get(api_estimates))
}

// =============================================================================================== shared logic

/// The dimensions and sub-dimensions a questionnaire is scored over: the framework's tree for `year` (or,
/// without a year, its latest methodology) when the framework is known, so that a dimension the
/// questionnaire does not measure leaves the total undefined as the spec says; else the structure implied by
/// the questionnaire's node codes.
pub fn structure_for(frameworks: &FrameworkSet, q: &Questionnaire, year: Option<i32>) -> Result<Structure, String> {
    let Some(fw) = frameworks.get(&q.framework) else {
        return Ok(Structure::from_node_codes(q));
    };
    let year = match year {
        Some(y) if fw.applies_to(y) => y,
        Some(y) => return Err(format!("bộ chỉ số {} không áp dụng cho năm {y} (áp dụng: {})", fw.code, fw.years)),
        None => fw.breakpoints().last().copied().or(fw.years.from).unwrap_or(2018),
    };
    Ok(Structure::from_framework_tree(&fw.tree_for_year(Some(year))))
}

/// Why a response file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The engine's error (line, column, what).
    Survey(SurveyError),
    Message(String),
}

impl From<SurveyError> for ReadError {
    fn from(e: SurveyError) -> Self {
        ReadError::Survey(e)
    }
}

impl ReadError {
    /// The unit code of an "unknown unit" error, so the caller can say whether it is missing from the
    /// database or only outside the survey.
    pub fn unknown_unit(&self) -> Option<&str> {
        match self {
            ReadError::Survey(SurveyError::Responses(r)) => match &r.kind {
                ResponseErrorKind::UnknownUnit(code) => Some(code),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn message(&self, file: &str) -> String {
        match self {
            ReadError::Survey(e) => format!("{file}: {e}"),
            ReadError::Message(m) => format!("{file}: {m}"),
        }
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
        check_zip(bytes).map_err(|e| ReadError::Message(format!("tệp XLSX không hợp lệ: {e}")))?;
        // calamine is a third-party parser: a panic on a malformed file becomes an error here.
        let range = std::panic::catch_unwind(|| {
            use calamine::Reader;
            let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
            match wb.worksheet_range_at(0) {
                Some(r) => r.map_err(|e| e.to_string()),
                None => Err("sổ tính không có trang nào".to_string()),
            }
        })
        .map_err(|_| ReadError::Message("tệp XLSX hỏng (không đọc được)".into()))?
        .map_err(|e| ReadError::Message(format!("không đọc được tệp XLSX: {e}")))?;
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
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(ReadError::Message(format!("dòng {line}: dòng CSV không đọc được ({e})")));
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        for (c, raw) in rec.iter().enumerate() {
            let s = std::str::from_utf8(raw).map_err(|_| {
                ReadError::Message(format!("dòng {line}, cột {}: ô không phải văn bản UTF-8 (hãy lưu tệp CSV với mã hoá UTF-8)", c + 1))
            })?;
            fields.push(s);
        }
        f(line, &fields)?;
    }
    Ok(())
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

/// Read a response file (CSV, or the first sheet of an XLSX; KoboToolbox/ODK shape: `respondent_id`,
/// `unit`, `group`, `weight`, then one column per indicator code; columns starting with `_` are ignored)
/// against a questionnaire. Unit codes must be in `valid_units`; groups must be in `groups` unless it is
/// empty. The first error stops the reading and names its line and column.
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
    for_each_row(bytes, file, |line, fields| {
        let Some(b) = builder.as_mut() else {
            builder = Some(Responses::builder(q, fields, Some(valid_units))?);
            for (c, name) in fields.iter().enumerate() {
                let slot = match name.trim_start_matches('\u{feff}').trim().to_lowercase().as_str() {
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
        // The engine accepts any group; a survey that declares its groups accepts only those.
        if let Some(gc) = import.group_column
            && !groups.is_empty()
            && let Some(g) = fields.get(gc - 1).map(|g| nfc(g))
            && !g.is_empty()
            && !groups.contains(&g)
        {
            return Err(ReadError::Message(format!(
                "dòng {line}, cột {gc} (group): nhóm \"{g}\" không có trong khảo sát (các nhóm: {})",
                groups.join(", ")
            )));
        }
        b.push_row_at(line, fields)?;
        if let Some(ic) = import.id_column
            && let Some(id) = fields.get(ic - 1)
        {
            lines.insert(id.trim().to_string(), line);
        }
        Ok(())
    })?;
    let builder = builder.ok_or_else(|| ReadError::Message("tệp trống: không có dòng tiêu đề".into()))?;
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

/// Read a response file and import it into a stored survey: every row or none.
pub async fn import_file(
    store: &Store,
    scope: &Scope,
    survey_id: i64,
    bytes: Vec<u8>,
    file: &str,
) -> Result<(ResponseImportSummary, Vec<String>), AppError> {
    let survey = store.survey(scope, survey_id).await?;
    if !scope.can(Permission::EditPlans) {
        return Err(StoreError::Forbidden(Permission::EditPlans.name_vi().into()).into());
    }
    let q = store.survey_questionnaire(scope, survey_id).await?;
    let units: HashSet<String> = store.survey_units(scope, survey_id).await?.into_iter().map(|u| u.code).collect();
    let groups = store.survey_groups(scope, survey_id).await?;
    let name = file.to_string();
    let parsed = tokio::task::spawn_blocking(move || read_responses(&q, &bytes, &name, &units, &groups))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let mut msg = e.message(file);
            if let Some(code) = e.unknown_unit() {
                let why = match store.unit_by_code(scope, code).await {
                    Err(StoreError::NotFound(_)) => "không có trong cơ sở dữ liệu".to_string(),
                    _ => format!("không thuộc phạm vi khảo sát ({} và các đơn vị trực thuộc)", survey.unit_name),
                };
                msg = format!("{msg} — mã đơn vị \"{code}\" {why}");
            }
            return Err(AppError::BadRequest(msg));
        }
    };
    let summary = store.import_responses(scope, survey_id, &parsed.import).await?;
    Ok((summary, parsed.warnings))
}

/// Estimate from stored responses (CPU work: call it off the async threads).
pub fn estimate_report(q: &Questionnaire, responses: &[StoredResponse], s: &Structure, opts: &ScoreOptions) -> Result<Report, SurveyError> {
    let mut header: Vec<&str> = vec!["respondent_id", "unit", "group", "weight"];
    header.extend(q.indicators.iter().map(|i| i.code.as_str()));
    let mut b = Responses::builder(q, &header, None)?;
    let mut fields: Vec<String> = Vec::with_capacity(header.len());
    for r in responses {
        fields.clear();
        fields.push(r.respondent_id.clone());
        fields.push(r.unit_code.clone());
        fields.push(r.group_code.clone().unwrap_or_default());
        fields.push(r.weight.to_string());
        fields.extend(q.indicators.iter().map(|i| r.answers.get(&i.code).map(|v| v.to_string()).unwrap_or_default()));
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        b.push_row(&refs)?;
    }
    chiso_stats::score(q, &b.finish()?, s, opts)
}

/// Estimate a stored survey with B bootstrap replicates and a seed, and store the report.
pub async fn compute_estimates(
    store: &Store,
    scope: &Scope,
    frameworks: &FrameworkSet,
    survey_id: i64,
    bootstrap: usize,
    seed: u64,
    by_group: bool,
) -> Result<StoredEstimate, AppError> {
    let survey = store.survey(scope, survey_id).await?;
    if !scope.can(Permission::EditPlans) {
        return Err(StoreError::Forbidden(Permission::EditPlans.name_vi().into()).into());
    }
    if i64::try_from(seed).is_err() {
        return Err(AppError::BadRequest(format!("hạt giống (seed) {seed} quá lớn (tối đa {})", i64::MAX)));
    }
    let q = store.survey_questionnaire(scope, survey_id).await?;
    let responses = store.survey_responses(scope, survey_id).await?;
    if responses.is_empty() {
        return Err(AppError::BadRequest(
            "khảo sát chưa có câu trả lời nào: hãy nhập câu trả lời hoặc gửi phiếu mời trước khi tính ước lượng".into(),
        ));
    }
    let structure = structure_for(frameworks, &q, Some(survey.year as i32)).map_err(AppError::BadRequest)?;
    let opts = ScoreOptions { bootstrap, seed, by_group, small_sample: SMALL_SAMPLE };
    let n = responses.len();
    let report = tokio::task::spawn_blocking(move || estimate_report(&q, &responses, &structure, &opts))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let json = serde_json::to_string(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(store.save_estimate(scope, survey_id, &NewEstimate { bootstrap, seed, by_group, responses: n, report: &json }).await?)
}

/// The survey part of a PAR-style score sheet: for each leaf of the framework (in `year`) whose score comes
/// from a survey and that the questionnaire measures, the points `min + n·(max − min)`, where n is the mean of
/// the unit's defined indicator means of that leaf (each on the 0–1 scale, reversed indicators already
/// turned round). Leaves without any answer are left out.
pub fn survey_leaf_scores(fw: &Framework, year: i32, q: &Questionnaire, est: &chiso_stats::Estimate) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for leaf in fw.leaves_for_year(year) {
        if leaf.source != chiso_core::framework::Source::Survey {
            continue;
        }
        let means: Vec<f64> =
            q.indicators.iter().filter(|i| i.node == leaf.code).filter_map(|i| est.indicators.get(&i.code).copied().flatten()).collect();
        if means.is_empty() {
            continue;
        }
        let n = means.iter().sum::<f64>() / means.len() as f64;
        let (lo, hi) = (leaf.min.unwrap_or(0.0), leaf.max.unwrap_or(0.0));
        let points = chiso_core::results::round_to(lo + n.clamp(0.0, 1.0) * (hi - lo), 2).clamp(lo, hi);
        out.push((leaf.code.clone(), points));
    }
    out
}

/// A small deterministic generator (SplitMix64): synthetic data must be the same on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Synthetic responses to a questionnaire as CSV (`respondent_id, unit, group, weight, <codes>`): `n`
/// respondents spread over `units` and `groups`, each unit with its own level of satisfaction, 5% missing
/// answers, weights 0.5–2.0; questions not asked of a respondent's group are left empty. The same arguments
/// give the same file. Respondent ids are `<id_prefix>00001`, … — use a new prefix for each import.
pub fn synthetic_responses_csv(q: &Questionnaire, units: &[String], groups: &[String], n: usize, seed: u64, id_prefix: &str) -> String {
    let mut rng = SplitMix(seed ^ 0x5EED_5EED);
    let mut out = String::from("respondent_id,unit,group,weight");
    for ind in &q.indicators {
        out.push(',');
        out.push_str(&ind.code);
    }
    out.push('\n');
    if units.is_empty() {
        return out;
    }
    // A unit's level depends on its code and the seed only, so units differ visibly and reproducibly.
    let level: Vec<f64> = units
        .iter()
        .map(|u| {
            let mut r = SplitMix(u.bytes().fold(seed, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
            0.35 + 0.45 * r.unit()
        })
        .collect();
    let scales: Vec<Vec<f64>> = q
        .indicators
        .iter()
        .map(|ind| {
            let mut v: Vec<f64> = ind.options.iter().map(|o| o.value).collect();
            if v.is_empty() {
                let (lo, hi) = (ind.min.ceil() as i64, ind.max.floor() as i64);
                v = if hi > lo && hi - lo <= 20 { (lo..=hi).map(|x| x as f64).collect() } else { vec![ind.min, ind.max] };
            }
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    for i in 0..n {
        let u = rng.below(units.len());
        let group = if groups.is_empty() { None } else { Some(groups[rng.below(groups.len())].as_str()) };
        let weight = 0.5 + (rng.unit() * 150.0).round() / 100.0;
        out.push_str(&format!("{id_prefix}{:05},{},{},{weight}", i + 1, units[u], group.unwrap_or("")));
        for (ind, scale) in q.indicators.iter().zip(&scales) {
            out.push(',');
            if !is_asked(ind, group) || rng.unit() < 0.05 {
                continue;
            }
            // A respondent's satisfaction: the unit's level plus noise; reversed indicators answer the
            // other way round.
            let p = (level[u] + 0.5 * (rng.unit() - 0.5)).clamp(0.0, 1.0);
            let p = if ind.direction < 0 { 1.0 - p } else { p };
            let k = ((p * scale.len() as f64) as usize).min(scale.len() - 1);
            out.push_str(&scale[k].to_string());
        }
        out.push('\n');
    }
    out
}

/// A QR code of `text` as an SVG image (black modules on white, 4-module quiet zone).
pub fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let n = qr.size();
    let mut path = String::new();
    for y in 0..n {
        for x in 0..n {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let side = n + 8;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"160\" height=\"160\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"Mã QR\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

// ================================================================================================ formatting

fn local_datetime(ms: i64) -> Option<time::OffsetDateTime> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    Some(t.to_offset(time::UtcOffset::from_hms(7, 0, 0).ok()?))
}

/// "05/01/2024 14:03" (Vietnam time).
pub fn vn_datetime(ms: i64) -> String {
    local_datetime(ms).map(|t| format!("{} {:02}:{:02}", vn_date_short(t.date()), t.hour(), t.minute())).unwrap_or_else(|| "—".into())
}

/// "5,87 (5,61–6,10)", "5,87", or "—" when undefined.
pub fn with_interval(v: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (v, ci) {
        (Some(v), Some([lo, hi])) => format!("{} ({}–{})", vn_number(v, 2), vn_number(lo, 2), vn_number(hi, 2)),
        (Some(v), None) => vn_number(v, 2),
        _ => "—".into(),
    }
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { vn_number(v, 2) }
}

fn node_name(fw: Option<&Framework>, code: &str) -> String {
    fw.and_then(|f| f.node(code)).map(|n| n.name_vi.clone()).unwrap_or_default()
}

/// "Nội dung 3" for papi.d3, else the code.
fn dimension_short(code: &str) -> String {
    match code.strip_prefix("papi.d") {
        Some(n) => format!("Nội dung {n}"),
        None => code.to_string(),
    }
}

/// Scheme and host the visitor used, for invitation links.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).filter(|h| !h.is_empty()).unwrap_or("localhost");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn group_label(g: Option<&str>) -> String {
    g.map(String::from).unwrap_or_else(|| "(không ghi nhóm)".into())
}

// ============================================================================================ list and create

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub framework: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
}

struct ListRow {
    item: SurveyListItem,
    status_vi: &'static str,
    estimated: String,
}

#[derive(Template)]
#[template(path = "survey_list.html")]
struct ListPage {
    b: Base,
    rows: Vec<ListRow>,
    units: Vec<Unit>,
    frameworks: Vec<(String, String)>,
    q: ListQuery,
    can_edit: bool,
    error: Option<String>,
    this_year: i32,
}

fn this_year() -> i32 {
    local_datetime(chiso_store::now_ms()).map_or(2025, |t| t.year())
}

async fn list(State(state): State<AppState>, me: CurrentUser, Query(q): Query<ListQuery>) -> Result<Html<String>, PageError> {
    render_list(&state, &me, q, None).await.map(Html)
}

async fn render_list(state: &AppState, me: &CurrentUser, q: ListQuery, error: Option<String>) -> Result<String, PageError> {
    let filter = SurveyFilter {
        unit_code: Some(q.unit.trim().to_string()).filter(|s| !s.is_empty()),
        year: q.year.trim().parse().ok(),
        framework: Some(q.framework.trim().to_string()).filter(|s| !s.is_empty()),
        text: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    };
    let mut items = state.store.surveys(&me.scope, &filter).await?;
    match q.sort.as_str() {
        "unit" => items.sort_by_key(|i| chiso_core::text::fold(&i.survey.unit_name)),
        "responses" => items.sort_by_key(|i| std::cmp::Reverse(i.responses)),
        "title" => items.sort_by_key(|i| chiso_core::text::fold(&i.survey.title)),
        _ => {}
    }
    let rows = items
        .into_iter()
        .map(|item| ListRow {
            status_vi: item.survey.status().name_vi(),
            estimated: item.last_estimate_at.map(vn_datetime).unwrap_or_else(|| "chưa tính".into()),
            item,
        })
        .collect();
    let units = state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).collect();
    let frameworks = state.frameworks.frameworks().iter().map(|f| (f.code.clone(), f.name_vi.clone())).collect();
    let page = ListPage {
        b: me.base("Khảo sát", "surveys"),
        rows,
        units,
        frameworks,
        q,
        can_edit: me.scope.can(Permission::EditPlans),
        error,
        this_year: this_year(),
    };
    Ok(page.render()?)
}

async fn create(State(state): State<AppState>, me: CurrentUser, mut multipart: Multipart) -> Result<Response, PageError> {
    let mut f: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("biểu mẫu không hợp lệ: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let fname = field.file_name().unwrap_or("bảng hỏi").to_string();
            let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("không đọc được tệp '{fname}': {e}")))?;
            if bytes.len() > QUESTIONNAIRE_LIMIT {
                return Err(AppError::BadRequest(format!("tệp bảng hỏi '{fname}' quá lớn (tối đa 2 MB)")).into());
            }
            if !bytes.is_empty() {
                file = Some((fname, bytes.to_vec()));
            }
        } else {
            f.insert(name, field.text().await.unwrap_or_default());
        }
    }
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    me.check_csrf(&get("csrf"))?;
    let result = create_from_form(&state, &me, &f, file).await;
    match result {
        Ok(s) => Ok(Redirect::to(&format!("/surveys/{}", s.id)).into_response()),
        Err(e @ (AppError::BadRequest(_) | AppError::Store(StoreError::Invalid(_)))) => {
            let html = render_list(&state, &me, ListQuery::default(), Some(format!("Không tạo được khảo sát: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The fields of the creation form: `unit`, `year`, `title`, `groups`, `sample` ("1": the sample
/// questionnaire when no file is chosen).
async fn create_from_form(
    state: &AppState,
    me: &CurrentUser,
    f: &HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
) -> Result<Survey, AppError> {
    let get = |k: &str| f.get(k).map(|s| s.trim()).unwrap_or_default();
    let (unit, year, title, groups, use_sample) = (get("unit"), get("year"), get("title"), get("groups"), get("sample") == "1");
    let year: i32 = year.parse().map_err(|_| AppError::BadRequest(format!("năm \"{year}\" không hợp lệ")))?;
    let (name, text) = match file {
        Some((name, bytes)) => {
            let text =
                String::from_utf8(bytes).map_err(|_| AppError::BadRequest(format!("{name}: tệp bảng hỏi phải là văn bản TOML UTF-8")))?;
            (name, text)
        }
        None if use_sample => ("papi-mini.toml".to_string(), SAMPLE_QUESTIONNAIRE.to_string()),
        None => return Err(AppError::BadRequest("chưa chọn tệp bảng hỏi (TOML) — hoặc đánh dấu \"dùng bảng hỏi mẫu\"".into())),
    };
    let q = Questionnaire::from_toml_str(&text).map_err(|e| AppError::BadRequest(format!("{name}: {e}")))?;
    let fw = state
        .frameworks
        .get(&q.framework)
        .ok_or_else(|| AppError::BadRequest(format!("{name}: bộ chỉ số \"{}\" chưa có trong hệ thống", q.framework)))?;
    let extra: Vec<String> = groups.split([',', ';', '\n']).map(|g| g.trim().to_string()).filter(|g| !g.is_empty()).collect();
    let title = if title.is_empty() { q.title.clone().unwrap_or_default() } else { title.to_string() };
    Ok(state
        .store
        .create_survey(
            &me.scope,
            &NewSurvey { unit_code: unit, year, title: &title, questionnaire: &q, framework: fw, extra_groups: &extra },
        )
        .await?)
}

async fn sample_questionnaire() -> Response {
    (
        [(CONTENT_TYPE, "application/toml; charset=utf-8"), (CONTENT_DISPOSITION, "attachment; filename=\"papi-mini.toml\"")],
        SAMPLE_QUESTIONNAIRE,
    )
        .into_response()
}

// ================================================================================================ survey page

struct IndicatorView {
    code: String,
    node: String,
    node_name: String,
    text: String,
    scale: String,
    reversed: bool,
    options: String,
    groups: String,
}

struct CountRow {
    unit_code: String,
    unit_name: String,
    total: i64,
    by_group: Vec<i64>,
    small: bool,
}

struct InvitationView {
    inv: Invitation,
    link: String,
    group: String,
    used: String,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    b: Base,
    survey: Survey,
    status_vi: &'static str,
    open: bool,
    fw_name: String,
    indicators: Vec<IndicatorView>,
    groups: Vec<String>,
    units: Vec<Unit>,
    group_columns: Vec<String>,
    counts: Vec<CountRow>,
    total_responses: String,
    invitations: Vec<InvitationView>,
    invitations_total: usize,
    invitations_used: usize,
    unused_links: String,
    imports: Vec<(String, i64, String, String)>,
    latest: Option<String>,
    can_edit: bool,
    message: Option<String>,
    error: Option<String>,
    next_seed: usize,
    csv_header: String,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    #[serde(default)]
    imported: Option<usize>,
    #[serde(default)]
    invited: Option<usize>,
    #[serde(default)]
    warnings: Option<usize>,
}

async fn detail(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Html<String>, PageError> {
    let message = match (q.imported, q.invited) {
        (Some(n), _) => Some(format!(
            "Đã nhập {} câu trả lời.{}",
            vn_number(n as f64, 0),
            q.warnings.filter(|w| *w > 0).map(|w| format!(" Có {w} lưu ý (xem khi tính ước lượng).")).unwrap_or_default()
        )),
        (None, Some(n)) => Some(format!("Đã tạo {n} phiếu mời: sao chép các đường dẫn bên dưới hoặc in kèm mã QR.")),
        _ => None,
    };
    render_detail(&state, &me, &headers, id, message, None).await.map(Html)
}

async fn render_detail(
    state: &AppState,
    me: &CurrentUser,
    headers: &HeaderMap,
    id: i64,
    message: Option<String>,
    error: Option<String>,
) -> Result<String, PageError> {
    let survey = state.store.survey(&me.scope, id).await?;
    let q = state.store.survey_questionnaire(&me.scope, id).await?;
    let groups = state.store.survey_groups(&me.scope, id).await?;
    let fw = state.frameworks.get(&survey.framework);
    let indicators = q
        .indicators
        .iter()
        .map(|i| IndicatorView {
            code: i.code.clone(),
            node: i.node.clone(),
            node_name: node_name(fw, &i.node),
            text: i.text.clone().unwrap_or_default(),
            scale: format!("{}–{}", number_text(i.min), number_text(i.max)),
            reversed: i.direction < 0,
            options: i.options.iter().map(|o| format!("{} = {}", number_text(o.value), o.label)).collect::<Vec<_>>().join("; "),
            groups: if i.groups.is_empty() { "mọi nhóm".into() } else { i.groups.join(", ") },
        })
        .collect();
    let units: Vec<Unit> = state.store.survey_units(&me.scope, id).await?.into_iter().filter(|u| u.valid_to.is_none()).collect();
    let counts = state.store.response_counts(&me.scope, id).await?;
    let mut group_columns: Vec<String> = groups.clone();
    for c in &counts {
        let g = group_label(c.group_code.as_deref());
        if !group_columns.contains(&g) {
            group_columns.push(g);
        }
    }
    let mut rows: Vec<CountRow> = Vec::new();
    for c in &counts {
        let pos = match rows.iter().position(|r| r.unit_code == c.unit_code) {
            Some(p) => p,
            None => {
                rows.push(CountRow {
                    unit_code: c.unit_code.clone(),
                    unit_name: c.unit_name.clone(),
                    total: 0,
                    by_group: vec![0; group_columns.len()],
                    small: false,
                });
                rows.len() - 1
            }
        };
        let g = group_label(c.group_code.as_deref());
        if let Some(gi) = group_columns.iter().position(|x| *x == g) {
            rows[pos].by_group[gi] += c.n;
        }
        rows[pos].total += c.n;
    }
    for r in &mut rows {
        r.small = (r.total as usize) < SMALL_SAMPLE;
    }
    let total_responses = vn_number(rows.iter().map(|r| r.total).sum::<i64>() as f64, 0);
    let can_edit = me.scope.can(Permission::EditPlans);
    let base = base_url(state, headers);
    let (mut invitations, mut unused_links, mut inv_total, mut inv_used) = (Vec::new(), String::new(), 0, 0);
    if can_edit {
        let all = state.store.invitations(&me.scope, id).await?;
        inv_total = all.len();
        inv_used = all.iter().filter(|i| i.used_at.is_some()).count();
        for i in all.iter().filter(|i| i.used_at.is_none()) {
            unused_links.push_str(&format!("{base}/s/{}\n", i.token));
        }
        // The newest first; the print page lists them all.
        invitations = all
            .into_iter()
            .rev()
            .take(50)
            .map(|inv| InvitationView {
                link: format!("{base}/s/{}", inv.token),
                group: group_label(inv.group_code.as_deref()),
                used: inv.used_at.map(vn_datetime).unwrap_or_default(),
                inv,
            })
            .collect();
    }
    let imports: Vec<(String, i64, String, String)> = state
        .store
        .survey_imports(&me.scope, id)
        .await?
        .into_iter()
        .map(|i| (i.source_name, i.row_count, i.actor, vn_datetime(i.created_at)))
        .collect();
    let latest = state.store.latest_estimate(&me.scope, id).await?.map(|e| {
        format!(
            "{} — {} câu trả lời, B = {}, seed = {}{}",
            vn_datetime(e.computed_at),
            e.responses,
            e.bootstrap,
            e.seed,
            if e.by_group { ", theo nhóm" } else { "" }
        )
    });
    let mut csv_header = String::from("respondent_id,unit,group,weight");
    for i in &q.indicators {
        csv_header.push(',');
        csv_header.push_str(&i.code);
    }
    let page = SurveyPage {
        b: me.base(&survey.title, "surveys"),
        status_vi: survey.status().name_vi(),
        open: survey.status() == SurveyStatus::Open,
        fw_name: fw.map(|f| f.name_vi.clone()).unwrap_or_else(|| survey.framework.clone()),
        indicators,
        groups,
        units,
        group_columns,
        counts: rows,
        total_responses,
        invitations,
        invitations_total: inv_total,
        invitations_used: inv_used,
        unused_links,
        next_seed: imports.len() + 1,
        imports,
        latest,
        can_edit,
        message,
        error,
        csv_header,
        survey,
    };
    Ok(page.render()?)
}

async fn export_questionnaire(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let q = state.store.survey_questionnaire(&me.scope, id).await?;
    let toml = q.to_toml_string().map_err(|e| AppError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"khao-sat-{id}.toml\"");
    Ok(([(CONTENT_TYPE, "application/toml; charset=utf-8".to_string()), (CONTENT_DISPOSITION, disposition)], toml).into_response())
}

fn csv_response(body: String, filename: &str) -> Response {
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\""))], body)
        .into_response()
}

async fn template_csv(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let q = state.store.survey_questionnaire(&me.scope, id).await?;
    let body = synthetic_responses_csv(&q, &[], &[], 0, 0, "");
    Ok(csv_response(body, &format!("mau-cau-tra-loi-{id}.csv")))
}

#[derive(Deserialize)]
pub struct SampleQuery {
    n: Option<usize>,
    seed: Option<u64>,
}

/// Units synthetic responses go to: the units below the survey's unit, or the unit itself when it has none.
fn sample_units(survey: &Survey, units: &[Unit]) -> Vec<String> {
    let below: Vec<String> = units.iter().filter(|u| u.id != survey.unit_id && u.valid_to.is_none()).map(|u| u.code.clone()).collect();
    if below.is_empty() { vec![survey.unit_code.clone()] } else { below }
}

async fn sample_csv(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(sq): Query<SampleQuery>,
) -> Result<Response, PageError> {
    let survey = state.store.survey(&me.scope, id).await?;
    let q = state.store.survey_questionnaire(&me.scope, id).await?;
    let groups = state.store.survey_groups(&me.scope, id).await?;
    let units = sample_units(&survey, &state.store.survey_units(&me.scope, id).await?);
    let n = sq.n.unwrap_or(1000).min(100_000);
    let seed = sq.seed.unwrap_or(1);
    let body = synthetic_responses_csv(&q, &units, &groups, n, seed, &format!("S{seed}-"));
    Ok(csv_response(body, &format!("cau-tra-loi-gia-lap-{id}-{seed}.csv")))
}

#[derive(Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let status = SurveyStatus::parse(&f.status).ok_or_else(|| AppError::BadRequest(format!("trạng thái \"{}\" không hợp lệ", f.status)))?;
    state.store.set_survey_status(&me.scope, id, status).await?;
    Ok(Redirect::to(&format!("/surveys/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct InviteForm {
    csrf: String,
    unit: String,
    #[serde(default)]
    group: String,
    count: String,
}

async fn invite(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<InviteForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let count: usize = match f.count.trim().parse() {
        Ok(n) => n,
        Err(_) => {
            let html =
                render_detail(&state, &me, &headers, id, None, Some(format!("Số phiếu mời \"{}\" không phải là số", f.count))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let group = Some(f.group.trim()).filter(|g| !g.is_empty());
    match state.store.create_invitations(&me.scope, id, &f.unit, group, count).await {
        Ok(v) => Ok(Redirect::to(&format!("/surveys/{id}?invited={}", v.len())).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let html = render_detail(&state, &me, &headers, id, None, Some(format!("Không tạo được phiếu mời: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

struct PrintCard {
    unit_name: String,
    group: String,
    link: String,
    qr: String,
}

#[derive(Template)]
#[template(path = "survey_invitations.html")]
struct PrintPage {
    b: Base,
    survey: Survey,
    cards: Vec<PrintCard>,
}

async fn print_invitations(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let survey = state.store.survey(&me.scope, id).await?;
    let base = base_url(&state, &headers);
    let cards = state
        .store
        .invitations(&me.scope, id)
        .await?
        .into_iter()
        .filter(|i| i.used_at.is_none())
        .map(|i| {
            let link = format!("{base}/s/{}", i.token);
            PrintCard { unit_name: i.unit_name, group: group_label(i.group_code.as_deref()), qr: qr_svg(&link).unwrap_or_default(), link }
        })
        .collect();
    let page = PrintPage { b: me.base(&format!("Phiếu mời – {}", survey.title), "surveys"), survey, cards };
    Ok(Html(page.render()?))
}

async fn import_upload(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("biểu mẫu tải lên không hợp lệ: {e}")))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("tệp").to_string();
                let bytes =
                    field.bytes().await.map_err(|e| AppError::BadRequest(format!("không đọc được tệp '{name}': {e} (tối đa 64 MB)")))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    me.check_csrf(&csrf)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let html = render_detail(&state, &me, &headers, id, None, Some("Chưa chọn tệp câu trả lời (CSV hoặc XLSX)".into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    match import_file(&state.store, &me.scope, id, bytes, &name).await {
        Ok((summary, warnings)) => {
            Ok(Redirect::to(&format!("/surveys/{id}?imported={}&warnings={}", summary.rows, warnings.len())).into_response())
        }
        Err(e @ (AppError::BadRequest(_) | AppError::Store(StoreError::Invalid(_)))) => {
            let html =
                render_detail(&state, &me, &headers, id, None, Some(format!("Không nhập được (không có dòng nào được lưu): {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ============================================================================================= estimates page

struct SubView {
    code: String,
    label: String,
    value: String,
    official: String,
}

struct DimView {
    code: String,
    label: String,
    value: String,
    official: String,
    subs: Vec<SubView>,
}

struct GroupView {
    name: String,
    n: usize,
    total: String,
    small: bool,
}

struct UnitView {
    code: String,
    name: String,
    n: usize,
    n_text: String,
    weight_sum: String,
    small: bool,
    total: String,
    official_total: String,
    dims: Vec<DimView>,
    groups: Vec<GroupView>,
    warnings: Vec<String>,
    /// Survey points for a PAR-style score sheet: (leaf, label, "4,12 / 6").
    sheet: Vec<(String, String, String)>,
}

#[derive(Serialize)]
struct RadarSeries {
    name: String,
    values: Vec<Option<f64>>,
    kind: &'static str,
}

#[derive(Serialize)]
struct RadarChart {
    id: String,
    axes: Vec<String>,
    series: Vec<RadarSeries>,
}

#[derive(Template)]
#[template(path = "survey_estimates.html")]
struct EstimatesPage {
    b: Base,
    survey: Survey,
    run: Option<String>,
    units: Vec<UnitView>,
    charts_json: String,
    official_label: Option<String>,
    warnings: Vec<String>,
    runs: Vec<String>,
    can_edit: bool,
    error: Option<String>,
    default_bootstrap: usize,
    default_seed: u64,
}

/// Official scores to compare with: the latest stored year of the survey's framework up to the survey's
/// year (else the latest), for the survey's unit or its nearest ancestor with published results.
async fn official_scores(state: &AppState, me: &CurrentUser, survey: &Survey) -> Result<Option<(String, BTreeMap<String, f64>)>, AppError> {
    let Some(fw) = state.frameworks.get(&survey.framework) else { return Ok(None) };
    let years = state.store.results_history(&me.scope, &survey.framework).await?;
    let year = years.iter().rev().find(|y| i64::from(y.scores.year) <= survey.year).or_else(|| years.last());
    let Some(year) = year else { return Ok(None) };
    // Results are public: the ancestors' codes are looked up without the user's reach (a commune officer
    // compares with the province's official score).
    let ids: Vec<i64> = survey.unit_path.split('/').filter_map(|s| s.parse().ok()).collect();
    let sys = Scope::system("web:survey-official");
    for uid in ids.into_iter().rev() {
        let Ok(unit) = state.store.unit_by_id(&sys, uid).await else { continue };
        if let Some(leaves) = year.scores.units.get(&unit.code) {
            let scores = chiso_core::results::compute_scores(fw, year.scores.year, leaves);
            let label = format!("{} chính thức {} – {}", family_label(fw), year.scores.year, unit.name);
            return Ok(Some((label, scores)));
        }
    }
    Ok(None)
}

/// "PAPI", "PAR INDEX", "SIPAS" for the shipped frameworks, else the code in capitals.
fn family_label(fw: &Framework) -> String {
    match fw.code.as_str() {
        "papi" => "PAPI".into(),
        "par_index" => "PAR INDEX".into(),
        "sipas" => "SIPAS".into(),
        c => c.to_uppercase(),
    }
}

fn unit_view(
    code: &str,
    name: String,
    ur: &UnitReport,
    fw: Option<&Framework>,
    official: Option<&BTreeMap<String, f64>>,
    charts: &mut Vec<RadarChart>,
    official_label: Option<&str>,
) -> UnitView {
    let ci = ur.ci95.as_ref();
    let off = |c: &str| official.and_then(|o| o.get(c)).map(|v| vn_number(*v, 2)).unwrap_or_default();
    let dims: Vec<DimView> = ur
        .estimate
        .dimensions
        .0
        .iter()
        .map(|(d, v)| {
            let subs = ur
                .estimate
                .sub_dimensions
                .0
                .iter()
                .filter(|(s, _)| s.rsplit_once('.').is_some_and(|(dim, _)| dim == d))
                .map(|(s, sv)| SubView {
                    code: s.clone(),
                    label: node_name(fw, s),
                    value: with_interval(*sv, ci.and_then(|c| c.sub_dimensions.get(s).copied().flatten())),
                    official: off(s),
                })
                .collect();
            DimView {
                label: format!("{} – {}", dimension_short(d), node_name(fw, d)),
                value: with_interval(*v, ci.and_then(|c| c.dimensions.get(d).copied().flatten())),
                official: off(d),
                code: d.clone(),
                subs,
            }
        })
        .collect();
    let groups = ur
        .groups
        .as_ref()
        .map(|g| {
            g.0.iter()
                .map(|(name, gr)| GroupView {
                    name: name.clone(),
                    n: gr.n,
                    total: with_interval(gr.estimate.total, gr.ci95.as_ref().and_then(|c| c.total)),
                    small: gr.n < SMALL_SAMPLE,
                })
                .collect()
        })
        .unwrap_or_default();
    // Radar: one axis per dimension (1–10), the estimate between its 95% bounds, and the official scores.
    // Short axis names (the table beside the chart has the full ones): long names would be cut on phones.
    let axes: Vec<String> = ur.estimate.dimensions.keys().map(dimension_short).collect();
    let pick = |f: &dyn Fn(&str, Option<f64>) -> Option<f64>| -> Vec<Option<f64>> {
        ur.estimate.dimensions.0.iter().map(|(d, v)| f(d, *v).map(|x| (x * 100.0).round() / 100.0)).collect()
    };
    let mut series = vec![
        RadarSeries {
            name: "Cận trên 95%".into(),
            values: pick(&|d, _| ci.and_then(|c| c.dimensions.get(d).copied().flatten()).map(|x| x[1])),
            kind: "hi",
        },
        RadarSeries {
            name: "Cận dưới 95%".into(),
            values: pick(&|d, _| ci.and_then(|c| c.dimensions.get(d).copied().flatten()).map(|x| x[0])),
            kind: "lo",
        },
        RadarSeries { name: "Ước lượng".into(), values: pick(&|_, v| v), kind: "estimate" },
    ];
    if let (Some(o), Some(label)) = (official, official_label) {
        series.push(RadarSeries { name: label.to_string(), values: pick(&|d, _| o.get(d).copied()), kind: "official" });
    }
    charts.push(RadarChart { id: format!("radar-{code}"), axes, series });
    UnitView {
        code: code.to_string(),
        name,
        n: ur.n,
        n_text: vn_number(ur.n as f64, 0),
        weight_sum: vn_number(ur.weight_sum, 2),
        small: ur.n < SMALL_SAMPLE,
        total: with_interval(ur.estimate.total, ci.and_then(|c| c.total)),
        official_total: official.and_then(|o| o.get(fw.map_or("", |f| f.code.as_str()))).map(|v| vn_number(*v, 2)).unwrap_or_default(),
        dims,
        groups,
        warnings: ur.warnings.clone(),
        sheet: Vec::new(),
    }
}

#[derive(Deserialize, Default)]
pub struct EstimatesQuery {
    run: Option<i64>,
}

async fn estimates_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<EstimatesQuery>,
) -> Result<Html<String>, PageError> {
    render_estimates(&state, &me, id, q.run, None).await.map(Html)
}

async fn render_estimates(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    run: Option<i64>,
    error: Option<String>,
) -> Result<String, PageError> {
    let survey = state.store.survey(&me.scope, id).await?;
    let stored = match run {
        Some(r) => Some(state.store.estimate(&me.scope, id, r).await?),
        None => state.store.latest_estimate(&me.scope, id).await?,
    };
    let fw = state.frameworks.get(&survey.framework);
    let names: HashMap<String, String> = state.store.survey_units(&me.scope, id).await?.into_iter().map(|u| (u.code, u.name)).collect();
    let official = official_scores(state, me, &survey).await?;
    let (official_label, official_scores) = match &official {
        Some((l, s)) => (Some(l.clone()), Some(s)),
        None => (None, None),
    };
    let mut charts = Vec::new();
    let mut units = Vec::new();
    let mut warnings = Vec::new();
    if let Some(e) = &stored {
        let report: Report =
            serde_json::from_str(&e.report).map_err(|err| AppError::Internal(format!("báo cáo ước lượng #{} hỏng: {err}", e.id)))?;
        warnings = report.warnings.clone();
        let sheet_fw = fw.filter(|f| f.aggregation == chiso_core::framework::Aggregation::PercentOfMax);
        let q = match sheet_fw {
            Some(_) => Some(state.store.survey_questionnaire(&me.scope, id).await?),
            None => None,
        };
        for (code, ur) in &report.units.0 {
            let name = names.get(code).cloned().unwrap_or_else(|| code.clone());
            let mut view = unit_view(code, name, ur, fw, official_scores, &mut charts, official_label.as_deref());
            if let (Some(f), Some(q)) = (sheet_fw, &q) {
                view.sheet = survey_leaf_scores(f, survey.year as i32, q, &ur.estimate)
                    .into_iter()
                    .map(|(leaf, pts)| {
                        let max = f.node_for_year(&leaf, survey.year as i32).and_then(|n| n.max).unwrap_or(0.0);
                        let label = node_name(fw, &leaf);
                        (leaf, label, format!("{} / {}", vn_number(pts, 2), number_text(max)))
                    })
                    .collect();
            }
            units.push(view);
        }
    }
    let runs = state
        .store
        .estimate_runs(&me.scope, id)
        .await?
        .into_iter()
        .map(|e| format!("#{} — {}: {} câu trả lời, B = {}, seed = {}", e.id, vn_datetime(e.computed_at), e.responses, e.bootstrap, e.seed))
        .collect();
    let page = EstimatesPage {
        b: me.base(&format!("Ước lượng – {}", survey.title), "surveys"),
        run: stored.as_ref().map(|e| {
            format!(
                "Tính lúc {} bởi {}: {} câu trả lời, B = {} lần lặp bootstrap, seed = {}{}",
                vn_datetime(e.computed_at),
                e.actor,
                e.responses,
                e.bootstrap,
                e.seed,
                if e.by_group { ", có ước lượng theo nhóm" } else { "" }
            )
        }),
        units,
        charts_json: serde_json::to_string(&charts).map_err(|e| AppError::Internal(e.to_string()))?.replace("</", "<\\/"),
        official_label,
        warnings,
        runs,
        can_edit: me.scope.can(Permission::EditPlans),
        error,
        default_bootstrap: 1000,
        default_seed: stored.as_ref().map_or(1, |e| e.seed as u64),
        survey,
    };
    Ok(page.render()?)
}

#[derive(Deserialize)]
pub struct ComputeForm {
    csrf: String,
    #[serde(default)]
    bootstrap: String,
    #[serde(default)]
    seed: String,
    #[serde(default)]
    by_group: Option<String>,
}

async fn compute(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ComputeForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let parsed = (|| -> Result<(usize, u64), String> {
        let b = if f.bootstrap.trim().is_empty() {
            1000
        } else {
            f.bootstrap.trim().parse().map_err(|_| format!("số lần lặp B \"{}\" không phải số nguyên", f.bootstrap))?
        };
        if b > MAX_WEB_BOOTSTRAP {
            return Err(format!("số lần lặp B tối đa trên trang là {MAX_WEB_BOOTSTRAP} (dùng lệnh chiso survey estimate cho số lớn hơn)"));
        }
        let seed = if f.seed.trim().is_empty() {
            1
        } else {
            f.seed.trim().parse().map_err(|_| format!("seed \"{}\" không phải số nguyên không âm", f.seed))?
        };
        Ok((b, seed))
    })();
    let result = match parsed {
        Ok((b, seed)) => compute_estimates(&state.store, &me.scope, &state.frameworks, id, b, seed, f.by_group.is_some()).await,
        Err(m) => Err(AppError::BadRequest(m)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/surveys/{id}/estimates")).into_response()),
        Err(e @ (AppError::BadRequest(_) | AppError::Store(StoreError::Invalid(_)))) => {
            let html = render_estimates(&state, &me, id, None, Some(format!("Không tính được ước lượng: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct SheetForm {
    csrf: String,
    unit: String,
}

/// Put the survey points of a unit (from the latest estimates) into its score sheet of the survey's
/// framework and year, as the appraiser's survey scores (audited by the assessment store).
async fn fill_sheet(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<SheetForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let result = async {
        let survey = state.store.survey(&me.scope, id).await?;
        let fw = state
            .frameworks
            .get(&survey.framework)
            .ok_or_else(|| AppError::BadRequest(format!("bộ chỉ số \"{}\" chưa có trong hệ thống", survey.framework)))?;
        let e = state
            .store
            .latest_estimate(&me.scope, id)
            .await?
            .ok_or_else(|| AppError::BadRequest("chưa có ước lượng: hãy tính ước lượng trước".into()))?;
        let report: Report = serde_json::from_str(&e.report).map_err(|err| AppError::Internal(err.to_string()))?;
        let ur = report.units.get(&f.unit).ok_or_else(|| AppError::BadRequest(format!("ước lượng không có đơn vị {}", f.unit)))?;
        let q = state.store.survey_questionnaire(&me.scope, id).await?;
        let year = survey.year as i32;
        let scores = survey_leaf_scores(fw, year, &q, &ur.estimate);
        if scores.is_empty() {
            return Err(AppError::BadRequest("bảng hỏi không đo tiêu chí điều tra nào của phiếu chấm điểm".into()));
        }
        let a = state
            .store
            .assessment_for(&me.scope, &f.unit, &survey.framework, year)
            .await?
            .ok_or_else(|| AppError::BadRequest(format!("{} chưa có phiếu chấm điểm {} năm {year}", f.unit, survey.framework)))?;
        let reason = format!("kết quả khảo sát #{id}, ước lượng #{} ({} người trả lời)", e.id, ur.n);
        let inputs: Vec<chiso_store::assessments::AppraisalInput> = scores
            .into_iter()
            .map(|(node, score)| chiso_store::assessments::AppraisalInput { node, score: Some(score), reason: Some(reason.clone()) })
            .collect();
        state.store.appraise(&me.scope, fw, a.id, &inputs, None).await?;
        Ok::<i64, AppError>(a.id)
    }
    .await;
    match result {
        Ok(sheet) => Ok(Redirect::to(&format!("/assessments/{sheet}")).into_response()),
        Err(
            e @ (AppError::BadRequest(_) | AppError::Store(StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::Forbidden(_))),
        ) => {
            let html = render_estimates(&state, &me, id, None, Some(format!("Không điền được phiếu chấm điểm: {e}"))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ================================================================================================= public form

struct OptionView {
    value: String,
    label: String,
    checked: bool,
}

struct QuestionView {
    number: usize,
    code: String,
    text: String,
    options: Vec<OptionView>,
    /// Free numeric answer (no options, wide scale).
    numeric: bool,
    min: String,
    max: String,
    value: String,
    dont_know: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_form.html")]
struct FormPage {
    title: String,
    unit_name: String,
    group: Option<String>,
    questions: Vec<QuestionView>,
    csrf: String,
    token: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_message.html")]
struct MessagePage {
    title: String,
    heading: String,
    text: String,
    ok: bool,
}

fn message_page(status: StatusCode, heading: &str, text: &str, ok: bool) -> Result<Response, PageError> {
    let page = MessagePage { title: heading.to_string(), heading: heading.to_string(), text: text.to_string(), ok };
    Ok((status, Html(page.render()?)).into_response())
}

fn form_cookie(value: &str, secure: bool) -> HeaderValue {
    let s = format!("{FORM_CSRF_COOKIE}={value}; Path=/s/; HttpOnly; SameSite=Lax; Max-Age=86400{}", if secure { "; Secure" } else { "" });
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn random_hex() -> String {
    chiso_store::accounts::random_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn questions(
    ctx: &chiso_store::surveys::FormContext,
    given: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> Vec<QuestionView> {
    ctx.asked()
        .into_iter()
        .enumerate()
        .map(|(k, ind)| {
            let given_value = given.get(&ind.code).cloned();
            let mut options: Vec<(f64, String)> = ind.options.iter().map(|o| (o.value, o.label.clone())).collect();
            let integer_scale = ind.min.fract() == 0.0 && ind.max.fract() == 0.0 && ind.max - ind.min <= 10.0;
            if options.is_empty() && integer_scale {
                let (lo, hi) = (ind.min as i64, ind.max as i64);
                options = (lo..=hi)
                    .map(|v| {
                        let label = if v == lo {
                            format!("{v} (thấp nhất)")
                        } else if v == hi {
                            format!("{v} (cao nhất)")
                        } else {
                            v.to_string()
                        };
                        (v as f64, label)
                    })
                    .collect();
            }
            let numeric = options.is_empty();
            let checked_value = given_value.as_deref().and_then(|v| v.trim().replace(',', ".").parse::<f64>().ok());
            QuestionView {
                number: k + 1,
                code: ind.code.clone(),
                text: ind.text.clone().unwrap_or_else(|| format!("Câu hỏi {}", ind.code)),
                options: options
                    .into_iter()
                    .map(|(v, label)| OptionView { value: v.to_string(), label, checked: checked_value == Some(v) })
                    .collect(),
                numeric,
                min: ind.min.to_string(),
                max: ind.max.to_string(),
                value: if numeric { given_value.clone().unwrap_or_default() } else { String::new() },
                dont_know: given_value.as_deref() == Some(""),
                error: errors.get(&ind.code).cloned(),
            }
        })
        .collect()
}

fn lookup_message(l: &FormLookup) -> Option<(StatusCode, &'static str, String)> {
    match l {
        FormLookup::Unknown => Some((
            StatusCode::NOT_FOUND,
            "Không tìm thấy phiếu khảo sát",
            "Đường dẫn không đúng hoặc đã bị sao chép thiếu. Vui lòng kiểm tra lại đường dẫn trong tin nhắn mời.".into(),
        )),
        FormLookup::Used(at) => Some((
            StatusCode::CONFLICT,
            "Phiếu này đã được trả lời",
            format!(
                "Phiếu khảo sát theo đường dẫn này đã được trả lời lúc {}. Mỗi đường dẫn chỉ dùng được một lần. Xin cảm ơn ông/bà!",
                vn_datetime(*at)
            ),
        )),
        FormLookup::Closed(s) => Some((
            StatusCode::GONE,
            "Khảo sát đã kết thúc",
            format!(
                "Khảo sát \"{}\" của {} đã kết thúc và không nhận thêm câu trả lời. Xin cảm ơn ông/bà đã quan tâm.",
                s.title, s.unit_name
            ),
        )),
        FormLookup::Open(_) => None,
    }
}

async fn form_page(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Result<Response, PageError> {
    let lookup = state.store.survey_form(&token).await?;
    if let Some((status, heading, text)) = lookup_message(&lookup) {
        return message_page(status, heading, &text, false);
    }
    let FormLookup::Open(ctx) = lookup else {
        return message_page(StatusCode::NOT_FOUND, "Không tìm thấy phiếu khảo sát", "", false);
    };
    let csrf = match cookie(&headers, FORM_CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => t.to_string(),
        _ => random_hex(),
    };
    render_form(&ctx, &token, &csrf, &HashMap::new(), &HashMap::new(), None, StatusCode::OK, state.secure_cookies)
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    ctx: &chiso_store::surveys::FormContext,
    token: &str,
    csrf: &str,
    given: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    error: Option<String>,
    status: StatusCode,
    secure: bool,
) -> Result<Response, PageError> {
    let page = FormPage {
        title: ctx.survey.title.clone(),
        unit_name: ctx.unit_name.clone(),
        group: ctx.group_code.clone(),
        questions: questions(ctx, given, errors),
        csrf: csrf.to_string(),
        token: token.to_string(),
        error,
    };
    let mut resp = (status, Html(page.render()?)).into_response();
    resp.headers_mut().append(SET_COOKIE, form_cookie(csrf, secure));
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn form_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lookup = state.store.survey_form(&token).await?;
    if let Some((status, heading, text)) = lookup_message(&lookup) {
        return message_page(status, heading, &text, false);
    }
    let FormLookup::Open(ctx) = lookup else {
        return message_page(StatusCode::NOT_FOUND, "Không tìm thấy phiếu khảo sát", "", false);
    };
    // Double-submit CSRF: the hidden field must repeat the cookie set with the form (and the token in the
    // path is the credential itself).
    let cookie_token = cookie(&headers, FORM_CSRF_COOKIE).unwrap_or("");
    let field_token = fields.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
    if cookie_token.is_empty() || !constant_time_eq(cookie_token.as_bytes(), field_token.as_bytes()) {
        let csrf = random_hex();
        let given: HashMap<String, String> = fields.iter().filter(|(k, _)| k != "csrf").cloned().collect();
        return render_form(
            &ctx,
            &token,
            &csrf,
            &given,
            &HashMap::new(),
            Some("Phiên trả lời đã hết hạn hoặc trình duyệt chặn cookie. Các câu trả lời của ông/bà vẫn còn bên dưới: vui lòng bấm \"Gửi phiếu\" lại.".into()),
            StatusCode::FORBIDDEN,
            state.secure_cookies,
        );
    }
    let mut given: HashMap<String, String> = HashMap::new();
    let mut errors: HashMap<String, String> = HashMap::new();
    for (k, v) in &fields {
        if k == "csrf" {
            continue;
        }
        if given.insert(k.clone(), v.clone()).is_some() {
            errors.insert(k.clone(), "Chỉ chọn một phương án.".into());
        }
    }
    let mut answers: Vec<(String, f64)> = Vec::new();
    for ind in ctx.asked() {
        match given.get(&ind.code).map(|v| v.trim()) {
            None => {
                errors
                    .entry(ind.code.clone())
                    .or_insert_with(|| "Vui lòng chọn một phương án (hoặc \"Không biết / không trả lời\").".into());
            }
            Some("") => {}
            Some(v) => match v.replace(',', ".").parse::<f64>() {
                Ok(x) => match check_answer(ind, x) {
                    Ok(()) => answers.push((ind.code.clone(), x)),
                    Err(_) => {
                        errors.insert(
                            ind.code.clone(),
                            format!("Câu trả lời phải nằm trong khoảng {} đến {}.", number_text(ind.min), number_text(ind.max)),
                        );
                    }
                },
                Err(_) => {
                    errors.insert(ind.code.clone(), "Câu trả lời phải là một số.".into());
                }
            },
        }
    }
    let asked_list = ctx.asked();
    let asked: HashSet<&str> = asked_list.iter().map(|i| i.code.as_str()).collect();
    if given.keys().any(|k| !asked.contains(k.as_str())) {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Phiếu không hợp lệ",
            "Phiếu gửi lên có câu hỏi không thuộc bảng hỏi. Vui lòng mở lại đường dẫn và trả lời lại.",
            false,
        );
    }
    if !errors.is_empty() {
        let n = errors.len();
        return render_form(
            &ctx,
            &token,
            field_token,
            &given,
            &errors,
            Some(format!("Còn {n} câu chưa trả lời hoặc trả lời chưa hợp lệ (đánh dấu đỏ bên dưới). Phiếu chưa được gửi.")),
            StatusCode::UNPROCESSABLE_ENTITY,
            state.secure_cookies,
        );
    }
    match state.store.submit_survey_form(&token, &answers).await {
        Ok(_) => {
            let mut resp = Redirect::to(&format!("/s/{token}/done")).into_response();
            resp.headers_mut().append(SET_COOKIE, form_cookie("", state.secure_cookies));
            Ok(resp)
        }
        Err(StoreError::Conflict(m)) => message_page(StatusCode::CONFLICT, "Không gửi được phiếu", &format!("{m}."), false),
        Err(StoreError::Invalid(m)) => render_form(
            &ctx,
            &token,
            field_token,
            &given,
            &errors,
            Some(format!("Phiếu chưa được gửi: {m}.")),
            StatusCode::UNPROCESSABLE_ENTITY,
            state.secure_cookies,
        ),
        Err(e) => Err(e.into()),
    }
}

async fn form_done(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    match state.store.survey_form(&token).await? {
        FormLookup::Used(_) => message_page(
            StatusCode::OK,
            "Xin cảm ơn ông/bà!",
            "Câu trả lời của ông/bà đã được ghi nhận. Ý kiến của ông/bà giúp chính quyền địa phương phục vụ người dân tốt hơn.",
            true,
        ),
        FormLookup::Open(_) => Ok(Redirect::to(&format!("/s/{token}")).into_response()),
        other => {
            let (status, heading, text) =
                lookup_message(&other).unwrap_or((StatusCode::NOT_FOUND, "Không tìm thấy phiếu khảo sát", String::new()));
            message_page(status, heading, &text, false)
        }
    }
}

// ========================================================================================================= API

#[derive(Deserialize)]
pub struct ApiListQuery {
    unit: Option<String>,
    year: Option<i64>,
    framework: Option<String>,
    q: Option<String>,
}

async fn api_list(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ApiListQuery>,
) -> Result<Json<Vec<SurveyListItem>>, ApiError> {
    let f = SurveyFilter { unit_code: q.unit, year: q.year, framework: q.framework, text: q.q };
    Ok(Json(state.store.surveys(&me.scope, &f).await?))
}

#[derive(Serialize)]
struct ApiSurvey {
    survey: Survey,
    questionnaire: Questionnaire,
    groups: Vec<String>,
    responses: Vec<chiso_store::surveys::ResponseCount>,
}

async fn api_detail(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Json<ApiSurvey>, ApiError> {
    Ok(Json(ApiSurvey {
        survey: state.store.survey(&me.scope, id).await?,
        questionnaire: state.store.survey_questionnaire(&me.scope, id).await?,
        groups: state.store.survey_groups(&me.scope, id).await?,
        responses: state.store.response_counts(&me.scope, id).await?,
    }))
}

#[derive(Serialize)]
struct ApiEstimate {
    id: i64,
    bootstrap: i64,
    seed: i64,
    by_group: bool,
    responses: i64,
    computed_at: i64,
    actor: String,
    report: serde_json::Value,
}

async fn api_estimates(State(state): State<AppState>, me: CurrentUser, Path(id): Path<i64>) -> Result<Json<ApiEstimate>, ApiError> {
    let e = state
        .store
        .latest_estimate(&me.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("ước lượng của khảo sát #{id} (chưa tính)")))?;
    let report = serde_json::from_str(&e.report).map_err(|err| AppError::Internal(err.to_string()))?;
    Ok(Json(ApiEstimate {
        id: e.id,
        bootstrap: e.bootstrap,
        seed: e.seed,
        by_group: e.by_group,
        responses: e.responses,
        computed_at: e.computed_at,
        actor: e.actor,
        report,
    }))
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
        let cases: [(&str, &str); 6] = [
            ("respondent_id,unit,group,weight,a,zz\n", "cột 6"),
            ("respondent_id,unit,group,weight,a\nr1,X01,,1,3\nr2,X01,,1,nhiều\n", "dòng 3, cột 5"),
            ("respondent_id,unit,group,weight,a\nr1,X01,,0,3\n", "dòng 2, cột 4"),
            ("respondent_id,unit,group,weight,a\nr1,X01,,1,3\nr2,X09,,1,3\n", "dòng 3, cột 2"),
            ("respondent_id,unit,group,weight,a\nr1,X01,hs,1,3\n", "dòng 2, cột 3 (group)"),
            ("", "không có dòng tiêu đề"),
        ];
        for (text, expected) in cases {
            let e = read_responses(&q, text.as_bytes(), "r.csv", &ok_units, &["nd".to_string()]).err().map(|e| e.message("r.csv"));
            assert!(e.as_deref().is_some_and(|m| m.contains(expected)), "expected «{expected}» in {e:?}");
        }
        let e = read_responses(&q, b"respondent_id,unit,weight,a\nr1,X09,1,3\n", "r.csv", &ok_units, &[]).err().expect("unknown unit");
        assert_eq!(e.unknown_unit(), Some("X09"));
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
        assert!(
            read_responses(&q, b"PK\x03\x04 not a zip", "x.xlsx", &units(&["X01"]), &[]).is_err(),
            "a broken container is an error, not a panic"
        );
    }

    #[test]
    fn interval_text_is_vietnamese() {
        assert_eq!(with_interval(Some(5.8712), Some([5.61, 6.1])), "5,87 (5,61–6,10)");
        assert_eq!(with_interval(None, Some([1.0, 2.0])), "—");
        assert_eq!(with_interval(Some(2.0), None), "2,00");
    }

    #[test]
    fn survey_points_of_a_score_sheet() {
        let set = FrameworkSet::builtin().expect("frameworks");
        let par = set.get("par_index").expect("par");
        let q = Questionnaire::from_toml_str(
            "framework = \"par_index\"\n[[indicator]]\ncode = \"h1\"\nnode = \"par.a3.c6\"\nmin = 1\nmax = 5\ndirection = 1\n\
             [[indicator]]\ncode = \"h2\"\nnode = \"par.a3.c6\"\nmin = 0\nmax = 1\ndirection = 1\n\
             [[indicator]]\ncode = \"h3\"\nnode = \"par.a1.c7\"\nmin = 0\nmax = 1\ndirection = 1\n",
        )
        .expect("q");
        let est = chiso_stats::Estimate {
            indicators: chiso_stats::OrderedMap(vec![("h1".into(), Some(0.5)), ("h2".into(), Some(1.0)), ("h3".into(), None)]),
            sub_dimensions: chiso_stats::OrderedMap(Vec::new()),
            dimensions: chiso_stats::OrderedMap(Vec::new()),
            total: None,
        };
        // par.a3.c6: n = (0.5 + 1)/2 = 0.75 of 6 points; par.a1.c7 has no answer and is left out.
        assert_eq!(survey_leaf_scores(par, 2024, &q, &est), vec![("par.a3.c6".to_string(), 4.5)]);
    }

    #[test]
    fn qr_codes_render() {
        let svg = qr_svg("http://localhost:8080/s/0123456789abcdef0123456789abcdef").expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"));
    }
}
