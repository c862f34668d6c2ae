//! "Vietnamese everywhere a person reads": the visible text of an HTML page, and what in it is not for a
//! Vietnamese reader — a raw code (an enum value, a framework node code, a snake_case or UPPER_CASE
//! identifier), an English fragment, an ISO date (yyyy-mm-dd) or a decimal point (8.52 where Vietnamese writes
//! 8,52). Used by the golden walk (every demo page, four accounts) and by the web layer's HTTP tests (error
//! pages). Shared by path (`#[path]`), so it has no dependencies beyond std.
//!
//! What is "visible": text nodes, with `<script>`, `<style>`, comments and tags dropped and entities decoded,
//! plus the attributes a person reads (`placeholder`, `title`, `alt`, `aria-label`). Other attribute values
//! (hrefs, option values, ids, classes) are machine text and are not checked. Text inside `<code>` is shown as
//! code on purpose — a CSV header to copy, a file format — and is not checked either.
//!
//! Limits, honestly: English is found by a dictionary of common English words and UI words matched as whole
//! words, not by a language model, so an English sentence made only of words outside the list passes. Words
//! that are also Vietnamese syllables without diacritics ("in", "to", "no", "do", "an", "can", "may", "me",
//! "tin", "long", "bang", "hang", "ban", "minh", "than") are left out on purpose: they would flag good
//! Vietnamese. A dotted number whose groups after the first have exactly three digits ("1.000", "12.345.678")
//! is Vietnamese thousands grouping and passes, so a decimal written with a point and exactly three decimals
//! ("39.417") is not caught; dotted section numbers ("II.1.1", "D1.4", "2.1.3", "1.1." heading a paragraph)
//! are not decimals, so a decimal that ends a sentence ("điểm 8.5.") is missed.

/// One thing a Vietnamese reader should not see, on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Offence {
    /// "mã thô" (raw code), "tiếng Anh", "ngày ISO", "dấu chấm thập phân".
    pub kind: &'static str,
    /// The word or number that offends.
    pub fragment: String,
    /// The text around it (the text node, shortened).
    pub context: String,
}

/// Shown as is, on purpose. Each entry says why.
const ALLOWED_PHRASES: &[&str] = &[
    // The name of the product (the brand in the header and the footer).
    "chiso",
    // The frameworks' own names and acronyms, as the documents that define them write them: "PAR INDEX" is
    // the official English-language name of the Chỉ số CCHC, used in Vietnamese texts too.
    "PAR INDEX",
    "PAPI",
    "SIPAS",
    "PCI",
    // Names of file formats and products a person picks or installs.
    "CSV",
    "TOML",
    "DOCX",
    "XLSX",
    "PDF",
    "Word",
    "Excel",
    "LibreOffice",
    "Zalo",
    "QR",
    "English", // the language switch names the other language in that language
];

/// Tokens shown as is: the demo's usernames (what a person types to log in; the account list and the
/// header show them).
const ALLOWED_TOKENS: &[&str] = &[
    "admin",
    "nv.mocchau",
    "vp.chiengson",
    "ld.mocchau",
    "vhtt.mocchau",
    "nv.sonla",
    "nv.melinh",
    "nv.thanhliem",
    "vp.anthi",
    "xem.hanoi",
    // The accounts of the web layer's HTTP tests.
    "nv.huyen",
    "xa.x01",
    "xem.x02",
];

/// Enum values and other codes of the data model that must never reach a reader (matched exactly, whole
/// words; most are also English words and would be caught as such).
const CODES: &[&str] = &[
    "improve",
    "keep",
    "computed",
    "survey",
    "official",
    "commune",
    "district",
    "province",
    "ward",
    "township",
    "draft",
    "issued",
    "submitted",
    "returned",
    "approved",
    "appraised",
    "finalised",
    "explained",
    "open",
    "closed",
    "done",
    "late",
    "overdue",
    "specialist",
    "leader",
    "viewer",
    "agency",
    "whole",
    "main",
    "part",
    "create",
    "update",
    "submit",
    "issue",
    "finalise",
    "appraise",
];

