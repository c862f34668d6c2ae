//! Responses in a compact columnar form, read from CSV (streamed) or from rows of any source
//! (XLSX, the web form) through [`ResponsesBuilder`].
//!
//! Columns: `respondent_id`, `unit` (required), `group`, `weight` (optional: absent means no
//! groups and weight 1), then one column per indicator code. Header names are matched without
//! regard to case; columns whose name starts with `_` (KoboToolbox / ODK metadata such as `_uuid`)
//! are ignored; any other unknown column is an error. An empty cell is a missing answer.
//!
//! Answers are stored as one byte per (respondent, indicator): an index into the indicator's
//! table of distinct answer values (real questionnaires have a handful of options). An indicator
//! with more than 255 distinct values (a free numeric answer) switches to a column of `f64`.
//! Respondents are kept per unit, respondent-major, which is the layout the bootstrap reads.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chiso_core::text::nfc;

use crate::error::{ResponseError, ResponseErrorKind, SurveyError};
use crate::questionnaire::{FIXED_COLUMNS, Questionnaire, natural_cmp};

/// Code of a missing answer.
pub(crate) const MISSING: u8 = u8::MAX;
/// Marks "no code assigned yet" in the small-integer cache of an indicator.
const UNSET: u8 = u8::MAX;
/// Respondent without a group.
pub(crate) const NO_GROUP: u32 = u32::MAX;
/// At most this many distinct values are coded in a byte (code 255 is "missing").
const MAX_LEVELS: usize = 255;

/// All responses of one import, grouped by unit.
#[derive(Debug, Clone)]
pub struct Responses {
    pub(crate) indicator_codes: Vec<String>,
    /// Per indicator: the distinct raw answer values; a code indexes this table.
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
    /// first bad cell, naming its line and column; nothing is returned half-read.
    /// `valid_units`: when given, a unit code outside it is an error.
    pub fn from_csv_path(
        q: &Questionnaire,
        path: &Path,
        valid_units: Option<&HashSet<String>>,
    ) -> Result<Self, SurveyError> {
        let file = std::fs::File::open(path).map_err(|source| SurveyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_csv_reader(q, file, valid_units, Some(path))
    }

    /// As [`Responses::from_csv_path`], from any reader; `file` only names it in errors.
    pub fn from_csv_reader<R: Read>(
        q: &Questionnaire,
        reader: R,
        valid_units: Option<&HashSet<String>>,
        file: Option<&Path>,
    ) -> Result<Self, SurveyError> {
        let io_err = |source: std::io::Error| SurveyError::Io {
            path: file.map_or_else(|| PathBuf::from("<đầu vào>"), Path::to_path_buf),
            source,
        };
        let mut buf = BufReader::with_capacity(1 << 20, reader);
        let delimiter = sniff_delimiter(buf.fill_buf().map_err(io_err)?);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 20)
            .from_reader(buf);
        let at = |line: u64, column: Option<usize>, kind: ResponseErrorKind| ResponseError {
            file: file.map(Path::to_path_buf),
            line,
            column,
            column_name: None,
            kind,
        };
        let csv_err = |e: csv::Error| -> SurveyError {
            if let csv::ErrorKind::Io(_) = e.kind() {
                if let csv::ErrorKind::Io(io) = e.into_kind() {
                    return io_err(io);
                }
                unreachable_io()
            } else {
                let line = e.position().map_or(0, csv::Position::line);
                at(line, None, ResponseErrorKind::Csv(e.to_string())).into()
            }
        };
        let mut rec = csv::ByteRecord::new();
        if !rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            return Err(at(1, None, ResponseErrorKind::NoHeader).into());
        }
        let header_line = rec.position().map_or(1, csv::Position::line);
        let mut header = Vec::with_capacity(rec.len());
        for (c, field) in rec.iter().enumerate() {
            let s = std::str::from_utf8(field)
                .map_err(|_| at(header_line, Some(c + 1), ResponseErrorKind::NotUtf8))?;
            header.push(s);
        }
        let mut b = ResponsesBuilder::with_file(q, &header, valid_units, file, header_line)?;
        while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            let line = rec.position().map_or(b.next_line, csv::Position::line);
            // A line with nothing on it is not a respondent.
            if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) && b.roles.len() > 1 {
                continue;
            }
            b.push_fields(line, rec.len(), rec.iter())?;
        }
        b.finish()
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
                            c => self.levels[j].get(c as usize).copied(),
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

