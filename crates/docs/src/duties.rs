//! Who does what: the duties of the implementation section become tasks led by their agency,
//! coordinators are read from "phối hợp với …", and the tasks of the tasks section get a
//! *proposed* lead where the text supports one — their own words ("giao Phòng Nội vụ chủ
//! trì"), or an implementation duty that says the same thing. A task without such evidence
//! keeps no lead: a missing lead is asked for; a wrong one would be believed.

use std::collections::{HashMap, HashSet};

use crate::classify::{Family, classify_in};
use crate::extract::{self, agency_like, is_implementation_heading, split_agency};
use crate::model::Task;
use crate::outline::{Kind, Node, is_intro, is_parenthetical};
use crate::table::split_agencies;
use crate::textutil::key;

/// Longest evidence sentence kept, in characters.
const EVIDENCE_CHARS: usize = 400;

/// Words that end the list of coordinators after "phối hợp với": the duty's verb.
const COORD_STOPS: &[&str] = &[
    " để ",
    " tham mưu",
    " tổ chức",
    " triển khai",
    " trong việc",
    " trong quá trình",
    " thực hiện",
    " đẩy mạnh",
    " xây dựng",
    " đề xuất",
    " thường xuyên",
    " tăng cường",
    " rà soát",
    " có biện pháp",
    " đôn đốc",
    " hướng dẫn",
    " kiểm tra",
    " tuyên truyền",
    " chỉ đạo",
    " nâng cao",
    " giải quyết",
    " theo dõi",
    " tập huấn",
    " cập nhật",
    " đơn đốc",
    " vận động",
    " khảo sát",
    " chấm điểm",
    " cải thiện",
    " bảo đảm",
    " đảm bảo",
    " nhằm",
    " tiếp tục",
    " ban hành",
    " duy trì",
    " tập trung",
    " công khai",
    " phổ biến",
];

fn shorten(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= EVIDENCE_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(EVIDENCE_CHARS).collect();
    out.push('…');
    out
}

/// Lower-case copy of `s` with, for each byte of the copy, the byte offset in `s`.
fn lower_map(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    for (i, c) in s.char_indices() {
        for l in c.to_lowercase() {
            let before = out.len();
            out.push(l);
            map.extend(std::iter::repeat_n(i, out.len() - before));
        }
    }
    map.push(s.len());
    (out, map)
}

/// A group or a vague mention that names no body to ask ("các cơ quan, đơn vị có liên quan").
fn is_vague(name: &str) -> bool {
    let k = key(name);
    k.contains("lien quan")
        || k.starts_with("cac co quan")
        || k.starts_with("co quan")
        || k.starts_with("cac don vi")
        || k.starts_with("don vi")
        || k.starts_with("cac cap")
        || k.starts_with("cac nganh")
        || k.starts_with("cac to chuc")
        || k.starts_with("cac ca nhan")
        || k.starts_with("cac can bo")
        || k == "cac"
}

/// Split "A và B" where B starts another body ("các phòng, ban, ngành và UBND các xã, thị
/// trấn"), but not inside one name ("Phòng Tài nguyên và Môi trường", "Văn phòng HĐND và
/// UBND huyện").
pub(crate) fn split_and(names: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for n in names {
        let mut rest = n.as_str();
        let mut pieces = Vec::new();
        while let Some(p) = rest.find(" và ") {
            let (a, b) = (&rest[..p], &rest[p + " và ".len()..]);
            let bk = key(b);
            let ak = key(a);
            let second_body =
                agency_like(b) && bk.contains(' ') && !ak.starts_with("van phong") || bk.starts_with("ubnd") || bk.starts_with("uy ban");
            if second_body && !ak.starts_with("van phong") {
                pieces.push(a.trim().to_string());
                rest = b;
            } else {
                break;
            }
        }
        pieces.push(rest.trim().to_string());
        out.extend(pieces.into_iter().filter(|p| !p.is_empty()));
    }
    out
}

