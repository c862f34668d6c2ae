//! Long on purpose (~1,300 lines): the columnar store, the CSV fast path and the row builder share private
//! buffers in the hot loop of the survey benchmark; splitting them across modules cost speed when tried.
//!
//! Responses in a compact columnar form, read from CSV or from rows of any source (XLSX, the
//! web form) through [`ResponsesBuilder`].
//!
//! Columns: `respondent_id`, `unit` (required), `group`, `weight` (optional: absent means no
//! groups and weight 1), then one column per indicator code. Header names are matched without
//! regard to case; columns whose name starts with `_` (KoboToolbox / ODK metadata such as `_uuid`)
//! are ignored; any other unknown column is an error. An empty cell is a missing answer; an
//! answer may be a number (decimal point or comma) or the label of one of the indicator's
//! options.
//!
//! Answers are stored as one byte per (respondent, indicator): an index into the indicator's
//! table of distinct answer values (real questionnaires have a handful of options). An indicator
//! with more than 255 distinct values (a free numeric answer) gets a column of `f64` instead.
//! Respondents are kept per unit, respondent-major: the layout the bootstrap reads.
//!
//! Reading a CSV without quote characters (the usual export) is parallel: the file is cut into
//! blocks at line ends, blocks are parsed on all cores into *tokens* (a small integer answer is
//! its own token), and merged in file order; the codes are assigned once everything is read.
//! A file with quotes is parsed sequentially by the `csv` crate. Either way the first error in
//! file order is reported, and nothing is returned half-read.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};

use chiso_core::text::nfc;
use rayon::prelude::*;

use crate::error::{ResponseError, ResponseErrorKind, SurveyError};
use crate::questionnaire::{Questionnaire, natural_cmp};

/// Code of a missing answer (in tokens and in codes).
pub(crate) const MISSING: u8 = u8::MAX;
/// Token of an answer kept aside (not a small integer): see `Chunk::exceptions`.
const EXCEPTION: u8 = 251;
/// Small integers 0..=SMALL_MAX are their own token.
const SMALL_MAX: usize = 250;
/// Respondent without a group.
pub(crate) const NO_GROUP: u32 = u32::MAX;
/// At most this many distinct values are coded in a byte (code 255 is "missing").
const MAX_LEVELS: usize = 255;
/// Bytes per parallel parsing block.
const BLOCK_BYTES: usize = 4 << 20;
/// Rows per chunk when parsing sequentially.
const CHUNK_ROWS: usize = 1 << 16;

/// All responses of one import, grouped by unit.
#[derive(Debug, Clone)]
pub struct Responses {
    pub(crate) indicator_codes: Vec<String>,
    /// Per indicator: the distinct raw answer values (ascending); a code indexes this table.
    /// Empty for an `f64` indicator.
    pub(crate) levels: Vec<Vec<f64>>,
    /// Per indicator: its `f64` column slot when it has too many distinct values for codes.
    pub(crate) dense_slot: Vec<Option<usize>>,
    pub(crate) units: Vec<UnitResponses>,
    pub(crate) groups: Vec<String>,
    ids: String,
    id_ends: Vec<usize>,
    pub(crate) warnings: Vec<String>,
}

/// The respondents of one unit.
#[derive(Debug, Clone)]
pub(crate) struct UnitResponses {
    pub(crate) code: String,
    pub(crate) weights: Vec<f64>,
    /// Index into `Responses::groups`, or [`NO_GROUP`].
    pub(crate) groups: Vec<u32>,
    /// Respondent-major answer codes: `codes[i * k + j]`.
    pub(crate) codes: Vec<u8>,
    /// Raw values of the `f64` indicators, one column per slot (NaN = missing).
    pub(crate) dense: Vec<Vec<f64>>,
    ids: Vec<u32>,
}

impl UnitResponses {
    pub(crate) fn len(&self) -> usize {
        self.weights.len()
    }
}

/// One respondent, decoded (for storing responses elsewhere, e.g. in the database).
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    pub respondent_id: &'a str,
    pub unit: &'a str,
    pub group: Option<&'a str>,
    pub weight: f64,
    /// Raw answers in questionnaire order (not clipped), `None` = missing.
    pub answers: Vec<Option<f64>>,
}

impl Responses {
    /// Read a CSV file (`,`, `;` or tab separated; UTF-8, with or without BOM). Fails on the
    /// first bad cell, naming its line and column. `valid_units`: when given, a unit code
    /// outside it is an error.
    pub fn from_csv_path(q: &Questionnaire, path: &Path, valid_units: Option<&HashSet<String>>) -> Result<Self, SurveyError> {
        let file = std::fs::File::open(path).map_err(|source| SurveyError::Io { path: path.to_path_buf(), source })?;
        Self::from_csv_reader(q, file, valid_units, Some(path))
    }

    /// As [`Responses::from_csv_path`], from any reader; `file` only names it in errors.
    pub fn from_csv_reader<R: Read + Send>(
        q: &Questionnaire,
        reader: R,
        valid_units: Option<&HashSet<String>>,
        file: Option<&Path>,
    ) -> Result<Self, SurveyError> {
        read_csv(q, reader, valid_units, file)
    }

