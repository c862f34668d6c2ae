//! Long (~850 lines): the form's model, its parsing from posted fields, its validation against the framework
//! and its rendering share one `Draft` type; about 130 lines are its round-trip tests.
//! The questionnaire builder `/surveys/{id}/questionnaire`: groups of questions, each question mapped to a
//! sub-dimension of the survey's framework (a pick list), its scale, direction, answer options, respondent
//! groups and whether it is required. Plain HTML forms: every button (add, remove, move up or down) posts
//! the whole form and the page comes back with everything typed; "Lưu bảng hỏi" checks it all and shows each
//! problem beside its field. `survey-builder.js` only adds a diacritic-insensitive filter to the pick lists.
//! The questionnaire can be edited while the survey is a draft; a TOML file can be read into the draft, and
//! the TOML export (`questionnaire.toml`) reads back to the same questionnaire.

use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::pages::Base;
use crate::startup::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_core::framework::Framework;
use chiso_core::text::fold;
use chiso_stats::{AnswerOption, Indicator, Questionnaire};
use chiso_store::StoreError;
use chiso_store::surveys::{Survey, SurveyStatus};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// At most this many groups, questions per group and options per question on one page (a form of
/// thousands of fields is a mistake, not a questionnaire).
const MAX_GROUPS: usize = 50;
const MAX_QUESTIONS: usize = 200;
const MAX_OPTIONS: usize = 20;

// ------------------------------------------------------------------------------------------ the draft

