//! One score sheet page and its forms: self scores, appraisal, explanation, status changes.

use super::*;
use crate::form::{FormState, form_again};
use chiso_core::results::{criterion_vi, score_vi};
use chiso_store::assessments::SheetEdits;

#[derive(Template)]
#[template(path = "assessment.html")]
pub(super) struct SheetPage {
    pub(super) b: Base,
    pub(super) a: Assessment,
    pub(super) fw_name: String,
    pub(super) status_vi: &'static str,
    pub(super) overall: SummaryRow,
    pub(super) areas: Vec<SummaryRow>,
    pub(super) rows: Vec<CriterionRow>,
    pub(super) can_self: bool,
    pub(super) can_appraise: bool,
    pub(super) can_explain: bool,
    pub(super) actions: Vec<(&'static str, &'static str, bool)>,
    pub(super) errors: Vec<String>,
    /// What was typed in a step's own field (the conclusion of "Chốt kết quả", the reason of "Mở lại").
    pub(super) note: String,
    pub(super) message: Option<String>,
    pub(super) history: Vec<AuditRow>,
    pub(super) has_adjusted: bool,
}

pub(super) struct SummaryRow {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) max: String,
    pub(super) self_score: String,
    pub(super) self_pct: String,
    pub(super) appraised: String,
    pub(super) appraised_pct: String,
    pub(super) diff: String,
}

pub(super) struct CriterionRow {
    pub(super) is_area: bool,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) max: String,
    pub(super) survey: bool,
    pub(super) self_score: String,
    pub(super) self_input: String,
    pub(super) evidence: String,
    pub(super) missing: String,
    pub(super) appraised: String,
    pub(super) appraised_input: String,
    pub(super) decision: String,
    pub(super) adjusted: bool,
    pub(super) reason: String,
    pub(super) explanation: String,
    pub(super) diff: String,
    pub(super) appraised_pct: String,
    /// Errors beside the row's self score, appraisal and explanation fields ("" when none).
    pub(super) self_error: String,
    pub(super) appr_error: String,
    pub(super) expl_error: String,
}

/// A number as a form's input value: "1,5" (what people type back).
pub(super) fn input_value(x: Option<f64>) -> String {
    x.map(score_vi).unwrap_or_default()
}

