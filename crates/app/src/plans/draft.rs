//! Drafting next year's plan from the weak points of a unit's results.

use crate::{App, ServiceError, ServiceResult};
use chiso_core::access::Scope;
use chiso_core::plan::{PlanDraft, PlanStatus, TaskDraft, family_code};
use chiso_core::text::fold;
use chiso_store::plans::Plan;
use std::collections::HashSet;

/// Roman numerals for the sections of a drafted plan ("I", "II", … "XIV").
fn roman(n: usize) -> String {
    const R: [(usize, &str); 9] = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
    let mut n = n;
    let mut s = String::new();
    for (v, r) in R {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// How many library tasks are taken for one weak leaf.
const TASKS_PER_LEAF: usize = 2;

/// "Draft next year's plan": one section per dimension, weakest first, filled with tasks from the task
/// library that serve each weak leaf (or a placeholder task naming the leaf when the library has none),
/// each marked with its task group; lead agencies and dates are left to fill. Stored as a draft.
pub async fn draft_next_plan(app: &App, scope: &Scope, fw_code: &str, unit_code: &str, year: i32) -> ServiceResult<Plan> {
    let store = &app.store;
    let fw = app.frameworks.get(fw_code).ok_or_else(|| ServiceError::NotFound(format!("bộ chỉ số '{fw_code}'")))?;
    let report = app.results().next_plan_outline(scope, fw, unit_code, year).await?;
    let mut tasks = Vec::new();
    let mut sections = Vec::new();
    for (i, sec) in report.plan.sections.iter().enumerate() {
        let code = roman(i + 1);
        let mut k = 0;
        for item in &sec.items {
            let mut seen = HashSet::new();
            let hits = store.search_tasks(scope, "", Some(&item.code), 20).await?;
            let mut picked: Vec<String> =
                hits.into_iter().map(|h| h.task.row.text).filter(|t| seen.insert(fold(t))).take(TASKS_PER_LEAF).collect();
            if picked.is_empty() {
                picked.push(format!("Xây dựng giải pháp nâng cao điểm nội dung thành phần \"{}\" ({})", item.name_vi, item.code));
            }
            for text in picked {
                k += 1;
                tasks.push(TaskDraft {
                    code: format!("{code}.{k}"),
                    text,
                    nodes: vec![item.code.clone()],
                    section_code: Some(code.clone()),
                    task_group: Some(item.group),
                    ..Default::default()
                });
            }
        }
        sections.push(serde_json::json!({"code": code, "title": sec.name_vi}));
    }
    let draft = PlanDraft {
        doc_type: "KẾ HOẠCH".into(),
        year: report.plan.plan_year,
        year_to: None,
        families: vec![family_code(fw.family).into()],
        number: None,
        place: None,
        issued_on: None,
        title: format!("Nâng cao {} năm {}", fw.name_vi, report.plan.plan_year),
        status: PlanStatus::Draft,
        based_on: vec![],
        recipients: vec![],
        signer: None,
        child_deadline: None,
        document: serde_json::json!({"drafted_from": {"framework": fw_code, "results_year": year, "basis": report.basis}, "outline": sections}),
        tasks,
    };
    Ok(super::create_plan(app, scope, unit_code, &draft, None, None, None).await?)
}

#[cfg(test)]
mod tests {
    use super::roman;

    #[test]
    fn sections_are_numbered_in_roman() {
        let got: Vec<String> = [1, 4, 9, 14, 40, 99].into_iter().map(roman).collect();
        assert_eq!(got, ["I", "IV", "IX", "XIV", "XL", "XCIX"]);
    }
}
