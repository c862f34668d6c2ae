//! Estimation: the structure a questionnaire is scored over, estimating a stored survey (bootstrap
//! intervals, stored with its B and seed), scoring files without a database, the estimates of a survey with
//! the official results beside them, and the survey points of a PAR-style score sheet.

use super::SMALL_SAMPLE;
use super::read::{FileError, read_response_file};
use crate::{App, ErrorKind, Failure};
use chiso_core::access::{Permission, Scope};
use chiso_core::framework::{Aggregation, Framework, FrameworkSet, Source};
use chiso_stats::{Questionnaire, Report, Responses, ScoreOptions, Structure, SurveyError};
use chiso_store::StoreError;
use chiso_store::surveys::{NewEstimate, StoredEstimate, StoredResponse, Survey};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The framework of a questionnaire does not apply in the year asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bộ chỉ số {framework} không áp dụng cho năm {year} (áp dụng: {years})")]
pub struct YearNotCovered {
    pub framework: String,
    pub year: i32,
    pub years: String,
}

impl Failure for YearNotCovered {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }
}

/// The dimensions and sub-dimensions a questionnaire is scored over: the framework's tree for `year` (or,
/// without a year, its latest methodology) when the framework is known, so that a dimension the
/// questionnaire does not measure leaves the total undefined as the spec says; else the structure implied by
/// the questionnaire's node codes.
pub fn structure_for(frameworks: &FrameworkSet, q: &Questionnaire, year: Option<i32>) -> Result<Structure, YearNotCovered> {
    let Some(fw) = frameworks.get(&q.framework) else {
        return Ok(Structure::from_node_codes(q));
    };
    let year = match year {
        Some(y) if fw.applies_to(y) => y,
        Some(y) => return Err(YearNotCovered { framework: fw.code.clone(), year: y, years: fw.years.to_string() }),
        None => fw.breakpoints().last().copied().or(fw.years.from).unwrap_or(2018),
    };
    Ok(Structure::from_framework_tree(&fw.tree_for_year(Some(year))))
}

/// How to estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstimateOptions {
    /// Bootstrap replicates B (0: no intervals).
    pub bootstrap: usize,
    /// The same seed gives the same intervals on any machine.
    pub seed: u64,
    /// Also estimate within each respondent group of each unit.
    pub by_group: bool,
}

impl EstimateOptions {
    fn score_options(self) -> ScoreOptions {
        ScoreOptions { bootstrap: self.bootstrap, seed: self.seed, by_group: self.by_group, small_sample: SMALL_SAMPLE }
    }
}

/// Is a unit (or group) with `n` respondents a small sample (its estimates get a warning)?
pub fn is_small_sample(n: usize) -> bool {
    n < SMALL_SAMPLE
}

