//! Long (~670 lines of code and ~210 of tests): the one date scanner and the deadline reader share its
//! token stream; the tests sit beside the phrases they check.
//!
//! Reading a reporting schedule from a plan's deadline texts ("Báo cáo 6 tháng … trước ngày 05/6", "chốt số
//! liệu từ ngày 01/12/2021 đến ngày 31/5/2022"), with the one date scanner of the system.

use super::schedule::{clip_before, strictly_between};
use super::{DateSource, DateWindow, Frequency, Period, Schedule, SchedulePolicy, ScheduledPeriod, YEARS, ymd};
use crate::calendar::Calendar;
use crate::text::{fold, vn_date_short};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// A report deadline a plan sets, read once from its document when the plan is stored: the text and the date
/// it gives. The year may be unwritten ("chốt số liệu … đến ngày 31/5"): such a date falls in whichever year a
/// schedule is built for, as a plan for 2021–2025 sets the same day every year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDeadline {
    pub day: u8,
    pub month: u8,
    #[serde(default)]
    pub year: Option<i32>,
    pub text: String,
}

impl PlanDeadline {
    /// The date in the schedule's `year` (the written year when there is one); None for 29/02 in other years.
    pub fn date_in(&self, year: i32) -> Option<Date> {
        ymd(self.year.unwrap_or(year), self.month, self.day)
    }

    /// The `(date, text)` pairs [`schedule_from_deadlines_with`] reads, for a schedule of `year`.
    pub fn pairs_for(deadlines: &[PlanDeadline], year: i32) -> Vec<(Date, String)> {
        deadlines.iter().filter_map(|d| Some((d.date_in(year)?, d.text.clone()))).collect()
    }
}

/// Every date in a text, in order ("05/6", "31/5/2022", "01-12-2021", "26.4.2022", "ngày 15 tháng 12 năm
/// 2021"); a date written without a year takes `year`. Days that do not exist (31/4) are left out.
pub fn dates_in(text: &str, year: i32) -> Vec<Date> {
    scan_dates(&fold(text)).iter().filter_map(|h| ymd(h.year.unwrap_or(year), h.month, h.day)).collect()
}

/// The report deadlines of a plan's document (the structure the plan parser produced, as stored with the
/// plan): first each `deadlines: [{date, text}]` entry the parser found, then every text of the document that
/// speaks of the data window ("chốt số liệu") with the last date it gives — the end of the window or the
/// deadline after it. Texts that give no date are left out; nothing is guessed.
pub fn report_deadlines(document: &serde_json::Value) -> Vec<PlanDeadline> {
    let mut out = Vec::new();
    if let Some(ds) = document.get("deadlines").and_then(|d| d.as_array()) {
        for d in ds {
            let date = d.get("date").and_then(|x| x.as_str()).and_then(crate::unit::parse_date);
            if let (Some(date), Some(text)) = (date, d.get("text").and_then(|x| x.as_str())) {
                out.push(PlanDeadline { day: date.day(), month: u8::from(date.month()), year: Some(date.year()), text: text.to_string() });
            }
        }
    }
    let mut strings = Vec::new();
    collect_strings(document, &mut strings);
    for s in strings {
        let folded = fold(s);
        if !folded.contains("chot so lieu") {
            continue;
        }
        // 29/02 is kept (it exists in leap years); 31/04 never exists.
        if let Some(h) = scan_dates(&folded).into_iter().rfind(|h| ymd(2000, h.month, h.day).is_some()) {
            out.push(PlanDeadline { day: h.day, month: h.month, year: h.year, text: s.to_string() });
        }
    }
    out
}

/// Every string in a JSON value, depth first, in the order the value iterates.
fn collect_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Build a schedule from the deadlines a plan parser found (`deadlines: [{date, text}]`), with the default
/// policy (chain commune → district → province) and the Vietnamese calendar. See
/// [`schedule_from_deadlines_with`].
pub fn schedule_from_deadlines(year: i32, deadlines: &[(Date, String)]) -> Schedule {
    schedule_from_deadlines_with(year, deadlines, &SchedulePolicy::default(), &Calendar::vietnam())
}

