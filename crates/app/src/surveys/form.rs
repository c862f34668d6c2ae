//! The public form `/s/{token}`: no account, the token is the credential, one answer per token. What a token
//! leads to, and checking and storing the answers (the HTTP side — cookies, CSRF — is the web crate's).

use crate::{App, ErrorKind, Failure};
use chiso_core::text::vn_number;
use chiso_store::StoreError;
use chiso_store::surveys::{FormContext, FormLookup, check_answer};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// What a form token leads to: unknown, already answered (when), a closed survey, or an open form.
pub async fn form(app: &App, token: &str) -> Result<FormLookup, StoreError> {
    app.store.survey_form(token).await
}

/// What is wrong with the answer to one question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnswerProblem {
    /// The question was answered twice (one option only).
    Twice,
    Missing,
    OutOfRange {
        min: f64,
        max: f64,
    },
    NotANumber,
}

/// "3" for whole numbers, else "2,50".
fn scale_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { vn_number(v, 2) }
}

impl fmt::Display for AnswerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerProblem::Twice => f.write_str("Chỉ chọn một phương án."),
            AnswerProblem::Missing => f.write_str("Vui lòng chọn một phương án (hoặc \"Không biết / không trả lời\")."),
            AnswerProblem::OutOfRange { min, max } => {
                write!(f, "Câu trả lời phải nằm trong khoảng {} đến {}.", scale_number(*min), scale_number(*max))
            }
            AnswerProblem::NotANumber => f.write_str("Câu trả lời phải là một số."),
        }
    }
}

/// Why a form was not stored. Nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// A field names a question this respondent is not asked: a stale or altered form.
    #[error("phiếu gửi lên có câu hỏi không thuộc bảng hỏi")]
    ForeignQuestion,
    /// Questions unanswered or answered wrongly: question code → what is wrong.
    #[error("còn {} câu chưa trả lời hoặc trả lời chưa hợp lệ", .0.len())]
    Answers(HashMap<String, AnswerProblem>),
    /// The token was used, or the survey closed, meanwhile.
    #[error("{0}")]
    Conflict(String),
    /// The store refused an answer.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(StoreError),
}

impl Failure for SubmitError {
    fn kind(&self) -> ErrorKind {
        match self {
            SubmitError::ForeignQuestion => ErrorKind::Invalid,
            SubmitError::Answers(_) | SubmitError::Refused(_) => ErrorKind::Unprocessable,
            SubmitError::Conflict(_) => ErrorKind::Conflict,
            SubmitError::Store(e) => e.kind(),
        }
    }
}

/// Check the answers of an open form: each question asked of the invitation's group answered once, with a
/// number within its scale (one of its options when it lists options) or left blank ("don't know"); a
/// question that is not required may also be left out.
fn check_answers(ctx: &FormContext, fields: &[(String, String)]) -> Result<Vec<(String, f64)>, SubmitError> {
    let mut given: HashMap<&str, &str> = HashMap::new();
    let mut errors: HashMap<String, AnswerProblem> = HashMap::new();
    for (k, v) in fields {
        if given.insert(k, v).is_some() {
            errors.insert(k.clone(), AnswerProblem::Twice);
        }
    }
    let asked = ctx.asked();
    let mut answers: Vec<(String, f64)> = Vec::new();
    for ind in &asked {
        match given.get(ind.code.as_str()).map(|v| v.trim()) {
            None if ind.required => {
                errors.entry(ind.code.clone()).or_insert(AnswerProblem::Missing);
            }
            None => {}
            Some("") => {}
            Some(v) => match v.replace(',', ".").parse::<f64>() {
                Ok(x) => match check_answer(ind, x) {
                    Ok(()) => answers.push((ind.code.clone(), x)),
                    Err(_) => {
                        errors.insert(ind.code.clone(), AnswerProblem::OutOfRange { min: ind.min, max: ind.max });
                    }
                },
                Err(_) => {
                    errors.insert(ind.code.clone(), AnswerProblem::NotANumber);
                }
            },
        }
    }
    let asked: HashSet<&str> = asked.iter().map(|i| i.code.as_str()).collect();
    if given.keys().any(|k| !asked.contains(k)) {
        return Err(SubmitError::ForeignQuestion);
    }
    if !errors.is_empty() {
        return Err(SubmitError::Answers(errors));
    }
    Ok(answers)
}