pub(super) fn sheet_page_model(
    me: &CurrentUser,
    fw: &Framework,
    v: SheetView,
    history: Vec<AuditRow>,
    form: &FormState,
    message: Option<String>,
) -> SheetPage {
    let summary = |r: &chiso_core::results::SheetRow| SummaryRow {
        code: r.code.clone(),
        name: r.name_vi.clone(),
        max: num(Some(r.max)),
        self_score: num(r.self_score),
        self_pct: pct(r.self_percent),
        appraised: num(r.appraised_score),
        appraised_pct: pct(r.appraised_percent),
        diff: num(r.difference),
    };
    let overall = v.sheet.overall().map(summary).unwrap_or(SummaryRow {
        code: fw.code.clone(),
        name: fw.name_vi.clone(),
        max: "–".into(),
        self_score: "–".into(),
        self_pct: "–".into(),
        appraised: "–".into(),
        appraised_pct: "–".into(),
        diff: "–".into(),
    });
    let areas = v.sheet.rows.iter().filter(|r| r.depth == 1).map(summary).collect();
    let items: HashMap<&str, &chiso_store::assessments::AssessmentItem> = v.items.iter().map(|i| (i.node.as_str(), i)).collect();
    let tree = fw.tree_for_year(Some(v.assessment.year));
    let mut rows = Vec::new();
    for r in v.sheet.rows.iter().filter(|r| r.depth >= 1) {
        let is_area = tree.find(&r.code).is_some_and(|n| !n.is_leaf());
        let it = items.get(r.code.as_str());
        let decision = it.and_then(|i| i.decision.as_deref()).unwrap_or("");
        let c = &r.code;
        let stored = |x: Option<String>| x.unwrap_or_default();
        rows.push(CriterionRow {
            is_area,
            code: r.code.clone(),
            name: r.name_vi.clone(),
            max: num(Some(r.max)),
            survey: r.source == Source::Survey,
            self_score: num(r.self_score),
            self_input: form.value(&format!("score:{c}"), &input_value(it.and_then(|i| i.self_score))),
            evidence: form.value(&format!("evidence:{c}"), &stored(it.and_then(|i| i.evidence.clone()))),
            missing: form.value(&format!("missing:{c}"), &stored(it.and_then(|i| i.missing_reason.clone()))),
            appraised: if it.is_some_and(|i| i.decision.is_some()) || is_area { num(r.appraised_score) } else { "–".into() },
            appraised_input: form.value(&format!("appr:{c}"), &input_value(it.and_then(|i| i.appraised_score.or(i.self_score)))),
            decision: match decision {
                "accept" => "chấp nhận",
                "adjust" => "điều chỉnh",
                "survey" => "điều tra XHH",
                _ => "",
            }
            .to_string(),
            adjusted: decision == "adjust",
            reason: form.value(&format!("reason:{c}"), &stored(it.and_then(|i| i.appraisal_reason.clone()))),
            explanation: form.value(&format!("expl:{c}"), &stored(it.and_then(|i| i.explanation.clone()))),
            self_error: field_errors(form, &[format!("score:{c}"), format!("evidence:{c}"), format!("missing:{c}")]),
            appr_error: field_errors(form, &[format!("appr:{c}"), format!("reason:{c}")]),
            expl_error: shown(form.error_of(&format!("expl:{c}"))),
            diff: num(r.difference),
            appraised_pct: pct(r.appraised_percent),
        });
    }
    let has_adjusted = rows.iter().any(|r| r.adjusted);
    SheetPage {
        b: me.base(
            &format!("{} – {} {}", v.assessment.unit_name, crate::labels::family(&v.assessment.framework), v.assessment.year),
            "assessments",
        ),
        fw_name: fw.name_vi.clone(),
        status_vi: v.status_vi,
        overall,
        areas,
        rows,
        can_self: v.can_self_score,
        can_appraise: v.can_appraise,
        can_explain: v.can_explain,
        actions: v.actions.iter().map(|a| (a.as_str(), a.name_vi(), a.needs_reason())).collect(),
        errors: summary_of(form),
        note: form.value("reason", ""),
        message,
        history,
        has_adjusted,
        a: v.assessment,
    }
}

pub(super) async fn render_sheet(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    form: &FormState,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    let a = state.store.assessment(&me.scope, id).await?;
    let fw = framework(state, &a.framework)?;
    let v = state.app.assessments().sheet(&me.scope, fw, id).await?;
    let history = audit_rows(state.store.audit_of(&me.scope, "assessment", &id.to_string()).await?, &state.frameworks);
    Ok(Html(sheet_page_model(me, fw, v, history, form, message).render()?))
}

pub(super) async fn sheet_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<MsgQuery>,
) -> Result<Html<String>, PageError> {
    render_sheet(&state, &me, id, &FormState::empty(), q.msg).await
}

/// The errors of a row's fields, joined ("" when none).
fn field_errors(form: &FormState, names: &[String]) -> String {
    names.iter().map(|n| shown(form.error_of(n))).filter(|e| !e.is_empty()).collect::<Vec<_>>().join("; ")
}