fn unreachable_io() -> SurveyError {
    // `into_kind` of an `Io` error is always `Io`; keep a non-panicking fallback.
    SurveyError::Io {
        path: PathBuf::from("<đầu vào>"),
        source: std::io::Error::other("lỗi đọc"),
    }
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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Id,
    Unit,
    Group,
    Weight,
    Indicator(usize),
    Ignored,
}

/// Distinct answer values of one indicator.
struct Levels {
    values: Vec<f64>,
    by_bits: HashMap<u64, u8>,
    /// Code of the answer written as the integer 0..=255 (the common case), or [`UNSET`].
    small: [u8; 256],
}

impl Levels {
    fn new() -> Self {
        Levels {
            values: Vec::new(),
            by_bits: HashMap::new(),
            small: [UNSET; 256],
        }
    }

    /// Code of `v`, adding it when new; `None` when the table is full.
    fn code_of(&mut self, v: f64) -> Option<u8> {
        // -0 and 0 are the same answer.
        let v = if v == 0.0 { 0.0 } else { v };
        if let Some(&c) = self.by_bits.get(&v.to_bits()) {
            return Some(c);
        }
        if self.values.len() >= MAX_LEVELS {
            return None;
        }
        let c = u8::try_from(self.values.len()).ok()?;
        self.values.push(v);
        self.by_bits.insert(v.to_bits(), c);
        Some(c)
    }
}

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
        IdSet {
            arena: String::new(),
            ends: Vec::new(),
            lines: Vec::new(),
            by_hash: HashMap::default(),
            overflow: HashMap::new(),
        }
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
        if self.by_hash.contains_key(&h) {
            self.overflow.insert(id.into(), idx);
        } else {
            self.by_hash.insert(h, idx);
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

/// Builds [`Responses`] row by row. Rows are checked completely before they are added, so a
/// row that fails leaves the builder as it was; a caller importing a file should stop at the
/// first error and keep nothing (that is what the CSV reader does).
pub struct ResponsesBuilder<'a> {
    valid_units: Option<&'a HashSet<String>>,
    file: Option<PathBuf>,
    header: Vec<String>,
    roles: Vec<Role>,
    next_line: u64,
    k: usize,
    mins: Vec<f64>,
    maxs: Vec<f64>,
    indicator_codes: Vec<String>,
    missing_columns: Vec<String>,
    /// Per indicator: option label (NFC, lower case) → value, to accept exports with labels.
    labels: Vec<HashMap<String, f64>>,
    levels: Vec<Levels>,
    dense_slot: Vec<Option<usize>>,
    n_dense: usize,
    out_of_range: Vec<Vec<f64>>,
    units: Vec<UnitResponses>,
    unit_index: HashMap<Box<[u8]>, u32>,
    last_unit: Option<(Vec<u8>, u32)>,
    groups: Vec<String>,
    group_index: HashMap<Box<[u8]>, u32>,
    group_by_name: HashMap<String, u32>,
    ids: IdSet,
    col_id: usize,
    col_unit: usize,
    col_group: Option<usize>,
    row_codes: Vec<u8>,
    row_dense: Vec<f64>,
}

/// What a row's unit cell resolved to.
enum UnitRef {
    Known(u32),
    New(String),
}

impl<'a> ResponsesBuilder<'a> {
    /// `header`: the column names (row 1). Rows pushed with [`ResponsesBuilder::push_row`]
    /// are numbered from 2.
    pub fn new(
        q: &'a Questionnaire,
        header: &[&str],
        valid_units: Option<&'a HashSet<String>>,
    ) -> Result<Self, SurveyError> {
        Self::with_file(q, header, valid_units, None, 1)
    }

