//! Questionnaires: which indicator (question) measures which framework node, and how its answers
//! are coded. Imported from and exported to TOML:
//!
//! ```toml
//! framework = "papi"
//! [[indicator]]
//! code = "q001"
//! node = "papi.d1.s1"
//! min = 1
//! max = 4
//! direction = 1            # -1 where a higher answer is worse
//! text = "Ông/bà có biết …?"
//! options = [{ label = "Có", value = 1 }, { label = "Không", value = 0 }]
//! groups = ["nguoi_dan"]
//! section = "Tham gia ở cơ sở"   # optional: the heading (group of questions) it is shown under
//! required = false         # optional: may be left unanswered on the form (default: required)
//! ```

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{QuestionnaireError, SurveyError};

/// Column names of a response file that are not indicators; no indicator may take them as code.
pub const FIXED_COLUMNS: [&str; 4] = ["respondent_id", "unit", "group", "weight"];

/// A validated questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Questionnaire {
    /// Framework code (`papi`, `sipas`, `par_index`, …).
    pub framework: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
}

/// One question and its coding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Indicator {
    /// Column name in response files, e.g. `q001`.
    pub code: String,
    /// Framework node (sub-dimension) it measures, e.g. `papi.d2.s3`.
    pub node: String,
    /// Lowest answer value of the scale.
    pub min: f64,
    /// Highest answer value of the scale.
    pub max: f64,
    /// `1`, or `-1` where a higher answer is worse.
    pub direction: i8,
    /// The question in Vietnamese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<AnswerOption>,
    /// Respondent groups the question is asked of (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The group of questions (heading) it is shown under on the form; consecutive questions with the same
    /// section form one group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Whether the form insists on an answer ("don't know" counts as one). Default true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// One answer option: its label as shown to respondents and its coded value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerOption {
    pub label: String,
    pub value: f64,
}

impl Indicator {
    /// The dimension node: the node code before its last `.` (`papi.d2.s3` → `papi.d2`).
    pub fn dimension(&self) -> &str {
        self.node.rsplit_once('.').map_or("", |(d, _)| d)
    }

    /// Normalised answer in [0, 1] as the estimation spec defines it: (x − min)/(max − min),
    /// clipped, reversed when `direction` is −1.
    pub fn normalise(&self, x: f64) -> f64 {
        let y = ((x - self.min) / (self.max - self.min)).clamp(0.0, 1.0);
        if self.direction < 0 { 1.0 - y } else { y }
    }
}

// ----------------------------------------------------------------------------------- parsing

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    framework: Spanned<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: Spanned<String>,
    node: Spanned<String>,
    min: Spanned<f64>,
    max: Spanned<f64>,
    direction: Spanned<i64>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    options: Vec<Spanned<RawOption>>,
    #[serde(default)]
    groups: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    section: Option<Spanned<String>>,
    #[serde(default)]
    required: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    label: Spanned<String>,
    value: Spanned<f64>,
}

/// Where each field of each indicator was written, to point errors at the TOML text.
#[derive(Default)]
struct Spans {
    framework: Option<Range<usize>>,
    indicators: Vec<HashMap<String, Range<usize>>>,
}