/// A refusal as a person reads it: without the "`code`: " that tells the form which field it belongs to
/// (the message itself names the criterion: "tiêu chí “…”: …").
fn shown(message: &str) -> String {
    match message.strip_prefix('`').and_then(|r| r.split_once("`: ")) {
        Some((_, rest)) => {
            let mut chars = rest.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
        None => message.to_string(),
    }
}

/// At most this many field errors are repeated above the form (each one is beside its field).
const SUMMARY_FIELDS: usize = 5;

/// The errors above the form: the form's own, then the first fields' ones and how many more there are.
fn summary_of(form: &FormState) -> Vec<String> {
    let (fields, general): (Vec<String>, Vec<String>) = form.messages().into_iter().partition(|m| m.starts_with('`'));
    let mut out = general;
    let more = fields.len().saturating_sub(SUMMARY_FIELDS);
    out.extend(fields.iter().take(SUMMARY_FIELDS).map(|m| shown(m)));
    if more > 0 {
        out.push(format!("… và {more} lỗi khác ở các tiêu chí của phiếu"));
    }
    out
}

/// After a sheet form: back to the sheet, or the sheet again with everything the form held and what was
/// wrong beside each field (422 / 409). A refusal naming criteria ("`code`: …") is put beside the field
/// `field:code` (`field` = "score", "appr" or "expl", the form that was posted).
pub(super) async fn after_form(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    mut form: FormState,
    field: &str,
    result: Result<(), AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) if !form.has_errors() => Ok(Redirect::to(&format!("/assessments/{id}?msg={}", urlencode(done))).into_response()),
        Ok(()) => Ok(form_again(StatusCode::UNPROCESSABLE_ENTITY, render_sheet(state, me, id, &form, None).await?.0)),
        Err(e @ (AppError::Store(StoreError::Invalid(_) | StoreError::Conflict(_)) | AppError::BadRequest(_))) => {
            let status = e.status();
            let message = match &e {
                AppError::Store(StoreError::Invalid(m) | StoreError::Conflict(m)) | AppError::BadRequest(m) => m.clone(),
                other => other.to_string(),
            };
            form.attach(&message, |code| Some(format!("{field}:{code}")));
            Ok(form_again(status, render_sheet(state, me, id, &form, None).await?.0))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn sheet_framework(state: &AppState, me: &CurrentUser, id: i64) -> Result<(Assessment, Framework), AppError> {
    let a = state.store.assessment(&me.scope, id).await?;
    let fw = framework(state, &a.framework)?.clone();
    Ok((a, fw))
}

/// The self scores the form holds; a score that is not a number is put beside its field in `form`.
pub(super) fn self_inputs(fw: &Framework, year: i32, f: &Fields, form: &mut FormState) -> Vec<SelfScoreInput> {
    let mut out = Vec::new();
    for l in fw.leaves_for_year(year).into_iter().filter(|l| l.source != Source::Survey) {
        let key = format!("score:{}", l.code);
        if !f.has(&key) {
            continue;
        }
        match parse_score(f.get(&key), &criterion_vi(l)) {
            Ok(score) => out.push(SelfScoreInput {
                node: l.code.clone(),
                score,
                evidence: Some(f.get(&format!("evidence:{}", l.code)).to_string()),
                missing_reason: Some(f.get(&format!("missing:{}", l.code)).to_string()),
            }),
            Err(e) => form.field_error(&key, e),
        }
    }
    out
}

/// The appraisal the form holds; a score that is not a number is put beside its field in `form`.
pub(super) fn appraisal_inputs(fw: &Framework, year: i32, f: &Fields, form: &mut FormState) -> Vec<AppraisalInput> {
    let mut out = Vec::new();
    for l in fw.leaves_for_year(year) {
        let key = format!("appr:{}", l.code);
        if !f.has(&key) {
            continue;
        }
        match parse_score(f.get(&key), &criterion_vi(l)) {
            Ok(score) => {
                out.push(AppraisalInput { node: l.code.clone(), score, reason: Some(f.get(&format!("reason:{}", l.code)).to_string()) })
            }
            Err(e) => form.field_error(&key, e),
        }
    }
    out
}

/// The explanations the form holds: `(criterion, text)` for every `expl:` field of the year's criteria.
fn explanation_inputs(fw: &Framework, year: i32, f: &Fields) -> Vec<(String, String)> {
    fw.leaves_for_year(year)
        .into_iter()
        .filter_map(|l| {
            let key = format!("expl:{}", l.code);
            f.has(&key).then(|| (l.code.clone(), f.get(&key).to_string()))
        })
        .collect()
}

pub(super) async fn sheet_self(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list.clone());
    me.check_csrf(f.get("csrf"))?;
    let mut form = FormState::posted(list);
    let (a, fw) = sheet_framework(&state, &me, id).await?;
    let inputs = self_inputs(&fw, a.year, &f, &mut form);
    let result = if form.has_errors() {
        Ok(())
    } else {
        state.app.assessments().save_self_scores(&me.scope, &fw, id, &inputs, f.version()).await.map(|_| ()).map_err(AppError::from)
    };
    after_form(&state, &me, id, form, "score", result, "Đã lưu điểm tự chấm.").await
}

pub(super) async fn sheet_appraise(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list.clone());
    me.check_csrf(f.get("csrf"))?;
    let mut form = FormState::posted(list);
    let (a, fw) = sheet_framework(&state, &me, id).await?;
    let inputs = appraisal_inputs(&fw, a.year, &f, &mut form);
    let result = if form.has_errors() {
        Ok(())
    } else {
        state.app.assessments().appraise(&me.scope, &fw, id, &inputs, f.version()).await.map(|_| ()).map_err(AppError::from)
    };
    after_form(&state, &me, id, form, "appr", result, "Đã lưu kết quả thẩm định.").await
}