    /// Start building responses from rows: `header` is the first row.
    pub fn builder<'a>(
        q: &'a Questionnaire,
        header: &[&str],
        valid_units: Option<&'a HashSet<String>>,
    ) -> Result<ResponsesBuilder<'a>, SurveyError> {
        ResponsesBuilder::new(q, header, valid_units)
    }

    /// Number of respondents.
    pub fn len(&self) -> usize {
        self.units.iter().map(UnitResponses::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Indicator codes in questionnaire order.
    pub fn indicator_codes(&self) -> &[String] {
        &self.indicator_codes
    }

    /// Unit codes in natural order.
    pub fn unit_codes(&self) -> Vec<&str> {
        self.units.iter().map(|u| u.code.as_str()).collect()
    }

    /// Respondent group names in natural order.
    pub fn group_names(&self) -> &[String] {
        &self.groups
    }

    /// Things the import accepted but the user should know (missing indicator columns,
    /// answers outside the scale that will be clipped).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every respondent, decoded, unit by unit.
    pub fn records(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        let k = self.indicator_codes.len();
        self.units.iter().flat_map(move |u| {
            (0..u.len()).map(move |i| Record {
                respondent_id: self.id(u.ids[i]),
                unit: &u.code,
                group: match u.groups[i] {
                    NO_GROUP => None,
                    g => self.groups.get(g as usize).map(String::as_str),
                },
                weight: u.weights[i],
                answers: (0..k)
                    .map(|j| match self.dense_slot[j] {
                        Some(s) => Some(u.dense[s][i]).filter(|v| !v.is_nan()),
                        None => match u.codes[i * k + j] {
                            MISSING => None,
                            c => self.levels[j].get(usize::from(c)).copied(),
                        },
                    })
                    .collect(),
            })
        })
    }

    fn id(&self, idx: u32) -> &str {
        let idx = idx as usize;
        let start = if idx == 0 { 0 } else { self.id_ends[idx - 1] };
        self.ids.get(start..self.id_ends[idx]).unwrap_or("")
    }
}

// ------------------------------------------------------------------------------- configuration

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Id,
    Unit,
    Group,
    Weight,
    Indicator(usize),
    Ignored,
}

/// What is fixed once the header is read; shared by the parsing threads.
struct Config<'a> {
    roles: Vec<Role>,
    header: Vec<String>,
    k: usize,
    indicator_codes: Vec<String>,
    mins: Vec<f64>,
    maxs: Vec<f64>,
    /// Per indicator: option label (NFC, lower case) → value, to accept exports with labels.
    labels: Vec<HashMap<String, f64>>,
    missing_columns: Vec<String>,
    valid_units: Option<&'a HashSet<String>>,
    file: Option<PathBuf>,
    col_id: usize,
    col_unit: usize,
    col_group: Option<usize>,
}

impl<'a> Config<'a> {
    fn new(
        q: &Questionnaire,
        header: &[&str],
        valid_units: Option<&'a HashSet<String>>,
        file: Option<&Path>,
        header_line: u64,
    ) -> Result<Self, SurveyError> {
        let err = |column: usize, name: Option<String>, kind| ResponseError {
            file: file.map(Path::to_path_buf),
            line: header_line,
            column: Some(column),
            column_name: name,
            kind,
        };
        let k = q.indicators.len();
        let by_code: HashMap<String, usize> = q.indicators.iter().enumerate().map(|(j, ind)| (ind.code.to_ascii_lowercase(), j)).collect();
        let mut roles = Vec::with_capacity(header.len());
        let mut names = Vec::with_capacity(header.len());
        let mut seen_ind = vec![false; k];
        let (mut col_id, mut col_unit, mut col_group, mut col_weight) = (None, None, None, None);
        for (c, raw) in header.iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim();
            let col = c + 1;
            if name.is_empty() {
                return Err(err(col, None, ResponseErrorKind::EmptyHeader).into());
            }
            let lower = name.to_lowercase();
            let dup = || err(col, Some(name.to_string()), ResponseErrorKind::DuplicateColumn(name.to_string()));
            let role = match lower.as_str() {
                "respondent_id" => {
                    if col_id.replace(c).is_some() {
                        return Err(dup().into());
                    }
                    Role::Id
                }
                "unit" => {
                    if col_unit.replace(c).is_some() {
                        return Err(dup().into());
                    }
                    Role::Unit
                }
                "group" => {
                    if col_group.replace(c).is_some() {
                        return Err(dup().into());
                    }
                    Role::Group
                }
                "weight" => {
                    if col_weight.replace(c).is_some() {
                        return Err(dup().into());
                    }
                    Role::Weight
                }
                _ if name.starts_with('_') => Role::Ignored,
                _ => match by_code.get(&lower) {
                    Some(&j) => {
                        if std::mem::replace(&mut seen_ind[j], true) {
                            return Err(dup().into());
                        }
                        Role::Indicator(j)
                    }
                    None => {
                        return Err(err(col, Some(name.to_string()), ResponseErrorKind::UnknownColumn(name.to_string())).into());
                    }
                },
            };
            roles.push(role);
            names.push(name.to_string());
        }
        let missing = |what| ResponseError {
            file: file.map(Path::to_path_buf),
            line: header_line,
            column: None,
            column_name: None,
            kind: ResponseErrorKind::MissingColumn(what),
        };
        let col_id = col_id.ok_or_else(|| missing("respondent_id"))?;
        let col_unit = col_unit.ok_or_else(|| missing("unit"))?;
        Ok(Config {
            roles,
            header: names,
            k,
            indicator_codes: q.indicators.iter().map(|i| i.code.clone()).collect(),
            mins: q.indicators.iter().map(|i| i.min).collect(),
            maxs: q.indicators.iter().map(|i| i.max).collect(),
            labels: q.indicators.iter().map(|ind| ind.options.iter().map(|o| (nfc(&o.label).to_lowercase(), o.value)).collect()).collect(),
            missing_columns: q.indicators.iter().zip(&seen_ind).filter(|(_, seen)| !**seen).map(|(i, _)| i.code.clone()).collect(),
            valid_units,
            file: file.map(Path::to_path_buf),
            col_id,
            col_unit,
            col_group,
        })
    }

    fn error(&self, line: u64, column: Option<usize>, kind: ResponseErrorKind) -> SurveyError {
        ResponseError {
            file: self.file.clone(),
            line,
            column: column.map(|c| c + 1),
            column_name: column.and_then(|c| self.header.get(c).cloned()),
            kind,
        }
        .into()
    }

    /// A non-empty answer cell that is not a small integer: a number or an option label.
    /// `Ok(None)` for a cell of blanks.
    fn parse_answer(&self, j: usize, f: &[u8]) -> Result<Option<f64>, ResponseErrorKind> {
        let t = f.trim_ascii();
        if t.is_empty() {
            return Ok(None);
        }
        if let Some(v) = parse_number_bytes(t) {
            return Ok(Some(v));
        }
        let s = String::from_utf8_lossy(t);
        if let Some(&v) = self.labels[j].get(&nfc(&s).to_lowercase()) {
            return Ok(Some(v));
        }
        Err(ResponseErrorKind::NotNumeric(s.into_owned()))
    }
}