/// Common English words and the English of UI messages (axum's and the multipart parser's among them),
/// matched case-insensitively as whole words. Vietnamese syllables without diacritics are not in it (see the
/// module's comment).
const ENGLISH: &[&str] = &[
    "the",
    "of",
    "and",
    "or",
    "for",
    "with",
    "from",
    "by",
    "is",
    "are",
    "was",
    "were",
    "be",
    "not",
    "this",
    "that",
    "these",
    "your",
    "you",
    "please",
    "should",
    "must",
    "will",
    "has",
    "have",
    "its",
    "at",
    "into",
    "out",
    "range",
    "empty",
    "file",
    "files",
    "invalid",
    "error",
    "errors",
    "status",
    "draft",
    "submitted",
    "page",
    "found",
    "score",
    "scores",
    "total",
    "mean",
    "unit",
    "units",
    "plan",
    "plans",
    "task",
    "tasks",
    "report",
    "reports",
    "user",
    "users",
    "date",
    "year",
    "period",
    "value",
    "values",
    "none",
    "null",
    "true",
    "false",
    "yes",
    "unknown",
    "missing",
    "required",
    "failed",
    "cannot",
    "parse",
    "deserialize",
    "body",
    "field",
    "form",
    "upload",
    "limit",
    "size",
    "exceeded",
    "payload",
    "large",
    "method",
    "allowed",
    "internal",
    "server",
    "request",
    "bad",
    "forbidden",
    "unauthorized",
    "login",
    "logout",
    "password",
    "username",
    "save",
    "cancel",
    "edit",
    "delete",
    "back",
    "next",
    "previous",
    "search",
    "filter",
    "loading",
    "click",
    "here",
    "after",
    "before",
    "between",
    "over",
    "under",
    "per",
    "each",
    "every",
    "only",
    "also",
    "than",
    "when",
    "where",
    "which",
    "who",
    "what",
    "about",
    "updated",
    "created",
    "deleted",
    "returned",
    "approved",
    "finalised",
    "appraised",
    "explanation",
    "evidence",
    "notification",
    "notifications",
    "dashboard",
    "settings",
    "home",
    "help",
    "public",
    "access",
    "quality",
    "local",
    "government",
    "governance",
    "administrative",
    "administration",
    "reform",
    "index",
    "survey",
    "surveys",
    "commune",
    "district",
    "province",
    "computed",
    "improve",
    "keep",
    "assessment",
    "assessments",
    "sheet",
    "appraisal",
    "question",
    "questions",
    "answer",
    "answers",
    "respondent",
    "weight",
    "group",
    "groups",
    "estimate",
    "estimates",
    "official",
    "results",
    "result",
    "ranking",
    "change",
    "changes",
    "weak",
    "points",
    "point",
    "criterion",
    "criteria",
    "dimension",
    "dimensions",
    "indicator",
    "indicators",
    "open",
    "closed",
    "done",
    "overdue",
    "pending",
    "progress",
    "late",
    "issued",
    "agency",
    "agencies",
    "leader",
    "specialist",
    "viewer",
    "role",
    "scope",
    "note",
    "notes",
    "data",
    "no-data",
    "chart",
    "level",
    "name",
    "code",
    "list",
    "view",
    "show",
    "hide",
    "more",
    "less",
    "all",
    "any",
    "some",
    "other",
    "new",
    "old",
    "read",
    "unread",
    "sent",
    "send",
    "import",
    "export",
    "download",
    "uploaded",
    "row",
    "rows",
    "line",
    "column",
    "expected",
    "got",
    "number",
    "text",
    "type",
    "failed",
    "success",
    "successful",
    "saved",
    "welcome",
    "yourself",
    "our",
    "translation",
    "source",
];

/// The visible text of an HTML page, one entry per text node or read attribute (entities decoded).
pub fn visible_text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut code_depth = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest, code_depth);
            break;
        };
        push_text(&mut out, &rest[..lt], code_depth);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String =
            tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if !closing && (name == "script" || name == "style") {
            let end = format!("</{name}");
            rest = rest.to_ascii_lowercase().find(&end).map_or("", |e| &rest[e..]);
            continue;
        }
        if name == "code" {
            if closing {
                code_depth = code_depth.saturating_sub(1);
            } else {
                code_depth += 1;
            }
            continue;
        }
        if !closing {
            for attr in ["placeholder", "title", "alt", "aria-label"] {
                if let Some(v) = attribute(tag, attr) {
                    push_text(&mut out, &v, 0);
                }
            }
        }
    }
    out
}

