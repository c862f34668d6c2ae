//! Long (~1,100 lines): one loader and validator of the framework TOML format, whose checks refer to each
//! other's private types; the tests are already in `framework/tests.rs`.
//!
//! Index frameworks (PAPI, PAR INDEX, SIPAS, …) as data.
//!
//! A framework is a TOML file with one `[framework]` table (the root: code, family, names, decision
//! reference, years, aggregation, root score range) and one `[[node]]` table per node of the tree
//! (dimension/area → sub-dimension/criterion → …). A node's parent is the code before its last
//! `.` (`papi.d1.s1` → `papi.d1`) unless `parent` is given. Nodes carry the years they apply to,
//! so one file describes every year of a methodology and [`Framework::tree_for_year`] cuts the
//! tree of one year.
//!
//! Loading validates everything and reports *every* problem with `file:line:column` (from the
//! TOML spans): syntax, unknown fields, duplicate codes, missing parents, leaves without a
//! maximum or range, years outside the parent's years, and — for additive frameworks — children
//! whose maxima do not add up to the parent's maximum in some year.
//!
//! Score ranges: a node has `min`/`max`; a leaf given only `max` (points) has `min = 0`. A leaf
//! may instead say `range_rule = "equal_share"`: its range is the parent's range divided equally
//! among the siblings that apply in the year (PAPI: a dimension scored 1–10 with 4 sub-dimensions
//! gives each 0.25–2.5; with 3, 0.333–3.333). Resolved trees ([`Framework::tree_for_year`],
//! [`Framework::leaves_for_year`]) always carry concrete `min`/`max`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// The framework files shipped in `frameworks/`, embedded at build time.
const BUILTIN: &[(&str, &str)] = &[
    ("frameworks/papi.toml", include_str!("../../../frameworks/papi.toml")),
    ("frameworks/par_index.toml", include_str!("../../../frameworks/par_index.toml")),
    ("frameworks/sipas.toml", include_str!("../../../frameworks/sipas.toml")),
];

/// Tolerance when checking that children's points add up (points are given with ≤ 2 decimals).
const SUM_EPSILON: f64 = 1e-6;

/// Index family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Family {
    #[serde(rename = "PAPI")]
    Papi,
    #[serde(rename = "PAR_INDEX")]
    ParIndex,
    #[serde(rename = "SIPAS")]
    Sipas,
    #[serde(rename = "PCI")]
    Pci,
}

/// How a parent's score is made from its children's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Parent = sum of children (PAPI: dimension = Σ sub-dimensions, total = Σ dimensions).
    Sum,
    /// Points are summed; the index is points achieved / maximum × 100 (PAR INDEX).
    PercentOfMax,
    /// Parent = plain mean of children (SIPAS elements, as assumed in `sipas.toml`).
    Mean,
}

impl Aggregation {
    /// Whether a parent's range must equal the sum of its children's ranges.
    pub fn is_additive(self) -> bool {
        matches!(self, Aggregation::Sum | Aggregation::PercentOfMax)
    }
}

/// Where a leaf's score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Sociological / citizen survey.
    Survey,
    /// The unit scores itself with evidence; the higher level appraises.
    SelfAssessment,
    /// Derived from other nodes (every inner node).
    Computed,
}

/// Level of a node in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The root (the framework itself).
    Framework,
    Dimension,
    SubDimension,
    Area,
    Criterion,
    SubCriterion,
    Element,
    Indicator,
}

/// How a leaf's score range is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeRule {
    /// `min`/`max` as written.
    #[default]
    Fixed,
    /// The parent's range divided equally among the siblings that apply in the year.
    EqualShare,
}

impl RangeRule {
    fn is_fixed(&self) -> bool {
        *self == RangeRule::Fixed
    }
}

/// Inclusive range of years; an open end is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i32>,
}

impl YearRange {
    pub fn contains(&self, year: i32) -> bool {
        self.from.is_none_or(|f| year >= f) && self.to.is_none_or(|t| year <= t)
    }

    /// Whether every year of `self` is also in `outer`.
    pub fn is_within(&self, outer: &YearRange) -> bool {
        let from_ok = match (outer.from, self.from) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(s)) => s >= o,
        };
        let to_ok = match (outer.to, self.to) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(s)) => s <= o,
        };
        from_ok && to_ok
    }
}

impl fmt::Display for YearRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (Some(a), Some(b)) => write!(f, "{a}–{b}"),
            (Some(a), None) => write!(f, "{a}–"),
            (None, Some(b)) => write!(f, "–{b}"),
            (None, None) => write!(f, "mọi năm"),
        }
    }
}