// ------------------------------------------------------------------------------------- chunks

/// Rows parsed independently of the rest of the file (stage 1, in parallel): answers as
/// tokens, units and groups in chunk-local dictionaries.
struct Chunk {
    rows: usize,
    /// `rows × k`: a small integer answer is its own token; [`EXCEPTION`]; [`MISSING`].
    tokens: Vec<u8>,
    /// (row, indicator, value) of the answers with token [`EXCEPTION`], in row order.
    exceptions: Vec<(u32, u32, f64)>,
    /// Per indicator: bit v set when the small integer v was seen.
    seen: Vec<[u64; 4]>,
    weights: Vec<f64>,
    unit: Vec<u32>,
    units: Vec<String>,
    unit_map: HashMap<Box<[u8]>, u32>,
    last_unit: Option<(Vec<u8>, u32)>,
    group: Vec<u32>,
    groups: Vec<String>,
    group_map: HashMap<Box<[u8]>, u32>,
    ids: String,
    id_ends: Vec<usize>,
    lines: Vec<u64>,
    /// The first bad row ends the chunk.
    error: Option<SurveyError>,
}

impl Chunk {
    fn new(k: usize) -> Self {
        Chunk {
            rows: 0,
            tokens: Vec::new(),
            exceptions: Vec::new(),
            seen: vec![[0; 4]; k],
            weights: Vec::new(),
            unit: Vec::new(),
            units: Vec::new(),
            unit_map: HashMap::new(),
            last_unit: None,
            group: Vec::new(),
            groups: Vec::new(),
            group_map: HashMap::new(),
            ids: String::new(),
            id_ends: Vec::new(),
            lines: Vec::new(),
            error: None,
        }
    }

    fn clear(&mut self) {
        self.rows = 0;
        self.tokens.clear();
        self.exceptions.clear();
        self.seen.iter_mut().for_each(|s| *s = [0; 4]);
        self.weights.clear();
        self.unit.clear();
        self.units.clear();
        self.unit_map.clear();
        self.last_unit = None;
        self.group.clear();
        self.groups.clear();
        self.group_map.clear();
        self.ids.clear();
        self.id_ends.clear();
        self.lines.clear();
        self.error = None;
    }

    fn id(&self, r: usize) -> &str {
        let start = if r == 0 { 0 } else { self.id_ends[r - 1] };
        self.ids.get(start..self.id_ends[r]).unwrap_or("")
    }

    /// Parse one row; on error the chunk is left as it was before the row.
    fn push_row<'f>(&mut self, cfg: &Config<'_>, line: u64, fields: impl Iterator<Item = &'f [u8]>) -> Result<(), SurveyError> {
        let base = self.tokens.len();
        let exc_base = self.exceptions.len();
        self.tokens.resize(base + cfg.k, MISSING);
        let result = self.parse_fields(cfg, line, base, fields);
        if result.is_err() {
            self.tokens.truncate(base);
            self.exceptions.truncate(exc_base);
        }
        result
    }

    fn parse_fields<'f>(
        &mut self,
        cfg: &Config<'_>,
        line: u64,
        base: usize,
        fields: impl Iterator<Item = &'f [u8]>,
    ) -> Result<(), SurveyError> {
        let row = u32::try_from(self.rows).unwrap_or(u32::MAX);
        let (mut id, mut unit, mut group): (&[u8], &[u8], &[u8]) = (&[], &[], &[]);
        let mut weight = 1.0;
        let mut n_fields = 0;
        let Chunk { tokens, seen, exceptions, .. } = self;
        let tokens = &mut tokens[base..base + cfg.k];
        for (c, f) in fields.enumerate() {
            n_fields = c + 1;
            let Some(&role) = cfg.roles.get(c) else {
                continue;
            };
            match role {
                // Fast paths: empty (missing) and one digit, the usual coding of an option.
                Role::Indicator(j) => match *f {
                    [] => {}
                    [d] if d.is_ascii_digit() => {
                        let v = d - b'0';
                        tokens[j] = v;
                        seen[j][0] |= 1 << v;
                    }
                    _ => code_answer(cfg, j, f, row, tokens, seen, exceptions).map_err(|kind| cfg.error(line, Some(c), kind))?,
                },
                Role::Id => id = f,
                Role::Unit => unit = f,
                Role::Group => group = f,
                Role::Weight => {
                    weight = parse_weight(f).map_err(|kind| cfg.error(line, Some(c), kind))?;
                }
                Role::Ignored => {}
            }
        }
        if n_fields != cfg.roles.len() {
            return Err(cfg.error(line, None, ResponseErrorKind::FieldCount { expected: cfg.roles.len(), found: n_fields }));
        }
        self.commit(cfg, line, id, unit, group, weight)
    }

    /// The row's answers are coded: check its id, unit and group and add it.
    fn commit(&mut self, cfg: &Config<'_>, line: u64, id: &[u8], unit: &[u8], group: &[u8], weight: f64) -> Result<(), SurveyError> {
        let id = std::str::from_utf8(id).map_err(|_| cfg.error(line, Some(cfg.col_id), ResponseErrorKind::NotUtf8))?.trim();
        if id.is_empty() {
            return Err(cfg.error(line, Some(cfg.col_id), ResponseErrorKind::MissingRespondentId));
        }
        let u = self.unit_index(cfg, unit).map_err(|kind| cfg.error(line, Some(cfg.col_unit), kind))?;
        let g = self.group_index(group).map_err(|kind| cfg.error(line, cfg.col_group, kind))?;
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len());
        self.weights.push(weight);
        self.unit.push(u);
        self.group.push(g);
        self.lines.push(line);
        self.rows += 1;
        Ok(())
    }

    fn unit_index(&mut self, cfg: &Config<'_>, raw: &[u8]) -> Result<u32, ResponseErrorKind> {
        if let Some((last, u)) = &self.last_unit
            && last.as_slice() == raw
        {
            return Ok(*u);
        }
        let trimmed = raw.trim_ascii();
        let u = match self.unit_map.get(trimmed) {
            Some(&u) => u,
            None => {
                if trimmed.is_empty() {
                    return Err(ResponseErrorKind::MissingUnit);
                }
                let code = std::str::from_utf8(trimmed).map_err(|_| ResponseErrorKind::NotUtf8)?;
                let code = nfc(code);
                if let Some(valid) = cfg.valid_units
                    && !valid.contains(&code)
                {
                    return Err(ResponseErrorKind::UnknownUnit(code));
                }
                let u = u32::try_from(self.units.len()).unwrap_or(u32::MAX);
                self.units.push(code);
                self.unit_map.insert(trimmed.into(), u);
                u
            }
        };
        match &mut self.last_unit {
            Some((last, lu)) => {
                last.clear();
                last.extend_from_slice(raw);
                *lu = u;
            }
            None => self.last_unit = Some((raw.to_vec(), u)),
        }
        Ok(u)
    }

    fn group_index(&mut self, raw: &[u8]) -> Result<u32, ResponseErrorKind> {
        let trimmed = raw.trim_ascii();
        if trimmed.is_empty() {
            return Ok(NO_GROUP);
        }
        if let Some(&g) = self.group_map.get(trimmed) {
            return Ok(g);
        }
        let name = std::str::from_utf8(trimmed).map_err(|_| ResponseErrorKind::NotUtf8)?;
        let g = u32::try_from(self.groups.len()).unwrap_or(NO_GROUP - 1);
        self.groups.push(nfc(name));
        self.group_map.insert(trimmed.into(), g);
        Ok(g)
    }
}