/// Coordinating bodies named after "phối hợp với" / "phối hợp chặt chẽ với" in `text`.
pub(crate) fn coordinators_in(text: &str) -> Vec<String> {
    let (low, map) = lower_map(text);
    let mut out: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(p) = low[from..].find("phối hợp") {
        let at = from + p + "phối hợp".len();
        from = at;
        let mut rest = &low[at..];
        let mut skip = 0;
        for lead in [" chặt chẽ", " tốt", " với", " cùng"] {
            if let Some(r) = rest.strip_prefix(lead) {
                skip += lead.len();
                rest = r;
            }
        }
        if skip == 0 {
            continue;
        }
        let start = at + skip;
        let mut end = low.len();
        for stop in COORD_STOPS.iter().copied().chain([";", ".", ":", "(", "\n"]) {
            if let Some(q) = low[start..].find(stop) {
                end = end.min(start + q);
            }
        }
        let span = &text[map[start]..map[end.min(map.len() - 1)]];
        for name in split_and(split_agencies(span)) {
            let name = name.trim().trim_end_matches([',', ' ']).to_string();
            if name.is_empty() || !agency_like(&name) || is_vague(&name) || name.chars().count() > 120 {
                continue;
            }
            let name = crate::textutil::capitalize_first(&name);
            if !out.iter().any(|o| key(o) == key(&name)) {
                out.push(name);
            }
        }
    }
    out
}

/// The lead agencies an assignment heading names ("Phòng Y tế huyện, Trung tâm y tế huyện";
/// "các cơ quan, đơn vị; UBND các xã, thị trấn").
pub(crate) fn leads_of(agency: &str) -> Vec<String> {
    split_and(split_agencies(agency)).into_iter().map(|n| crate::textutil::capitalize_first(&n)).collect()
}

/// The duties under an implementation item: (text, details).
fn duties_of(nodes: &[Node], id: usize, out: &mut Vec<(String, Vec<String>)>) {
    let n = &nodes[id];
    let leaf_bullets = !n.children.is_empty() && n.children.iter().all(|&c| nodes[c].children.is_empty() && nodes[c].kind == Kind::Bullet);
    // "… Kế hoạch phải đảm bảo các yêu cầu sau:" with bullets: one duty, the bullets its details.
    if leaf_bullets && n.paragraphs.last().is_some_and(|p| is_intro(p)) {
        for p in &n.paragraphs[..n.paragraphs.len() - 1] {
            if !is_parenthetical(p) {
                out.push((p.clone(), Vec::new()));
            }
        }
        let intro = n.paragraphs.last().cloned().unwrap_or_default();
        let details = n.children.iter().map(|&c| nodes[c].title.clone()).collect();
        out.push((intro, details));
    } else {
        for p in n.paragraphs.iter().take_while(|p| !starts_appendix(p)) {
            if !is_intro(p) && !is_parenthetical(p) && !crate::textutil::is_upper(p) {
                out.push((p.clone(), Vec::new()));
            }
        }
        for &c in &n.children {
            let child = &nodes[c];
            if child.children.is_empty() {
                if !is_intro(&child.title) && !is_parenthetical(&child.title) {
                    let details = child.paragraphs.iter().chain(child.after.iter()).cloned().collect();
                    out.push((child.title.clone(), details));
                } else if !child.paragraphs.is_empty() {
                    out.push((child.paragraphs.join(" "), Vec::new()));
                }
            } else {
                // A heading over its own duties ("1.1. Về ban hành …").
                duties_of(nodes, c, out);
            }
        }
    }
    for p in n.after.iter().take_while(|p| !starts_appendix(p)) {
        if !is_intro(p) && !is_parenthetical(p) && !crate::textutil::is_upper(p) {
            out.push((p.clone(), Vec::new()));
        }
    }
}

/// "PHỤ LỤC …" ends the implementation section: what follows is the appendix, not duties.
fn starts_appendix(p: &str) -> bool {
    key(p).starts_with("phu luc")
}

