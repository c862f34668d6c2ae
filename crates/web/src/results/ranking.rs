//! The ranking page of one framework and year: every peer, dimensions, mean and best, change, chart.

use super::*;

#[derive(Template)]
#[template(path = "results_ranking.html")]
pub(super) struct RankingPage {
    pub(super) b: Base,
    pub(super) fw_code: String,
    pub(super) fw_name: String,
    pub(super) year: i32,
    pub(super) years: Vec<i32>,
    pub(super) previous_year: Option<i32>,
    pub(super) dims: Vec<DimHead>,
    pub(super) rows: Vec<RankRowView>,
    pub(super) partial: Vec<RankRowView>,
    pub(super) not_published: Vec<(String, String)>,
    pub(super) mean: Vec<String>,
    pub(super) mean_total: String,
    pub(super) best: Vec<String>,
    pub(super) best_total: String,
    pub(super) total_count: usize,
    pub(super) q: String,
    pub(super) q_enc: String,
    pub(super) sort: String,
    pub(super) message: Option<String>,
    pub(super) chart: String,
}

pub(super) struct DimHead {
    pub(super) code: String,
    pub(super) label: String,
    pub(super) name: String,
}

pub(super) struct RankRowView {
    pub(super) unit: String,
    pub(super) name: String,
    pub(super) rank: String,
    /// Another unit shares the rank (equal to 4 decimals).
    pub(super) tie: bool,
    pub(super) total: String,
    pub(super) change: String,
    pub(super) change_class: &'static str,
    /// "+0,52" / "−1,03" points against the year compared with.
    pub(super) score_change: String,
    pub(super) dims: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct RankingQuery {
    pub(super) q: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) msg: Option<String>,
}

/// "+0,52" / "−1,03" / "" for a change of score.
pub(super) fn signed(x: Option<f64>) -> String {
    match x {
        Some(v) if v > 0.0 => format!("+{}", vn_number(v, 2)),
        Some(v) if v < 0.0 => format!("−{}", vn_number(-v, 2)),
        Some(_) => "±0".to_string(),
        None => String::new(),
    }
}

pub(super) fn row_view(u: &RankedUnit, dims: &[DimHead], year: i32, ties: &HashMap<u32, usize>) -> RankRowView {
    let (change, change_class) = change_text(u.rank_change, u.previous_year, year);
    RankRowView {
        unit: u.unit.clone(),
        name: short_name(u.name.as_deref().unwrap_or(&u.unit)),
        rank: u.rank.map_or("–".into(), |r| r.to_string()),
        tie: u.rank.is_some_and(|r| ties.get(&r).is_some_and(|n| *n > 1)),
        total: num(u.total),
        change,
        change_class,
        score_change: signed(u.total_change),
        dims: dims.iter().map(|d| num(u.dimensions.get(&d.code).copied())).collect(),
    }
}

pub(super) async fn ranking_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<RankingQuery>,
) -> Result<Html<String>, PageError> {
    let fw = framework(&state, &code)?;
    let year = year_of(&year)?;
    let ranking = state.app.results().ranking(&me.scope, fw, year, None).await?;
    let years: Vec<i32> = state.store.result_years(&me.scope, &fw.code).await?.into_iter().map(|y| y.year).collect();
    let tree = fw.tree_for_year(Some(year));
    let dims: Vec<DimHead> =
        tree.children.iter().map(|c| DimHead { code: c.code.clone(), label: dim_label(fw, &c.code), name: c.name_vi.clone() }).collect();
    let text = q.q.clone().unwrap_or_default();
    let key = fold(&text);
    let sort = q.sort.clone().unwrap_or_else(|| "rank".into());
    let mut list: Vec<&RankedUnit> = ranking
        .ranked
        .iter()
        .filter(|u| key.is_empty() || fold(u.name.as_deref().unwrap_or("")).contains(&key) || u.unit == text.trim())
        .collect();
    match sort.as_str() {
        "name" => list.sort_by_key(|u| fold(&short_name(u.name.as_deref().unwrap_or(&u.unit)))),
        "change" => list.sort_by_key(|u| std::cmp::Reverse(u.rank_change.unwrap_or(i32::MIN))),
        d if dims.iter().any(|h| h.code == d) => {
            list.sort_by(|a, b| b.dimensions.get(d).unwrap_or(&f64::MIN).total_cmp(a.dimensions.get(d).unwrap_or(&f64::MIN)))
        }
        _ => {}
    }
    let stat = |c: &str, f: fn(&NodeStats) -> f64| ranking.stats.get(c).map(f);
    let mut ties: HashMap<u32, usize> = HashMap::new();
    for r in ranking.ranked.iter().filter_map(|u| u.rank) {
        *ties.entry(r).or_default() += 1;
    }
    let chart = json!({
        "bar": ranking.ranked.iter().map(|u| json!({"unit": u.unit, "name": short_name(u.name.as_deref().unwrap_or(&u.unit)), "total": u.total})).collect::<Vec<_>>(),
        "dims": dims.iter().map(|d| json!({"code": d.code, "label": d.label, "name": d.name})).collect::<Vec<_>>(),
        "heat": ranking.ranked.iter().map(|u| json!({"name": short_name(u.name.as_deref().unwrap_or(&u.unit)),
            "values": dims.iter().map(|d| u.dimensions.get(&d.code)).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "mean": stat(&fw.code, |s| s.mean),
    });
    let page = RankingPage {
        b: me.base(&format!("{} {year}", fw.name_vi), "results"),
        fw_code: fw.code.clone(),
        fw_name: fw.name_vi.clone(),
        year,
        years,
        previous_year: ranking.previous_year,
        rows: list.iter().map(|u| row_view(u, &dims, year, &ties)).collect(),
        partial: ranking.partially_published.iter().map(|u| row_view(u, &dims, year, &ties)).collect(),
        not_published: ranking.not_published.iter().map(|u| (u.unit.clone(), short_name(u.name.as_deref().unwrap_or(&u.unit)))).collect(),
        mean: dims.iter().map(|d| num(stat(&d.code, |s| s.mean))).collect(),
        mean_total: num(stat(&fw.code, |s| s.mean)),
        best: dims.iter().map(|d| num(stat(&d.code, |s| s.best))).collect(),
        best_total: num(stat(&fw.code, |s| s.best)),
        total_count: ranking.ranked.len(),
        dims,
        q_enc: urlencode(&text),
        q: text,
        sort,
        message: q.msg,
        chart: script_json(&chart),
    };
    Ok(Html(page.render()?))
}