/// Code one non-trivial answer cell into the row's tokens.
#[inline]
fn code_answer(
    cfg: &Config<'_>,
    j: usize,
    f: &[u8],
    row: u32,
    tokens: &mut [u8],
    seen: &mut [[u64; 4]],
    exceptions: &mut Vec<(u32, u32, f64)>,
) -> Result<(), ResponseErrorKind> {
    if f.is_empty() {
        return Ok(());
    }
    // A small non-negative integer (the usual coding of an option) is its own token.
    if f.len() <= 3 && f.iter().all(u8::is_ascii_digit) {
        let v = f.iter().fold(0usize, |a, &d| a * 10 + usize::from(d - b'0'));
        if v <= SMALL_MAX {
            tokens[j] = v as u8;
            seen[j][v >> 6] |= 1 << (v & 63);
            return Ok(());
        }
    }
    let Some(x) = cfg.parse_answer(j, f)? else {
        return Ok(());
    };
    if (0.0..=SMALL_MAX as f64).contains(&x) && x.fract() == 0.0 {
        let v = x as usize;
        tokens[j] = v as u8;
        seen[j][v >> 6] |= 1 << (v & 63);
    } else {
        tokens[j] = EXCEPTION;
        exceptions.push((row, u32::try_from(j).unwrap_or(u32::MAX), x));
    }
    Ok(())
}

/// Parse a block of whole lines without quote characters.
fn parse_block(cfg: &Config<'_>, block: &[u8], delimiter: u8, first_line: u64) -> Chunk {
    let mut chunk = Chunk::new(cfg.k);
    let rows_hint = block.len() / (cfg.roles.len() * 2 + 8).max(1);
    chunk.tokens.reserve(rows_hint * cfg.k);
    chunk.weights.reserve(rows_hint);
    let mut start = 0;
    let line_ends = memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len()));
    for (n, end) in line_ends.enumerate() {
        let line = &block[start..end];
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // A line with nothing on it is not a respondent.
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let at = first_line + n as u64;
        if let Err(e) = chunk.push_row(cfg, at, line.split(|&b| b == delimiter)) {
            chunk.error = Some(e);
            break;
        }
    }
    chunk
}

// -------------------------------------------------------------------------------- the builder

/// Builds [`Responses`] row by row. A row is checked completely (including for a duplicate
/// respondent id) before it is added, so a row that fails leaves the builder as it was; a
/// caller importing a file should stop at the first error and keep nothing (that is what the
/// CSV reader does).
pub struct ResponsesBuilder<'a> {
    cfg: Config<'a>,
    state: Merged,
    next_line: u64,
    /// One-row chunk reused by `push_row`.
    scratch: Chunk,
}

/// Rows merged so far, in file order (stage 2).
struct Merged {
    units: Vec<UnitBuf>,
    unit_index: HashMap<String, u32>,
    groups: Vec<String>,
    group_index: HashMap<String, u32>,
    ids: IdSet,
    seen: Vec<[u64; 4]>,
}

/// A unit's rows while reading: tokens, not yet codes.
struct UnitBuf {
    code: String,
    weights: Vec<f64>,
    groups: Vec<u32>,
    tokens: Vec<u8>,
    /// (row in unit, indicator, value).
    exceptions: Vec<(u32, u32, f64)>,
    ids: Vec<u32>,
}

