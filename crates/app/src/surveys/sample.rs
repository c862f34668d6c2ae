//! Synthetic responses (for trying the system, the demo and tests) and the empty response template.

use crate::App;
use chiso_core::access::Scope;
use chiso_core::text::csv_field;
use chiso_stats::Questionnaire;
use chiso_store::StoreError;
use chiso_store::surveys::{Survey, is_asked};
use chiso_store::units::Unit;

/// Most synthetic respondents asked of a stored survey at once.
pub const MAX_SAMPLE: usize = 100_000;

/// A small deterministic generator (SplitMix64): synthetic data must be the same on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The header line of a response file for a questionnaire: `respondent_id,unit,group,weight,<codes>`.
pub fn response_csv_header(q: &Questionnaire) -> String {
    let mut out = String::from("respondent_id,unit,group,weight");
    for ind in &q.indicators {
        out.push(',');
        out.push_str(&csv_field(&ind.code));
    }
    out
}

/// Synthetic responses to a questionnaire as CSV (`respondent_id, unit, group, weight, <codes>`): `n`
/// respondents spread over `units` and `groups`, each unit with its own level of satisfaction, 5% missing
/// answers, weights 0.5–2.0; questions not asked of a respondent's group are left empty. The same arguments
/// give the same file. Respondent ids are `<id_prefix>00001`, … — use a new prefix for each import.
pub fn synthetic_responses_csv(q: &Questionnaire, units: &[String], groups: &[String], n: usize, seed: u64, id_prefix: &str) -> String {
    let mut rng = SplitMix(seed ^ 0x5EED_5EED);
    let mut out = response_csv_header(q);
    out.push('\n');
    if units.is_empty() {
        return out;
    }
    // A unit's level depends on its code and the seed only, so units differ visibly and reproducibly.
    let level: Vec<f64> = units
        .iter()
        .map(|u| {
            let mut r = SplitMix(u.bytes().fold(seed, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
            0.35 + 0.45 * r.unit()
        })
        .collect();
    let scales: Vec<Vec<f64>> = q
        .indicators
        .iter()
        .map(|ind| {
            let mut v: Vec<f64> = ind.options.iter().map(|o| o.value).collect();
            if v.is_empty() {
                let (lo, hi) = (ind.min.ceil() as i64, ind.max.floor() as i64);
                v = if hi > lo && hi - lo <= 20 { (lo..=hi).map(|x| x as f64).collect() } else { vec![ind.min, ind.max] };
            }
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    for i in 0..n {
        let u = rng.below(units.len());
        let group = if groups.is_empty() { None } else { Some(groups[rng.below(groups.len())].as_str()) };
        let weight = 0.5 + (rng.unit() * 150.0).round() / 100.0;
        let id = format!("{id_prefix}{:05}", i + 1);
        out.push_str(&format!("{},{},{},{weight}", csv_field(&id), csv_field(&units[u]), csv_field(group.unwrap_or(""))));
        for (ind, scale) in q.indicators.iter().zip(&scales) {
            out.push(',');
            if !is_asked(ind, group) || rng.unit() < 0.05 {
                continue;
            }
            // A respondent's satisfaction: the unit's level plus noise; reversed indicators answer the
            // other way round.
            let p = (level[u] + 0.5 * (rng.unit() - 0.5)).clamp(0.0, 1.0);
            let p = if ind.direction < 0 { 1.0 - p } else { p };
            let k = ((p * scale.len() as f64) as usize).min(scale.len() - 1);
            out.push_str(&scale[k].to_string());
        }
        out.push('\n');
    }
    out
}

/// The groups a questionnaire names, in order of first mention.
pub fn questionnaire_groups(q: &Questionnaire) -> Vec<String> {
    let mut g: Vec<String> = Vec::new();
    for x in q.indicators.iter().flat_map(|i| i.groups.iter()) {
        if !g.contains(x) {
            g.push(x.clone());
        }
    }
    g
}

/// Units synthetic responses go to: the units below the survey's unit, or the unit itself when it has none.
fn sample_units(survey: &Survey, units: &[Unit]) -> Vec<String> {
    let below: Vec<String> = units.iter().filter(|u| u.id != survey.unit_id && u.valid_to.is_none()).map(|u| u.code.clone()).collect();
    if below.is_empty() { vec![survey.unit_code.clone()] } else { below }
}

/// An empty response file for a stored survey: the header line only.
pub async fn template_csv(app: &App, scope: &Scope, survey_id: i64) -> Result<String, StoreError> {
    let q = app.store.survey_questionnaire(scope, survey_id).await?;
    Ok(synthetic_responses_csv(&q, &[], &[], 0, 0, ""))
}

/// `n` (at most [`MAX_SAMPLE`]) synthetic responses to a stored survey, over the units below its unit and
/// its groups; respondent ids `S<seed>-00001`, … so that samples of different seeds can all be imported.
pub async fn sample_csv(app: &App, scope: &Scope, survey_id: i64, n: usize, seed: u64) -> Result<String, StoreError> {
    let survey = app.store.survey(scope, survey_id).await?;
    let q = app.store.survey_questionnaire(scope, survey_id).await?;
    let groups = app.store.survey_groups(scope, survey_id).await?;
    let units = sample_units(&survey, &app.store.survey_units(scope, survey_id).await?);
    Ok(synthetic_responses_csv(&q, &units, &groups, n.min(MAX_SAMPLE), seed, &format!("S{seed}-")))
}