/// Why a stored survey could not be estimated. Nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Seeds are stored as signed 64-bit integers.
    #[error("hạt giống (seed) {0} quá lớn (tối đa {max})", max = i64::MAX)]
    SeedTooLarge(u64),
    #[error("khảo sát chưa có câu trả lời nào: hãy nhập câu trả lời hoặc gửi phiếu mời trước khi tính ước lượng")]
    NoResponses,
    #[error(transparent)]
    Year(#[from] YearNotCovered),
    /// The engine refused (a structure that does not fit the questionnaire).
    #[error(transparent)]
    Engine(SurveyError),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl Failure for EstimateError {
    fn kind(&self) -> ErrorKind {
        match self {
            EstimateError::Store(e) => e.kind(),
            EstimateError::Internal(_) => ErrorKind::Internal,
            _ => ErrorKind::Invalid,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            EstimateError::Store(e) => e.code(),
            EstimateError::Internal(_) => "internal",
            _ => "bad_request",
        }
    }
}

/// Estimate from stored responses (CPU work: call it off the async threads).
fn estimate_report(q: &Questionnaire, responses: &[StoredResponse], s: &Structure, opts: &ScoreOptions) -> Result<Report, SurveyError> {
    let mut header: Vec<&str> = vec!["respondent_id", "unit", "group", "weight"];
    header.extend(q.indicators.iter().map(|i| i.code.as_str()));
    let mut b = Responses::builder(q, &header, None)?;
    let mut fields: Vec<String> = Vec::with_capacity(header.len());
    for r in responses {
        fields.clear();
        fields.push(r.respondent_id.clone());
        fields.push(r.unit_code.clone());
        fields.push(r.group_code.clone().unwrap_or_default());
        fields.push(r.weight.to_string());
        fields.extend(q.indicators.iter().map(|i| r.answers.get(&i.code).map(|v| v.to_string()).unwrap_or_default()));
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        b.push_row(&refs)?;
    }
    chiso_stats::score(q, &b.finish()?, s, opts)
}

/// Estimate a stored survey with B bootstrap replicates and a seed, and store the report.
pub async fn compute_estimates(app: &App, scope: &Scope, survey_id: i64, opts: EstimateOptions) -> Result<StoredEstimate, EstimateError> {
    let survey = app.store.survey(scope, survey_id).await?;
    if !scope.can(Permission::EditPlans) {
        return Err(StoreError::Forbidden(Permission::EditPlans.name_vi().into()).into());
    }
    if i64::try_from(opts.seed).is_err() {
        return Err(EstimateError::SeedTooLarge(opts.seed));
    }
    let q = app.store.survey_questionnaire(scope, survey_id).await?;
    let responses = app.store.survey_responses(scope, survey_id).await?;
    if responses.is_empty() {
        return Err(EstimateError::NoResponses);
    }
    let structure = structure_for(&app.frameworks, &q, Some(survey.year as i32))?;
    let score_opts = opts.score_options();
    let n = responses.len();
    let report = tokio::task::spawn_blocking(move || estimate_report(&q, &responses, &structure, &score_opts))
        .await
        .map_err(|e| EstimateError::Internal(e.to_string()))?
        .map_err(EstimateError::Engine)?;
    let json = serde_json::to_string(&report).map_err(|e| EstimateError::Internal(e.to_string()))?;
    let new = NewEstimate { bootstrap: opts.bootstrap, seed: opts.seed, by_group: opts.by_group, responses: n, report: &json };
    Ok(app.store.save_estimate(scope, survey_id, &new).await?)
}

/// Why files could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// The questionnaire file (its message names the file, line and field).
    #[error(transparent)]
    Questionnaire(SurveyError),
    #[error(transparent)]
    Year(#[from] YearNotCovered),
    #[error(transparent)]
    Responses(#[from] FileError),
    #[error(transparent)]
    Engine(SurveyError),
}

impl Failure for ScoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            ScoreError::Responses(e) => e.kind(),
            _ => ErrorKind::Invalid,
        }
    }
}

/// Score a questionnaire (TOML) and responses (CSV or XLSX) from disk, without a database: per unit (and
/// group) the indicator means, sub-dimension, dimension and total scores with bootstrap intervals. The
/// dimensions are those of the questionnaire's framework for `year` (else its latest methodology) when the
/// framework is known.
pub fn score_files(
    frameworks: &FrameworkSet,
    questionnaire: &Path,
    responses: &Path,
    year: Option<i32>,
    opts: EstimateOptions,
) -> Result<Report, ScoreError> {
    let q = Questionnaire::from_path(questionnaire).map_err(ScoreError::Questionnaire)?;
    let structure = structure_for(frameworks, &q, year)?;
    let r = read_response_file(&q, responses)?;
    chiso_stats::score(&q, &r, &structure, &opts.score_options()).map_err(ScoreError::Engine)
}

/// The survey part of a PAR-style score sheet: for each leaf of the framework (in `year`) whose score comes
/// from a survey and that the questionnaire measures, the points `min + n·(max − min)`, where n is the mean of
/// the unit's defined indicator means of that leaf (each on the 0–1 scale, reversed indicators already
/// turned round). Leaves without any answer are left out.
pub fn survey_leaf_scores(fw: &Framework, year: i32, q: &Questionnaire, est: &chiso_stats::Estimate) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for leaf in fw.leaves_for_year(year) {
        if leaf.source != Source::Survey {
            continue;
        }
        let means: Vec<f64> =
            q.indicators.iter().filter(|i| i.node == leaf.code).filter_map(|i| est.indicators.get(&i.code).copied().flatten()).collect();
        if means.is_empty() {
            continue;
        }
        let n = means.iter().sum::<f64>() / means.len() as f64;
        let Some(points) = leaf.value_of_share(n) else { continue };
        let (lo, hi) = (leaf.min.unwrap_or(0.0), leaf.max.unwrap_or(0.0));
        out.push((leaf.code.clone(), chiso_core::results::round_to(points, 2).clamp(lo, hi)));
    }
    out
}

/// Official scores to compare a survey with.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficialScores {
    /// The year of the results.
    pub year: i32,
    /// The unit whose results these are: the survey's unit or its nearest ancestor with published results.
    pub unit_name: String,
    /// Node code (the framework's code for the total) → score.
    pub scores: BTreeMap<String, f64>,
}