impl<'a> ResponsesBuilder<'a> {
    /// `header`: the column names (row 1). Rows pushed with [`ResponsesBuilder::push_row`]
    /// are numbered from 2.
    pub fn new(q: &'a Questionnaire, header: &[&str], valid_units: Option<&'a HashSet<String>>) -> Result<Self, SurveyError> {
        let cfg = Config::new(q, header, valid_units, None, 1)?;
        Ok(Self::from_config(cfg, 2))
    }

    fn from_config(cfg: Config<'a>, next_line: u64) -> Self {
        let k = cfg.k;
        ResponsesBuilder {
            cfg,
            state: Merged {
                units: Vec::new(),
                unit_index: HashMap::new(),
                groups: Vec::new(),
                group_index: HashMap::new(),
                ids: IdSet::new(),
                seen: vec![[0; 4]; k],
            },
            next_line,
            scratch: Chunk::new(k),
        }
    }

    /// Add the next row (numbered one after the previous row).
    pub fn push_row(&mut self, fields: &[&str]) -> Result<(), SurveyError> {
        let line = self.next_line;
        self.push_row_at(line, fields)
    }

    /// Add a row with its own line/row number (for sources that skip rows).
    pub fn push_row_at(&mut self, line: u64, fields: &[&str]) -> Result<(), SurveyError> {
        self.next_line = line + 1;
        let mut chunk = std::mem::replace(&mut self.scratch, Chunk::new(0));
        chunk.clear();
        let parsed = chunk.push_row(&self.cfg, line, fields.iter().map(|f| f.as_bytes()));
        let result = parsed.and_then(|()| self.state.merge(&self.cfg, &chunk));
        self.scratch = chunk;
        result
    }