/// Build a schedule from a plan's deadlines.
///
/// Each text is read, diacritic-insensitively, for
/// - the period it speaks of: "6 tháng (đầu/cuối) năm", "quý I…IV", "hằng quý", "9 tháng" (the third-quarter
///   report), "cả năm" / "báo cáo năm" / "hằng năm", "báo cáo tháng N", "đột xuất";
/// - a data window "(chốt số liệu) từ ngày … đến ngày …";
/// - due dates after a deadline cue ("trước ngày", "chậm nhất", "hạn", …); the date given with the text counts
///   as one.
///
/// A period's distinct due dates, in ascending order, go to the levels of `policy.chain` from the bottom (the
/// plan's children report first, then the plan's own unit); missing higher levels are derived with the
/// policy's spacing. A period with due dates but no window gets the Nghị định 09 window, cut to leave one
/// working day before the first deadline; one with a window but no due dates gets the policy's dues.
/// Deadlines that are not about a periodic report (issuing a plan, a task's deadline) are left out and
/// listed in `notes`. For a plan whose children are not communes, pass `policy.starting_at(level)`.
pub fn schedule_from_deadlines_with(year: i32, deadlines: &[(Date, String)], policy: &SchedulePolicy, cal: &Calendar) -> Schedule {
    let mut found: BTreeMap<Period, Found> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut ad_hoc = 0u8;
    for (date, text) in deadlines {
        read_deadline(year, *date, text, &mut found, &mut notes, &mut ad_hoc);
    }

    let mut s = Schedule::empty(year, policy);
    for (period, f) in found {
        let mut texts: Vec<String> = Vec::new();
        for t in f.texts {
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
        let dues: Vec<Date> = f.dues.into_iter().collect();
        if dues.len() > policy.chain.len() {
            notes.push(format!(
                "Kỳ {}: kế hoạch nêu {} hạn gửi nhưng chỉ có {} cấp báo cáo; bỏ qua các hạn sau {}.",
                period.label_vi(),
                dues.len(),
                policy.chain.len(),
                dues.get(policy.chain.len().saturating_sub(1)).map_or_else(String::new, |d| vn_date_short(*d))
            ));
        }
        let (window, window_source) = match f.windows.first() {
            Some(w) => {
                if f.windows.iter().any(|x| x != w) {
                    notes.push(format!("Kỳ {}: kế hoạch nêu nhiều thời gian chốt số liệu; dùng {}.", period.label_vi(), w.label_vi()));
                }
                (*w, DateSource::Plan)
            }
            None => {
                let first_due = dues.first().copied();
                let base = match period.nd09_window() {
                    Some(w) => Some(w),
                    // An ad hoc report without a window covers the year so far.
                    None => first_due.and_then(|d| Some(DateWindow { from: ymd(period.year(), 1, 1)?, to: d })),
                };
                let Some(mut w) = base else { continue };
                let mut source = if period.nd09_window().is_some() { DateSource::Rule } else { DateSource::Derived };
                if let Some(due) = first_due
                    && strictly_between(cal, w.to, due) < 1
                    && let Some(end) = clip_before(cal, due)
                    && end >= w.from
                {
                    w.to = end;
                    source = DateSource::Derived;
                }
                (w, source)
            }
        };
        let level_dues = if dues.is_empty() { policy.default_dues(window.to, cal) } else { policy.dues_from(&dues, cal) };
        s.upsert(ScheduledPeriod { period, window, window_source, dues: level_dues, texts });
    }
    for p in s.validate(cal) {
        notes.push(format!("Cần xem lại — {p}."));
    }
    s.notes = notes;
    s
}

#[derive(Default)]
struct Found {
    windows: Vec<DateWindow>,
    dues: BTreeSet<Date>,
    texts: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    From,
    To,
    Due,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct DateHit {
    start: usize,
    end: usize,
    day: u8,
    month: u8,
    year: Option<i32>,
    role: Role,
}

#[derive(Debug, Clone, Copy)]
struct PhraseHit {
    start: usize,
    end: usize,
    freq: Frequency,
    index: Option<u8>,
    year: Option<i32>,
}

fn short(text: &str) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 120 { format!("{}…", t.chars().take(120).collect::<String>()) } else { t }
}

fn read_deadline(year: i32, date: Date, text: &str, found: &mut BTreeMap<Period, Found>, notes: &mut Vec<String>, ad_hoc: &mut u8) {
    let t = fold(text);
    let mut dates = scan_dates(&t);
    let phrases = scan_phrases(&t);
    let reporting = has_word(&t, "bao cao") || has_word(&t, "chot so lieu");

    // Windows: a "từ" date followed by a "đến" date.
    let mut in_window = vec![false; dates.len()];
    let mut windows = Vec::new();
    let mut i = 0;
    while i < dates.len() {
        if dates[i].role == Role::From
            && let Some(j) = (i + 1..dates.len()).find(|&j| dates[j].role == Role::To)
        {
            in_window[i] = true;
            in_window[j] = true;
            windows.push((i, j));
            i = j + 1;
            continue;
        }
        i += 1;
    }

    // The date given with the text is a deadline: mark the date in the text it stands for.
    let given =
        dates.iter().position(|h| h.day == date.day() && h.month == u8::from(date.month()) && h.year.is_none_or(|y| y == date.year()));
    let mut extra_due = None;
    match given {
        Some(k) if !in_window[k] => dates[k].role = Role::Due,
        Some(_) => {}
        None if windows.is_empty() && !dates.iter().any(|h| h.role == Role::Due) => extra_due = Some(t.len()),
        None => {}
    }

    let mut used = false;
    for (fi, ti) in windows {
        let (f, to) = (dates[fi], dates[ti]);
        let phrase = phrase_before(&phrases, f.start, 0).or_else(|| phrase_after(&phrases, to.end));
        let hint = phrase.and_then(|p| p.year).unwrap_or(year);
        let to_year = to.year.unwrap_or(hint);
        let Some(to_date) = ymd(to_year, to.month, to.day) else { continue };
        let from_year = f.year.unwrap_or(if (f.month, f.day) > (to.month, to.day) { to_year - 1 } else { to_year });
        let Some(from_date) = ymd(from_year, f.month, f.day) else { continue };
        let Some(window) = DateWindow::new(from_date, to_date) else {
            notes.push(format!("Bỏ qua thời gian chốt số liệu ngược chiều: «{}».", short(text)));
            continue;
        };
        let period = match phrase {
            Some(p) => resolve(p, to_date, hint, ad_hoc),
            None => by_length(window, hint),
        };
        let Some(period) = period else { continue };
        let e = found.entry(period).or_default();
        e.windows.push(window);
        e.texts.push(text.trim().to_string());
        used = true;
    }

    let mut due_hits: Vec<(usize, usize, Option<Date>, bool)> = Vec::new(); // (start, segment start, date, year given)
    let mut seg_start = 0;
    for h in &dates {
        if h.role == Role::Due {
            let d = if Some(h.start) == given.map(|k| dates[k].start) { Some(date) } else { ymd(h.year.unwrap_or(year), h.month, h.day) };
            due_hits.push((h.start, seg_start, d, h.year.is_some()));
        }
        seg_start = h.end;
    }
    if let Some(pos) = extra_due {
        due_hits.push((pos, seg_start.min(pos), Some(date), true));
    }

    for (pos, seg, d, year_given) in due_hits {
        let Some(mut d) = d else { continue };
        let in_segment = phrase_before(&phrases, pos, seg);
        let phrase = in_segment.or_else(|| phrase_before(&phrases, pos, 0)).or_else(|| phrase_after(&phrases, pos));
        // Without "báo cáo" in the text, only a period named right before the deadline makes it a report's.
        let attached = in_segment.is_some_and(|p| attached_to_deadline(&t, p.end, pos));
        let Some(p) = phrase.filter(|_| reporting || attached) else {
            notes.push(format!("Bỏ qua hạn {} (không phải hạn báo cáo định kỳ): «{}».", vn_date_short(d), short(text)));
            continue;
        };
        let hint = p.year.unwrap_or(year);
        let Some(mut period) = resolve(p, d, hint, ad_hoc) else { continue };
        // "trước ngày 10/01" written without a year for a year or Q4 report means next January.
        if !year_given
            && let Some(cw) = period.calendar_window()
            && d < cw.from + (cw.to - cw.from) / 2
            && let Some(next) = ymd(d.year() + 1, u8::from(d.month()), d.day())
        {
            d = next;
            if p.index.is_none() && p.freq != Frequency::Year {
                period = resolve(p, d, hint, ad_hoc).unwrap_or(period);
            }
        }
        let e = found.entry(period).or_default();
        e.dues.insert(d);
        e.texts.push(text.trim().to_string());
        used = true;
    }
    if !used && dates.is_empty() && extra_due.is_none() {
        notes.push(format!("Bỏ qua: «{}».", short(text)));
    }
}

/// Whether only a deadline cue (and a couple of words such as "gửi về") stands between a period name ending
/// at `end` and a date at `pos`: "cả năm trước 10/12/2022".
fn attached_to_deadline(t: &str, end: usize, pos: usize) -> bool {
    let Some(between) = t.get(end..pos) else { return false };
    let mut between = between.trim_matches([' ', ':', ',']);
    for cue in DUE_CUES {
        if let Some(b) = between.strip_suffix(cue) {
            between = b.trim_end_matches([' ', ':', ',']);
            break;
        }
    }
    between.split_whitespace().count() <= 2 && !between.contains(['/', ';', '.'])
}

/// The period a phrase names; an unnumbered one ("6 tháng", "hằng quý") is the period of that frequency whose
/// calendar end is nearest to `reference` (a due date or the end of a window).
fn resolve(p: PhraseHit, reference: Date, year: i32, ad_hoc: &mut u8) -> Option<Period> {
    if p.freq == Frequency::AdHoc {
        *ad_hoc = ad_hoc.saturating_add(1).min(99);
        return Period::ad_hoc(year, *ad_hoc);
    }
    if p.freq == Frequency::Year {
        return Period::year_period(year);
    }
    if let Some(i) = p.index {
        return match p.freq {
            Frequency::Month => Period::month(year, i),
            Frequency::Quarter => Period::quarter(year, i),
            Frequency::HalfYear => Period::half(year, i),
            _ => None,
        };
    }
    nearest_by_end(p.freq, reference, year)
}

fn nearest_by_end(freq: Frequency, reference: Date, year: i32) -> Option<Period> {
    Period::all_in_year(year, freq)
        .into_iter()
        .filter_map(|p| Some((p, p.calendar_window()?.to)))
        .min_by_key(|(_, end)| (*end - reference).whole_days().abs())
        .map(|(p, _)| p)
}

/// A window with no period named: guess the frequency from its length, the period from its end.
fn by_length(w: DateWindow, year: i32) -> Option<Period> {
    let freq = match w.days() {
        ..=45 => Frequency::Month,
        46..=135 => Frequency::Quarter,
        136..=250 => Frequency::HalfYear,
        _ => Frequency::Year,
    };
    if freq == Frequency::Year {
        return Period::year_period(year);
    }
    nearest_by_end(freq, w.to, year)
}

fn phrase_before(ps: &[PhraseHit], pos: usize, not_before: usize) -> Option<PhraseHit> {
    ps.iter().filter(|p| p.end <= pos && p.start >= not_before).max_by_key(|p| p.end).copied()
}

/// A period named shortly after `pos` ("Trước ngày 20/6, gửi báo cáo 6 tháng …").
fn phrase_after(ps: &[PhraseHit], pos: usize) -> Option<PhraseHit> {
    ps.iter().filter(|p| p.start >= pos && p.start - pos <= 60).min_by_key(|p| p.start).copied()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Occurrences of `pat` in `t` as whole words.
fn word_matches(t: &str, pat: &str) -> Vec<usize> {
    let b = t.as_bytes();
    t.match_indices(pat)
        .map(|(i, _)| i)
        .filter(|&i| {
            let before_ok = i == 0 || !is_word_byte(b[i - 1]);
            let j = i + pat.len();
            let after_ok = j >= b.len() || !is_word_byte(b[j]);
            before_ok && after_ok
        })
        .collect()
}

fn has_word(t: &str, pat: &str) -> bool {
    !word_matches(t, pat).is_empty()
}

/// Digits starting at `i`: (value, end). Value saturates; callers check the length.
fn digits(b: &[u8], i: usize) -> (u32, usize) {
    let mut j = i;
    let mut v: u32 = 0;
    while j < b.len() && b[j].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add(u32::from(b[j] - b'0'));
        j += 1;
    }
    (v, j)
}

fn valid_dm(d: u32, m: u32) -> Option<(u8, u8)> {
    let (d, m) = (u8::try_from(d).ok()?, u8::try_from(m).ok()?);
    ((1..=31).contains(&d) && (1..=12).contains(&m)).then_some((d, m))
}

/// Dates in folded text: "05/6", "31/5/2022", "01-12-2021", "26.4.2022", "ngày 15 tháng 12 năm 2021".
fn scan_dates(t: &str) -> Vec<DateHit> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit() && (i == 0 || !(is_word_byte(b[i - 1]) || matches!(b[i - 1], b'/' | b'.' | b'-' | b',')));
        if !starts {
            i += 1;
            continue;
        }
        let (n1, j) = digits(b, i);
        let len1 = j - i;
        // Numeric form.
        if (1..=2).contains(&len1) && j < b.len() && matches!(b[j], b'/' | b'-' | b'.') {
            let sep = b[j];
            let (n2, k) = digits(b, j + 1);
            if (1..=2).contains(&(k - j - 1)) {
                let mut end = k;
                let mut year = None;
                if k + 1 < b.len() && b[k] == sep && b[k + 1].is_ascii_digit() {
                    let (n3, l) = digits(b, k + 1);
                    match l - k - 1 {
                        4 => year = i32::try_from(n3).ok(),
                        2 => year = i32::try_from(2000 + n3).ok(),
                        _ => {}
                    }
                    if year.is_some() {
                        end = l;
                    }
                }
                let tail_ok =
                    end >= b.len() || !(is_word_byte(b[end]) || (b[end] == sep && end + 1 < b.len() && b[end + 1].is_ascii_digit()));
                // "3.2." is a heading number, "8.5" a score: a dotted date needs a year or "ngày" before it.
                let dotted_ok = sep != b'.' || year.is_some() || ends_with_word(&t[..i], "ngay");
                if tail_ok
                    && dotted_ok
                    && let Some((d, m)) = valid_dm(n1, n2)
                {
                    out.push(DateHit { start: i, end, day: d, month: m, year, role: role_before(t, i) });
                    i = end;
                    continue;
                }
            }
        }
        // Long form: "15 thang 12 (nam 2021)".
        if (1..=2).contains(&len1) && t[j..].starts_with(" thang ") {
            let (n2, k) = digits(b, j + 7);
            if (1..=2).contains(&(k - j - 7)) {
                let mut end = k;
                let mut year = None;
                if t[k..].starts_with(" nam ") {
                    let (n3, l) = digits(b, k + 5);
                    if l - k - 5 == 4 {
                        year = i32::try_from(n3).ok();
                        end = l;
                    }
                }
                let prefixed = ends_with_word(&t[..i], "ngay");
                if (prefixed || year.is_some())
                    && (end >= b.len() || !is_word_byte(b[end]))
                    && let Some((d, m)) = valid_dm(n1, n2)
                {
                    let role_at = if prefixed { t[..i].trim_end().len() - "ngay".len() } else { i };
                    out.push(DateHit { start: i, end, day: d, month: m, year, role: role_before(t, role_at) });
                    i = end;
                    continue;
                }
            }
        }
        i = j.max(i + 1);
    }
    out
}