/// The form as typed: text, not yet numbers (what was typed comes back as typed).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Draft {
    pub title: String,
    pub groups: Vec<GroupDraft>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct GroupDraft {
    pub title: String,
    pub questions: Vec<QuestionDraft>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuestionDraft {
    pub code: String,
    pub text: String,
    pub node: String,
    pub min: String,
    pub max: String,
    pub reversed: bool,
    pub required: bool,
    /// Respondent groups, separated by commas (empty: every group).
    pub respondents: String,
    pub options: Vec<OptionDraft>,
}

impl Default for QuestionDraft {
    fn default() -> Self {
        QuestionDraft {
            code: String::new(),
            text: String::new(),
            node: String::new(),
            min: String::new(),
            max: String::new(),
            reversed: false,
            required: true,
            respondents: String::new(),
            options: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct OptionDraft {
    pub label: String,
    pub value: String,
}

/// "3" for whole numbers, else "2,5": how a number is typed in Vietnamese.
fn typed(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}").replace('.', ",") }
}

impl Draft {
    /// The stored questionnaire as the form shows it: consecutive questions with the same section form a group.
    pub(crate) fn from_questionnaire(q: &Questionnaire) -> Draft {
        let mut groups: Vec<GroupDraft> = Vec::new();
        let mut current: Option<Option<String>> = None;
        for ind in &q.indicators {
            let section = ind.section.clone();
            if current.as_ref() != Some(&section) {
                groups.push(GroupDraft { title: section.clone().unwrap_or_default(), questions: Vec::new() });
                current = Some(section);
            }
            let Some(g) = groups.last_mut() else { continue };
            g.questions.push(QuestionDraft {
                code: ind.code.clone(),
                text: ind.text.clone().unwrap_or_default(),
                node: ind.node.clone(),
                min: typed(ind.min),
                max: typed(ind.max),
                reversed: ind.direction < 0,
                required: ind.required,
                respondents: ind.groups.join(", "),
                options: ind.options.iter().map(|o| OptionDraft { label: o.label.clone(), value: typed(o.value) }).collect(),
            });
        }
        Draft { title: q.title.clone().unwrap_or_default(), groups }
    }

    /// The form's fields (name, value) in page order: what a browser posts (unchecked boxes are not sent).
    #[cfg(test)]
    pub(crate) fn to_fields(&self) -> Vec<(String, String)> {
        let mut out = vec![("title".to_string(), self.title.clone())];
        for (g, group) in self.groups.iter().enumerate() {
            out.push((format!("g{g}.title"), group.title.clone()));
            for (n, q) in group.questions.iter().enumerate() {
                let p = format!("g{g}.q{n}");
                out.push((format!("{p}.code"), q.code.clone()));
                out.push((format!("{p}.text"), q.text.clone()));
                out.push((format!("{p}.node"), q.node.clone()));
                out.push((format!("{p}.min"), q.min.clone()));
                out.push((format!("{p}.max"), q.max.clone()));
                if q.reversed {
                    out.push((format!("{p}.reversed"), "1".into()));
                }
                if q.required {
                    out.push((format!("{p}.required"), "1".into()));
                }
                out.push((format!("{p}.respondents"), q.respondents.clone()));
                for (m, o) in q.options.iter().enumerate() {
                    out.push((format!("{p}.o{m}.label"), o.label.clone()));
                    out.push((format!("{p}.o{m}.value"), o.value.clone()));
                }
            }
        }
        out
    }

    /// The draft from posted fields `title`, `g{G}.title`, `g{G}.q{N}.{code,text,node,min,max,reversed,required,
    /// respondents}`, `g{G}.q{N}.o{M}.{label,value}`, ordered by their numbers; anything else is ignored.
    pub(crate) fn from_fields(fields: &[(String, String)]) -> Result<Draft, String> {
        let mut title = String::new();
        let mut groups: BTreeMap<usize, PostedGroup> = BTreeMap::new();
        for (k, v) in fields {
            if k == "title" {
                title = v.clone();
                continue;
            }
            let parts: Vec<&str> = k.split('.').collect();
            let idx = |s: &str, p: char| s.strip_prefix(p).and_then(|n| n.parse::<usize>().ok());
            let Some(g) = parts.first().and_then(|s| idx(s, 'g')) else { continue };
            if g >= MAX_GROUPS {
                return Err(format!("bảng hỏi có quá {MAX_GROUPS} nhóm câu hỏi"));
            }
            let group = groups.entry(g).or_default();
            match parts.as_slice() {
                [_, "title"] => group.0 = v.clone(),
                [_, q, field] => {
                    let Some(n) = idx(q, 'q') else { continue };
                    if n >= MAX_QUESTIONS {
                        return Err(format!("một nhóm có quá {MAX_QUESTIONS} câu hỏi"));
                    }
                    group.1.entry(n).or_default().0.insert(field.to_string(), v.clone());
                }
                [_, q, o, field] => {
                    let (Some(n), Some(m)) = (idx(q, 'q'), idx(o, 'o')) else { continue };
                    if n >= MAX_QUESTIONS || m >= MAX_OPTIONS {
                        return Err(format!("một câu hỏi có quá {MAX_OPTIONS} phương án"));
                    }
                    let opt = group.1.entry(n).or_default().1.entry(m).or_default();
                    match *field {
                        "label" => opt.label = v.clone(),
                        "value" => opt.value = v.clone(),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let groups = groups
            .into_values()
            .map(|(title, questions)| GroupDraft {
                title,
                questions: questions
                    .into_values()
                    .map(|(f, options)| {
                        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
                        QuestionDraft {
                            code: get("code"),
                            text: get("text"),
                            node: get("node"),
                            min: get("min"),
                            max: get("max"),
                            reversed: f.contains_key("reversed"),
                            required: f.contains_key("required"),
                            respondents: get("respondents"),
                            options: options.into_values().collect(),
                        }
                    })
                    .collect(),
            })
            .collect();
        Ok(Draft { title, groups })
    }

    /// Apply a button of the form: `add_group`, `add_question.G`, `add_option.G.N`, `remove_group.G`,
    /// `remove_question.G.N`, `remove_option.G.N.M`, `up_group.G`, `down_group.G`, `up_question.G.N`,
    /// `down_question.G.N` (a question moves into the next or previous group at the ends of its own).
    /// Returns where the page should scroll to (an element id), if anywhere.
    pub(crate) fn apply(&mut self, action: &str) -> Option<String> {
        let mut parts = action.split('.');
        let verb = parts.next().unwrap_or("");
        let nums: Vec<usize> = parts.filter_map(|p| p.parse().ok()).collect();
        let g = nums.first().copied().unwrap_or(usize::MAX);
        let n = nums.get(1).copied().unwrap_or(usize::MAX);
        match verb {
            "add_group" if self.groups.len() < MAX_GROUPS => {
                self.groups.push(GroupDraft { title: String::new(), questions: vec![QuestionDraft::default()] });
                Some(format!("g{}", self.groups.len() - 1))
            }
            "add_question" if g < self.groups.len() && self.groups[g].questions.len() < MAX_QUESTIONS => {
                let qs = &mut self.groups[g].questions;
                // A new question takes the scale and options of the one before it (questions of a group
                // usually share them); everything else is left to type.
                let mut q = QuestionDraft::default();
                if let Some(prev) = qs.last() {
                    q.min = prev.min.clone();
                    q.max = prev.max.clone();
                    q.options = prev.options.clone();
                    q.node = prev.node.clone();
                }
                qs.push(q);
                Some(format!("g{g}-q{}", qs.len() - 1))
            }
            "add_option" if g < self.groups.len() && n < self.groups[g].questions.len() => {
                let opts = &mut self.groups[g].questions[n].options;
                if opts.len() < MAX_OPTIONS {
                    opts.push(OptionDraft::default());
                }
                Some(format!("g{g}-q{n}"))
            }
            "remove_group" if g < self.groups.len() => {
                self.groups.remove(g);
                None
            }
            "remove_question" if g < self.groups.len() && n < self.groups[g].questions.len() => {
                self.groups[g].questions.remove(n);
                Some(format!("g{g}"))
            }
            "remove_option" if g < self.groups.len() && n < self.groups[g].questions.len() => {
                let m = nums.get(2).copied().unwrap_or(usize::MAX);
                let opts = &mut self.groups[g].questions[n].options;
                if m < opts.len() {
                    opts.remove(m);
                }
                Some(format!("g{g}-q{n}"))
            }
            "up_group" if g > 0 && g < self.groups.len() => {
                self.groups.swap(g, g - 1);
                Some(format!("g{}", g - 1))
            }
            "down_group" if g + 1 < self.groups.len() => {
                self.groups.swap(g, g + 1);
                Some(format!("g{}", g + 1))
            }
            "up_question" if g < self.groups.len() && n < self.groups[g].questions.len() => {
                if n > 0 {
                    self.groups[g].questions.swap(n, n - 1);
                    Some(format!("g{g}-q{}", n - 1))
                } else if g > 0 {
                    let q = self.groups[g].questions.remove(0);
                    self.groups[g - 1].questions.push(q);
                    Some(format!("g{}-q{}", g - 1, self.groups[g - 1].questions.len() - 1))
                } else {
                    None
                }
            }
            "down_question" if g < self.groups.len() && n < self.groups[g].questions.len() => {
                if n + 1 < self.groups[g].questions.len() {
                    self.groups[g].questions.swap(n, n + 1);
                    Some(format!("g{g}-q{}", n + 1))
                } else if g + 1 < self.groups.len() {
                    let q = self.groups[g].questions.remove(n);
                    self.groups[g + 1].questions.insert(0, q);
                    Some(format!("g{}-q0", g + 1))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The questionnaire the draft describes, or every problem keyed by the name of the field it concerns
    /// (`g0.q1.min`, `g0.title`, …; `""` for the whole form). `nodes`: the sub-dimensions a question may
    /// measure (the survey's framework in its year).
    pub(crate) fn to_questionnaire(&self, framework: &str, nodes: &[NodeChoice]) -> Result<Questionnaire, BTreeMap<String, String>> {
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let mut indicators = Vec::new();
        // Per indicator: its field prefix and, per option of the indicator, the draft option's number.
        let mut origin: Vec<(String, Vec<usize>)> = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            if group.questions.is_empty() {
                errors.insert(format!("g{g}.title"), "Nhóm chưa có câu hỏi: thêm câu hỏi hoặc xoá nhóm.".into());
            }
            let section = Some(group.title.trim().to_string()).filter(|t| !t.is_empty());
            for (n, q) in group.questions.iter().enumerate() {
                let p = format!("g{g}.q{n}");
                let mut number = |field: &str, text: &str, what: &str| -> f64 {
                    let t = text.trim();
                    if t.is_empty() {
                        errors.insert(format!("{p}.{field}"), format!("Chưa nhập {what}."));
                        return f64::NAN;
                    }
                    match chiso_stats::parse_number(t) {
                        Some(v) => v,
                        None => {
                            errors.insert(format!("{p}.{field}"), format!("{what} \"{t}\" không phải là số (ví dụ 1 hoặc 2,5)."));
                            f64::NAN
                        }
                    }
                };
                let min = number("min", &q.min, "Giá trị thấp nhất");
                let max = number("max", &q.max, "Giá trị cao nhất");
                let mut options = Vec::new();
                let mut kept = Vec::new();
                for (m, o) in q.options.iter().enumerate() {
                    if o.label.trim().is_empty() && o.value.trim().is_empty() {
                        continue;
                    }
                    let value = number(&format!("o{m}.value"), &o.value, "Giá trị của phương án");
                    options.push(AnswerOption { label: o.label.trim().to_string(), value });
                    kept.push(m);
                }
                let node = q.node.trim().to_string();
                if node.is_empty() {
                    errors.insert(format!("{p}.node"), "Chưa chọn nội dung thành phần mà câu hỏi đo.".into());
                } else if !nodes.iter().any(|c| c.code == node) {
                    errors.insert(
                        format!("{p}.node"),
                        format!("\"{node}\" không phải là nội dung thành phần của bộ chỉ số: chọn trong danh sách."),
                    );
                }
                indicators.push(Indicator {
                    code: q.code.trim().to_string(),
                    node,
                    min,
                    max,
                    direction: if q.reversed { -1 } else { 1 },
                    text: Some(q.text.trim().to_string()).filter(|t| !t.is_empty()),
                    options,
                    groups: q.respondents.split([',', ';']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                    section: section.clone(),
                    required: q.required,
                });
                origin.push((p, kept));
            }
        }
        let q = Questionnaire {
            framework: framework.to_string(),
            title: Some(self.title.trim().to_string()).filter(|t| !t.is_empty()),
            indicators,
        };
        for problem in q.problems(true) {
            let key = match problem.indicator.and_then(|i| origin.get(i)) {
                None => String::new(),
                Some((p, kept)) => match problem.field.as_deref().unwrap_or("") {
                    "direction" => format!("{p}.reversed"),
                    "groups" => format!("{p}.respondents"),
                    f if f.starts_with("options[") => {
                        // options[k].label / options[k].value: k is 1-based among the options kept.
                        let k: usize = f.trim_start_matches("options[").split(']').next().and_then(|k| k.parse().ok()).unwrap_or(1);
                        let m = kept.get(k.saturating_sub(1)).copied().unwrap_or(0);
                        format!("{p}.o{m}.{}", if f.ends_with("label") { "label" } else { "value" })
                    }
                    "node" => format!("{p}.node"),
                    f => format!("{p}.{f}"),
                },
            };
            // A number that could not be read already says so; the engine's message about NaN adds nothing.
            errors.entry(key).or_insert_with(|| problem.message.clone());
        }
        if errors.is_empty() { Ok(q) } else { Err(errors) }
    }
}

/// A question as posted: its fields by name, its options by number.
type PostedQuestion = (HashMap<String, String>, BTreeMap<usize, OptionDraft>);
/// A group as posted: its title, its questions by number.
type PostedGroup = (String, BTreeMap<usize, PostedQuestion>);
/// A dimension's label and its sub-dimensions (code, label, folded search text), for the pick list.
type PickGroup = (String, Vec<(String, String, String)>);

/// A sub-dimension a question may measure, as the pick list shows it.
#[derive(Debug, Clone)]
pub(crate) struct NodeChoice {
    pub code: String,
    /// "1.2 Cơ hội tham gia bầu cử".
    pub label: String,
    /// Its dimension, "1. Tham gia của người dân ở cấp cơ sở".
    pub dimension: String,
    /// Lower case without diacritics, for the filter.
    pub search: String,
}

/// The sub-dimensions of the framework in the year: the children of the year's dimensions.
pub(crate) fn node_choices(fw: &Framework, year: i32) -> Vec<NodeChoice> {
    let tree = fw.tree_for_year(Some(year));
    let mut out = Vec::new();
    for (di, d) in tree.children.iter().enumerate() {
        let dimension = format!("{}. {}", di + 1, d.name_vi);
        for (si, s) in d.children.iter().enumerate() {
            let label = format!("{}.{} {}", di + 1, si + 1, s.name_vi);
            out.push(NodeChoice {
                code: s.code.clone(),
                search: fold(&format!("{label} {}", d.name_vi)),
                label,
                dimension: dimension.clone(),
            });
        }
    }
    out
}

// ------------------------------------------------------------------------------------------ the page

struct FieldView {
    name: String,
    value: String,
    error: Option<String>,
}

struct OptionView {
    m: usize,
    label: FieldView,
    value: FieldView,
}

struct QuestionView {
    g: usize,
    n: usize,
    number: usize,
    code: FieldView,
    text: FieldView,
    node: FieldView,
    /// The chosen node is one of the pick list's (else it is shown as typed, flagged).
    node_known: bool,
    min: FieldView,
    max: FieldView,
    reversed: bool,
    reversed_error: Option<String>,
    required: bool,
    respondents: FieldView,
    options: Vec<OptionView>,
    first: bool,
    last: bool,
}

struct GroupView {
    g: usize,
    title: FieldView,
    questions: Vec<QuestionView>,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "survey_builder.html")]
struct BuilderPage {
    b: Base,
    survey: Survey,
    editable: bool,
    locked_reason: String,
    fw_name: String,
    title: FieldView,
    groups: Vec<GroupView>,
    /// Dimension → its sub-dimensions (code, label).
    dimensions: Vec<PickGroup>,
    message: Option<String>,
    error: Option<String>,
    focus: String,
    respondent_groups: String,
}

fn field(name: String, value: &str, errors: &BTreeMap<String, String>) -> FieldView {
    FieldView { error: errors.get(&name).cloned(), name, value: value.to_string() }
}

fn views(draft: &Draft, errors: &BTreeMap<String, String>, choices: &[NodeChoice]) -> Vec<GroupView> {
    let mut number = 0;
    let ng = draft.groups.len();
    draft
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let nq = group.questions.len();
            GroupView {
                g,
                title: field(format!("g{g}.title"), &group.title, errors),
                first: g == 0,
                last: g + 1 == ng,
                questions: group
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(n, q)| {
                        number += 1;
                        let p = format!("g{g}.q{n}");
                        QuestionView {
                            g,
                            n,
                            number,
                            code: field(format!("{p}.code"), &q.code, errors),
                            text: field(format!("{p}.text"), &q.text, errors),
                            node: field(format!("{p}.node"), &q.node, errors),
                            node_known: q.node.is_empty() || choices.iter().any(|c| c.code == q.node),
                            min: field(format!("{p}.min"), &q.min, errors),
                            max: field(format!("{p}.max"), &q.max, errors),
                            reversed: q.reversed,
                            reversed_error: errors.get(&format!("{p}.reversed")).cloned(),
                            required: q.required,
                            respondents: field(format!("{p}.respondents"), &q.respondents, errors),
                            options: q
                                .options
                                .iter()
                                .enumerate()
                                .map(|(m, o)| OptionView {
                                    m,
                                    label: field(format!("{p}.o{m}.label"), &o.label, errors),
                                    value: field(format!("{p}.o{m}.value"), &o.value, errors),
                                })
                                .collect(),
                            first: g == 0 && n == 0,
                            last: g + 1 == ng && n + 1 == nq,
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

struct Render {
    draft: Draft,
    errors: BTreeMap<String, String>,
    message: Option<String>,
    error: Option<String>,
    focus: Option<String>,
}

async fn render(state: &AppState, me: &CurrentUser, survey: Survey, r: Render) -> Result<String, PageError> {
    let fw = state.frameworks.get(&survey.framework);
    let year = i32::try_from(survey.year).unwrap_or(0);
    let choices = fw.map(|f| node_choices(f, year)).unwrap_or_default();
    let mut dimensions: Vec<PickGroup> = Vec::new();
    for c in &choices {
        match dimensions.last_mut() {
            Some((d, list)) if *d == c.dimension => list.push((c.code.clone(), c.label.clone(), c.search.clone())),
            _ => dimensions.push((c.dimension.clone(), vec![(c.code.clone(), c.label.clone(), c.search.clone())])),
        }
    }
    let status = survey.status();
    let respondent_groups = state.store.survey_groups(&me.scope, survey.id).await?.join(", ");
    let page = BuilderPage {
        b: me.base(&format!("Bảng hỏi – {}", survey.title), "surveys"),
        editable: status == SurveyStatus::Draft && me.scope.can(chiso_core::access::Permission::EditPlans),
        locked_reason: match status {
            SurveyStatus::Draft => "Bạn không có quyền sửa bảng hỏi.".into(),
            SurveyStatus::Open => {
                "Khảo sát đã mở nhận phiếu: bảng hỏi chỉ sửa được khi khảo sát còn là bản nháp (câu trả lời phải khớp với câu hỏi). Cần sửa thì tạo khảo sát mới và nhập bảng hỏi này (tải TOML) vào đó.".into()
            }
            SurveyStatus::Closed => "Khảo sát đã đóng: bảng hỏi chỉ sửa được khi khảo sát còn là bản nháp.".into(),
        },
        fw_name: fw.map(|f| f.name_vi.clone()).unwrap_or_else(|| survey.framework.clone()),
        title: field("title".into(), &r.draft.title, &r.errors),
        groups: views(&r.draft, &r.errors, &choices),
        dimensions,
        message: r.message,
        error: r.error,
        focus: r.focus.unwrap_or_default(),
        respondent_groups,
        survey,
    };
    Ok(page.render()?)
}

#[derive(Deserialize, Default)]
pub(super) struct BuilderQuery {
    #[serde(default)]
    saved: Option<usize>,
}

pub(super) async fn builder_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<BuilderQuery>,
) -> Result<Html<String>, PageError> {
    let survey = state.store.survey(&me.scope, id).await?;
    let questionnaire = state.store.survey_questionnaire(&me.scope, id).await?;
    let mut draft = Draft::from_questionnaire(&questionnaire);
    if draft.groups.is_empty() && survey.status() == SurveyStatus::Draft {
        // A new questionnaire starts with one empty question to fill in.
        draft.groups.push(GroupDraft { title: String::new(), questions: vec![QuestionDraft::default()] });
    }
    let message = q.saved.map(|n| format!("Đã lưu bảng hỏi: {n} câu hỏi."));
    render(&state, &me, survey, Render { draft, errors: BTreeMap::new(), message, error: None, focus: None }).await.map(Html)
}

/// Every button of the builder posts here with the whole form (`action` names the button).
pub(super) async fn builder_post(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    me.check_csrf(get("csrf"))?;
    let survey = state.store.survey(&me.scope, id).await?;
    // Every button is a step of editing: only for those who may edit (the page itself is open to all readers).
    let edit = chiso_core::access::Permission::EditPlans;
    if !me.scope.can(edit) {
        return Err(AppError::Store(StoreError::Forbidden(edit.name_vi().to_string())).into());
    }
    let action = get("action").to_string();
    let mut draft = Draft::from_fields(&fields).map_err(AppError::BadRequest)?;
    if action != "save" {
        let focus = draft.apply(&action);
        let html = render(&state, &me, survey, Render { draft, errors: BTreeMap::new(), message: None, error: None, focus }).await?;
        return Ok(Html(html).into_response());
    }
    let year = i32::try_from(survey.year).unwrap_or(0);
    let choices = state.frameworks.get(&survey.framework).map(|f| node_choices(f, year)).unwrap_or_default();
    let refused = |errors: BTreeMap<String, String>, error: String| Render {
        draft: draft.clone(),
        errors,
        message: None,
        error: Some(error),
        focus: None,
    };
    let r = match draft.to_questionnaire(&survey.framework, &choices) {
        Err(errors) => {
            let n = errors.len();
            let whole = errors.get("").cloned();
            refused(
                errors,
                format!(
                    "Chưa lưu: bảng hỏi còn {n} chỗ cần sửa (ghi ngay cạnh từng ô).{}",
                    whole.map(|w| format!(" {w}")).unwrap_or_default()
                ),
            )
        }
        Ok(q) => match chiso_app::surveys::save_questionnaire(&state.app, &me.scope, id, &q).await {
            Ok(_) => return Ok(Redirect::to(&format!("/surveys/{id}/questionnaire?saved={}", q.indicators.len())).into_response()),
            Err(chiso_app::surveys::CreateError::Store(StoreError::Conflict(m) | StoreError::Invalid(m))) => {
                refused(BTreeMap::new(), format!("Chưa lưu: {m}"))
            }
            Err(e) => return Err(AppError::from(e).into()),
        },
    };
    let html = render(&state, &me, survey, r).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// Read a TOML file into the draft (replacing its questionnaire).
pub(super) async fn import_toml(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    mut multipart: crate::extract::Upload,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(f) = multipart.next_field("biểu mẫu tải lên không hợp lệ").await? {
        match f.name() {
            Some("csrf") => csrf = f.text().await?,
            Some("file") => {
                let name = f.file_name().unwrap_or("bảng hỏi").to_string();
                let bytes = f.bytes().await.map_err(AppError::multipart)?;
                if bytes.len() > chiso_core::limits::MAX_QUESTIONNAIRE_BYTES {
                    return Err(AppError::BadRequest(format!(
                        "tệp bảng hỏi '{name}' quá lớn (tối đa {} MB)",
                        chiso_core::limits::MAX_QUESTIONNAIRE_BYTES / chiso_core::limits::MB
                    ))
                    .into());
                }
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    me.check_csrf(&csrf)?;
    let survey = state.store.survey(&me.scope, id).await?;
    let edit = chiso_core::access::Permission::EditPlans;
    if !me.scope.can(edit) {
        return Err(AppError::Store(StoreError::Forbidden(edit.name_vi().to_string())).into());
    }
    let error = match file.filter(|(_, b)| !b.is_empty()) {
        None => "Chưa chọn tệp bảng hỏi (TOML).".to_string(),
        Some((name, bytes)) => match chiso_app::surveys::import_questionnaire(&state.app, &me.scope, id, &name, bytes).await {
            Ok(_) => {
                let n = state.store.survey_questionnaire(&me.scope, id).await?.indicators.len();
                return Ok(Redirect::to(&format!("/surveys/{id}/questionnaire?saved={n}")).into_response());
            }
            Err(e @ chiso_app::surveys::CreateError::Internal(_)) => return Err(AppError::from(e).into()),
            Err(e) => format!("Không đọc được bảng hỏi: {e}"),
        },
    };
    let q = state.store.survey_questionnaire(&me.scope, id).await?;
    let r = Render { draft: Draft::from_questionnaire(&q), errors: BTreeMap::new(), message: None, error: Some(error), focus: None };
    let html = render(&state, &me, survey, r).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_core::framework::FrameworkSet;

    fn papi_nodes() -> Vec<NodeChoice> {
        let set = FrameworkSet::builtin().expect("frameworks");
        node_choices(set.get("papi").expect("papi"), 2024)
    }

    fn sample_draft() -> Draft {
        Draft {
            title: "Khảo sát thử".into(),
            groups: vec![
                GroupDraft {
                    title: "Tham gia ở cơ sở".into(),
                    questions: vec![
                        QuestionDraft {
                            code: "q1".into(),
                            text: "Ông/bà có biết về Luật Thực hiện dân chủ ở cơ sở?".into(),
                            node: "papi.d1.s1".into(),
                            min: "1".into(),
                            max: "4".into(),
                            options: vec![
                                OptionDraft { label: "Không biết".into(), value: "1".into() },
                                OptionDraft { label: "Biết rõ".into(), value: "4".into() },
                            ],
                            ..QuestionDraft::default()
                        },
                        QuestionDraft {
                            code: "q2".into(),
                            text: "Mức độ phiền hà".into(),
                            node: "papi.d1.s2".into(),
                            min: "0".into(),
                            max: "2,5".into(),
                            reversed: true,
                            required: false,
                            respondents: "nguoi_dan, doanh_nghiep".into(),
                            ..QuestionDraft::default()
                        },
                    ],
                },
                GroupDraft {
                    title: String::new(),
                    questions: vec![QuestionDraft {
                        code: "q3".into(),
                        node: "papi.d2.s1".into(),
                        min: "1".into(),
                        max: "5".into(),
                        ..QuestionDraft::default()
                    }],
                },
            ],
        }
    }

    #[test]
    fn the_builder_and_the_toml_file_say_the_same_questionnaire() {
        let nodes = papi_nodes();
        let draft = sample_draft();
        // What the browser posts reads back to the same draft.
        assert_eq!(Draft::from_fields(&draft.to_fields()).expect("fields"), draft);
        let q = draft.to_questionnaire("papi", &nodes).expect("valid");
        assert_eq!(q.indicators[1].max, 2.5, "decimal comma");
        assert_eq!(q.indicators[1].direction, -1);
        assert!(!q.indicators[1].required);
        assert_eq!(q.indicators[1].groups, ["nguoi_dan", "doanh_nghiep"]);
        assert_eq!(q.indicators[0].section.as_deref(), Some("Tham gia ở cơ sở"));
        assert_eq!(q.indicators[2].section, None);
        // Export to TOML, import it again: the same questionnaire, and the builder shows the same draft.
        let toml = q.to_toml_string().expect("toml");
        assert!(toml.contains("section = \"Tham gia ở cơ sở\"") && toml.contains("required = false"), "{toml}");
        let back = Questionnaire::from_toml_str(&toml).expect("reads back");
        assert_eq!(back, q);
        assert_eq!(Draft::from_questionnaire(&back), draft);
        // And the shipped sample questionnaire goes through the builder unchanged.
        let sample = Questionnaire::from_toml_str(chiso_app::surveys::SAMPLE_QUESTIONNAIRE).expect("sample");
        let d = Draft::from_questionnaire(&sample);
        let again = Draft::from_fields(&d.to_fields()).expect("fields").to_questionnaire("papi", &nodes).expect("valid");
        assert_eq!(again, sample);
    }

    #[test]
    fn every_problem_is_named_beside_its_field() {
        let nodes = papi_nodes();
        let mut draft = sample_draft();
        draft.groups[0].questions[0].min = "một".into();
        draft.groups[0].questions[0].options[1].value = "9".into();
        draft.groups[0].questions[1].node = "papi.d99".into();
        draft.groups[0].questions[1].code = "Q1".into();
        draft.groups[1].questions[0].max = "1".into();
        draft.groups.push(GroupDraft { title: "Trống".into(), questions: Vec::new() });
        let errors = draft.to_questionnaire("papi", &nodes).expect_err("refused");
        assert!(errors["g0.q0.min"].contains("\"một\" không phải là số"), "{errors:?}");
        assert!(errors["g0.q1.node"].contains("papi.d99"), "{errors:?}");
        assert!(errors["g0.q1.code"].contains("trùng"), "{errors:?}");
        assert!(errors["g1.q0.max"].contains("min < max"), "{errors:?}");
        assert!(errors["g2.title"].contains("chưa có câu hỏi"), "{errors:?}");
        assert!(!errors.contains_key("g0.q0.o1.value"), "the scale is unreadable: the option is not judged against it: {errors:?}");
        draft.groups[0].questions[0].min = "1".into();
        let errors = draft.to_questionnaire("papi", &nodes).expect_err("refused");
        assert!(errors["g0.q0.o1.value"].contains("ngoài thang"), "{errors:?}");
    }

    #[test]
    fn buttons_add_remove_and_move_without_losing_anything() {
        let mut d = sample_draft();
        d.apply("add_question.1");
        assert_eq!(d.groups[1].questions.len(), 2);
        assert_eq!(d.groups[1].questions[1].max, "5", "a new question takes the scale of the one before it");
        d.apply("add_option.0.1");
        assert_eq!(d.groups[0].questions[1].options.len(), 1);
        d.apply("remove_option.0.0.0");
        assert_eq!(d.groups[0].questions[0].options[0].label, "Biết rõ");
        d.apply("down_question.0.1");
        assert_eq!(d.groups[1].questions[0].code, "q2", "the last question of a group moves into the next");
        d.apply("up_question.1.0");
        assert_eq!(d.groups[0].questions[1].code, "q2");
        d.apply("up_group.1");
        assert_eq!(d.groups[0].title, "");
        d.apply("add_group");
        assert_eq!(d.groups.len(), 3);
        d.apply("remove_group.2");
        d.apply("remove_question.0.0");
        assert_eq!(d.groups[0].questions.len(), 1);
        d.apply("nonsense.7.7");
        d.apply("up_group.99");
        assert_eq!(d.groups.len(), 2);
    }
}
