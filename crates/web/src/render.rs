//! What every response is rendered with: the page layout (`Base`), HTML escaping, JSON that is safe inside
//! a `<script>` element, and file downloads.

use crate::i18n::Lang;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What every page's layout needs.
pub struct Base {
    pub lang: Lang,
    pub title: String,
    pub nav: &'static str,
    pub user_name: Option<String>,
    pub username: String,
    pub csrf: String,
    /// Unread notifications of the logged-in person (the bell's badge).
    pub unread: i64,
}

impl Base {
    pub fn anonymous(lang: Lang, title: &str, csrf: &str) -> Base {
        Base { lang, title: title.to_string(), nav: "", user_name: None, username: String::new(), csrf: csrf.to_string(), unread: 0 }
    }
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON to put inside `<script type="application/json">` (or any script): `<`, `>`, `&` and the JavaScript
/// line separators are escaped, so no text — a task's node, a unit's name — can close the script element
/// or break the parser. The one encoder for every page.
pub fn script_json(v: &impl Serialize) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A file download: its bytes, content type and a file name (UTF-8 names per RFC 5987).
pub fn file_response(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    let ascii: String = filename.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::auth::urlencode(filename));
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn script_json_cannot_close_the_script_and_reads_back() {
        let v = json!({"name": "</script><script>alert(1)</script>&\u{2028}\u{2029}<!--", "node": "papi.d1\"]});alert(1)//"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&') && !s.contains('\u{2028}') && !s.contains('\u{2029}'), "{s}");
        assert_eq!(serde_json::from_str::<Value>(&s).ok(), Some(v));
    }
}