    /// Respondents added so far.
    pub fn len(&self) -> usize {
        self.state.units.iter().map(|u| u.weights.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Finish: codes assigned, units and groups in natural order.
    pub fn finish(self) -> Result<Responses, SurveyError> {
        let k = self.cfg.k;
        let cfg = &self.cfg;
        let state = self.state;
        // Distinct values per indicator: the small integers seen, and the other values.
        let mut exceptional: Vec<Vec<f64>> = vec![Vec::new(); k];
        for u in &state.units {
            for &(_, j, v) in &u.exceptions {
                exceptional[j as usize].push(if v == 0.0 { 0.0 } else { v });
            }
        }
        let mut levels: Vec<Vec<f64>> = Vec::with_capacity(k);
        for (j, extra) in exceptional.iter_mut().enumerate() {
            let mut vals: Vec<f64> = (0..=SMALL_MAX).filter(|&v| state.seen[j][v >> 6] & (1 << (v & 63)) != 0).map(|v| v as f64).collect();
            vals.append(extra);
            vals.sort_by(f64::total_cmp);
            vals.dedup();
            levels.push(vals);
        }
        let mut warnings = Vec::new();
        if !cfg.missing_columns.is_empty() {
            warnings.push(format!(
                "tệp câu trả lời không có cột cho {} chỉ tiêu: {} (coi như không ai trả lời)",
                cfg.missing_columns.len(),
                cfg.missing_columns.join(", ")
            ));
        }
        for (j, vals) in levels.iter().enumerate() {
            let outside: Vec<String> =
                vals.iter().filter(|&&v| v < cfg.mins[j] || v > cfg.maxs[j]).take(5).map(|v| format!("{v}")).collect();
            if !outside.is_empty() {
                warnings.push(format!(
                    "chỉ tiêu {}: có câu trả lời ngoài thang [{}, {}] (ví dụ {}); đã cắt về thang khi chuẩn hoá",
                    cfg.indicator_codes[j],
                    cfg.mins[j],
                    cfg.maxs[j],
                    outside.join(", ")
                ));
            }
        }
        // Codes: token → code per indicator; indicators with too many values get f64 columns.
        let mut dense_slot = vec![None; k];
        let mut n_dense = 0;
        let mut remap = vec![[MISSING; 256]; k];
        let mut exc_code: Vec<HashMap<u64, u8>> = vec![HashMap::new(); k];
        for j in 0..k {
            if levels[j].len() > MAX_LEVELS {
                dense_slot[j] = Some(n_dense);
                n_dense += 1;
                continue;
            }
            for (c, &v) in levels[j].iter().enumerate() {
                let c = u8::try_from(c).unwrap_or(MISSING);
                if v >= 0.0 && v <= SMALL_MAX as f64 && v.fract() == 0.0 {
                    remap[j][v as usize] = c;
                } else {
                    exc_code[j].insert(v.to_bits(), c);
                }
            }
        }
        let dense_ind: Vec<usize> = (0..k).filter(|&j| dense_slot[j].is_some()).collect();
        let mut units: Vec<UnitResponses> = state
            .units
            .into_par_iter()
            .map(|u| {
                let n = u.weights.len();
                let mut codes = u.tokens;
                let mut dense: Vec<Vec<f64>> = dense_ind
                    .iter()
                    .map(|&j| {
                        (0..n)
                            .map(|i| match codes[i * k + j] {
                                MISSING | EXCEPTION => f64::NAN,
                                t => f64::from(t),
                            })
                            .collect()
                    })
                    .collect();
                for row in codes.chunks_exact_mut(k) {
                    for (c, map) in row.iter_mut().zip(&remap) {
                        *c = map[usize::from(*c)];
                    }
                }
                for &(i, j, v) in &u.exceptions {
                    let (i, j) = (i as usize, j as usize);
                    let v = if v == 0.0 { 0.0 } else { v };
                    match dense_slot[j] {
                        Some(s) => dense[s][i] = v,
                        None => {
                            codes[i * k + j] = exc_code[j].get(&v.to_bits()).copied().unwrap_or(MISSING);
                        }
                    }
                }
                UnitResponses { code: u.code, weights: u.weights, groups: u.groups, codes, dense, ids: u.ids }
            })
            .collect();
        for (j, slot) in dense_slot.iter().enumerate() {
            if slot.is_some() {
                levels[j].clear();
            }
        }
        units.sort_by(|a, b| natural_cmp(&a.code, &b.code));
        // Groups in natural order; remap the respondents' group indices.
        let mut order: Vec<usize> = (0..state.groups.len()).collect();
        order.sort_by(|&a, &b| natural_cmp(&state.groups[a], &state.groups[b]));
        let mut to_new = vec![NO_GROUP; state.groups.len()];
        for (new, &old) in order.iter().enumerate() {
            to_new[old] = u32::try_from(new).unwrap_or(NO_GROUP);
        }
        let groups: Vec<String> = order.iter().map(|&o| state.groups[o].clone()).collect();
        for u in &mut units {
            for g in &mut u.groups {
                if *g != NO_GROUP {
                    *g = to_new[*g as usize];
                }
            }
        }
        Ok(Responses {
            indicator_codes: self.cfg.indicator_codes,
            levels,
            dense_slot,
            units,
            groups,
            ids: state.ids.arena,
            id_ends: state.ids.ends,
            warnings,
        })
    }
}

/// `SurveyError` holds an `io::Error` and is not `Clone`; chunk errors never are I/O errors.
fn clone_error(e: &SurveyError) -> SurveyError {
    match e {
        SurveyError::Responses(r) => SurveyError::Responses(r.clone()),
        SurveyError::Questionnaire(q) => SurveyError::Questionnaire(q.clone()),
        SurveyError::Structure(s) => SurveyError::Structure(s.clone()),
        SurveyError::Io { path, source } => {
            SurveyError::Io { path: path.clone(), source: std::io::Error::new(source.kind(), source.to_string()) }
        }
    }
}

impl Merged {
    /// Stage 2: add a chunk's rows in order; then its error, if any. A row with a duplicate
    /// respondent id stops the merge before it is added.
    fn merge(&mut self, cfg: &Config<'_>, chunk: &Chunk) -> Result<(), SurveyError> {
        let k = cfg.k;
        let mut unit_remap: Vec<Option<u32>> = vec![None; chunk.units.len()];
        let mut group_remap: Vec<Option<u32>> = vec![None; chunk.groups.len()];
        let mut exc = chunk.exceptions.iter().peekable();
        for r in 0..chunk.rows {
            let id = chunk.id(r);
            if let Some(first_line) = self.ids.find(id) {
                return Err(cfg.error(
                    chunk.lines[r],
                    Some(cfg.col_id),
                    ResponseErrorKind::DuplicateRespondent { id: id.to_string(), first_line },
                ));
            }
            let idx = self.ids.insert(id, chunk.lines[r]);
            let cu = chunk.unit[r] as usize;
            let u = match unit_remap[cu] {
                Some(u) => u,
                None => {
                    let code = &chunk.units[cu];
                    let u = match self.unit_index.get(code) {
                        Some(&u) => u,
                        None => {
                            let u = u32::try_from(self.units.len()).unwrap_or(u32::MAX);
                            self.unit_index.insert(code.clone(), u);
                            self.units.push(UnitBuf {
                                code: code.clone(),
                                weights: Vec::new(),
                                groups: Vec::new(),
                                tokens: Vec::new(),
                                exceptions: Vec::new(),
                                ids: Vec::new(),
                            });
                            u
                        }
                    };
                    unit_remap[cu] = Some(u);
                    u
                }
            };
            let g = match chunk.group[r] {
                NO_GROUP => NO_GROUP,
                cg => match group_remap[cg as usize] {
                    Some(g) => g,
                    None => {
                        let name = &chunk.groups[cg as usize];
                        let g = match self.group_index.get(name) {
                            Some(&g) => g,
                            None => {
                                let g = u32::try_from(self.groups.len()).unwrap_or(NO_GROUP - 1);
                                self.groups.push(name.clone());
                                self.group_index.insert(name.clone(), g);
                                g
                            }
                        };
                        group_remap[cg as usize] = Some(g);
                        g
                    }
                },
            };
            let unit = &mut self.units[u as usize];
            let row_in_unit = u32::try_from(unit.weights.len()).unwrap_or(u32::MAX);
            unit.weights.push(chunk.weights[r]);
            unit.groups.push(g);
            unit.tokens.extend_from_slice(&chunk.tokens[r * k..(r + 1) * k]);
            unit.ids.push(idx);
            while let Some(&&(er, j, v)) = exc.peek() {
                if er as usize != r {
                    break;
                }
                unit.exceptions.push((row_in_unit, j, v));
                exc.next();
            }
        }
        for (s, cs) in self.seen.iter_mut().zip(&chunk.seen) {
            for (a, b) in s.iter_mut().zip(cs) {
                *a |= b;
            }
        }
        match &chunk.error {
            Some(e) => Err(clone_error(e)),
            None => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------- CSV input

fn read_csv<R: Read + Send>(
    q: &Questionnaire,
    mut reader: R,
    valid_units: Option<&HashSet<String>>,
    file: Option<&Path>,
) -> Result<Responses, SurveyError> {
    let io_err =
        |source: std::io::Error| SurveyError::Io { path: file.map_or_else(|| PathBuf::from("<đầu vào>"), Path::to_path_buf), source };
    let resp_err = |line: u64, kind: ResponseErrorKind| -> SurveyError {
        ResponseError { file: file.map(Path::to_path_buf), line, column: None, column_name: None, kind }.into()
    };
    let mut pending: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + (1 << 16));
    let mut eof = fill(&mut reader, &mut pending, BLOCK_BYTES).map_err(io_err)?;
    // The header line must be complete before it is parsed.
    while !eof && memchr::memchr(b'\n', &pending).is_none() {
        let want = pending.len() + BLOCK_BYTES;
        eof = fill(&mut reader, &mut pending, want).map_err(io_err)?;
    }
    if pending.starts_with(b"\xef\xbb\xbf") {
        pending.drain(..3);
    }
    let delimiter = sniff_delimiter(&pending);
    let csv_builder = || {
        let mut b = csv::ReaderBuilder::new();
        b.has_headers(false).flexible(true).delimiter(delimiter);
        b
    };
    // Header.
    let (header_fields, header_len) = {
        let mut rdr = csv_builder().from_reader(pending.as_slice());
        let mut rec = csv::ByteRecord::new();
        let got = rdr.read_byte_record(&mut rec).map_err(|e| resp_err(1, ResponseErrorKind::Csv(e.to_string())))?;
        if !got {
            return Err(resp_err(1, ResponseErrorKind::NoHeader));
        }
        let mut fields = Vec::with_capacity(rec.len());
        for (c, f) in rec.iter().enumerate() {
            let s = std::str::from_utf8(f).map_err(|_| {
                SurveyError::from(ResponseError {
                    file: file.map(Path::to_path_buf),
                    line: 1,
                    column: Some(c + 1),
                    column_name: None,
                    kind: ResponseErrorKind::NotUtf8,
                })
            })?;
            fields.push(s.to_string());
        }
        (fields, rdr.position().byte() as usize)
    };
    let header_refs: Vec<&str> = header_fields.iter().map(String::as_str).collect();
    let cfg = Config::new(q, &header_refs, valid_units, file, 1)?;
    let header_bytes = &pending[..header_len.min(pending.len())];
    let line = 1 + memchr::memchr_iter(b'\n', header_bytes).count() as u64;
    pending.drain(..header_len.min(pending.len()));
    let mut builder = ResponsesBuilder::from_config(cfg, line);

    let sequential = memchr::memchr(b'"', &pending).is_some() || lone_cr(&pending);
    let batch_size = 2 * rayon::current_num_threads().max(1);
    let mut input = BlockReader { reader: &mut reader, pending, eof, line, sequential };
    let mut batch = input.next_batch(batch_size).map_err(io_err)?;
    let mut parsed: Vec<Chunk> = Vec::new();
    while !batch.is_empty() {
        // While this batch is parsed: merge the previous one (in file order), read the next.
        let (cfg, state) = (&builder.cfg, &mut builder.state);
        let current = &batch;
        let (next, chunks) = rayon::join(
            || -> Result<Vec<(Vec<u8>, u64)>, SurveyError> {
                for chunk in &parsed {
                    state.merge(cfg, chunk)?;
                }
                input.next_batch(batch_size).map_err(io_err)
            },
            || current.par_iter().map(|(block, first)| parse_block(cfg, block, delimiter, *first)).collect::<Vec<Chunk>>(),
        );
        parsed = chunks;
        batch = next?;
    }
    for chunk in &parsed {
        builder.state.merge(&builder.cfg, chunk)?;
    }
    let BlockReader { pending, line, sequential, .. } = input;
    if sequential {
        let rest = std::io::Cursor::new(pending).chain(reader);
        let mut rdr = csv_builder().buffer_capacity(1 << 20).from_reader(rest);
        let mut rec = csv::ByteRecord::new();
        let mut chunk = Chunk::new(builder.cfg.k);
        loop {
            let more = match rdr.read_byte_record(&mut rec) {
                Ok(more) => more,
                Err(e) => {
                    let at = line + e.position().map_or(1, csv::Position::line) - 1;
                    if let csv::ErrorKind::Io(_) = e.kind()
                        && let csv::ErrorKind::Io(source) = e.into_kind()
                    {
                        return Err(io_err(source));
                    }
                    chunk.error = Some(resp_err(
                        at,
                        ResponseErrorKind::Csv("dòng CSV không đọc được (dấu ngoặc kép không đóng hoặc mã hoá sai)".into()),
                    ));
                    false
                }
            };
            if more {
                let at = line + rec.position().map_or(1, csv::Position::line) - 1;
                let blank = rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace);
                if !blank && let Err(e) = chunk.push_row(&builder.cfg, at, rec.iter()) {
                    chunk.error = Some(e);
                }
            }
            if !more || chunk.error.is_some() || chunk.rows >= CHUNK_ROWS {
                builder.state.merge(&builder.cfg, &chunk)?;
                chunk.clear();
            }
            if !more {
                break;
            }
        }
    }
    builder.finish()
}

/// Cuts the input into blocks of whole lines for the parallel parser, until the end or the
/// first quote character (from there on the `csv` parser takes over).
struct BlockReader<'r, R> {
    reader: &'r mut R,
    pending: Vec<u8>,
    eof: bool,
    /// Line number of the first line in `pending`.
    line: u64,
    sequential: bool,
}

impl<R: Read> BlockReader<'_, R> {
    /// Up to `count` blocks with the line number of their first line; empty at the end (or
    /// when the rest must be parsed sequentially).
    fn next_batch(&mut self, count: usize) -> std::io::Result<Vec<(Vec<u8>, u64)>> {
        let mut batch = Vec::with_capacity(count);
        while batch.len() < count && !self.sequential {
            if self.pending.len() < BLOCK_BYTES && !self.eof {
                self.eof = fill(self.reader, &mut self.pending, BLOCK_BYTES)?;
            }
            if self.pending.is_empty() {
                break;
            }
            // Old Mac line ends (a lone CR) and quoted fields need the real CSV parser.
            if memchr::memchr(b'"', &self.pending).is_some() || lone_cr(&self.pending) {
                self.sequential = true;
                break;
            }
            let split = match memchr::memrchr(b'\n', &self.pending) {
                Some(p) => p + 1,
                None if self.eof => self.pending.len(),
                None => {
                    // A line longer than a block: read on.
                    let want = self.pending.len() + BLOCK_BYTES;
                    self.eof = fill(self.reader, &mut self.pending, want)?;
                    continue;
                }
            };
            let rest = self.pending.split_off(split);
            let block = std::mem::replace(&mut self.pending, rest);
            let lines = memchr::memchr_iter(b'\n', &block).count() as u64;
            batch.push((block, self.line));
            self.line += lines;
        }
        Ok(batch)
    }
}

fn lone_cr(b: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', b).any(|p| b.get(p + 1).is_some_and(|&n| n != b'\n'))
}

/// Read until `buf` holds `want` bytes or the input ends; `true` at the end of input.
fn fill<R: Read>(reader: &mut R, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let start = buf.len();
        buf.resize(want, 0);
        match reader.read(&mut buf[start..]) {
            Ok(0) => {
                buf.truncate(start);
                return Ok(true);
            }
            Ok(got) => buf.truncate(start + got),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(start),
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// Pick the separator of the header line: `,` unless `;` or tab is clearly what is used
/// (spreadsheets in a Vietnamese locale export `;`).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    if counts[0] == 0 && counts[1] > 0 && counts[1] >= counts[2] {
        b';'
    } else if counts[0] == 0 && counts[2] > 0 {
        b'\t'
    } else {
        b','
    }
}

/// A finite number, with `.` or a single `,` as decimal separator (as answers and weights are read).
pub fn parse_number(s: &str) -> Option<f64> {
    parse_number_bytes(s.as_bytes())
}

fn parse_number_bytes(t: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(t).ok()?;
    // Only digits, signs, separators and exponents: keeps "inf"/"NaN" out.
    if !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+' | b'e' | b'E')) {
        return None;
    }
    let v: f64 = if s.contains(',') {
        if s.contains('.') || s.matches(',').count() != 1 {
            return None;
        }
        s.replacen(',', ".", 1).parse().ok()?
    } else {
        s.parse().ok()?
    };
    v.is_finite().then_some(v)
}