/// One node of a framework tree. The root has the framework's code (`papi`) and kind `framework`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub kind: NodeKind,
    /// Lowest possible score. In the tree as loaded an `equal_share` leaf has `None`; resolved
    /// trees always carry a value.
    pub min: Option<f64>,
    /// Highest possible score (maximum points).
    pub max: Option<f64>,
    pub source: Source,
    /// Years the node applies to; `None` = every year of the framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<YearRange>,
    #[serde(default, skip_serializing_if = "RangeRule::is_fixed")]
    pub range_rule: RangeRule,
    /// Column holding this node's score in published data files (PAPI: `SC11` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_column: Option<String>,
    /// Vietnamese search keywords for text classification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub children: Vec<Node>,
}

impl Node {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }

    pub fn applies_to(&self, year: i32) -> bool {
        self.years.is_none_or(|y| y.contains(year))
    }

    /// This node and all its descendants, depth first, parents before children.
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(n.children.iter().rev());
        }
        out
    }

    /// The leaves under this node (the node itself if it is a leaf).
    pub fn leaves(&self) -> Vec<&Node> {
        self.walk().into_iter().filter(|n| n.is_leaf()).collect()
    }

    /// Find a descendant (or self) by code.
    pub fn find(&self, code: &str) -> Option<&Node> {
        self.walk().into_iter().find(|n| n.code == code)
    }

    /// A share n in [0, 1] of this node put on its official range: `min + n·(max − min)` (n clipped to
    /// [0, 1]). This is how survey estimates are compared with official results and how survey points
    /// fill a score sheet: one rule, here. For a PAPI sub-dimension of a dimension with K sub-dimensions
    /// (range 1/K–10/K, `equal_share`) it is (1 + 9n)/K; for a dimension (1–10) 1 + 9n; for the total
    /// (8–80) 8 + 72n. `None` when the node has no range (a tree not resolved for a year) or n is not a
    /// number.
    pub fn value_of_share(&self, share: f64) -> Option<f64> {
        let (lo, hi) = (self.min?, self.max?);
        if share.is_nan() || !lo.is_finite() || !hi.is_finite() {
            return None;
        }
        Some(lo + share.clamp(0.0, 1.0) * (hi - lo))
    }

    /// Whether every leaf under the node (or the node itself, a leaf) is scored from surveys: only then can
    /// a survey's estimate of the node stand beside its official score (a PAR INDEX area also holds
    /// criteria scored from documents).
    pub fn is_survey_measured(&self) -> bool {
        self.leaves().iter().all(|l| l.source == Source::Survey)
    }
}

/// A validated framework.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Framework {
    /// `papi`, `par_index`, `sipas`.
    pub code: String,
    pub family: Family,
    pub name_vi: String,
    pub name_en: String,
    /// Version label of the methodology.
    pub version: String,
    /// Decision / methodology the definition follows.
    pub reference: String,
    pub years: YearRange,
    pub aggregation: Aggregation,
    /// Free text notes (what is sourced, what is assumed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// File the framework was loaded from.
    pub file: String,
    /// All nodes of all years; `equal_share` ranges resolved as the envelope over the years.
    #[serde(skip)]
    all: Node,
    /// Resolved tree per year in which the set of nodes changes (ascending); the tree of a year
    /// is the one of the last breakpoint at or before it.
    #[serde(skip)]
    by_year: Vec<(i32, Node)>,
}

impl Framework {
    /// Whether the framework is defined for `year`.
    pub fn applies_to(&self, year: i32) -> bool {
        self.years.contains(year)
    }

    /// The tree of one year (nodes not applying that year removed, ranges resolved), or with
    /// `None` every node of every year (`equal_share` ranges as the widest over the years).
    /// For a year outside the framework's years the root has no children.
    pub fn tree_for_year(&self, year: Option<i32>) -> Node {
        match year {
            None => self.all.clone(),
            Some(y) => match self.resolved(y) {
                Some(n) => n.clone(),
                None => Node { children: Vec::new(), ..self.all.clone() },
            },
        }
    }

    /// A node by code, from the all-years tree (see [`Framework::tree_for_year`] with `None`).
    pub fn node(&self, code: &str) -> Option<&Node> {
        self.all.find(code)
    }

    /// A node by code as it stands in `year` (range resolved for that year); `None` if it does
    /// not apply that year.
    pub fn node_for_year(&self, code: &str, year: i32) -> Option<&Node> {
        self.resolved(year)?.find(code)
    }