impl Questionnaire {
    /// Parse and validate a questionnaire from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, SurveyError> {
        Self::parse(text, None)
    }

    /// Read, parse and validate a questionnaire file (TOML).
    pub fn from_path(path: &Path) -> Result<Self, SurveyError> {
        let text = std::fs::read_to_string(path).map_err(|source| SurveyError::Io { path: path.to_path_buf(), source })?;
        Self::parse(&text, Some(path))
    }

    fn parse(text: &str, file: Option<&Path>) -> Result<Self, SurveyError> {
        let raw: RawQuestionnaire = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).map_or((None, None), |(l, c)| (Some(l), Some(c)));
            QuestionnaireError {
                file: file.map(Path::to_path_buf),
                line,
                column,
                indicator: None,
                field: None,
                message: format!("TOML không hợp lệ: {}", e.message().trim()),
            }
        })?;
        let mut spans = Spans { framework: Some(raw.framework.span()), indicators: Vec::with_capacity(raw.indicator.len()) };
        let mut indicators = Vec::with_capacity(raw.indicator.len());
        for ind in raw.indicator {
            let whole = ind.span();
            let ind = ind.into_inner();
            let mut s = HashMap::new();
            s.insert(String::new(), whole);
            s.insert("code".to_string(), ind.code.span());
            s.insert("node".to_string(), ind.node.span());
            s.insert("min".to_string(), ind.min.span());
            s.insert("max".to_string(), ind.max.span());
            s.insert("direction".to_string(), ind.direction.span());
            if let Some(g) = &ind.groups {
                s.insert("groups".to_string(), g.span());
            }
            if let Some(g) = &ind.section {
                s.insert("section".to_string(), g.span());
            }
            let mut options = Vec::with_capacity(ind.options.len());
            for (k, opt) in ind.options.into_iter().enumerate() {
                let opt = opt.into_inner();
                s.insert(format!("options[{}].label", k + 1), opt.label.span());
                s.insert(format!("options[{}].value", k + 1), opt.value.span());
                options.push(AnswerOption { label: opt.label.into_inner(), value: opt.value.into_inner() });
            }
            let direction = ind.direction.into_inner();
            // Out-of-range directions are reported by `check`, with the span.
            let direction = match direction {
                1 => 1,
                -1 => -1,
                _ => 0,
            };
            indicators.push(Indicator {
                code: ind.code.into_inner(),
                node: ind.node.into_inner(),
                min: ind.min.into_inner(),
                max: ind.max.into_inner(),
                direction,
                text: ind.text,
                options,
                groups: ind.groups.map(Spanned::into_inner).unwrap_or_default(),
                section: ind.section.map(Spanned::into_inner),
                required: ind.required.unwrap_or(true),
            });
            spans.indicators.push(s);
        }
        let q = Questionnaire { framework: raw.framework.into_inner(), title: raw.title, indicators };
        q.check().map_err(|inv| inv.locate(&q, text, file, &spans))?;
        Ok(q)
    }

    /// Validate a questionnaire built in code (e.g. loaded from the database).
    pub fn validate(&self) -> Result<(), SurveyError> {
        self.check().map_err(|inv| inv.locate(self, "", None, &Spans::default()).into())
    }

    /// The questionnaire as TOML (the import format).
    pub fn to_toml_string(&self) -> Result<String, SurveyError> {
        toml::to_string(self).map_err(|e| {
            SurveyError::from(QuestionnaireError {
                file: None,
                line: None,
                column: None,
                indicator: None,
                field: None,
                message: format!("không xuất được TOML: {e}"),
            })
        })
    }

    /// The indicator with this code.
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    fn check(&self) -> Result<(), Invalid> {
        match self.invalid(false).into_iter().next() {
            Some(first) => Err(first),
            None => Ok(()),
        }
    }

    /// Every problem of the questionnaire (not only the first), each with the indicator (0-based position)
    /// and field concerned: what a form editing it shows beside each field. `allow_empty`: a draft may have
    /// no indicator yet.
    pub fn problems(&self, allow_empty: bool) -> Vec<Problem> {
        self.invalid(allow_empty).into_iter().map(|i| Problem { indicator: i.index, field: i.field, message: i.message }).collect()
    }

    fn invalid(&self, allow_empty: bool) -> Vec<Invalid> {
        let mut out = Vec::new();
        let fw = self.framework.trim();
        if fw.is_empty() || !is_code_segment(fw) {
            out.push(Invalid::top(
                "framework",
                format!("mã khung \"{}\" không hợp lệ (chữ thường không dấu, chữ số, `_`; ví dụ \"papi\")", self.framework),
            ));
        }
        if self.indicators.is_empty() && !allow_empty {
            out.push(Invalid {
                index: None,
                field: Some("indicator".into()),
                message: "bảng hỏi không có chỉ tiêu nào (cần ít nhất một bảng [[indicator]])".into(),
            });
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, ind) in self.indicators.iter().enumerate() {
            let mut err = |field: &str, message: String| out.push(Invalid { index: Some(i), field: Some(field.to_string()), message });
            let code = ind.code.as_str();
            if code.is_empty() {
                err("code", "mã chỉ tiêu để trống".into());
            } else if code.starts_with('_') || !code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
                err(
                    "code",
                    format!(
                        "mã chỉ tiêu \"{code}\" không hợp lệ: chỉ dùng chữ cái không dấu, chữ số, `_`, `-`, `.` và không bắt đầu bằng `_`"
                    ),
                );
            } else {
                let key = code.to_ascii_lowercase();
                if FIXED_COLUMNS.contains(&key.as_str()) {
                    err("code", format!("mã chỉ tiêu \"{code}\" trùng tên một cột cố định của tệp câu trả lời"));
                } else if let Some(first) = seen.insert(key, i) {
                    err("code", format!("mã chỉ tiêu \"{code}\" trùng với chỉ tiêu thứ {} (không phân biệt hoa thường)", first + 1));
                }
            }
            if let Err(m) = check_node(fw, &ind.node) {
                err("node", m);
            }
            let finite = ind.min.is_finite() && ind.max.is_finite();
            if !ind.min.is_finite() {
                err("min", "min phải là một số hữu hạn".into());
            }
            if !ind.max.is_finite() {
                err("max", "max phải là một số hữu hạn".into());
            }
            if finite && ind.min >= ind.max {
                err("max", format!("cần min < max (min = {}, max = {})", num(ind.min), num(ind.max)));
            }
            if ind.direction != 1 && ind.direction != -1 {
                err("direction", "direction phải là 1 hoặc -1 (-1 khi trả lời cao hơn là xấu hơn)".into());
            }
            let mut values: Vec<f64> = Vec::new();
            for (k, opt) in ind.options.iter().enumerate() {
                let n = k + 1;
                if opt.label.trim().is_empty() {
                    err(&format!("options[{n}].label"), "nhãn phương án để trống".into());
                }
                let v = opt.value;
                if !v.is_finite() || (finite && (v < ind.min || v > ind.max)) {
                    err(
                        &format!("options[{n}].value"),
                        format!("giá trị phương án {} nằm ngoài thang [{}, {}]", num(v), num(ind.min), num(ind.max)),
                    );
                } else if values.contains(&v) {
                    err(&format!("options[{n}].value"), format!("giá trị phương án {} bị lặp", num(v)));
                }
                values.push(v);
            }
            let mut groups = HashSet::new();
            for g in &ind.groups {
                if g.trim().is_empty() {
                    err("groups", "tên nhóm người trả lời để trống".into());
                } else if !groups.insert(g.trim()) {
                    err("groups", format!("nhóm \"{g}\" bị lặp"));
                }
            }
        }
        out
    }
}