pub(super) async fn sheet_explain(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list.clone());
    me.check_csrf(f.get("csrf"))?;
    let form = FormState::posted(list);
    let (a, fw) = sheet_framework(&state, &me, id).await?;
    let inputs = explanation_inputs(&fw, a.year, &f);
    let result = state.app.assessments().explain(&me.scope, &fw, id, &inputs, f.version()).await.map(|_| ()).map_err(AppError::from);
    after_form(&state, &me, id, form, "expl", result, "Đã lưu giải trình.").await
}

/// A status change, saving what its form held in the same transaction: "Gửi thẩm định" is a button of the
/// self-score form, "Hoàn thành thẩm định" of the appraisal form, "Gửi giải trình" of the explanation form
/// (their fields come with the step); "Chốt kết quả" carries an optional conclusion and "Mở lại" its reason
/// (both kept in the audit). A score that is not a number, or a refusal, brings the form back with
/// everything typed and each error beside its field.
pub(super) async fn sheet_status(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(list): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields::new(list.clone());
    me.check_csrf(f.get("csrf"))?;
    let mut form = FormState::posted(list);
    let (a, fw) = sheet_framework(&state, &me, id).await?;
    let action = SheetAction::parse(f.get("action"))
        .ok_or_else(|| AppError::BadRequest(format!("không có thao tác “{}” trên phiếu", f.get("action"))))?;
    let reason = Some(f.get("reason")).filter(|s| !s.trim().is_empty());
    let self_scores = self_inputs(&fw, a.year, &f, &mut form);
    let appraisals = appraisal_inputs(&fw, a.year, &f, &mut form);
    let explanations = explanation_inputs(&fw, a.year, &f);
    let result = if form.has_errors() {
        Ok(())
    } else {
        let edits = SheetEdits { self_scores: &self_scores, appraisals: &appraisals, explanations: &explanations };
        state
            .app
            .assessments()
            .transition_with(&me.scope, &fw, id, action, reason, edits, f.version())
            .await
            .map(|_| ())
            .map_err(AppError::from)
    };
    let field = match action {
        SheetAction::Submit => "score",
        SheetAction::CompleteAppraisal | SheetAction::Finalise => "appr",
        SheetAction::Explain | SheetAction::Reopen => "expl",
    };
    after_form(&state, &me, id, form, field, result, &format!("Đã {}.", action.name_vi().to_lowercase())).await
}