fn parse_weight(f: &[u8]) -> Result<f64, ResponseErrorKind> {
    let t = f.trim_ascii();
    if t.is_empty() {
        return Err(ResponseErrorKind::MissingWeight);
    }
    match parse_number_bytes(t) {
        Some(w) if w > 0.0 => Ok(w),
        _ => Err(ResponseErrorKind::BadWeight(String::from_utf8_lossy(t).into_owned())),
    }
}

// --------------------------------------------------------------------------- respondent ids

/// Respondent ids seen so far, for refusing duplicates without one allocation per id.
struct IdSet {
    arena: String,
    ends: Vec<usize>,
    lines: Vec<u64>,
    by_hash: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    /// Ids whose hash collides with an earlier, different id.
    overflow: HashMap<Box<str>, u32>,
}

impl IdSet {
    fn new() -> Self {
        IdSet { arena: String::new(), ends: Vec::new(), lines: Vec::new(), by_hash: HashMap::default(), overflow: HashMap::new() }
    }

    fn get(&self, idx: u32) -> &str {
        let idx = idx as usize;
        let start = if idx == 0 { 0 } else { self.ends[idx - 1] };
        self.arena.get(start..self.ends[idx]).unwrap_or("")
    }

    /// Line where `id` was first seen.
    fn find(&self, id: &str) -> Option<u64> {
        let h = fnv1a(id.as_bytes());
        match self.by_hash.get(&h) {
            Some(&idx) if self.get(idx) == id => Some(self.lines[idx as usize]),
            Some(_) => self.overflow.get(id).map(|&i| self.lines[i as usize]),
            None => None,
        }
    }