fn ends_with_word(s: &str, w: &str) -> bool {
    let s = s.trim_end();
    s.ends_with(w) && s.len() == w.len() || s.ends_with(w) && !is_word_byte(s.as_bytes()[s.len() - w.len() - 1])
}

const FROM_CUES: &[&str] = &["tu ngay", "ke tu ngay", "tinh tu ngay", "tu"];
const TO_CUES: &[&str] = &["den het ngay", "den ngay", "den het", "den", "toi ngay"];
const DUE_CUES: &[&str] = &[
    "cham nhat la ngay",
    "cham nhat vao ngay",
    "cham nhat ngay",
    "cham nhat",
    "truoc ngay",
    "truoc",
    "han chot",
    "han cuoi",
    "han gui",
    "khong muon hon ngay",
    "khong muon hon",
    "khong qua ngay",
    "han hoan thanh",
    "thoi han",
    "han",
];

/// What the words right before a date make of it.
fn role_before(t: &str, start: usize) -> Role {
    let mut from = start.saturating_sub(48);
    while !t.is_char_boundary(from) {
        from += 1;
    }
    let mut before = t[from..start].trim_end_matches([' ', ':', ',']);
    if let Some(b) = before.strip_suffix(" la") {
        before = b.trim_end();
    }
    let hit = |cues: &[&str]| cues.iter().any(|c| ends_with_word(before, c));
    if hit(TO_CUES) {
        Role::To
    } else if hit(FROM_CUES) {
        Role::From
    } else if hit(DUE_CUES) {
        Role::Due
    } else {
        Role::Other
    }
}

