//! Score sheets: the list, opening a sheet, and the ranking of a parent's children on their sheets.

use super::*;

#[derive(Template)]
#[template(path = "assessments.html")]
pub(super) struct SheetsPage {
    pub(super) b: Base,
    pub(super) rows: Vec<SheetListRow>,
    pub(super) units: Vec<(String, String)>,
    pub(super) frameworks: Vec<(String, String)>,
    pub(super) framework: String,
    pub(super) year: String,
    pub(super) this_year: i32,
    pub(super) can_create: bool,
}

pub(super) struct SheetListRow {
    pub(super) id: i64,
    pub(super) unit: String,
    pub(super) unit_code: String,
    pub(super) framework: String,
    pub(super) year: i32,
    pub(super) status: String,
    pub(super) self_pct: String,
    pub(super) appraised_pct: String,
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetsQuery {
    pub(super) framework: Option<String>,
    pub(super) year: Option<String>,
}

/// Frameworks that units score themselves (with self-assessed leaves).
pub(super) fn sheet_frameworks(state: &AppState) -> Vec<&Framework> {
    state.frameworks.frameworks().iter().filter(|f| f.root().leaves().iter().any(|l| l.source == Source::SelfAssessment)).collect()
}

pub(super) async fn sheets_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<SheetsQuery>,
) -> Result<Html<String>, PageError> {
    let framework = q.framework.clone().unwrap_or_default();
    let year = crate::pages::parse_year(&q.year)?;
    let list = state.store.assessments(&me.scope, Some(framework.as_str()).filter(|s| !s.is_empty()), year).await?;
    let rows = list
        .into_iter()
        .map(|x| {
            let max = state.frameworks.get(&x.assessment.framework).and_then(|f| f.root().max).filter(|m| *m > 0.0);
            let p = |v: Option<f64>| pct(v.zip(max).map(|(v, m)| v / m * 100.0));
            SheetListRow {
                id: x.assessment.id,
                unit: x.assessment.unit_name.clone(),
                unit_code: x.assessment.unit_code.clone(),
                framework: x.assessment.framework.clone(),
                year: x.assessment.year,
                status: crate::labels::sheet_status(me.lang, x.assessment.status()).to_string(),
                self_pct: p(x.self_total),
                appraised_pct: p(x.appraised_total),
            }
        })
        .collect();
    let units = state.store.units(&me.scope).await?.into_iter().filter(|u| u.valid_to.is_none()).map(|u| (u.code, u.name)).collect();
    let page = SheetsPage {
        b: me.base(me.lang.t("assessments"), "assessments"),
        rows,
        units,
        frameworks: sheet_frameworks(&state).iter().map(|f| (f.code.clone(), f.name_vi.clone())).collect(),
        framework,
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        this_year: state.app.today().year(),
        can_create: me.scope.can(Permission::SelfScore) || me.scope.can(Permission::Appraise),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct NewSheetForm {
    pub(super) csrf: String,
    pub(super) unit: String,
    pub(super) framework: String,
    pub(super) year: String,
}

pub(super) async fn sheet_create(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(f): Form<NewSheetForm>,
) -> Result<Response, PageError> {
    me.check_csrf(&f.csrf)?;
    let fw = framework(&state, &f.framework)?;
    let year = year_of(&f.year)?;
    let a = state.app.assessments().create(&me.scope, fw, &f.unit, year).await?;
    Ok(Redirect::to(&format!("/assessments/{}", a.id)).into_response())
}

#[derive(Template)]
#[template(path = "assessment_ranking.html")]
pub(super) struct SheetRankingPage {
    pub(super) b: Base,
    pub(super) parent: String,
    pub(super) parent_code: String,
    pub(super) framework: String,
    pub(super) year: i32,
    pub(super) rows: Vec<SheetRankRow>,
    pub(super) pending: Vec<(String, String, String, String)>,
}

pub(super) struct SheetRankRow {
    pub(super) rank: String,
    pub(super) unit: String,
    pub(super) name: String,
    pub(super) points: String,
    pub(super) percent: String,
    pub(super) change: String,
    pub(super) change_class: &'static str,
}

#[derive(Deserialize)]
pub struct SheetRankingQuery {
    pub(super) parent: String,
    pub(super) framework: Option<String>,
    pub(super) year: String,
}

pub(super) async fn sheet_ranking_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<SheetRankingQuery>,
) -> Result<Html<String>, PageError> {
    let fw = framework(&state, q.framework.as_deref().unwrap_or("par_index"))?;
    let year = year_of(&q.year)?;
    let r = state.app.assessments().ranking(&me.scope, fw, &q.parent, year).await?;
    let rows = r
        .ranking
        .ranked
        .iter()
        .map(|u| {
            let root = u.nodes.get(&fw.code);
            let (change, change_class) = change_text(u.rank_change, u.previous_year, year);
            SheetRankRow {
                rank: u.rank.map_or("–".into(), |x| x.to_string()),
                unit: u.unit.clone(),
                name: u.name.clone().unwrap_or_default(),
                points: num(u.total),
                percent: pct(root.and_then(|n| n.percent)),
                change,
                change_class,
            }
        })
        .collect();
    let pending = r
        .pending
        .iter()
        .map(|p| {
            let status = SheetStatus::parse(&p.status).map_or(p.status.clone(), |s| s.name_vi().to_string());
            (p.unit.clone(), p.name.clone(), status, pct(p.appraised_percent))
        })
        .collect();
    let page = SheetRankingPage {
        b: me.base(&format!("Xếp hạng chỉ số CCHC {year} – {}", r.parent.name), "assessments"),
        parent: r.parent.name,
        parent_code: r.parent.unit,
        framework: fw.code.clone(),
        year,
        rows,
        pending,
    };
    Ok(Html(page.render()?))
}