/// The end (`>`) of the tag that starts `s`, skipping `>` inside quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The value of `name="…"` in a tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = tag[from..].find(name).map(|i| i + from) {
        from = at + name.len();
        let before_ok = at > 0 && tag.as_bytes()[at - 1].is_ascii_whitespace();
        let after = &tag[from..];
        if let (true, Some(v)) = (before_ok, after.strip_prefix("=\"")) {
            return v.find('"').map(|e| v[..e].to_string());
        }
    }
    None
}

fn push_text(out: &mut Vec<String>, raw: &str, code_depth: usize) {
    if code_depth > 0 {
        return;
    }
    let text = decode_entities(raw);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text.is_empty() {
        out.push(text);
    }
}

pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ if ent.starts_with("#x") || ent.starts_with("#X") => u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32),
                _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Everything in a page's visible text that a Vietnamese reader should not see.
pub fn offences(html: &str) -> Vec<Offence> {
    let mut found = Vec::new();
    for segment in visible_text(html) {
        check_segment(&segment, &mut found);
    }
    found
}

fn check_segment(segment: &str, found: &mut Vec<Offence>) {
    let mut text = segment.to_string();
    for phrase in ALLOWED_PHRASES {
        text = replace_whole(&text, phrase);
    }
    let context: String = segment.chars().take(120).collect();
    let mut add = |kind: &'static str, fragment: &str| {
        if !found.iter().any(|o: &Offence| o.kind == kind && o.fragment == fragment) {
            found.push(Offence { kind, fragment: fragment.to_string(), context: context.clone() });
        }
    };
    for raw in text.split_whitespace() {
        let token = raw.trim_matches(|c: char| "()[]{}\"'“”‘’,;:!?…«»*·–—|<>".contains(c));
        // "1.1." heads a numbered paragraph (a section number), not a decimal.
        let heading_number = token.ends_with('.') && token.chars().all(|c| c.is_ascii_digit() || c == '.');
        let token = token.trim_end_matches('.');
        if token.is_empty() || ALLOWED_TOKENS.contains(&token) || is_url_or_path(token) || is_file_name(token) || is_email(token) {
            continue;
        }
        if let Some(d) = iso_date(token) {
            add("ngày ISO", d);
            continue;
        }
        if let Some(n) = decimal_point(token).filter(|_| !heading_number) {
            add("dấu chấm thập phân", n);
            continue;
        }
        if is_identifier(token) || CODES.contains(&token) {
            add("mã thô", token);
            continue;
        }
        for word in token.split(|c: char| !c.is_alphanumeric() && c != '-') {
            let lower = word.to_lowercase();
            if !word.is_empty() && ENGLISH.contains(&lower.as_str()) {
                add("tiếng Anh", word);
            }
        }
    }
}

/// `text` with every whole-word occurrence of `phrase` blanked.
fn replace_whole(text: &str, phrase: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(phrase) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + phrase.len()..].chars().next();
        let whole = !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..at]);
        out.push_str(if whole { " " } else { phrase });
        rest = &rest[at + phrase.len()..];
    }
    out.push_str(rest);
    out
}

fn is_url_or_path(t: &str) -> bool {
    const DOMAINS: &[&str] = &[".vn", ".org", ".com", ".net", ".gov"];
    t.starts_with("http://")
        || t.starts_with("https://")
        || (t.starts_with('/') && t.len() > 1 && !t[1..].starts_with(char::is_numeric))
        // A web site named as text ("papi.org.vn").
        || (DOMAINS.iter().any(|d| t.ends_with(d)) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

fn is_file_name(t: &str) -> bool {
    const EXT: &[&str] = &[".csv", ".toml", ".docx", ".xlsx", ".pdf", ".txt", ".zip", ".json", ".png", ".jpg", ".jpeg", ".md", ".odt"];
    let lower = t.to_lowercase();
    EXT.iter().any(|e| lower.ends_with(e) && lower.len() > e.len())
}

fn is_email(t: &str) -> bool {
    t.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
}

/// A `yyyy-mm-dd` inside the token.
fn iso_date(t: &str) -> Option<&str> {
    let b = t.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let w = &b[i..i + 10];
        let shape = w.iter().enumerate().all(|(k, c)| if k == 4 || k == 7 { *c == b'-' } else { c.is_ascii_digit() });
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit()) && b.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
        (shape && bounded).then(|| &t[i..i + 10])
    })
}