/// Implementation duties as tasks: every duty an item of "TỔ CHỨC THỰC HIỆN" gives a body
/// (or a group, or an officer) is a task led by it.
pub(crate) fn implementation_tasks(nodes: &[Node], fams: &[Family], year: Option<i32>) -> Vec<Task> {
    let mut tasks = Vec::new();
    for n in nodes.iter() {
        if n.kind == Kind::Root || !is_implementation_heading(&n.title) {
            continue;
        }
        for &c in &n.children {
            let child = &nodes[c];
            if !child.is_item() {
                continue;
            }
            let Some((agency, inline)) = split_agency(&child.title) else { continue };
            let lead = leads_of(&agency);
            let mut duties: Vec<(String, Vec<String>)> = Vec::new();
            if let Some(d) = inline.filter(|d| !is_intro(d)) {
                duties.push((d, Vec::new()));
            }
            duties_of(nodes, c, &mut duties);
            for (k, (text, details)) in duties.into_iter().enumerate() {
                tasks.push(duty_task(format!("{}.d{}", child.code, k + 1), text, details, &lead, &child.code, fams, year));
            }
        }
    }
    tasks
}

fn duty_task(code: String, text: String, details: Vec<String>, lead: &[String], item: &str, fams: &[Family], year: Option<i32>) -> Task {
    let mut all = text.clone();
    for d in &details {
        all.push(' ');
        all.push_str(d);
    }
    let refs: Vec<&str> = std::iter::once(text.as_str()).chain(details.iter().map(String::as_str)).collect();
    let due = extract::first_deadline(&refs, year);
    let mut coordinators = coordinators_in(&all);
    coordinators.retain(|c| !lead.iter().any(|l| key(l) == key(c)));
    let text = crate::textutil::capitalize_first(&text);
    Task {
        code,
        nodes: classify_in(&all, &[], fams),
        section_code: Some(item.to_string()),
        lead: lead.to_vec(),
        coordinating_agencies: coordinators,
        due_text: due.as_ref().map(|d| d.1.clone()),
        due_date: due.map(|d| d.0),
        recurrence: extract::recurrence(&all),
        source: "implementation".to_string(),
        lead_source: Some("implementation".to_string()),
        evidence: Some(shorten(&text)),
        confidence: Some(1.0),
        text,
        details,
        ..Task::default()
    }
}

/// Duties written as plain paragraphs in a plan without an implementation section ("Sở Nội
/// vụ có trách nhiệm theo dõi …", "UBND tỉnh giao trách nhiệm các sở, ban, ngành, UBND cấp
/// huyện tiến hành rà soát …"): tasks coded "TH.d1", "TH.d2".
pub(crate) fn paragraph_duties(paras: &[String], fams: &[Family], year: Option<i32>) -> Vec<Task> {
    let mut tasks = Vec::new();
    for p in paras {
        let (low, map) = lower_map(p);
        let mut lead: Vec<String> = Vec::new();
        // "<body> có trách nhiệm / chịu trách nhiệm / chủ trì …" at the start.
        for cue in [" có trách nhiệm", " chịu trách nhiệm", " chủ trì"] {
            if let Some(q) = low.find(cue) {
                let name = p[..map[q]].trim();
                if name.split_whitespace().count() <= 12 && agency_like(name) && !is_vague(name) {
                    lead = leads_of(name);
                }
                break;
            }
        }
        // "… giao (trách nhiệm) (cho) <bodies> <verb> …".
        if lead.is_empty()
            && let Some(q) =
                ["giao trách nhiệm cho ", "giao trách nhiệm ", "giao cho "].iter().find_map(|c| low.find(c).map(|q| q + c.len()))
        {
            let mut end = low.len();
            for stop in COORD_STOPS.iter().copied().chain([" tiến hành", ";", ".", ":"]) {
                if let Some(e) = low[q..].find(stop) {
                    end = end.min(q + e);
                }
            }
            let names = &p[map[q]..map[end.min(map.len() - 1)]];
            if agency_like(names) && names.split_whitespace().count() <= 20 {
                lead = leads_of(names).into_iter().filter(|n| !is_vague(n)).collect();
            }
        }
        if lead.is_empty() {
            continue;
        }
        let n = tasks.len() + 1;
        tasks.push(duty_task(format!("TH.d{n}"), p.clone(), Vec::new(), &lead, "TH", fams, year));
    }
    tasks
}

