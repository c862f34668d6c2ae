//! What a posted form held and what was wrong with each of its fields — the one way a page form is shown
//! again after a validation error: every field keeps what was typed and its error is shown beside it
//! (status 422), instead of the stored values coming back and the typing being lost.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

/// A posted form's values (by field name) and field errors (in Vietnamese). An empty `FormState` (a GET)
/// shows the stored values.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    values: HashMap<String, String>,
    /// Every posted pair in order (a `<select multiple>` posts its name once per chosen option).
    pairs: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    /// Errors not tied to one field (a stale version, a refused state change).
    general: Vec<String>,
}

impl FormState {
    /// Nothing posted: every field shows what is stored.
    pub fn empty() -> FormState {
        FormState::default()
    }

    /// What was posted (the CSRF token is not kept: the page renders its own).
    pub fn posted<I: IntoIterator<Item = (String, String)>>(pairs: I) -> FormState {
        let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "csrf").collect();
        FormState { values: pairs.iter().cloned().collect(), pairs, ..FormState::default() }
    }

    /// Whether a form was posted (a GET shows what is stored).
    pub fn is_posted(&self) -> bool {
        !self.pairs.is_empty()
    }

    /// Every posted value of a field (a `<select multiple>`, checkboxes of one name), in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Whether an option of a multiple choice is chosen: among the posted values once the form was posted
    /// (choosing none is a choice), otherwise among `stored`.
    pub fn picked(&self, name: &str, option: &str, stored: &[String]) -> bool {
        if self.is_posted() { self.pairs.iter().any(|(k, v)| k == name && v == option) } else { stored.iter().any(|s| s == option) }
    }

    /// Posted values of a field that are none of `options` (kept and shown after a refusal, beside the
    /// field's error, instead of vanishing from a pick list).
    pub fn unknown(&self, name: &str, options: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in self.all(name) {
            if !v.trim().is_empty() && !options.contains(&v.as_str()) && !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }

    /// The posted value of a field, if it was posted.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The posted value of a field, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> String {
        self.get(name).map(|s| s.trim().to_string()).unwrap_or_default()
    }

    /// What the field shows: what was typed when the form was posted, otherwise what is stored.
    pub fn value(&self, name: &str, stored: &str) -> String {
        self.get(name).unwrap_or(stored).to_string()
    }

    /// Whether a `<select>` option or radio is the one chosen: the posted choice, otherwise `stored`.
    pub fn chosen(&self, name: &str, option: &str, stored: &str) -> bool {
        self.get(name).unwrap_or(stored) == option
    }

    /// Marks a field wrong (the first error of a field is the one shown beside it).
    pub fn field_error(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push((name.to_string(), message.into()));
    }

    /// An error about the whole form.
    pub fn error(&mut self, message: impl Into<String>) {
        self.general.push(message.into());
    }

    /// The error beside a field, if any (`""` when none, for templates).
    pub fn error_of(&self, name: &str) -> &str {
        self.errors.iter().find(|(n, _)| n == name).map(|(_, m)| m.as_str()).unwrap_or("")
    }

    pub fn has_error(&self, name: &str) -> bool {
        self.errors.iter().any(|(n, _)| n == name)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || !self.general.is_empty()
    }

    /// Every message, the form's own first, then the fields' (the summary above the form).
    pub fn messages(&self) -> Vec<String> {
        self.general.iter().cloned().chain(self.errors.iter().map(|(_, m)| m.clone())).collect()
    }

    /// Splits a refusal that names criteria as "`code`: …" (joined by "; ") into errors beside the fields
    /// `field_of(code)`; parts naming no field are errors of the whole form.
    pub fn attach(&mut self, message: &str, field_of: impl Fn(&str) -> Option<String>) {
        for part in message.split("; ").map(str::trim).filter(|p| !p.is_empty()) {
            let code = part.strip_prefix('`').and_then(|r| r.split_once('`'));
            // "`par.a1.c2` A1.2 Tên: …": the code places the message and is not shown; "`a.1`: …" stays whole.
            let shown = code.and_then(|(_, rest)| rest.strip_prefix(' ')).unwrap_or(part).to_string();
            match code.and_then(|(code, _)| field_of(code)) {
                Some(f) => self.field_error(&f, shown),
                None => self.error(shown),
            }
        }
    }
}

/// The page again with what was typed and what was wrong: 422 (409 for a conflict such as a stale version).
pub fn form_again(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_win_over_stored_and_errors_sit_by_their_field() {
        let mut f = FormState::posted(vec![("note".into(), "đã làm".into()), ("csrf".into(), "x".into())]);
        assert_eq!(f.value("note", "cũ"), "đã làm");
        assert_eq!(f.value("other", "cũ"), "cũ");
        assert_eq!(f.get("csrf"), None);
        assert!(!f.has_errors());
        f.attach("`a.1`: điểm 9 ngoài khoảng; phiếu đã khoá", |c| Some(format!("score:{c}")));
        assert_eq!(f.error_of("score:a.1"), "`a.1`: điểm 9 ngoài khoảng");
        assert_eq!(f.messages(), vec!["phiếu đã khoá".to_string(), "`a.1`: điểm 9 ngoài khoảng".to_string()]);
        assert!(FormState::empty().value("x", "s") == "s");
        let m = FormState::posted(vec![("k".into(), "a1".into()), ("k".into(), "x".into()), ("v".into(), "1".into())]);
        assert_eq!(m.all("k"), vec!["a1".to_string(), "x".to_string()]);
        assert!(m.picked("k", "a1", &[]) && !m.picked("k", "a2", &["a2".to_string()]), "posted choices win, none chosen is a choice");
        assert!(FormState::empty().picked("k", "a2", &["a2".to_string()]));
        assert_eq!(m.unknown("k", &["a1"]), vec!["x".to_string()]);
        let mut f = FormState::posted(vec![]);
        f.attach("`par.a1.c2` A1.2 Kế hoạch: điểm 9 ngoài khoảng 0–2", |c| Some(format!("score:{c}")));
        assert_eq!(f.error_of("score:par.a1.c2"), "A1.2 Kế hoạch: điểm 9 ngoài khoảng 0–2", "the code places it, the name says it");
    }
}