/// A number written with a decimal point: a run of digits and dots, not after a letter or a dot (section
/// numbers "II.1.1", "D1.4"), with one dot whose fraction is not a thousands group of three digits, or
/// several dots of which some group is not three digits but that is not a section number either (see the
/// module's comment for what slips through).
fn decimal_point(t: &str) -> Option<&str> {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_alphabetic() || b[i - 1] == b'.' || b[i - 1] >= 0x80)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))) {
            i += 1;
        }
        let run = &t[start..i];
        let groups: Vec<&str> = run.split('.').collect();
        // Followed by a letter ("1.2a") or more dots: not a plain number.
        let tail_letter = b.get(i).is_some_and(|c| c.is_ascii_alphabetic());
        if groups.len() == 2 && !tail_letter {
            let thousands = groups[1].len() == 3 && !groups[0].starts_with('0') && groups[0].len() <= 3;
            if !thousands {
                return Some(run);
            }
        }
        // Three or more groups: thousands grouping (1.234.567) or a section number (2.1.3); neither is a decimal.
    }
    None
}

/// snake_case / UPPER_SNAKE identifiers and lower-case dotted codes ("papi.d1.s4").
fn is_identifier(t: &str) -> bool {
    let ascii_ident = t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !ascii_ident {
        return false;
    }
    let snake = t.contains('_') && t.split('_').filter(|p| !p.is_empty()).count() >= 2 && t.chars().any(|c| c.is_ascii_alphabetic());
    let dotted = t.contains('.')
        && t.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && t.split('.').count() >= 2
        && t.split('.').all(|p| !p.is_empty())
        && t.split('.').skip(1).any(|p| p.chars().any(|c| c.is_ascii_lowercase()));
    snake || dotted
}

/// Offences as lines for a failure message: `PAGE: kind «fragment» in "context"`.
pub fn describe(page: &str, offences: &[Offence]) -> Vec<String> {
    offences.iter().map(|o| format!("{page}: {} «{}» trong \"{}\"", o.kind, o.fragment, o.context)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(html: &str) -> Vec<(&'static str, String)> {
        offences(html).into_iter().map(|o| (o.kind, o.fragment)).collect()
    }

    #[test]
    fn finds_every_kind_and_only_in_visible_text() {
        let html = r#"<html><head><title>Trang</title><style>.a{}</style><script>var x = "improve papi.d1.s4 8.52";</script></head>
            <body><a href="/x?d=2022-04-30" class="draft">Kế hoạch</a><select><option value="keep">Duy trì</option></select>
            <p>Điểm 8.52 ngày 2022-04-30 (score out of range) papi.d1.s4 nguoi_dan PAR_INDEX improve</p>
            <p>Invalid URL: Cannot parse `abc` to a `i64`</p><input placeholder="empty file"><!-- the draft --></body></html>"#;
        let got = kinds(html);
        for want in [
            ("dấu chấm thập phân", "8.52"),
            ("ngày ISO", "2022-04-30"),
            ("tiếng Anh", "score"),
            ("tiếng Anh", "out"),
            ("tiếng Anh", "range"),
            ("mã thô", "papi.d1.s4"),
            ("mã thô", "nguoi_dan"),
            ("mã thô", "PAR_INDEX"),
            ("mã thô", "improve"),
            ("tiếng Anh", "Invalid"),
            ("tiếng Anh", "Cannot"),
            ("tiếng Anh", "parse"),
            ("tiếng Anh", "empty"),
            ("tiếng Anh", "file"),
        ] {
            assert!(got.contains(&(want.0, want.1.to_string())), "{want:?} not found in {got:?}");
        }
        assert!(
            !got.iter().any(|(_, f)| f == "keep" || f == "draft" || f == "the"),
            "attributes, scripts and comments are not visible: {got:?}"
        );
    }

    #[test]
    fn vietnamese_numbers_dates_and_allowed_things_pass() {
        let html = "<p>Kế hoạch 426/KH-UBND ngày 20/02/2022, ngày 05 tháng 01 năm 2024: 8,52 điểm; 1.000 câu trả lời; \
                    nhiệm vụ II.1.1, D1.4 — Tiêu chí; mã 03985; tài khoản nv.mocchau; tệp ket-qua.csv; PAR INDEX; \
                    https://chiso.gov.vn/a_b; papi.org.vn; <code>respondent_id,unit,group</code> in 2.1.3 to</p><p>1.1. Tuyên truyền</p>";
        assert_eq!(kinds(html), vec![]);
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(visible_text("<p>a &amp; b &#39;c&#39; &#x110;</p>"), vec!["a & b 'c' Đ".to_string()]);
    }
}