    /// The leaves of the year's tree, with resolved `min`/`max`; empty outside the framework's years.
    pub fn leaves_for_year(&self, year: i32) -> Vec<&Node> {
        self.resolved(year).map(Node::leaves).unwrap_or_default()
    }

    /// All nodes of the year's tree, root first.
    pub fn nodes_for_year(&self, year: i32) -> Vec<&Node> {
        self.resolved(year).map(Node::walk).unwrap_or_default()
    }

    /// Years at which the set of nodes changes (the first is the framework's first year).
    pub fn breakpoints(&self) -> Vec<i32> {
        self.by_year.iter().map(|(y, _)| *y).collect()
    }

    /// The root node of the all-years tree.
    pub fn root(&self) -> &Node {
        &self.all
    }

    fn resolved(&self, year: i32) -> Option<&Node> {
        if !self.years.contains(year) {
            return None;
        }
        self.by_year.iter().rev().find(|(y, _)| *y <= year).map(|(_, n)| n)
    }
}

/// One problem found while loading frameworks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Node code concerned, when known.
    pub code: Option<String>,
    /// Field concerned, when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Every problem found in a set of framework files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for FrameworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FrameworkError {}

/// A validated set of frameworks with unique codes.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkSet {
    frameworks: Vec<Framework>,
}

impl FrameworkSet {
    /// The frameworks shipped in `frameworks/`.
    pub fn builtin() -> Result<Self, FrameworkError> {
        Self::from_sources(&builtin_sources())
    }

    /// Load and validate `(file name, content)` pairs. Every problem of every file is reported.
    pub fn from_sources(sources: &[(String, String)]) -> Result<Self, FrameworkError> {
        let mut problems = Vec::new();
        let mut frameworks: Vec<Framework> = Vec::new();
        // Codes must be unique over the whole set, so a node code names one framework node.
        let mut seen: HashMap<String, (String, usize, usize)> = HashMap::new();
        for (file, text) in sources {
            let loc = Locator::new(file, text);
            let start = problems.len();
            if let Some(fw) = load_file(&loc, &mut seen, &mut problems) {
                frameworks.push(fw);
            }
            // Report a file's problems in reading order.
            problems[start..].sort_by_key(|p| (p.line, p.column));
        }
        if problems.is_empty() { Ok(Self { frameworks }) } else { Err(FrameworkError { problems }) }
    }

    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    pub fn get(&self, code: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.code == code)
    }

    /// The frameworks of a family that apply to `year`.
    pub fn for_family_year(&self, family: Family, year: i32) -> Vec<&Framework> {
        self.frameworks.iter().filter(|f| f.family == family && f.applies_to(year)).collect()
    }
}

/// The shipped framework files as `(file name, content)`, e.g. to combine with a user's own
/// files in [`FrameworkSet::from_sources`].
pub fn builtin_sources() -> Vec<(String, String)> {
    BUILTIN.iter().map(|(f, t)| ((*f).to_string(), (*t).to_string())).collect()
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Maps byte offsets of one file to line/column.
struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl<'a> Locator<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Self { file, text }
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    fn problem(&self, span: Option<Range<usize>>, code: Option<&str>, field: Option<&str>, message: String) -> Problem {
        let (line, column) = span.map_or((1, 1), |s| self.line_col(s.start));
        Problem { file: self.file.to_string(), line, column, code: code.map(str::to_string), field: field.map(str::to_string), message }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    code: String,
    family: Family,
    name_vi: String,
    name_en: String,
    version: String,
    reference: String,
    /// Prefix of node codes when it differs from the framework code (`par` for `par_index`).
    node_prefix: Option<String>,
    years: YearRange,
    aggregation: Aggregation,
    min: Option<f64>,
    max: Option<f64>,
    #[serde(default)]
    notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    code: String,
    parent: Option<String>,
    name_vi: String,
    name_en: String,
    kind: NodeKind,
    min: Option<f64>,
    max: Option<f64>,
    source: Option<Source>,
    years: Option<YearRange>,
    #[serde(default)]
    range_rule: RangeRule,
    data_column: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    note: Option<String>,
    /// Turn off the "children add up to the parent" check for this node.
    check_sum: Option<bool>,
}

/// A raw node with where its parts are in the file.
struct Located<T> {
    value: T,
    span: Range<usize>,
    fields: HashMap<String, Range<usize>>,
}

impl<T> Located<T> {
    fn at(&self, field: &str) -> Range<usize> {
        self.fields.get(field).cloned().unwrap_or_else(|| self.span.clone())
    }
}

fn field_spans(value: &Spanned<DeValue<'_>>) -> HashMap<String, Range<usize>> {
    match value.get_ref() {
        DeValue::Table(t) => t.iter().map(|(k, v)| (k.get_ref().to_string(), v.span())).collect(),
        _ => HashMap::new(),
    }
}

fn deserialize_located<T: for<'de> Deserialize<'de>>(
    value: &Spanned<DeValue<'_>>,
    loc: &Locator<'_>,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<Located<T>> {
    let span = value.span();
    let fields = field_spans(value);
    match T::deserialize(ValueDeserializer::from(value.clone())) {
        Ok(v) => Some(Located { value: v, span, fields }),
        Err(e) => {
            problems.push(loc.problem(
                e.span().or(Some(span)),
                None,
                None,
                format!("{what} có trường sai (invalid field): {}", e.message().trim()),
            ));
            None
        }
    }
}

fn is_valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.split('.').all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
}