/// Official scores to compare with: the latest stored year of the survey's framework up to the survey's
/// year (else the latest), for the survey's unit or its nearest ancestor with published results.
async fn official_scores(app: &App, scope: &Scope, survey: &Survey) -> Result<Option<OfficialScores>, StoreError> {
    let Some(fw) = app.frameworks.get(&survey.framework) else { return Ok(None) };
    let years = app.store.results_history(scope, &survey.framework).await?;
    let year = years.iter().rev().find(|y| i64::from(y.scores.year) <= survey.year).or_else(|| years.last());
    let Some(year) = year else { return Ok(None) };
    // Results are public: the ancestors' codes are looked up without the user's reach (a commune officer
    // compares with the province's official score).
    let ids: Vec<i64> = survey.unit_path.split('/').filter_map(|s| s.parse().ok()).collect();
    let sys = Scope::system("survey-official");
    for uid in ids.into_iter().rev() {
        let Ok(unit) = app.store.unit_by_id(&sys, uid).await else { continue };
        if let Some(leaves) = year.scores.units.get(&unit.code) {
            let scores = chiso_core::results::compute_scores(fw, year.scores.year, leaves);
            return Ok(Some(OfficialScores { year: year.scores.year, unit_name: unit.name, scores }));
        }
    }
    Ok(None)
}

/// Survey points a unit's score sheet can take.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetPoints {
    pub leaf: String,
    pub points: f64,
    /// The leaf's maximum in the survey's year.
    pub max: f64,
}

/// A survey's estimates as the estimates page shows them.
pub struct SurveyEstimates {
    pub survey: Survey,
    /// The run shown (the one asked for, else the latest); `None` before the first run.
    pub run: Option<StoredEstimate>,
    /// Its report.
    pub report: Option<Report>,
    /// Unit code → name, for the units the survey covers.
    pub unit_names: HashMap<String, String>,
    pub official: Option<OfficialScores>,
    /// Unit code → the points its score sheet can take, when the framework is scored as points
    /// (PAR-style; empty otherwise).
    pub sheet_points: HashMap<String, Vec<SheetPoints>>,
    /// Every run, oldest first.
    pub runs: Vec<StoredEstimate>,
}

/// The estimates of a survey: run `run` (else the latest), the official scores beside it, the survey points
/// of score sheets, and the list of runs.
pub async fn survey_estimates(app: &App, scope: &Scope, survey_id: i64, run: Option<i64>) -> Result<SurveyEstimates, crate::ServiceError> {
    let survey = app.store.survey(scope, survey_id).await?;
    let stored = match run {
        Some(r) => Some(app.store.estimate(scope, survey_id, r).await?),
        None => app.store.latest_estimate(scope, survey_id).await?,
    };
    let unit_names: HashMap<String, String> =
        app.store.survey_units(scope, survey_id).await?.into_iter().map(|u| (u.code, u.name)).collect();
    let official = official_scores(app, scope, &survey).await?;
    let mut report = None;
    let mut sheet_points = HashMap::new();
    if let Some(e) = &stored {
        let r: Report = serde_json::from_str(&e.report)
            .map_err(|err| crate::ServiceError::Internal(format!("báo cáo ước lượng #{} hỏng: {err}", e.id)))?;
        let sheet_fw = app.frameworks.get(&survey.framework).filter(|f| f.aggregation == Aggregation::PercentOfMax);
        if let Some(fw) = sheet_fw {
            let q = app.store.survey_questionnaire(scope, survey_id).await?;
            let year = survey.year as i32;
            for (code, ur) in &r.units.0 {
                let points = survey_leaf_scores(fw, year, &q, &ur.estimate)
                    .into_iter()
                    .map(|(leaf, points)| {
                        let max = fw.node_for_year(&leaf, year).and_then(|n| n.max).unwrap_or(0.0);
                        SheetPoints { leaf, points, max }
                    })
                    .collect();
                sheet_points.insert(code.clone(), points);
            }
        }
        report = Some(r);
    }
    let runs = app.store.estimate_runs(scope, survey_id).await?;
    Ok(SurveyEstimates { survey, run: stored, report, unit_names, official, sheet_points, runs })
}

/// Why the survey points could not be put into a score sheet. Nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("bộ chỉ số \"{0}\" chưa có trong hệ thống")]
    UnknownFramework(String),
    #[error("chưa có ước lượng: hãy tính ước lượng trước")]
    NoEstimate,
    #[error("ước lượng không có đơn vị {0}")]
    UnitNotEstimated(String),
    #[error("bảng hỏi không đo tiêu chí điều tra nào của phiếu chấm điểm")]
    NothingToFill,
    #[error("{unit} chưa có phiếu chấm điểm {framework} năm {year}")]
    NoSheet { unit: String, framework: String, year: i32 },
    /// The survey is not the caller's, or the sheet refuses the appraisal (its state, the caller's role).
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl Failure for SheetError {
    fn kind(&self) -> ErrorKind {
        match self {
            SheetError::Store(e) => e.kind(),
            SheetError::Internal(_) => ErrorKind::Internal,
            _ => ErrorKind::Invalid,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            SheetError::Store(e) => e.code(),
            SheetError::Internal(_) => "internal",
            _ => "bad_request",
        }
    }
}