    fn with_file(
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
        let by_code: HashMap<String, usize> = q
            .indicators
            .iter()
            .enumerate()
            .map(|(j, ind)| (ind.code.to_ascii_lowercase(), j))
            .collect();
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
                        return Err(err(
                            col,
                            Some(name.to_string()),
                            ResponseErrorKind::UnknownColumn(name.to_string()),
                        )
                        .into());
                    }
                },
            };
            roles.push(role);
            names.push(name.to_string());
        }
        debug_assert!(FIXED_COLUMNS.contains(&"unit"));
        let missing = |what| ResponseError {
            file: file.map(Path::to_path_buf),
            line: header_line,
            column: None,
            column_name: None,
            kind: ResponseErrorKind::MissingColumn(what),
        };
        let col_id = col_id.ok_or_else(|| missing("respondent_id"))?;
        let col_unit = col_unit.ok_or_else(|| missing("unit"))?;
        let labels = q
            .indicators
            .iter()
            .map(|ind| {
                ind.options
                    .iter()
                    .map(|o| (nfc(&o.label).to_lowercase(), o.value))
                    .collect()
            })
            .collect();
        Ok(ResponsesBuilder {
            valid_units,
            file: file.map(Path::to_path_buf),
            header: names,
            roles,
            next_line: header_line + 1,
            k,
            mins: q.indicators.iter().map(|i| i.min).collect(),
            maxs: q.indicators.iter().map(|i| i.max).collect(),
            indicator_codes: q.indicators.iter().map(|i| i.code.clone()).collect(),
            missing_columns: q
                .indicators
                .iter()
                .zip(&seen_ind)
                .filter(|(_, seen)| !**seen)
                .map(|(i, _)| i.code.clone())
                .collect(),
            labels,
            levels: (0..k).map(|_| Levels::new()).collect(),
            dense_slot: vec![None; k],
            n_dense: 0,
            out_of_range: vec![Vec::new(); k],
            units: Vec::new(),
            unit_index: HashMap::new(),
            last_unit: None,
            groups: Vec::new(),
            group_index: HashMap::new(),
            group_by_name: HashMap::new(),
            ids: IdSet::new(),
            col_id,
            col_unit,
            col_group,
            row_codes: vec![MISSING; k],
            row_dense: Vec::new(),
        })
    }

    /// Add the next row (numbered one after the previous row).
    pub fn push_row(&mut self, fields: &[&str]) -> Result<(), SurveyError> {
        let line = self.next_line;
        self.push_fields(line, fields.len(), fields.iter().map(|f| f.as_bytes()))
    }

    /// Add a row with its own line/row number (for sources that skip rows).
    pub fn push_row_at(&mut self, line: u64, fields: &[&str]) -> Result<(), SurveyError> {
        self.push_fields(line, fields.len(), fields.iter().map(|f| f.as_bytes()))
    }

    /// Respondents added so far.
    pub fn len(&self) -> usize {
        self.units.iter().map(UnitResponses::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    pub(crate) fn push_fields<'f>(
        &mut self,
        line: u64,
        n_fields: usize,
        fields: impl Iterator<Item = &'f [u8]>,
    ) -> Result<(), SurveyError> {
        self.next_line = line + 1;
        if n_fields != self.roles.len() {
            return Err(self.error(
                line,
                None,
                ResponseErrorKind::FieldCount {
                    expected: self.roles.len(),
                    found: n_fields,
                },
            ));
        }
        self.row_codes.fill(MISSING);
        self.row_dense.fill(f64::NAN);
        let (mut id, mut unit, mut group): (&[u8], &[u8], &[u8]) = (&[], &[], &[]);
        let mut weight = 1.0;
        for (c, f) in fields.enumerate() {
            match self.roles[c] {
                Role::Indicator(j) => {
                    if let Err(kind) = self.answer(j, f) {
                        return Err(self.error(line, Some(c), kind));
                    }
                }
                Role::Id => id = f,
                Role::Unit => unit = f,
                Role::Group => group = f,
                Role::Weight => {
                    weight = parse_weight(f).map_err(|kind| self.error(line, Some(c), kind))?;
                }
                Role::Ignored => {}
            }
        }
        let id = std::str::from_utf8(id)
            .map_err(|_| self.error(line, Some(self.col_id), ResponseErrorKind::NotUtf8))?
            .trim();
        if id.is_empty() {
            return Err(self.error(
                line,
                Some(self.col_id),
                ResponseErrorKind::MissingRespondentId,
            ));
        }
        if let Some(first_line) = self.ids.find(id) {
            return Err(self.error(
                line,
                Some(self.col_id),
                ResponseErrorKind::DuplicateRespondent {
                    id: id.to_string(),
                    first_line,
                },
            ));
        }
        let unit_ref = self.unit_ref(unit).map_err(|kind| self.error(line, Some(self.col_unit), kind))?;
        let group_ref = self
            .group_ref(group)
            .map_err(|kind| self.error(line, self.col_group, kind))?;
        // Everything is checked: commit the row.
        let u = match unit_ref {
            UnitRef::Known(u) => u,
            UnitRef::New(code) => {
                let u = u32::try_from(self.units.len()).unwrap_or(u32::MAX);
                self.unit_index.insert(unit.trim_ascii().into(), u);
                self.units.push(UnitResponses {
                    code,
                    weights: Vec::new(),
                    groups: Vec::new(),
                    codes: Vec::new(),
                    dense: vec![Vec::new(); self.n_dense],
                    ids: Vec::new(),
                });
                u
            }
        };
        match &mut self.last_unit {
            Some((last, lu)) if *lu == u && last.as_slice() == unit => {}
            Some((last, lu)) => {
                last.clear();
                last.extend_from_slice(unit);
                *lu = u;
            }
            None => self.last_unit = Some((unit.to_vec(), u)),
        }
        let g = match group_ref {
            None => NO_GROUP,
            Some(Ok(g)) => g,
            Some(Err(name)) => {
                let g = match self.group_by_name.get(&name) {
                    Some(&g) => g,
                    None => {
                        let g = u32::try_from(self.groups.len()).unwrap_or(NO_GROUP - 1);
                        self.group_by_name.insert(name.clone(), g);
                        self.groups.push(name);
                        g
                    }
                };
                self.group_index.insert(group.trim_ascii().into(), g);
                g
            }
        };
        let idx = self.ids.insert(id, line);
        let unit = &mut self.units[u as usize];
        unit.weights.push(weight);
        unit.groups.push(g);
        unit.codes.extend_from_slice(&self.row_codes);
        for (col, &v) in unit.dense.iter_mut().zip(&self.row_dense) {
            col.push(v);
        }
        unit.ids.push(idx);
        Ok(())
    }

    fn unit_ref(&self, raw: &[u8]) -> Result<UnitRef, ResponseErrorKind> {
        if let Some((last, u)) = &self.last_unit
            && last.as_slice() == raw
        {
            return Ok(UnitRef::Known(*u));
        }
        let trimmed = raw.trim_ascii();
        if trimmed.is_empty() {
            return Err(ResponseErrorKind::MissingUnit);
        }
        if let Some(&u) = self.unit_index.get(trimmed) {
            return Ok(UnitRef::Known(u));
        }
        let code = std::str::from_utf8(trimmed).map_err(|_| ResponseErrorKind::NotUtf8)?;
        let code = nfc(code);
        if let Some(valid) = self.valid_units
            && !valid.contains(&code)
        {
            return Err(ResponseErrorKind::UnknownUnit(code));
        }
        // Two spellings of one code (NFC vs NFD) are one unit.
        if let Some(u) = self.units.iter().position(|u| u.code == code) {
            return Ok(UnitRef::Known(u32::try_from(u).unwrap_or(u32::MAX)));
        }
        Ok(UnitRef::New(code))
    }

    /// `None`: no group; `Some(Ok(g))`: a known group; `Some(Err(name))`: a new spelling.
    #[allow(clippy::type_complexity)]
    fn group_ref(&self, raw: &[u8]) -> Result<Option<Result<u32, String>>, ResponseErrorKind> {
        let trimmed = raw.trim_ascii();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if let Some(&g) = self.group_index.get(trimmed) {
            return Ok(Some(Ok(g)));
        }
        let name = std::str::from_utf8(trimmed).map_err(|_| ResponseErrorKind::NotUtf8)?;
        Ok(Some(Err(nfc(name))))
    }

    /// Code one answer into the row scratch.
    fn answer(&mut self, j: usize, f: &[u8]) -> Result<(), ResponseErrorKind> {
        if f.is_empty() {
            return Ok(());
        }
        if let Some(slot) = self.dense_slot[j] {
            if let Some(v) = self.parse_answer(j, f)? {
                self.note_range(j, v);
                self.row_dense[slot] = v;
            }
            return Ok(());
        }
        // Fast path: a small non-negative integer, the usual coding of an option.
        let small = if f.len() <= 3 && f.iter().all(u8::is_ascii_digit) {
            let v = f.iter().fold(0usize, |a, &d| a * 10 + usize::from(d - b'0'));
            if v < 256 {
                let c = self.levels[j].small[v];
                if c != UNSET {
                    self.row_codes[j] = c;
                    return Ok(());
                }
                Some(v)
            } else {
                None
            }
        } else {
            None
        };
        let value = match small {
            Some(v) => v as f64,
            None => match self.parse_answer(j, f)? {
                Some(v) => v,
                None => return Ok(()),
            },
        };
        match self.levels[j].code_of(value) {
            Some(c) => {
                if self.levels[j].values.len() == usize::from(c) + 1 {
                    // A value seen for the first time.
                    self.note_range(j, value);
                }
                if let Some(v) = small {
                    self.levels[j].small[v] = c;
                }
                self.row_codes[j] = c;
            }
            None => {
                let slot = self.make_dense(j);
                self.note_range(j, value);
                self.row_dense[slot] = value;
            }
        }
        Ok(())
    }

    /// A non-empty answer cell: a number (decimal point or comma) or an option label.
    /// `Ok(None)` for a cell of blanks.
    fn parse_answer(&self, j: usize, f: &[u8]) -> Result<Option<f64>, ResponseErrorKind> {
        let t = f.trim_ascii();
        if t.is_empty() {
            return Ok(None);
        }
        if let Some(v) = parse_number(t) {
            return Ok(Some(v));
        }
        let s = String::from_utf8_lossy(t);
        if let Some(&v) = self.labels[j].get(&nfc(&s).to_lowercase()) {
            return Ok(Some(v));
        }
        Err(ResponseErrorKind::NotNumeric(s.into_owned()))
    }

    fn note_range(&mut self, j: usize, v: f64) {
        if (v < self.mins[j] || v > self.maxs[j])
            && self.out_of_range[j].len() < 5
            && !self.out_of_range[j].contains(&v)
        {
            self.out_of_range[j].push(v);
        }
    }

    /// Switch indicator `j` to an `f64` column (too many distinct values for byte codes).
    fn make_dense(&mut self, j: usize) -> usize {
        let slot = self.n_dense;
        self.n_dense += 1;
        self.dense_slot[j] = Some(slot);
        let k = self.k;
        let values = &self.levels[j].values;
        for u in &mut self.units {
            let n = u.len();
            let mut col = Vec::with_capacity(n);
            for i in 0..n {
                let c = &mut u.codes[i * k + j];
                col.push(match *c {
                    MISSING => f64::NAN,
                    code => values.get(usize::from(code)).copied().unwrap_or(f64::NAN),
                });
                *c = MISSING;
            }
            u.dense.push(col);
        }
        self.row_dense.push(f64::NAN);
        self.row_codes[j] = MISSING;
        slot
    }

    /// Finish: the responses, with units and groups in natural order.
    pub fn finish(self) -> Result<Responses, SurveyError> {
        let mut warnings = Vec::new();
        if !self.missing_columns.is_empty() {
            warnings.push(format!(
                "tệp câu trả lời không có cột cho {} chỉ tiêu: {} (coi như không ai trả lời)",
                self.missing_columns.len(),
                self.missing_columns.join(", ")
            ));
        }
        for (j, vals) in self.out_of_range.iter().enumerate() {
            if !vals.is_empty() {
                let list: Vec<String> = vals.iter().map(|v| format!("{v}")).collect();
                warnings.push(format!(
                    "chỉ tiêu {}: có câu trả lời ngoài thang [{}, {}] (ví dụ {}); đã cắt về thang khi chuẩn hoá",
                    self.indicator_codes[j],
                    self.mins[j],
                    self.maxs[j],
                    list.join(", ")
                ));
            }
        }
        let mut units = self.units;
        units.sort_by(|a, b| natural_cmp(&a.code, &b.code));
        // Groups in natural order; remap the respondents' group indices.
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by(|&a, &b| natural_cmp(&self.groups[a], &self.groups[b]));
        let mut remap = vec![NO_GROUP; self.groups.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old] = u32::try_from(new).unwrap_or(NO_GROUP);
        }
        let groups: Vec<String> = order.iter().map(|&o| self.groups[o].clone()).collect();
        for u in &mut units {
            for g in &mut u.groups {
                if *g != NO_GROUP {
                    *g = remap[*g as usize];
                }
            }
        }
        Ok(Responses {
            indicator_codes: self.indicator_codes,
            levels: self.levels.into_iter().map(|l| l.values).collect(),
            dense_slot: self.dense_slot,
            units,
            groups,
            ids: self.ids.arena,
            id_ends: self.ids.ends,
            warnings,
        })
    }
}

/// A finite number, with `.` or a single `,` as decimal separator.
fn parse_number(t: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(t).ok()?;
    // Only digits, signs, separators and exponents: keeps "inf"/"NaN" out.
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+' | b'e' | b'E'))
    {
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
    match parse_number(t) {
        Some(w) if w > 0.0 => Ok(w),
        _ => Err(ResponseErrorKind::BadWeight(
            String::from_utf8_lossy(t).into_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"3"), Some(3.0));
        assert_eq!(parse_number(b"2,5"), Some(2.5));
        assert_eq!(parse_number(b"-1.25"), Some(-1.25));
        assert_eq!(parse_number(b"1e2"), Some(100.0));
        assert_eq!(parse_number(b"inf"), None);
        assert_eq!(parse_number(b"NaN"), None);
        assert_eq!(parse_number(b"1,000.5"), None);
        assert_eq!(parse_number(b"abc"), None);
        assert_eq!(parse_number(b"1e999"), None);
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
        // Force a collision path: same hash slot, different id.
        let h = fnv1a(b"R1");
        s.by_hash.insert(h, 1);
        assert_eq!(s.find("R1"), None);
        s.overflow.insert("R1".into(), 0);
        assert_eq!(s.find("R1"), Some(2));
    }
}
