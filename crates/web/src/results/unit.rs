//! A unit's results page: its history, dimensions against the peers, weak points and the plan outline.

use super::*;

#[derive(Template)]
#[template(path = "results_unit.html")]
pub(super) struct UnitPage {
    pub(super) b: Base,
    pub(super) fw_code: String,
    pub(super) fw_name: String,
    pub(super) year: i32,
    pub(super) years: Vec<i32>,
    pub(super) unit_code: String,
    pub(super) unit_name: String,
    pub(super) published: bool,
    pub(super) total: String,
    pub(super) rank: String,
    pub(super) change: String,
    pub(super) change_class: &'static str,
    pub(super) score_change: String,
    pub(super) dims: Vec<DimRow>,
    pub(super) history: Vec<HistoryRow>,
    pub(super) weak: Vec<WeakRow>,
    pub(super) groups: Vec<GroupView>,
    pub(super) outline: Vec<OutlineView>,
    pub(super) plan_year: i32,
    pub(super) reference_note: &'static str,
    pub(super) weak_error: Option<String>,
    pub(super) chart: String,
}

pub(super) struct DimRow {
    pub(super) code: String,
    pub(super) label: String,
    pub(super) name: String,
    pub(super) score: String,
    pub(super) score_change: String,
    pub(super) mean: String,
    pub(super) best: String,
    pub(super) rank: String,
    pub(super) change: String,
    pub(super) change_class: &'static str,
}

pub(super) struct HistoryRow {
    pub(super) year: i32,
    pub(super) total: String,
    pub(super) rank: String,
    pub(super) change: String,
}

pub(super) struct WeakRow {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) depth: usize,
    pub(super) score: String,
    pub(super) points_lost: String,
    pub(super) gap_to_best: String,
    pub(super) rank: String,
    pub(super) change: String,
    pub(super) change_class: &'static str,
    pub(super) group: String,
    pub(super) group_class: &'static str,
}

pub(super) struct GroupView {
    pub(super) label: &'static str,
    pub(super) class: &'static str,
    pub(super) items: Vec<(String, String)>,
}

pub(super) struct OutlineView {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) lost: String,
    pub(super) items: Vec<(String, String, &'static str, &'static str)>,
}

pub(super) fn weak_views(w: &WeakReport, year: i32) -> (Vec<WeakRow>, Vec<GroupView>, Vec<OutlineView>) {
    let group_label = |g: TaskGroup| g.label_vi(w.reference);
    let rows = w
        .items
        .iter()
        .map(|i| {
            let (change, change_class) = change_text(i.rank_change, None, year);
            WeakRow {
                code: i.code.clone(),
                name: i.name_vi.clone(),
                depth: i.depth,
                score: num(Some(i.score)),
                points_lost: num(Some(i.points_lost)),
                gap_to_best: num(i.gap_to_best),
                rank: format!("{}/{}", i.rank, i.of),
                change,
                change_class,
                group: i.group.map(group_label).unwrap_or_default().to_string(),
                group_class: i.group.map(group_class).unwrap_or(""),
            }
        })
        .collect();
    let name_of = |c: &str| w.items.iter().find(|i| i.code == c).map(|i| i.name_vi.clone()).unwrap_or_default();
    let groups = [(TaskGroup::Improve, &w.groups.improve), (TaskGroup::Survey, &w.groups.survey), (TaskGroup::Keep, &w.groups.keep)]
        .into_iter()
        .map(|(g, codes)| GroupView {
            label: group_label(g),
            class: group_class(g),
            items: codes.iter().map(|c| (c.clone(), name_of(c))).collect(),
        })
        .collect();
    let outline = w
        .plan
        .sections
        .iter()
        .map(|s| OutlineView {
            code: s.code.clone(),
            name: s.name_vi.clone(),
            lost: num(s.points_lost),
            items: s.items.iter().map(|i| (i.code.clone(), i.name_vi.clone(), group_label(i.group), group_class(i.group))).collect(),
        })
        .collect();
    (rows, groups, outline)
}