/// Words after "quý" that make it another word (quy định, quy trình, quy chế, quy hoạch, …).
const NOT_QUARTER: &[&str] =
    &["dinh", "trinh", "che", "hoach", "mo", "uoc", "tac", "pham", "chuan", "luat", "hoa", "doi", "tu", "nap", "trach"];

fn next_word(t: &str, at: usize) -> &str {
    let rest = t[at..].trim_start();
    let end = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
    &rest[..end]
}

/// Period names in folded text.
fn scan_phrases(t: &str) -> Vec<PhraseHit> {
    use Frequency::*;
    let table: &[(&str, Frequency, Option<u8>)] = &[
        ("6 thang dau nam", HalfYear, Some(1)),
        ("06 thang dau nam", HalfYear, Some(1)),
        ("sau thang dau nam", HalfYear, Some(1)),
        ("6 thang dau", HalfYear, Some(1)),
        ("nua dau nam", HalfYear, Some(1)),
        ("6 thang cuoi nam", HalfYear, Some(2)),
        ("06 thang cuoi nam", HalfYear, Some(2)),
        ("sau thang cuoi nam", HalfYear, Some(2)),
        ("6 thang cuoi", HalfYear, Some(2)),
        ("nua cuoi nam", HalfYear, Some(2)),
        ("6 thang", HalfYear, None),
        ("06 thang", HalfYear, None),
        ("sau thang", HalfYear, None),
        ("nua nam", HalfYear, None),
        ("so ket", HalfYear, None),
        // The third-quarter report is usually the 9-month report (báo cáo 9 tháng).
        ("9 thang", Quarter, Some(3)),
        ("09 thang", Quarter, Some(3)),
        ("chin thang", Quarter, Some(3)),
        ("hang quy", Quarter, None),
        ("moi quy", Quarter, None),
        ("tung quy", Quarter, None),
        ("dinh ky quy", Quarter, None),
        ("bao cao quy", Quarter, None),
        ("ca nam", Year, None),
        ("bao cao nam", Year, None),
        ("hang nam", Year, None),
        ("moi nam", Year, None),
        ("tong ket nam", Year, None),
        ("bao cao tong ket", Year, None),
        ("12 thang", Year, None),
        ("muoi hai thang", Year, None),
        ("hang thang", Month, None),
        ("moi thang", Month, None),
        ("bao cao thang", Month, None),
        ("dot xuat", AdHoc, None),
        ("chuyen de", AdHoc, None),
    ];
    let mut hits: Vec<PhraseHit> = Vec::new();
    for (pat, freq, index) in table {
        for s in word_matches(t, pat) {
            let end = s + pat.len();
            if *freq == Quarter && NOT_QUARTER.contains(&next_word(t, end)) {
                continue;
            }
            // "6 tháng/lần", "6 tháng một lần": how often a task is done, not a report.
            let rest = t[end..].trim_start();
            if ["/lan", "/ lan", "1 lan", "mot lan"].iter().any(|x| rest.starts_with(x)) {
                continue;
            }
            let mut index = *index;
            // "báo cáo quý II", "báo cáo tháng 3".
            if index.is_none() && matches!(freq, Quarter | Month) {
                index = numbered(t, end, *freq == Quarter);
            }
            hits.push(PhraseHit { start: s, end, freq: *freq, index, year: year_after(t, end) });
        }
    }
    // "quý I" … "quý IV", "quý 1" … "quý 4".
    for s in word_matches(t, "quy") {
        let end = s + 3;
        if let Some(q) = numbered(t, end, true) {
            hits.push(PhraseHit { start: s, end: end + 1 + next_word(t, end).len(), freq: Quarter, index: Some(q), year: None });
        }
    }
    // "năm 2022" after "báo cáo": the year report of that year ("Báo cáo kết quả thực hiện năm 2022").
    for s in word_matches(t, "nam") {
        let after = t[s + 3..].strip_prefix(' ').unwrap_or("");
        let (y, l) = digits(after.as_bytes(), 0);
        let mut from = s.saturating_sub(40);
        while !t.is_char_boundary(from) {
            from += 1;
        }
        if l == 4 && has_word(&t[from..s], "bao cao") {
            hits.push(PhraseHit { start: s, end: s + 4 + l, freq: Year, index: None, year: i32::try_from(y).ok() });
        }
    }
    for h in &mut hits {
        if h.year.is_none() {
            h.year = year_after(t, h.end);
        }
    }
    // A hit starting inside an earlier (or longer) one is part of it: "6 tháng" in "6 tháng đầu năm".
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    let mut out: Vec<PhraseHit> = Vec::new();
    for h in hits {
        if out.last().is_some_and(|p| h.start < p.end) {
            continue;
        }
        out.push(h);
    }
    out
}