/// A number as Vietnamese write it: "2,5", "3".
fn num(v: f64) -> String {
    format!("{v}").replace('.', ",")
}

/// One problem of a questionnaire (see [`Questionnaire::problems`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 0-based position of the indicator, or `None` for the whole questionnaire.
    pub indicator: Option<usize>,
    /// `code`, `node`, `min`, `max`, `direction`, `options[2].label`, `groups`, `framework`, …
    pub field: Option<String>,
    pub message: String,
}

/// `<framework>.<dimension>.<sub-dimension>`, e.g. `papi.d2.s3`. The first segment is the
/// framework code, or its prefix before `_` (`par` for `par_index`).
fn check_node(framework: &str, node: &str) -> Result<(), String> {
    let segments: Vec<&str> = node.split('.').collect();
    // Each segment starts with a letter: `papi.d2.s3`, not `papi.2.3`.
    let ok_shape = segments.len() == 3 && segments.iter().all(|s| is_code_segment(s) && s.starts_with(|c: char| c.is_ascii_lowercase()));
    if !ok_shape {
        return Err(format!(
            "nút \"{node}\" không đúng dạng <khung>.<chỉ số nội dung>.<nội dung thành phần>, ví dụ \"{framework}.d2.s3\" (chữ thường không dấu, chữ số, `_`)"
        ));
    }
    let head = segments[0];
    let fw_head = framework.split('_').next().unwrap_or(framework);
    if head != framework && head != fw_head {
        return Err(format!("nút \"{node}\" không thuộc khung \"{framework}\" của bảng hỏi"));
    }
    Ok(())
}

fn is_code_segment(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

struct Invalid {
    index: Option<usize>,
    field: Option<String>,
    message: String,
}

impl Invalid {
    fn top(field: &str, message: String) -> Self {
        Invalid { index: None, field: Some(field.to_string()), message }
    }

    fn locate(self, q: &Questionnaire, text: &str, file: Option<&Path>, spans: &Spans) -> QuestionnaireError {
        let span = match (self.index, &self.field) {
            (None, Some(f)) if f == "framework" => spans.framework.clone(),
            (Some(i), field) => {
                spans.indicators.get(i).and_then(|s| field.as_deref().and_then(|f| s.get(f)).or_else(|| s.get("")).cloned())
            }
            _ => None,
        };
        let (line, column) = match span {
            Some(s) if !text.is_empty() => {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            }
            _ => (None, None),
        };
        let indicator = self.index.map(|i| {
            let code = q.indicators.get(i).map_or("", |ind| ind.code.as_str());
            if code.is_empty() { format!("#{}", i + 1) } else { code.to_string() }
        });
        QuestionnaireError { file: file.map(Path::to_path_buf), line, column, indicator, field: self.field, message: self.message }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Order codes as people read them: `d2` before `d10`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let la = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let lb = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (da, db) = (trim_zeros(&a[..la]), trim_zeros(&b[..lb]));
                let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[la..];
                b = &b[lb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|&&c| c == b'0').count();
    &d[z..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["papi.d10", "papi.d2", "papi.d1", "papi.d02x"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["papi.d1", "papi.d2", "papi.d02x", "papi.d10"]);
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(t, 0), (1, 1));
        let off = t.find('=').map(|_| t.rfind('=').unwrap_or(0)).unwrap_or(0);
        assert_eq!(line_col(t, off), (2, 4));
    }

    #[test]
    fn node_shapes() {
        assert!(check_node("papi", "papi.d1.s1").is_ok());
        assert!(check_node("par_index", "par.a1.c2").is_ok());
        assert!(check_node("papi", "sipas.d1.s1").is_err());
        assert!(check_node("papi", "papi.d1").is_err());
        assert!(check_node("papi", "papi.D1.s1").is_err());
        assert!(check_node("papi", "papi..s1").is_err());
        assert!(check_node("papi", "papi.1.1").is_err());
    }
}