/// Sentences of a text (split at ". " and ";").
fn sentences(text: &str) -> Vec<&str> {
    text.split_inclusive(['.', ';']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// "giao Phòng Nội vụ chủ trì", "(Phòng Tư pháp chủ trì, phối hợp với …)": a lead named in
/// the task's own words, with its sentence.
pub(crate) fn lead_in_text(text: &str) -> Option<(Vec<String>, String)> {
    for s in sentences(text) {
        let (low, map) = lower_map(s);
        let Some(p) = low.find(" chủ trì") else { continue };
        // The name runs back to "giao (cho)", "(", ":" or the sentence start.
        let before = &low[..p];
        let mut start = 0;
        for cue in ["giao cho ", "giao ", "(", ": ", ", "] {
            if let Some(q) = before.rfind(cue) {
                start = start.max(q + cue.len());
            }
        }
        let name = s[map[start]..map[p]].trim();
        if name.is_empty() || name.split_whitespace().count() > 14 || !agency_like(name) || is_vague(name) {
            continue;
        }
        let leads = leads_of(name);
        if leads.is_empty() {
            continue;
        }
        return Some((leads, s.to_string()));
    }
    None
}

/// Folded word pairs of a text, without the words every plan repeats.
fn pairs(text: &str) -> HashSet<String> {
    let k = key(text);
    let words: Vec<&str> = k.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.windows(2).map(|w| format!("{} {}", w[0], w[1])).collect()
}

/// Propose leads for the tasks of the tasks section: from their own words, else from the
/// implementation duty that covers them best (when it covers them clearly better than any
/// duty of another body). Tasks already led (appendix) are left as they are.
pub(crate) fn propose_leads(tasks: &mut [Task]) {
    let duty_ids: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].source == "implementation").collect();
    // Rarity of each word pair among all tasks and duties.
    let texts: Vec<HashSet<String>> = tasks.iter().map(|t| pairs(&format!("{} {}", t.text, t.details.join(" ")))).collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for set in &texts {
        for p in set {
            *df.entry(p.as_str()).or_default() += 1;
        }
    }
    let n = texts.len().max(1) as f64;
    let weight = |p: &str| -> f64 { (n / *df.get(p).unwrap_or(&1) as f64).ln().max(0.0) };
    let mut proposals: Vec<(usize, Task)> = Vec::new();
    for i in 0..tasks.len() {
        let t = &tasks[i];
        if t.source != "tasks" || !t.lead.is_empty() {
            continue;
        }
        let own = std::iter::once(t.text.as_str()).chain(t.details.iter().map(String::as_str)).find_map(lead_in_text);
        if let Some((lead, sentence)) = own {
            let mut coordinators = coordinators_in(&sentence);
            coordinators.retain(|c| !lead.iter().any(|l| key(l) == key(c)));
            let p = Task {
                coordinating_agencies: coordinators,
                lead,
                lead_source: Some("text".into()),
                evidence: Some(shorten(&sentence)),
                confidence: Some(0.9),
                ..Task::default()
            };
            proposals.push((i, p));
            continue;
        }
        let total: f64 = texts[i].iter().map(|p| weight(p)).sum();
        if total <= 0.0 {
            continue;
        }
        let mut scored: Vec<(f64, usize)> = duty_ids
            .iter()
            .map(|&d| (texts[i].intersection(&texts[d]).map(|p| weight(p)).sum::<f64>() / total, d))
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let Some(&(best, d)) = scored.first() else { continue };
        let lead_key = |j: usize| tasks[j].lead.iter().map(|l| key(l)).collect::<Vec<_>>();
        let rival = scored.iter().find(|(_, j)| lead_key(*j) != lead_key(d)).map_or(0.0, |r| r.0);
        if best >= MIN_DUTY_COVER && rival <= best * 0.5 && !tasks[d].lead.iter().all(|l| is_vague(l)) {
            let p = Task {
                lead: tasks[d].lead.clone(),
                coordinating_agencies: tasks[d].coordinating_agencies.clone(),
                lead_source: Some("duty".into()),
                evidence: Some(shorten(&tasks[d].text)),
                confidence: Some((best * 100.0).round() / 100.0),
                ..Task::default()
            };
            proposals.push((i, p));
        }
    }
    for (i, p) in proposals {
        let t = &mut tasks[i];
        t.lead = p.lead;
        if t.coordinating_agencies.is_empty() {
            t.coordinating_agencies = p.coordinating_agencies;
        }
        t.lead_source = p.lead_source;
        t.evidence = p.evidence;
        t.confidence = p.confidence;
    }
}

