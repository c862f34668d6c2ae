//! The demo survey: Xã Chiềng Sơn (Mộc Châu) asks its citizens and businesses the sample questionnaire.

use super::create::{CreateError, QuestionnaireInput, SurveyRequest, create_survey, sample_questionnaire};
use super::estimates::{EstimateError, EstimateOptions, compute_estimates};
use super::import::{ImportError, import_file};
use super::sample::synthetic_responses_csv;
use crate::App;
use chiso_core::access::Scope;
use chiso_store::StoreError;
use chiso_store::surveys::SurveyFilter;

/// Title of the demo survey (also how the loader recognises it, so loading twice adds nothing).
pub const DEMO_TITLE: &str = "Khảo sát ý kiến người dân xã Chiềng Sơn năm 2024 (dữ liệu mẫu)";

/// Why the demo survey could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Create(#[from] CreateError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Estimate(#[from] EstimateError),
}

/// Load the demo survey: 320 synthetic responses (generated deterministically), a few unused invitations,
/// and estimates with B = 500, seed = 1. Idempotent: returns an empty summary when it is already there.
pub async fn load_demo(app: &App) -> Result<String, DemoError> {
    let sys = Scope::system("demo");
    let commune = crate::demo::codes::CHIENG_SON;
    // Four steps, each one transaction (create, import, invite, estimate): a run interrupted between them
    // is resumed at the first missing step, so the survey never stays without its responses.
    let existing = app.store.surveys(&sys, &SurveyFilter { unit_code: Some(commune.into()), ..Default::default() }).await?;
    let existing = existing.into_iter().find(|s| s.survey.title == DEMO_TITLE);
    if existing.as_ref().is_some_and(|s| s.responses > 0 && s.invitations > 0 && s.last_estimate_at.is_some()) {
        return Ok(String::new());
    }
    let q = sample_questionnaire().map_err(|e| CreateError::Internal(format!("bảng hỏi mẫu: {e}")))?;
    let groups = vec!["nguoi_dan".to_string(), "doanh_nghiep".to_string()];
    if let Some(s) = existing {
        let id = s.survey.id;
        if s.responses == 0 {
            let csv = synthetic_responses_csv(&q, &[commune.to_string()], &groups, 320, 2024, "CS24-");
            import_file(app, &sys, id, csv.into_bytes(), "chieng-son-2024-mau.csv").await?;
        }
        if s.invitations == 0 {
            app.store.create_invitations(&sys, id, commune, Some("nguoi_dan"), 5).await?;
        }
        compute_estimates(app, &sys, id, EstimateOptions { bootstrap: 500, seed: 1, by_group: true }).await?;
        return Ok(format!("Khảo sát mẫu #{id} của Xã Chiềng Sơn: đã nạp tiếp phần còn thiếu."));
    }
    let request = SurveyRequest {
        unit_code: commune.to_string(),
        year: 2024,
        title: Some(DEMO_TITLE.to_string()),
        extra_groups: groups.clone(),
        questionnaire: Some(QuestionnaireInput::Read { name: super::SAMPLE_QUESTIONNAIRE_FILE.to_string(), questionnaire: q.clone() }),
        draft: false,
    };
    let s = create_survey(app, &sys, request).await?;
    let csv = synthetic_responses_csv(&q, &[commune.to_string()], &groups, 320, 2024, "CS24-");
    import_file(app, &sys, s.id, csv.into_bytes(), "chieng-son-2024-mau.csv").await?;
    app.store.create_invitations(&sys, s.id, commune, Some("nguoi_dan"), 5).await?;
    compute_estimates(app, &sys, s.id, EstimateOptions { bootstrap: 500, seed: 1, by_group: true }).await?;
    Ok(format!("Khảo sát mẫu #{} của Xã Chiềng Sơn: 320 câu trả lời, 5 phiếu mời, đã tính ước lượng.", s.id))
}