/// Check and store the answers of an open form (`fields`: question code → the value sent, blank for "don't
/// know") and use up its token, in one transaction. Returns the response's id.
pub async fn submit_form(app: &App, ctx: &FormContext, token: &str, fields: &[(String, String)]) -> Result<i64, SubmitError> {
    let answers = check_answers(ctx, fields)?;
    match app.store.submit_survey_form(token, &answers).await {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict(m)) => Err(SubmitError::Conflict(m)),
        Err(StoreError::Invalid(m)) => Err(SubmitError::Refused(m)),
        Err(e) => Err(SubmitError::Store(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_stats::Questionnaire;
    use chiso_store::surveys::Survey;

    fn ctx(group: Option<&str>) -> FormContext {
        let q = Questionnaire::from_toml_str(
            "framework = \"papi\"\n[[indicator]]\ncode = \"a\"\nnode = \"papi.d1.s1\"\nmin = 1\nmax = 4\ndirection = 1\n\
             options = [{ label = \"Kém\", value = 1 }, { label = \"Tốt\", value = 4 }]\n\
             [[indicator]]\ncode = \"b\"\nnode = \"papi.d1.s2\"\nmin = 0\nmax = 2.5\ndirection = 1\ngroups = [\"dn\"]\n",
        )
        .expect("q");
        let survey = Survey {
            id: 1,
            unit_id: 1,
            unit_code: "X01".into(),
            unit_name: "Xã".into(),
            unit_path: "/1/".into(),
            framework: "papi".into(),
            year: 2024,
            title: "t".into(),
            questionnaire_title: None,
            status: "open".into(),
            created_by: "test".into(),
            created_at: 0,
            updated_at: 0,
        };
        FormContext {
            invitation_id: 1,
            survey,
            unit_code: "X01".into(),
            unit_name: "Xã".into(),
            group_code: group.map(String::from),
            questionnaire: q,
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn problems(r: Result<Vec<(String, f64)>, SubmitError>) -> HashMap<String, AnswerProblem> {
        match r {
            Err(SubmitError::Answers(e)) => e,
            other => panic!("expected answer problems, got {other:?}"),
        }
    }

    #[test]
    fn answers_are_checked_question_by_question() {
        let nd = ctx(Some("nd"));
        assert_eq!(check_answers(&nd, &fields(&[("a", "4")])).expect("ok"), vec![("a".to_string(), 4.0)], "b is not asked of nd");
        assert_eq!(check_answers(&nd, &fields(&[("a", " ")])).expect("don't know"), Vec::new());
        let e = problems(check_answers(&nd, &fields(&[("a", "2")])));
        assert_eq!(e["a"], AnswerProblem::OutOfRange { min: 1.0, max: 4.0 }, "not an option");
        assert_eq!(e["a"].to_string(), "Câu trả lời phải nằm trong khoảng 1 đến 4.");
        assert_eq!(problems(check_answers(&nd, &fields(&[("a", "nhiều")])))["a"], AnswerProblem::NotANumber);
        assert_eq!(problems(check_answers(&nd, &fields(&[("a", "1"), ("a", "4")])))["a"], AnswerProblem::Twice);
        assert!(matches!(check_answers(&nd, &fields(&[("a", "1"), ("b", "1")])), Err(SubmitError::ForeignQuestion)));
        let dn = ctx(Some("dn"));
        let e = problems(check_answers(&dn, &fields(&[("a", "1"), ("b", "2,6")])));
        assert_eq!(e["b"].to_string(), "Câu trả lời phải nằm trong khoảng 0 đến 2,50.");
        assert_eq!(check_answers(&dn, &fields(&[("a", "1"), ("b", "2,5")])).expect("comma decimal").len(), 2);
        assert_eq!(problems(check_answers(&ctx(None), &fields(&[("b", "1")])))["a"], AnswerProblem::Missing);
    }
}
