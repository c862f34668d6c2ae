//! The hand-written expected extractions of the seed plans (`datasets/plans/expected/`) and
//! the measurement of a parse against them. Shared by the test binary and the `accuracy`
//! example.

#![allow(dead_code)]

use std::path::PathBuf;

use chiso_docs::{ParsedPlan, dimension_of};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ExpectedBasedOn {
    pub number: Option<String>,
    pub date: Option<String>,
    pub issuer: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedTask {
    pub code: String,
    pub dimension: Option<String>,
    #[serde(default)]
    pub sub: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ExpectedDeadline {
    pub date: String,
    pub year_inferred: bool,
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ExpectedSigner {
    pub authority: Option<String>,
    pub delegation: Option<String>,
    pub position: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    pub file: String,
    pub doc_type: Option<String>,
    pub number: Option<String>,
    pub place: Option<String>,
    pub date: Option<String>,
    pub year: Option<i32>,
    pub title: String,
    pub index_families: Vec<String>,
    pub based_on: Vec<ExpectedBasedOn>,
    pub task_count: usize,
    pub tasks: Vec<ExpectedTask>,
    pub assignments: Vec<String>,
    pub deadlines: Vec<ExpectedDeadline>,
    pub recipients: Vec<String>,
    pub signer: Option<ExpectedSigner>,
}

pub fn plans_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/plans")
}

/// Every expected file with the parse of its seed.
pub fn load_all() -> Vec<(Expected, ParsedPlan)> {
    let dir = plans_dir().join("expected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let exp: Expected = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let seed = plans_dir().join(&exp.file);
            let bytes = std::fs::read(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
            let plan = chiso_docs::parse_plan(&bytes, &exp.file).unwrap_or_else(|e| panic!("{e}"));
            (exp, plan)
        })
        .collect()
}

fn iso(d: Option<time::Date>) -> Option<String> {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
}

/// (field, matches?) for every checked field of one seed.
pub fn field_checks(exp: &Expected, plan: &ParsedPlan) -> Vec<(&'static str, bool, String)> {
    let based: Vec<ExpectedBasedOn> =
        plan.based_on.iter().map(|b| ExpectedBasedOn { number: b.number.clone(), date: iso(b.date), issuer: b.issuer.clone() }).collect();
    let deadlines: Vec<ExpectedDeadline> = plan
        .deadlines
        .iter()
        .map(|d| ExpectedDeadline { date: iso(d.date).unwrap_or_default(), year_inferred: d.year_inferred, kind: d.kind.clone() })
        .collect();
    let signer = plan.signer.as_ref().map(|s| ExpectedSigner {
        authority: s.authority.clone(),
        delegation: s.delegation.clone(),
        position: s.position.clone(),
        name: s.name.clone(),
    });
    // The expectations list the tasks of the tasks section and appendix; implementation
    // duties are measured by the `accuracy` example against `datasets/plans/leads/`.
    let solution: Vec<&chiso_docs::Task> = plan.tasks.iter().filter(|t| t.source != "implementation").collect();
    let codes: Vec<&str> = solution.iter().map(|t| t.code.as_str()).collect();
    let exp_codes: Vec<&str> = exp.tasks.iter().map(|t| t.code.as_str()).collect();
    let agencies: Vec<&str> = plan.assignments.iter().map(|a| a.agency.as_str()).collect();
    vec![
        ("doc_type", plan.doc_type == exp.doc_type, format!("{:?}", plan.doc_type)),
        ("number", plan.number == exp.number, format!("{:?}", plan.number)),
        ("place", plan.place == exp.place, format!("{:?}", plan.place)),
        ("date", iso(plan.date) == exp.date, format!("{:?}", iso(plan.date))),
        ("year", plan.year == exp.year, format!("{:?}", plan.year)),
        ("title", plan.title == exp.title, plan.title.clone()),
        ("index_families", plan.index_families == exp.index_families, format!("{:?}", plan.index_families)),
        ("based_on", based == exp.based_on, format!("{based:?}")),
        ("task_count", solution.len() == exp.task_count, solution.len().to_string()),
        ("task_codes", codes == exp_codes, format!("{codes:?}")),
        ("assignments", agencies == exp.assignments, format!("{agencies:?}")),
        ("deadlines", deadlines == exp.deadlines, format!("{deadlines:?}")),
        ("recipients", plan.recipients == exp.recipients, format!("{:?}", plan.recipients)),
        ("signer", signer == exp.signer, format!("{signer:?}")),
    ]
}

/// Classifier agreement with the labels.
#[derive(Debug, Default, Clone)]
pub struct ClassScore {
    /// Tasks labelled with a dimension: the first node's dimension is the label.
    pub dim_right: usize,
    pub dim_total: usize,
    /// … or the label is among the nodes at all.
    pub dim_any: usize,
    /// Tasks labelled with a sub-dimension: the first sub-dimension node is the label.
    pub sub_right: usize,
    pub sub_total: usize,
    /// Tasks labelled "no dimension": the classifier gave no node.
    pub none_right: usize,
    pub none_total: usize,
    pub misses: Vec<String>,
}

pub fn class_score(exp: &Expected, plan: &ParsedPlan, s: &mut ClassScore) {
    for et in &exp.tasks {
        let Some(task) = plan.tasks.iter().find(|t| t.code == et.code) else {
            s.misses.push(format!("{}: task {} not found", exp.file, et.code));
            if et.dimension.is_some() {
                s.dim_total += 1;
            } else {
                s.none_total += 1;
            }
            continue;
        };
        let first_dim = task.nodes.first().map(|n| dimension_of(n).to_string());
        match &et.dimension {
            Some(d) => {
                s.dim_total += 1;
                if first_dim.as_deref() == Some(d.as_str()) {
                    s.dim_right += 1;
                } else {
                    s.misses.push(format!("{} {}: expected {d}, got {:?}", exp.file, et.code, task.nodes));
                }
                if task.nodes.iter().any(|n| dimension_of(n) == d) {
                    s.dim_any += 1;
                }
            }
            None => {
                s.none_total += 1;
                if task.nodes.is_empty() {
                    s.none_right += 1;
                } else {
                    s.misses.push(format!("{} {}: expected none, got {:?}", exp.file, et.code, task.nodes));
                }
            }
        }
        if let Some(sub) = &et.sub {
            s.sub_total += 1;
            let first_sub = task.nodes.iter().find(|n| n.matches('.').count() == 2);
            if first_sub == Some(sub) {
                s.sub_right += 1;
            } else {
                s.misses.push(format!("{} {}: expected sub {sub}, got {:?}", exp.file, et.code, task.nodes));
            }
        }
    }
}

pub fn pct(a: usize, b: usize) -> f64 {
    if b == 0 { 100.0 } else { 100.0 * a as f64 / b as f64 }
}

/// Hand-written lead expectations of a plan (`datasets/plans/leads/`): the implementation
/// duties a reader counts, the leads the text supports per task code, and the tasks where
/// several duties fit (a lead there is counted neither right nor wrong).
#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedLeads {
    pub file: String,
    pub duties: usize,
    pub leads: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub ambiguous: Vec<String>,
}

/// Lead figures of one parse against its expectations.
#[derive(Debug, Clone, Default)]
pub struct LeadScore {
    pub tasks: usize,
    pub duties_found: usize,
    pub duties_expected: usize,
    pub with_lead: usize,
    pub right: usize,
    pub wrong: usize,
    pub missed: usize,
    pub ambiguous_led: usize,
    pub misses: Vec<String>,
}

fn same_leads(a: &[String], b: &[String]) -> bool {
    let mut x: Vec<String> = a.iter().map(|s| chiso_core::agency::canonical(s)).collect();
    let mut y: Vec<String> = b.iter().map(|s| chiso_core::agency::canonical(s)).collect();
    x.sort();
    y.sort();
    x == y
}

pub fn lead_score(exp: &ExpectedLeads, plan: &ParsedPlan) -> LeadScore {
    let mut s = LeadScore {
        tasks: plan.tasks.len(),
        duties_found: plan.tasks.iter().filter(|t| t.source == "implementation").count(),
        duties_expected: exp.duties,
        with_lead: plan.tasks.iter().filter(|t| !t.lead.is_empty()).count(),
        ..LeadScore::default()
    };
    for t in &plan.tasks {
        match (exp.leads.get(&t.code), t.lead.is_empty()) {
            (Some(e), false) if same_leads(e, &t.lead) => s.right += 1,
            (Some(e), false) => {
                s.wrong += 1;
                s.misses.push(format!("WRONG {} {}: {:?}, expected {:?}", exp.file, t.code, t.lead, e));
            }
            (Some(e), true) => {
                s.missed += 1;
                s.misses.push(format!("missed {} {}: expected {:?}", exp.file, t.code, e));
            }
            (None, false) if exp.ambiguous.contains(&t.code) => s.ambiguous_led += 1,
            (None, false) => {
                s.wrong += 1;
                s.misses.push(format!("WRONG {} {}: {:?}, the text names no lead", exp.file, t.code, t.lead));
            }
            (None, true) => {}
        }
    }
    for code in exp.leads.keys() {
        if !plan.tasks.iter().any(|t| &t.code == code) {
            s.missed += 1;
            s.misses.push(format!("missed {} {code}: no such task", exp.file));
        }
    }
    s
}

/// Lead expectations in `dir` (`*.json` naming their document in `file`, read from `docs`).
pub fn load_leads(dir: &std::path::Path, docs: &std::path::Path) -> Vec<(ExpectedLeads, ParsedPlan)> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let exp: ExpectedLeads =
                serde_json::from_str(&std::fs::read_to_string(&p).ok()?).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            // An unseen document may be kept out of the repository: then it is skipped, with a word.
            let Ok(bytes) = std::fs::read(docs.join(&exp.file)) else {
                println!("  (skipped {}: document not present in {})", exp.file, docs.display());
                return None;
            };
            let plan = chiso_docs::parse_plan(&bytes, &exp.file).unwrap_or_else(|e| panic!("{e}"));
            Some((exp, plan))
        })
        .collect()
}

pub fn seed_leads() -> Vec<(ExpectedLeads, ParsedPlan)> {
    load_leads(&plans_dir().join("leads"), &plans_dir())
}