pub(super) async fn unit_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, year, unit)): Path<(String, String, String)>,
) -> Result<Html<String>, PageError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let rankings = state.app.results().rankings(&me.scope, fw, None).await?;
    let Some(current) = rankings.iter().find(|r| r.year == year) else {
        return Err(AppError::NotFound(format!("kết quả {} năm {year} (chưa nhập)", fw.code)).into());
    };
    let history_years: Vec<i32> = rankings.iter().map(|r| r.year).collect();
    let me_in = |r: &Ranking| r.unit(&unit).cloned();
    let entry = me_in(current);
    let unit_name = current
        .unit(&unit)
        .and_then(|u| u.name.clone())
        .or_else(|| current.not_published.iter().find(|u| u.unit == unit).and_then(|u| u.name.clone()))
        .or_else(|| rankings.iter().rev().find_map(|r| r.unit(&unit).and_then(|u| u.name.clone())))
        .ok_or_else(|| AppError::NotFound(format!("kết quả {} của đơn vị mã '{unit}'", fw.code)))?;
    let tree = fw.tree_for_year(Some(year));
    let dims: Vec<DimRow> = tree
        .children
        .iter()
        .map(|d| {
            let r = entry.as_ref().and_then(|e| e.nodes.get(&d.code));
            let st = current.stats.get(&d.code);
            let (change, change_class) = change_text(r.and_then(|r| r.rank_change), r.and_then(|r| r.previous_year), year);
            DimRow {
                code: d.code.clone(),
                label: dim_label(fw, &d.code),
                name: d.name_vi.clone(),
                score: num(r.map(|r| r.score)),
                score_change: signed(r.and_then(|r| r.score_change)),
                mean: num(st.map(|s| s.mean)),
                best: num(st.map(|s| s.best)),
                rank: r.map_or("–".into(), |r| format!("{}/{}", r.rank, r.of)),
                change,
                change_class,
            }
        })
        .collect();
    let history: Vec<HistoryRow> = rankings
        .iter()
        .map(|r| {
            let u = r.unit(&unit);
            HistoryRow {
                year: r.year,
                total: u.map_or_else(|| "không công bố".to_string(), |u| num(u.total)),
                rank: u.and_then(|u| u.rank).map_or("–".into(), |x| format!("{x}/{}", r.ranked.len())),
                change: change_text(u.and_then(|u| u.rank_change), u.and_then(|u| u.previous_year), r.year).0,
            }
        })
        .collect();
    let (weak, groups, outline, plan_year, weak_error, reference_note) = match state
        .app
        .results()
        .weak_report(&me.scope, fw, &unit, year)
        .await
    {
        Ok(w) => {
            let (a, b, c) = weak_views(&w, year);
            let note = match w.reference {
                chiso_core::weakness::Reference::Peers => {
                    "Điểm mất = trung bình toàn quốc − điểm của đơn vị (dương: thấp hơn trung bình). Nhóm “duy trì”: bằng hoặc cao hơn trung bình; “phấn đấu”: thấp hơn."
                }
                chiso_core::weakness::Reference::FullScore => "Điểm mất = điểm tối đa − điểm đạt.",
            };
            (a, b, c, w.plan.plan_year, None, note)
        }
        Err(chiso_app::results::WeakError::NoScores(m)) => (Vec::new(), Vec::new(), Vec::new(), year + 1, Some(m), ""),
        Err(e) => return Err(e.into()),
    };

    // Charts: radar (unit / mean / best), trend per dimension, ranking bar, heat map of leaves × years.
    let dim_codes: Vec<&str> = tree.children.iter().map(|c| c.code.as_str()).collect();
    let radar = json!({
        // Each axis spans the peers' range (worst → best), so differences between units show.
        "indicators": tree.children.iter().map(|d| {
            let st = current.stats.get(&d.code);
            json!({"name": format!("{} {}", dim_label(fw, &d.code), d.name_vi),
                   "min": st.map_or(d.min.unwrap_or(0.0), |s| s.worst.floor()),
                   "max": st.map_or(d.max.unwrap_or(10.0), |s| s.best.ceil())})
        }).collect::<Vec<_>>(),
        "unit": dim_codes.iter().map(|c| entry.as_ref().and_then(|e| e.dimensions.get(*c))).collect::<Vec<_>>(),
        "mean": dim_codes.iter().map(|c| current.stats.get(*c).map(|s| s.mean)).collect::<Vec<_>>(),
        "best": dim_codes.iter().map(|c| current.stats.get(*c).map(|s| s.best)).collect::<Vec<_>>(),
    });
    let trend = json!({
        "years": history_years,
        "dims": tree.children.iter().map(|d| json!({
            "label": format!("{} {}", dim_label(fw, &d.code), d.name_vi),
            "unit": rankings.iter().map(|r| r.unit(&unit).and_then(|u| u.dimensions.get(&d.code))).collect::<Vec<_>>(),
            "mean": rankings.iter().map(|r| r.stats.get(&d.code).map(|s| s.mean)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let bar = current
        .ranked
        .iter()
        .map(|u| json!({"name": short_name(u.name.as_deref().unwrap_or(&u.unit)), "total": u.total, "me": u.unit == unit}))
        .collect::<Vec<_>>();
    // Leaves of every year (a leaf dropped in a year shows as empty there), ranks per year.
    let mut leaves: Vec<(String, String)> = Vec::new();
    for n in fw.root().walk() {
        if n.is_leaf() && n.code != fw.code {
            leaves.push((n.code.clone(), n.name_vi.clone()));
        }
    }
    let heat_cells: Vec<Value> = rankings
        .iter()
        .enumerate()
        .flat_map(|(x, r)| {
            let u = r.unit(&unit).cloned();
            leaves
                .iter()
                .enumerate()
                .filter_map(move |(y, (c, _))| u.as_ref().and_then(|u| u.nodes.get(c)).map(|n| json!([x, y, n.rank, n.score, n.of])))
        })
        .collect();
    let heat = json!({
        "years": history_years,
        "leaves": leaves.iter().map(|(c, n)| format!("{} {n}", node_number(c))).collect::<Vec<_>>(),
        "cells": heat_cells,
        "of": current.ranked.len().max(1),
    });
    let chart = json!({"radar": radar, "trend": trend, "bar": bar, "heat": heat, "me": short_name(&unit_name)});
    let (change, change_class) =
        change_text(entry.as_ref().and_then(|e| e.rank_change), entry.as_ref().and_then(|e| e.previous_year), year);
    let page = UnitPage {
        b: me.base(&format!("{} – {} {year}", short_name(&unit_name), fw.code.to_uppercase()), "results"),
        fw_code: fw.code.clone(),
        fw_name: fw.name_vi.clone(),
        year,
        years: history_years.iter().rev().copied().collect(),
        unit_code: unit.clone(),
        unit_name,
        published: entry.is_some(),
        total: num(entry.as_ref().and_then(|e| e.total)),
        rank: entry.as_ref().and_then(|e| e.rank).map_or("–".into(), |r| format!("{r}/{}", current.ranked.len())),
        change,
        change_class,
        score_change: signed(entry.as_ref().and_then(|e| e.total_change)),
        dims,
        history,
        weak,
        groups,
        outline,
        plan_year,
        reference_note,
        weak_error,
        chart: script_json(&chart),
    };
    Ok(Html(page.render()?))
}