/// Share of a task's (weighted) word pairs an implementation duty must repeat to propose its
/// body as the task's lead.
const MIN_DUTY_COVER: f64 = 0.25;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinators_after_phoi_hop_voi() {
        assert_eq!(
            coordinators_in("Chủ trì, phối hợp với Phòng Tư pháp, UBND các xã, thị trấn tổ chức thực hiện"),
            vec!["Phòng Tư pháp", "UBND các xã, thị trấn"]
        );
        assert_eq!(
            coordinators_in("Chủ trì, phối hợp với các phòng, ban, ngành và UBND các xã, thị trấn đẩy mạnh cải cách TTHC"),
            vec!["Các phòng, ban, ngành", "UBND các xã, thị trấn"]
        );
        assert_eq!(coordinators_in("Phối hợp với Văn phòng HĐND và UBND huyện triển khai"), vec!["Văn phòng HĐND và UBND huyện"]);
        assert!(coordinators_in("Chủ trì, phối hợp với các đơn vị có liên quan tham mưu").is_empty());
        assert!(coordinators_in("phối hợp").is_empty());
    }

    #[test]
    fn lead_in_the_tasks_own_words() {
        let (l, s) =
            lead_in_text("Rà soát thủ tục hành chính. Giao Phòng Tư pháp chủ trì, phối hợp với Phòng Nội vụ thực hiện.").expect("lead");
        assert_eq!(l, vec!["Phòng Tư pháp"]);
        assert!(s.starts_with("Giao Phòng Tư pháp"));
        assert!(lead_in_text("Chủ trì, phối hợp với các đơn vị tổ chức thực hiện.").is_none());
        assert!(lead_in_text("Các cơ quan, đơn vị chủ trì thực hiện.").is_none(), "a vague group is no lead");
    }

    #[test]
    fn leads_of_a_heading() {
        assert_eq!(leads_of("Phòng Y tế huyện, Trung tâm y tế huyện"), vec!["Phòng Y tế huyện", "Trung tâm y tế huyện"]);
        assert_eq!(leads_of("Văn phòng Huyện ủy, HĐND & UBND huyện"), vec!["Văn phòng Huyện ủy, HĐND & UBND huyện"]);
        assert_eq!(leads_of("các cơ quan, đơn vị; UBND các xã, thị trấn"), vec!["Các cơ quan, đơn vị", "UBND các xã, thị trấn"]);
        assert_eq!(
            leads_of("Trưởng các phòng, ban, ngành, Chủ tịch UBND các xã, thị trấn"),
            vec!["Trưởng các phòng, ban, ngành", "Chủ tịch UBND các xã, thị trấn"]
        );
        assert_eq!(
            leads_of("Ban Dân vận, Ủy ban Mặt trận Tổ quốc Việt Nam huyện"),
            vec!["Ban Dân vận", "Ủy ban Mặt trận Tổ quốc Việt Nam huyện"]
        );
    }
}