fn load_file(loc: &Locator<'_>, seen: &mut HashMap<String, (String, usize, usize)>, problems: &mut Vec<Problem>) -> Option<Framework> {
    let (doc, errors) = DeTable::parse_recoverable(loc.text);
    if !errors.is_empty() {
        for e in errors {
            problems.push(loc.problem(e.span(), None, None, format!("lỗi cú pháp TOML (TOML syntax error): {}", e.message().trim())));
        }
        return None;
    }
    let before = problems.len();
    let mut header = None;
    let mut raw_nodes = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        match key.get_ref().as_ref() {
            "framework" => {
                header = deserialize_located::<RawHeader>(value, loc, "bảng [framework]", problems);
            }
            "node" => match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let Some(n) = deserialize_located::<RawNode>(item, loc, "nút [[node]]", problems) {
                            raw_nodes.push(n);
                        }
                    }
                }
                _ => problems.push(loc.problem(
                    Some(value.span()),
                    None,
                    Some("node"),
                    "`node` phải là mảng bảng [[node]] (`node` must be an array of tables)".to_string(),
                )),
            },
            other => problems.push(loc.problem(
                Some(key.span()),
                None,
                Some(other),
                format!(
                    "khóa không hợp lệ `{other}`: chỉ cho phép [framework] và [[node]] \
                     (unknown top-level key)"
                ),
            )),
        }
    }
    let Some(header) = header else {
        if problems.len() == before {
            problems.push(loc.problem(None, None, Some("framework"), "thiếu bảng [framework] (missing [framework] table)".to_string()));
        }
        return None;
    };
    build_framework(loc, header, raw_nodes, seen, problems)
}

/// Per-node data gathered during validation.
struct Draft {
    raw: Located<RawNode>,
    parent: String,
}