/// Put the survey points of a unit (from the latest estimates) into its score sheet of the survey's
/// framework and year, as the appraiser's survey scores (audited by the assessment store). Returns the
/// sheet's id.
pub async fn fill_sheet(app: &App, scope: &Scope, survey_id: i64, unit_code: &str) -> Result<i64, SheetError> {
    let survey = app.store.survey(scope, survey_id).await?;
    let fw = app.frameworks.get(&survey.framework).ok_or_else(|| SheetError::UnknownFramework(survey.framework.clone()))?;
    let e = app.store.latest_estimate(scope, survey_id).await?.ok_or(SheetError::NoEstimate)?;
    let report: Report = serde_json::from_str(&e.report).map_err(|err| SheetError::Internal(err.to_string()))?;
    let ur = report.units.get(unit_code).ok_or_else(|| SheetError::UnitNotEstimated(unit_code.to_string()))?;
    let q = app.store.survey_questionnaire(scope, survey_id).await?;
    let year = survey.year as i32;
    let scores = survey_leaf_scores(fw, year, &q, &ur.estimate);
    if scores.is_empty() {
        return Err(SheetError::NothingToFill);
    }
    let sheet = app.store.assessment_for(scope, unit_code, &survey.framework, year).await?.ok_or_else(|| SheetError::NoSheet {
        unit: unit_code.to_string(),
        framework: survey.framework.clone(),
        year,
    })?;
    let reason = format!("kết quả khảo sát #{survey_id}, ước lượng #{} ({} người trả lời)", e.id, ur.n);
    let inputs: Vec<chiso_store::assessments::AppraisalInput> = scores
        .into_iter()
        .map(|(node, score)| chiso_store::assessments::AppraisalInput { node, score: Some(score), reason: Some(reason.clone()) })
        .collect();
    app.store.appraise(scope, fw, sheet.id, &inputs, None).await?;
    Ok(sheet.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_points_of_a_score_sheet() {
        let set = FrameworkSet::builtin().expect("frameworks");
        let par = set.get("par_index").expect("par");
        let q = Questionnaire::from_toml_str(
            "framework = \"par_index\"\n[[indicator]]\ncode = \"h1\"\nnode = \"par.a3.c6\"\nmin = 1\nmax = 5\ndirection = 1\n\
             [[indicator]]\ncode = \"h2\"\nnode = \"par.a3.c6\"\nmin = 0\nmax = 1\ndirection = 1\n\
             [[indicator]]\ncode = \"h3\"\nnode = \"par.a1.c7\"\nmin = 0\nmax = 1\ndirection = 1\n",
        )
        .expect("q");
        let est = chiso_stats::Estimate {
            indicators: chiso_stats::OrderedMap(vec![("h1".into(), Some(0.5)), ("h2".into(), Some(1.0)), ("h3".into(), None)]),
            sub_dimensions: chiso_stats::OrderedMap(Vec::new()),
            dimensions: chiso_stats::OrderedMap(Vec::new()),
            total: None,
            shares: chiso_stats::OrderedMap(Vec::new()),
        };
        // par.a3.c6: n = (0.5 + 1)/2 = 0.75 of 6 points; par.a1.c7 has no answer and is left out.
        assert_eq!(survey_leaf_scores(par, 2024, &q, &est), vec![("par.a3.c6".to_string(), 4.5)]);
    }

    #[test]
    fn the_structure_follows_the_framework_year() {
        let set = FrameworkSet::builtin().expect("frameworks");
        let q = Questionnaire::from_toml_str(super::super::SAMPLE_QUESTIONNAIRE).expect("sample");
        let s = structure_for(&set, &q, Some(2024)).expect("papi 2024");
        assert_eq!(s.dimensions.len(), 8, "every PAPI dimension, measured or not");
        let Err(e) = structure_for(&set, &q, Some(1990)) else { panic!("papi did not exist in 1990") };
        assert_eq!(e.year, 1990);
        assert!(e.to_string().starts_with("bộ chỉ số papi không áp dụng cho năm 1990"), "{e}");
        let unknown = Questionnaire::from_toml_str(
            "framework = \"xa\"\n[[indicator]]\ncode = \"a\"\nnode = \"xa.d1.s1\"\nmin = 0\nmax = 1\ndirection = 1\n",
        )
        .expect("q");
        assert_eq!(structure_for(&set, &unknown, Some(1990)).expect("from node codes").dimensions.len(), 1);
    }
}
