//! A survey at a glance: its questionnaire, groups and units, responses per unit and group, invitations,
//! imports and the latest estimate.

use super::invitations::{Invitations, invitations};
use crate::App;
use chiso_core::access::{Permission, Scope};
use chiso_stats::Questionnaire;
use chiso_store::StoreError;
use chiso_store::surveys::{ImportRecord, ResponseCount, StoredEstimate, Survey};
use chiso_store::units::Unit;

pub struct SurveyOverview {
    pub survey: Survey,
    pub questionnaire: Questionnaire,
    pub groups: Vec<String>,
    /// The units the survey covers that still exist, parents first.
    pub units: Vec<Unit>,
    /// Respondents per unit and group.
    pub counts: Vec<ResponseCount>,
    /// The invitations (without links: those are shown once, when made), for those who may change the survey.
    pub invitations: Option<Invitations>,
    pub imports: Vec<ImportRecord>,
    pub latest: Option<StoredEstimate>,
}

/// A survey at a glance.
pub async fn survey_overview(app: &App, scope: &Scope, survey_id: i64) -> Result<SurveyOverview, StoreError> {
    let survey = app.store.survey(scope, survey_id).await?;
    let questionnaire = app.store.survey_questionnaire(scope, survey_id).await?;
    let groups = app.store.survey_groups(scope, survey_id).await?;
    let units = app.store.survey_units(scope, survey_id).await?.into_iter().filter(|u| u.valid_to.is_none()).collect();
    let counts = app.store.response_counts(scope, survey_id).await?;
    let invitations = match scope.can(Permission::EditPlans) {
        true => Some(invitations(app, scope, survey_id).await?),
        false => None,
    };
    let imports = app.store.survey_imports(scope, survey_id).await?;
    let latest = app.store.latest_estimate(scope, survey_id).await?;
    Ok(SurveyOverview { survey, questionnaire, groups, units, counts, invitations, imports, latest })
}