fn build_framework(
    loc: &Locator<'_>,
    header: Located<RawHeader>,
    raw_nodes: Vec<Located<RawNode>>,
    seen: &mut HashMap<String, (String, usize, usize)>,
    problems: &mut Vec<Problem>,
) -> Option<Framework> {
    let before = problems.len();
    let h = &header.value;
    let fw_code = h.code.clone();
    // A macro, not a closure, so `problems` stays readable between reports.
    macro_rules! push {
        ($span:expr, $code:expr, $field:expr, $msg:expr $(,)?) => {
            problems.push(loc.problem(Some($span), $code, Some($field), $msg))
        };
    }

    // --- header
    if !is_valid_code(&fw_code) || fw_code.contains('.') {
        push!(
            header.at("code"),
            Some(&fw_code),
            "code",
            format!(
                "mã khung chỉ số `{fw_code}` không hợp lệ: chỉ dùng a–z, 0–9, _ \
                 (invalid framework code)"
            ),
        );
    }
    if h.years.from.is_none() {
        push!(
            header.at("years"),
            Some(&fw_code),
            "years",
            format!("khung `{fw_code}` thiếu năm bắt đầu `years.from` (missing first year)"),
        );
    }
    check_years(&h.years, &header, &fw_code, &mut |s, c, f, m| problems.push(loc.problem(Some(s), c, Some(f), m)));
    check_range(h.min, h.max, &header, &fw_code, &mut |s, c, f, m| problems.push(loc.problem(Some(s), c, Some(f), m)));
    if h.max.is_none() {
        push!(header.at("max"), Some(&fw_code), "max", format!("khung `{fw_code}` thiếu điểm tối đa `max` (missing root maximum)"),);
    }
    let (line, column) = loc.line_col(header.at("code").start);
    if let Some((file, l, c)) = seen.get(&fw_code) {
        push!(
            header.at("code"),
            Some(&fw_code),
            "code",
            format!("mã `{fw_code}` bị trùng, đã khai báo tại {file}:{l}:{c} (duplicate code)"),
        );
    } else {
        seen.insert(fw_code.clone(), (loc.file.to_string(), line, column));
    }

    // --- nodes: codes, parents, fields
    let node_prefix = h.node_prefix.clone().unwrap_or_else(|| fw_code.clone());
    if !is_valid_code(&node_prefix) {
        push!(
            header.at("node_prefix"),
            Some(&fw_code),
            "node_prefix",
            format!("tiền tố mã nút `{node_prefix}` không hợp lệ (invalid node_prefix)"),
        );
    }
    let prefix = format!("{node_prefix}.");
    let mut drafts: Vec<Draft> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut data_columns: HashMap<String, String> = HashMap::new();
    for raw in raw_nodes {
        let n = &raw.value;
        let code = n.code.clone();
        if !is_valid_code(&code) {
            push!(
                raw.at("code"),
                Some(&code),
                "code",
                format!(
                    "mã nút `{code}` không hợp lệ: các đoạn a–z, 0–9, _ nối bằng dấu chấm \
                     (invalid node code)"
                ),
            );
        } else if !code.starts_with(&prefix) {
            push!(
                raw.at("code"),
                Some(&code),
                "code",
                format!(
                    "mã nút `{code}` phải bắt đầu bằng `{prefix}` (node code must start with \
                     the framework code)"
                ),
            );
        }
        let (line, column) = loc.line_col(raw.at("code").start);
        if let Some((file, l, c)) = seen.get(&code) {
            push!(raw.at("code"), Some(&code), "code", format!("mã `{code}` bị trùng, đã khai báo tại {file}:{l}:{c} (duplicate code)"),);
            continue;
        }
        seen.insert(code.clone(), (loc.file.to_string(), line, column));
        for (field, value) in [("name_vi", &n.name_vi), ("name_en", &n.name_en)] {
            if value.trim().is_empty() {
                push!(raw.at(field), Some(&code), field, format!("nút `{code}`: `{field}` để trống (empty name)"),);
            }
        }
        if n.kind == NodeKind::Framework {
            push!(
                raw.at("kind"),
                Some(&code),
                "kind",
                format!(
                    "nút `{code}`: kind \"framework\" chỉ dành cho gốc [framework] \
                     (kind framework is reserved for the root)"
                ),
            );
        }
        check_range(n.min, n.max, &raw, &code, &mut |s, c, f, m| problems.push(loc.problem(Some(s), c, Some(f), m)));
        if let Some(y) = &n.years {
            check_years(y, &raw, &code, &mut |s, c, f, m| problems.push(loc.problem(Some(s), c, Some(f), m)));
        }
        if let Some(col) = &n.data_column {
            if col.trim().is_empty() {
                push!(
                    raw.at("data_column"),
                    Some(&code),
                    "data_column",
                    format!("nút `{code}`: `data_column` để trống (empty data column)"),
                );
            } else if let Some(other) = data_columns.insert(col.clone(), code.clone()) {
                push!(
                    raw.at("data_column"),
                    Some(&code),
                    "data_column",
                    format!(
                        "nút `{code}`: cột dữ liệu `{col}` đã dùng cho `{other}` \
                         (duplicate data column)"
                    ),
                );
            }
        }
        if n.keywords.iter().any(|k| k.trim().is_empty()) {
            push!(raw.at("keywords"), Some(&code), "keywords", format!("nút `{code}`: có từ khóa rỗng trong `keywords` (empty keyword)"),);
        }
        let parent = match &n.parent {
            Some(p) => p.clone(),
            None => code.rsplit_once('.').map_or_else(|| fw_code.clone(), |(p, _)| p.to_string()),
        };
        // The bare prefix names the root.
        let parent = if parent == node_prefix { fw_code.clone() } else { parent };
        index.insert(code, drafts.len());
        drafts.push(Draft { raw, parent });
    }

    // --- tree shape
    let mut children: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        let code = &d.raw.value.code;
        if d.parent == *code {
            push!(d.raw.at("parent"), Some(code), "parent", format!("nút `{code}` không thể là cha của chính nó (node is its own parent)"),);
        } else if d.parent != fw_code && !index.contains_key(&d.parent) {
            push!(
                d.raw.at(if d.raw.value.parent.is_some() { "parent" } else { "code" }),
                Some(code),
                "parent",
                format!("nút `{code}`: không có nút cha `{}` trong khung `{fw_code}` (parent not found)", d.parent),
            );
        } else {
            children.entry(d.parent.clone()).or_default().push(i);
        }
    }
    // Nodes not reachable from the root sit on a parent cycle.
    let mut reachable = BTreeSet::new();
    let mut stack = vec![fw_code.clone()];
    while let Some(c) = stack.pop() {
        for &i in children.get(&c).map(Vec::as_slice).unwrap_or(&[]) {
            let code = drafts[i].raw.value.code.clone();
            if reachable.insert(code.clone()) {
                stack.push(code);
            }
        }
    }
    for d in &drafts {
        let code = &d.raw.value.code;
        if !reachable.contains(code) && (d.parent == fw_code || index.contains_key(&d.parent)) {
            push!(
                d.raw.at("parent"),
                Some(code),
                "parent",
                format!(
                    "nút `{code}` nằm trong vòng lặp cha–con, không nối tới gốc `{fw_code}` \
                     (parent cycle)"
                ),
            );
        }
    }

    // Problems so far break the tree's shape; later ones (ranges, sources, years) still let the
    // sums be checked, so they are all reported together.
    let shape_ok = problems.len() == before;

    // --- per node rules that need the tree
    let aggregation = h.aggregation;
    let fw_years = h.years;
    for d in &drafts {
        let n = &d.raw.value;
        let code = &n.code;
        let is_leaf = !children.contains_key(code);
        if is_leaf {
            if n.max.is_none() && n.range_rule != RangeRule::EqualShare {
                push!(
                    d.raw.at("code"),
                    Some(code),
                    "max",
                    format!(
                        "nút lá `{code}` thiếu điểm tối đa `max` hoặc thang điểm \
                         `range_rule = \"equal_share\"` (leaf without maximum points or range)"
                    ),
                );
            }
            if n.source.is_none() || n.source == Some(Source::Computed) {
                push!(
                    d.raw.at("source"),
                    Some(code),
                    "source",
                    format!(
                        "nút lá `{code}` phải có nguồn điểm `source` là \"survey\" hoặc \
                         \"self_assessment\" (leaf needs a survey or self-assessment source)"
                    ),
                );
            }
        } else {
            if n.range_rule == RangeRule::EqualShare {
                push!(
                    d.raw.at("range_rule"),
                    Some(code),
                    "range_rule",
                    format!(
                        "nút `{code}` có nút con nên không dùng được `equal_share` \
                         (equal_share is for leaves)"
                    ),
                );
            }
            if aggregation.is_additive() && n.max.is_none() {
                push!(
                    d.raw.at("code"),
                    Some(code),
                    "max",
                    format!(
                        "nút `{code}` thiếu điểm tối đa `max` (inner node of an additive \
                         framework needs max)"
                    ),
                );
            }
            if matches!(n.source, Some(Source::Survey | Source::SelfAssessment)) {
                push!(
                    d.raw.at("source"),
                    Some(code),
                    "source",
                    format!(
                        "nút `{code}` có nút con nên nguồn điểm là \"computed\" \
                         (inner nodes are computed)"
                    ),
                );
            }
        }
        if n.range_rule == RangeRule::EqualShare {
            if n.min.is_some() || n.max.is_some() {
                push!(
                    d.raw.at("range_rule"),
                    Some(code),
                    "range_rule",
                    format!(
                        "nút `{code}`: `equal_share` không đi cùng `min`/`max` \
                         (equal_share conflicts with min/max)"
                    ),
                );
            }
            let parent_has_range = if d.parent == fw_code {
                h.max.is_some()
            } else {
                index.get(&d.parent).is_some_and(|&p| drafts[p].raw.value.max.is_some())
            };
            if !parent_has_range {
                push!(
                    d.raw.at("range_rule"),
                    Some(code),
                    "range_rule",
                    format!(
                        "nút `{code}`: `equal_share` cần nút cha `{}` có `max` \
                         (equal_share needs a parent with max)",
                        d.parent
                    ),
                );
            }
        }
        // Years must nest: a child cannot apply in a year its parent does not. An open end
        // inherits the parent's bound.
        let parent_years = effective_years(&d.parent, &fw_code, fw_years, &drafts, &index);
        if let Some(y) = n.years {
            let outside = |v: i32| !parent_years.contains(v);
            if y.from.is_some_and(outside) || y.to.is_some_and(outside) {
                push!(
                    d.raw.at("years"),
                    Some(code),
                    "years",
                    format!(
                        "nút `{code}`: năm áp dụng {y} vượt ra ngoài năm của nút cha `{}` \
                         ({parent_years}) (years outside the parent's years)",
                        d.parent
                    ),
                );
            }
        }
    }

    if !shape_ok {
        return None;
    }

    // --- build the raw tree
    let root_raw = Node {
        code: fw_code.clone(),
        name_vi: h.name_vi.clone(),
        name_en: h.name_en.clone(),
        kind: NodeKind::Framework,
        min: Some(h.min.unwrap_or(0.0)),
        max: h.max,
        source: Source::Computed,
        years: None,
        range_rule: RangeRule::Fixed,
        data_column: None,
        keywords: Vec::new(),
        note: None,
        children: Vec::new(),
    };
    let raw_tree = assemble(root_raw, &fw_code, &drafts, &children);

    // --- breakpoints: years where the set of nodes may change
    let first = h.years.from.unwrap_or(0);
    let mut breaks: BTreeSet<i32> = BTreeSet::from([first]);
    for d in &drafts {
        if let Some(y) = d.raw.value.years {
            if let Some(f) = y.from {
                breaks.insert(f);
            }
            if let Some(t) = y.to {
                breaks.insert(t.saturating_add(1));
            }
        }
    }
    let breaks: Vec<i32> = breaks.into_iter().filter(|y| h.years.contains(*y)).collect();
    let by_year: Vec<(i32, Node)> = breaks
        .iter()
        .map(|&y| {
            let mut t = filter_year(&raw_tree, y);
            resolve_shares(&mut t);
            (y, t)
        })
        .collect();

    // --- sums per year
    let no_check: BTreeSet<&str> =
        drafts.iter().filter(|d| d.raw.value.check_sum == Some(false)).map(|d| d.raw.value.code.as_str()).collect();
    if aggregation.is_additive() {
        for (year, tree) in &by_year {
            for n in tree.walk() {
                if n.is_leaf() || no_check.contains(n.code.as_str()) {
                    continue;
                }
                for (field, parent_value, child_values) in [
                    ("max", n.max, n.children.iter().map(|c| c.max).collect::<Vec<_>>()),
                    ("min", n.min, n.children.iter().map(|c| c.min).collect()),
                ] {
                    let (Some(pv), Some(sum)) = (parent_value, child_values.iter().copied().sum::<Option<f64>>()) else {
                        continue;
                    };
                    if (pv - sum).abs() > SUM_EPSILON * pv.abs().max(1.0) {
                        let span = if n.code == fw_code {
                            header.at(field)
                        } else {
                            index.get(&n.code).map_or(header.span.clone(), |&i| drafts[i].raw.at(field))
                        };
                        problems.push(loc.problem(
                            Some(span),
                            Some(&n.code),
                            Some(field),
                            format!(
                                "nút `{}` năm {year}: tổng `{field}` của các nút con là {} \
                                 nhưng `{field}` của nút là {} (children do not add up to the \
                                 parent's {field}; set check_sum = false if intended)",
                                n.code,
                                fmt_num(sum),
                                fmt_num(pv)
                            ),
                        ));
                    }
                }
            }
        }
    }
    if problems.len() > before {
        return None;
    }

    let mut all = raw_tree;
    resolve_envelope(&mut all, &by_year);

    Some(Framework {
        code: fw_code,
        family: h.family,
        name_vi: h.name_vi.clone(),
        name_en: h.name_en.clone(),
        version: h.version.clone(),
        reference: h.reference.clone(),
        years: h.years,
        aggregation,
        notes: h.notes.clone(),
        file: loc.file.to_string(),
        all,
        by_year,
    })
}