    fn insert(&mut self, id: &str, line: u64) -> u32 {
        let idx = u32::try_from(self.ends.len()).unwrap_or(u32::MAX);
        self.arena.push_str(id);
        self.ends.push(self.arena.len());
        self.lines.push(line);
        let h = fnv1a(id.as_bytes());
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.overflow.insert(id.into(), idx);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(idx);
            }
        }
        idx
    }
}

/// The keys are already hashes.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number_bytes(b"3"), Some(3.0));
        assert_eq!(parse_number_bytes(b"2,5"), Some(2.5));
        assert_eq!(parse_number_bytes(b"-1.25"), Some(-1.25));
        assert_eq!(parse_number_bytes(b"1e2"), Some(100.0));
        assert_eq!(parse_number_bytes(b"inf"), None);
        assert_eq!(parse_number_bytes(b"NaN"), None);
        assert_eq!(parse_number_bytes(b"1,000.5"), None);
        assert_eq!(parse_number_bytes(b"abc"), None);
        assert_eq!(parse_number_bytes(b"1e999"), None);
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a,b;c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c"), b',');
    }

    #[test]
    fn id_set_finds_duplicates_and_survives_collisions() {
        let mut s = IdSet::new();
        s.insert("R1", 2);
        s.insert("R2", 3);
        assert_eq!(s.find("R1"), Some(2));
        assert_eq!(s.find("R3"), None);
        // Force the collision path: the hash slot of R1 now names another id.
        let h = fnv1a(b"R1");
        s.by_hash.insert(h, 1);
        assert_eq!(s.find("R1"), None);
        s.overflow.insert("R1".into(), 0);
        assert_eq!(s.find("R1"), Some(2));
    }

    #[test]
    fn fill_reads_in_pieces() {
        struct Drip<'a>(&'a [u8]);
        impl Read for Drip<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(3).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut buf = Vec::new();
        let mut r = Drip(b"abcdefgh");
        assert!(!fill(&mut r, &mut buf, 5).unwrap_or(true));
        assert_eq!(buf.len(), 5);
        assert!(fill(&mut r, &mut buf, 100).unwrap_or(false));
        assert_eq!(buf, b"abcdefgh");
    }
}