/// The number after "quý"/"tháng": roman I–IV or 1–4 for quarters, 1–12 for months.
fn numbered(t: &str, at: usize, quarter: bool) -> Option<u8> {
    let w = next_word(t, at);
    let n: u8 = match w {
        "i" if quarter => 1,
        "ii" if quarter => 2,
        "iii" if quarter => 3,
        "iv" if quarter => 4,
        _ => w.parse().ok()?,
    };
    let max = if quarter { 4 } else { 12 };
    (1..=max).contains(&n).then_some(n)
}

/// A year written right after a period name: "… năm 2022", "quý I/2022", "… 2022".
fn year_after(t: &str, at: usize) -> Option<i32> {
    let mut rest = t.get(at..)?;
    // Skip the rest of a roman/arabic number word ("quy ii" ends at "quy").
    rest = rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric() && !c.is_ascii_digit());
    let rest = rest.trim_start();
    let rest = rest.strip_prefix("nam ").or_else(|| rest.strip_prefix('/')).unwrap_or(rest);
    let (y, l) = digits(rest.as_bytes(), 0);
    if l == 4 && (rest.len() == 4 || !is_word_byte(rest.as_bytes()[4])) {
        i32::try_from(y).ok().filter(|y| YEARS.contains(y))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn w(p: &str) -> DateWindow {
        Period::parse(p).ok().and_then(|p| p.nd09_window()).expect("window")
    }

    /// The deadlines of seed 003 as the plan parser reports them: one clause per deadline.
    fn seed003_clauses() -> Vec<(Date, String)> {
        vec![
            (date!(2022 - 02 - 20), "- Thời điểm ban hành Kế hoạch chậm nhất là ngày 20/02/2022".into()),
            (date!(2022 - 06 - 05), "Báo cáo gửi về Sở Nội vụ: 6 tháng đầu năm trước ngày 05/6".into()),
            (date!(2022 - 12 - 05), "Báo cáo gửi về Sở Nội vụ: cả năm trước 05/12/2022.".into()),
            (date!(2022 - 05 - 31), "- Báo cáo 6 tháng đầu năm 2022: Thời gian chốt số liệu tính từ ngày 01/12/2021 đến ngày 31/5/2022.".into()),
            (date!(2022 - 11 - 30), "- Báo cáo năm 2022: Thời gian chốt số liệu tính từ ngày 01/12/2021 đến ngày 30/11/2022.".into()),
            (
                date!(2022 - 06 - 10),
                "Phòng Nội vụ: theo dõi, đôn đốc, tổng hợp kết quả thực hiện, báo cáo Chủ tịch UBND huyện theo quy định 6 tháng đầu năm trước ngày 10/6".into(),
            ),
            (date!(2022 - 12 - 10), "Phòng Nội vụ: cả năm trước 10/12/2022.".into()),
        ]
    }

    fn check_seed003(s: &Schedule) {
        let codes: Vec<String> = s.periods.iter().map(|p| p.period.code()).collect();
        assert_eq!(codes, ["2022-H1", "2022-Y"], "notes: {:?}", s.notes);
        let h1 = &s.periods[0];
        assert_eq!(h1.window, DateWindow { from: date!(2021 - 12 - 01), to: date!(2022 - 05 - 31) });
        assert_eq!(h1.window_source, DateSource::Plan);
        assert_eq!(h1.due_for("commune"), Some(date!(2022 - 06 - 05)));
        assert_eq!(h1.due_for_agency_of("district"), Some(date!(2022 - 06 - 05)));
        assert_eq!(h1.due_for("district"), Some(date!(2022 - 06 - 10)));
        assert_eq!(h1.dues[1].source, DateSource::Plan);
        // The province is not named: derived 2 working days after the district (Friday 10/6 → Tuesday 14/6).
        assert_eq!(h1.due_for("province"), Some(date!(2022 - 06 - 14)));
        assert_eq!(h1.dues[2].source, DateSource::Derived);
        let y = &s.periods[1];
        assert_eq!(y.window, DateWindow { from: date!(2021 - 12 - 01), to: date!(2022 - 11 - 30) });
        assert_eq!(y.due_for("commune"), Some(date!(2022 - 12 - 05)));
        assert_eq!(y.due_for("district"), Some(date!(2022 - 12 - 10)));
        assert!(s.validate(&Calendar::vietnam()).is_empty());
    }

    #[test]
    fn seed_003_schedule_from_its_deadline_texts() {
        let s = schedule_from_deadlines(2022, &seed003_clauses());
        check_seed003(&s);
        // The plan-issuing deadline is not a report's and is reported as left out.
        assert!(s.notes.iter().any(|n| n.contains("20/02/2022")), "{:?}", s.notes);
        // Order and repetition of the input do not matter.
        let mut rev = seed003_clauses();
        rev.reverse();
        rev.extend(seed003_clauses());
        let s2 = schedule_from_deadlines(2022, &rev);
        let strip = |s: &Schedule| s.periods.iter().map(|p| ScheduledPeriod { texts: Vec::new(), ..p.clone() }).collect::<Vec<_>>();
        assert_eq!(strip(&s2), strip(&s));
    }

    #[test]
    fn seed_003_schedule_from_whole_paragraphs() {
        // The same plan given as whole paragraphs (from the seed file itself), each with one of its dates.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/plans/003_187a403246ebc703.txt");
        let Ok(text) = std::fs::read_to_string(path) else { return };
        let mut input = Vec::new();
        for para in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let k = fold(para);
            for h in scan_dates(&k) {
                if (h.role == Role::Due || k.contains("chot so lieu"))
                    && let Some(d) = ymd(h.year.unwrap_or(2022), h.month, h.day)
                {
                    input.push((d, para.to_string()));
                }
            }
        }
        assert!(input.len() >= 6, "{input:?}");
        check_seed003(&schedule_from_deadlines(2022, &input));
    }

    #[test]
    fn other_wordings_generalise() {
        let cal = Calendar::vietnam();
        let pol = SchedulePolicy::default().starting_at("district");
        assert_eq!(pol.chain, ["district", "province"]);
        assert_eq!(pol.due_offsets, [3, 5]);
        let input: Vec<(Date, String)> = vec![
            (date!(2023 - 03 - 20), "Các sở, ngành, UBND cấp huyện gửi báo cáo quý I/2023 về Sở Nội vụ trước ngày 20/3/2023.".into()),
            (
                date!(2023 - 09 - 18),
                "Báo cáo 9 tháng: chốt số liệu từ ngày 15 tháng 12 năm 2022 đến ngày 14 tháng 9 năm 2023; gửi chậm nhất ngày 18/9/2023"
                    .into(),
            ),
            (date!(2023 - 06 - 16), "Định kỳ 06 tháng, các cơ quan gửi báo cáo kết quả thực hiện không muộn hơn ngày 16/6/2023.".into()),
            (
                date!(2024 - 01 - 08),
                "Báo cáo kết quả thực hiện năm 2023 trước ngày 08/01/2024; UBND tỉnh tổng hợp trước ngày 15/01/2024.".into(),
            ),
            (
                date!(2023 - 08 - 08),
                "xây dựng kế hoạch cải thiện Chỉ số năm 2023 gửi về Sở Nội vụ trước ngày 08/8/2023 để tổng hợp, báo cáo UBND tỉnh.".into(),
            ),
            (date!(2023 - 05 - 10), "Tổ chức đối thoại với người dân ít nhất 6 tháng/lần, hoàn thành trước ngày 10/5/2023.".into()),
        ];
        let s = schedule_from_deadlines_with(2023, &input, &pol, &cal);
        let codes: Vec<String> = s.periods.iter().map(|p| p.period.code()).collect();
        assert_eq!(codes, ["2023-Q1", "2023-H1", "2023-Q3", "2023-Y"], "{:?}", s.notes);
        let q1 = &s.periods[0];
        assert_eq!(q1.due_for("district"), Some(date!(2023 - 03 - 20)));
        // Q1 window from Nghị định 09 (14/3 ends before 20/3 with working days to spare).
        assert_eq!(q1.window, w("2023-Q1"));
        assert_eq!(q1.window_source, DateSource::Rule);
        let h1 = &s.periods[1];
        // Due Friday 16/6 leaves Thursday 15/6 free after the data ends on Wednesday 14/6: no cut needed.
        assert_eq!(h1.due_for("district"), Some(date!(2023 - 06 - 16)));
        assert_eq!(h1.window.to, date!(2023 - 06 - 14));
        let q3 = &s.periods[2];
        assert_eq!(q3.window, DateWindow { from: date!(2022 - 12 - 15), to: date!(2023 - 09 - 14) });
        assert_eq!(q3.due_for("district"), Some(date!(2023 - 09 - 18)));
        let y = &s.periods[3];
        assert_eq!(y.due_for("district"), Some(date!(2024 - 01 - 08)));
        assert_eq!(y.due_for("province"), Some(date!(2024 - 01 - 15)));
        // The plan-making and the task deadline are not reporting deadlines.
        assert!(s.notes.iter().any(|n| n.contains("08/08/2023")), "{:?}", s.notes);
        assert!(s.notes.iter().any(|n| n.contains("10/05/2023")), "{:?}", s.notes);
    }

    #[test]
    fn window_cut_before_an_early_deadline() {
        let cal = Calendar::vietnam();
        // H1 due Friday 10/6/2022 but NĐ 09 data ends 14/6: cut to leave Thursday 9/6 free → ends 8/6.
        let s = schedule_from_deadlines_with(
            2022,
            &[(date!(2022 - 06 - 10), "Báo cáo sơ kết 6 tháng đầu năm gửi trước ngày 10/6/2022".into())],
            &SchedulePolicy::default(),
            &cal,
        );
        let h1 = &s.periods[0];
        assert_eq!(h1.window, DateWindow { from: date!(2021 - 12 - 15), to: date!(2022 - 06 - 08) });
        assert_eq!(h1.window_source, DateSource::Derived);
        assert!(s.validate(&cal).is_empty());
    }

    #[test]
    fn windows_without_a_period_name_and_empty_plans() {
        let cal = Calendar::vietnam();
        let s = schedule_from_deadlines_with(
            2022,
            &[(date!(2022 - 06 - 14), "Thời gian chốt số liệu: từ ngày 15/12/2021 đến ngày 14/6/2022.".into())],
            &SchedulePolicy::default(),
            &cal,
        );
        assert_eq!(s.periods.len(), 1);
        assert_eq!(s.periods[0].period.code(), "2022-H1");
        assert_eq!(s.periods[0].dues[0].source, DateSource::Rule);
        let empty = schedule_from_deadlines(2022, &[]).or_nd09(&SchedulePolicy::default(), &cal);
        assert_eq!(empty.periods.len(), 4);
        assert!(!empty.notes.is_empty());
        // Garbage never panics.
        for junk in [
            "",
            "từ ngày đến ngày",
            "trước ngày 99/99",
            "quý",
            "6 tháng 6 tháng 6 tháng",
            "ngày 31 tháng 2 năm 2022",
            "đến ngày 1/1 từ ngày 2/2",
            "1/1/1/1/1",
            "Báo cáo quý V trước 5/5",
        ] {
            let _ = schedule_from_deadlines(2022, &[(date!(2022 - 01 - 01), junk.to_string())]);
        }
    }

    #[test]
    fn reading_never_panics_on_real_or_cut_text() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/plans");
        let mut lines: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect::<Vec<_>>())
            .unwrap_or_default()
            .iter()
            .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let tricky =
            "Báo cáo quý IV/2022: chốt số liệu từ ngày 15 tháng 9 năm 2022 đến ngày 14.12.2022; gửi trước 16/12, hạn chót 20-12-22.";
        lines.extend(tricky.char_indices().map(|(i, _)| tricky[..i].to_string()));
        lines.extend(tricky.char_indices().map(|(i, _)| tricky[i..].to_string()));
        let input: Vec<(Date, String)> = lines.into_iter().map(|l| (date!(2022 - 06 - 05), l)).collect();
        for chunk in input.chunks(50) {
            let s = schedule_from_deadlines(2022, chunk);
            assert!(s.periods.iter().all(|p| p.window.from <= p.window.to));
        }
    }

    #[test]
    fn one_scanner_and_the_deadlines_a_plan_document_sets() {
        assert_eq!(dates_in("từ ngày 01/12/2021 đến ngày 31/5", 2022), [date!(2021 - 12 - 01), date!(2022 - 05 - 31)]);
        assert_eq!(dates_in("ngày 15 tháng 12 năm 2021; 26.4.2022; 31/4", 2022), [date!(2021 - 12 - 15), date!(2022 - 04 - 26)]);
        let doc = serde_json::json!({
            "deadlines": [{"date": "2022-06-05", "text": "6 tháng trước ngày 05/6"}, {"date": "không rõ", "text": "x"}],
            "sections": [{"title": "Báo cáo", "paragraphs": ["Thời gian chốt số liệu từ ngày 01/12 đến ngày 31/5.", "Chốt số liệu hằng quý"]}]
        });
        let d = report_deadlines(&doc);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0], PlanDeadline { day: 5, month: 6, year: Some(2022), text: "6 tháng trước ngày 05/6".into() });
        assert_eq!((d[1].day, d[1].month, d[1].year), (31, 5, None));
        // A plan for several years: a date written without a year falls in the schedule's year.
        let pairs = PlanDeadline::pairs_for(&d, 2024);
        assert_eq!((pairs[0].0, pairs[1].0), (date!(2022 - 06 - 05), date!(2024 - 05 - 31)));
        assert!(report_deadlines(&serde_json::json!({})).is_empty());
        let leap = PlanDeadline { day: 29, month: 2, year: None, text: String::new() };
        assert_eq!((leap.date_in(2024), leap.date_in(2023)), (Some(date!(2024 - 02 - 29)), None));
    }
}