/// Years a node applies to, open ends filled from its ancestors and the framework.
fn effective_years(code: &str, fw_code: &str, fw_years: YearRange, drafts: &[Draft], index: &HashMap<String, usize>) -> YearRange {
    let mut out = YearRange::default();
    let mut current = code.to_string();
    // Bounded walk: parent cycles are reported elsewhere.
    for _ in 0..=drafts.len() {
        if current == fw_code {
            break;
        }
        let Some(&i) = index.get(&current) else {
            break;
        };
        if let Some(y) = drafts[i].raw.value.years {
            out.from = out.from.or(y.from);
            out.to = out.to.or(y.to);
        }
        current = drafts[i].parent.clone();
    }
    YearRange { from: out.from.or(fw_years.from), to: out.to.or(fw_years.to) }
}

fn fmt_num(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn check_years<F: FnMut(Range<usize>, Option<&str>, &str, String), T>(y: &YearRange, at: &Located<T>, code: &str, push: &mut F) {
    if let (Some(a), Some(b)) = (y.from, y.to)
        && a > b
    {
        push(at.at("years"), Some(code), "years", format!("`{code}`: năm bắt đầu {a} sau năm kết thúc {b} (years.from > years.to)"));
    }
}

fn check_range<F: FnMut(Range<usize>, Option<&str>, &str, String), T>(
    min: Option<f64>,
    max: Option<f64>,
    at: &Located<T>,
    code: &str,
    push: &mut F,
) {
    for (field, v) in [("min", min), ("max", max)] {
        if let Some(v) = v
            && !v.is_finite()
        {
            push(at.at(field), Some(code), field, format!("`{code}`: `{field}` phải là số hữu hạn (must be finite)"));
        }
    }
    if let (Some(a), Some(b)) = (min, max)
        && a > b
    {
        push(at.at("min"), Some(code), "min", format!("`{code}`: `min` = {a} lớn hơn `max` = {b} (min > max)"));
    }
    if min.is_none()
        && let Some(b) = max
        && b < 0.0
    {
        push(at.at("max"), Some(code), "max", format!("`{code}`: `max` = {b} âm mà không có `min` (negative max without min)"));
    }
}

fn assemble(mut node: Node, code: &str, drafts: &[Draft], children: &BTreeMap<String, Vec<usize>>) -> Node {
    let mut idx: Vec<usize> = children.get(code).cloned().unwrap_or_default();
    // File order is the display order.
    idx.sort_by_key(|&i| drafts[i].raw.span.start);
    for i in idx {
        let r = &drafts[i].raw.value;
        let is_leaf = !children.contains_key(&r.code);
        let child = Node {
            code: r.code.clone(),
            name_vi: r.name_vi.trim().to_string(),
            name_en: r.name_en.trim().to_string(),
            kind: r.kind,
            // Points without a floor start at 0.
            min: match (r.min, r.max) {
                (None, Some(_)) => Some(0.0),
                (m, _) => m,
            },
            max: r.max,
            source: r.source.unwrap_or(if is_leaf { Source::SelfAssessment } else { Source::Computed }),
            years: r.years,
            range_rule: r.range_rule,
            data_column: r.data_column.clone(),
            keywords: r.keywords.clone(),
            note: r.note.clone(),
            children: Vec::new(),
        };
        node.children.push(assemble(child, &r.code, drafts, children));
    }
    node
}

fn filter_year(node: &Node, year: i32) -> Node {
    Node { children: node.children.iter().filter(|c| c.applies_to(year)).map(|c| filter_year(c, year)).collect(), ..node.clone() }
}

fn resolve_shares(node: &mut Node) {
    let n = node.children.iter().filter(|c| c.range_rule == RangeRule::EqualShare).count();
    let fixed_max: f64 = node.children.iter().filter(|c| c.range_rule != RangeRule::EqualShare).filter_map(|c| c.max).sum();
    let fixed_min: f64 = node.children.iter().filter(|c| c.range_rule != RangeRule::EqualShare).filter_map(|c| c.min).sum();
    let (pmin, pmax) = (node.min.unwrap_or(0.0), node.max.unwrap_or(0.0));
    for c in &mut node.children {
        if c.range_rule == RangeRule::EqualShare && n > 0 {
            // What fixed siblings leave of the parent's range is shared equally.
            c.min = Some((pmin - fixed_min) / n as f64);
            c.max = Some((pmax - fixed_max) / n as f64);
        }
        resolve_shares(c);
    }
}

/// For the all-years tree: an `equal_share` leaf gets the widest range it has in any year.
fn resolve_envelope(node: &mut Node, by_year: &[(i32, Node)]) {
    if node.range_rule == RangeRule::EqualShare {
        let ranges: Vec<(f64, f64)> =
            by_year.iter().filter_map(|(_, t)| t.find(&node.code)).filter_map(|n| Some((n.min?, n.max?))).collect();
        node.min = ranges.iter().map(|r| r.0).reduce(f64::min);
        node.max = ranges.iter().map(|r| r.1).reduce(f64::max);
    }
    for c in &mut node.children {
        resolve_envelope(c, by_year);
    }
}

#[cfg(test)]
mod tests;
