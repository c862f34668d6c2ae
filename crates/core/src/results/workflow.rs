//! The score-sheet workflow: which status may go to which, and who may take which step.

use super::*;
use crate::access::{Permission, Reach, Scope};

/// Where a score sheet stands. The unit scores itself (draft), submits, the higher level
/// appraises; optionally the unit explains (giải trình) and the higher level appraises again;
/// then the sheet is finalised and locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetStatus {
    Draft,
    Submitted,
    Appraised,
    Explained,
    ReAppraised,
    Finalised,
}

impl SheetStatus {
    pub const ALL: [SheetStatus; 6] = [
        SheetStatus::Draft,
        SheetStatus::Submitted,
        SheetStatus::Appraised,
        SheetStatus::Explained,
        SheetStatus::ReAppraised,
        SheetStatus::Finalised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SheetStatus::Draft => "draft",
            SheetStatus::Submitted => "submitted",
            SheetStatus::Appraised => "appraised",
            SheetStatus::Explained => "explained",
            SheetStatus::ReAppraised => "re_appraised",
            SheetStatus::Finalised => "finalised",
        }
    }

    pub fn parse(s: &str) -> Option<SheetStatus> {
        SheetStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            SheetStatus::Draft => "Đang tự chấm",
            SheetStatus::Submitted => "Đã gửi, chờ thẩm định",
            SheetStatus::Appraised => "Đã thẩm định",
            SheetStatus::Explained => "Đã giải trình, chờ thẩm định lại",
            SheetStatus::ReAppraised => "Đã thẩm định lại",
            SheetStatus::Finalised => "Đã chốt kết quả",
        }
    }

    /// The unit may change its self scores and evidence.
    pub fn self_scoring_open(self) -> bool {
        self == SheetStatus::Draft
    }

    /// The higher level may appraise (accept / adjust) criteria.
    pub fn appraisal_open(self) -> bool {
        matches!(self, SheetStatus::Submitted | SheetStatus::Explained)
    }

    /// The unit may explain (giải trình) the appraisal.
    pub fn explanation_open(self) -> bool {
        self == SheetStatus::Appraised
    }
}

/// A change of a sheet's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SheetAction {
    /// The unit sends its self-assessment for appraisal.
    Submit,
    /// The higher level closes an appraisal round.
    CompleteAppraisal,
    /// The unit sends its explanation of the appraisal (opens the second round).
    Explain,
    /// The higher level fixes the result; the sheet is locked.
    Finalise,
    /// The higher level takes the sheet one step back to where it can be changed (reason required).
    Reopen,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The assessed unit (or a scope reaching it) with the self-score permission.
    Unit,
    /// The higher level: a scope reaching the unit's parent, with the appraisal permission.
    Appraiser,
}

impl SheetAction {
    pub const ALL: [SheetAction; 5] =
        [SheetAction::Submit, SheetAction::CompleteAppraisal, SheetAction::Explain, SheetAction::Finalise, SheetAction::Reopen];

    pub fn as_str(self) -> &'static str {
        match self {
            SheetAction::Submit => "submit",
            SheetAction::CompleteAppraisal => "complete_appraisal",
            SheetAction::Explain => "explain",
            SheetAction::Finalise => "finalise",
            SheetAction::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<SheetAction> {
        SheetAction::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            SheetAction::Submit => "Gửi thẩm định",
            SheetAction::CompleteAppraisal => "Hoàn thành thẩm định",
            SheetAction::Explain => "Gửi giải trình",
            SheetAction::Finalise => "Chốt kết quả",
            SheetAction::Reopen => "Mở lại",
        }
    }

    pub fn actor(self) -> Actor {
        match self {
            SheetAction::Submit | SheetAction::Explain => Actor::Unit,
            _ => Actor::Appraiser,
        }
    }

    pub fn needs_reason(self) -> bool {
        self == SheetAction::Reopen
    }
}

/// The status after `action`, or why it is not allowed. `second_round`: the sheet went through
/// the explanation round (reopening a finalised sheet returns to that round's appraisal).
pub fn next_status(status: SheetStatus, action: SheetAction, second_round: bool) -> Result<SheetStatus, String> {
    use SheetAction as A;
    use SheetStatus as S;
    let next = match (status, action) {
        (S::Draft, A::Submit) => S::Submitted,
        (S::Submitted, A::CompleteAppraisal) => S::Appraised,
        (S::Explained, A::CompleteAppraisal) => S::ReAppraised,
        (S::Appraised, A::Explain) => S::Explained,
        (S::Appraised | S::ReAppraised, A::Finalise) => S::Finalised,
        (S::Submitted, A::Reopen) => S::Draft,
        (S::Appraised, A::Reopen) => S::Submitted,
        (S::ReAppraised, A::Reopen) => S::Explained,
        (S::Finalised, A::Reopen) if second_round => S::Explained,
        (S::Finalised, A::Reopen) => S::Submitted,
        (s, a) => {
            return Err(format!("không thể \"{}\" khi phiếu ở trạng thái \"{}\"", a.name_vi(), s.name_vi()));
        }
    };
    Ok(next)
}

/// The sheet a scope wants to act on, as far as "who may" needs it: the assessed unit's id, name and
/// materialised path.
#[derive(Debug, Clone, Copy)]
pub struct SheetUnit<'a> {
    pub id: i64,
    pub name: &'a str,
    pub path: &'a str,
}

/// The materialised path of the parent of the unit at `path` ("/1/3/5/" → "/1/3/"; a root → "/").
pub fn parent_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((head, _)) if !head.is_empty() => format!("{head}/"),
        _ => "/".to_string(),
    }
}

/// Is the scope the assessed unit itself (its home unit is the sheet's unit)?
fn is_the_unit(scope: &Scope, unit: SheetUnit<'_>) -> bool {
    matches!(&scope.reach, Reach::Subtree { unit_id, .. } if *unit_id == unit.id)
}

/// The unit side (self scores, evidence, explanations, submit): the assessed unit's own accounts with
/// the self-score permission — never a higher level acting for it, so that self-assessment and
/// appraisal are always done by different units.
pub fn is_unit_side(scope: &Scope, unit: SheetUnit<'_>) -> bool {
    scope.can(Permission::SelfScore) && is_the_unit(scope, unit)
}

/// The appraiser (appraise, complete a round, finalise, reopen): the appraisal permission and reach of
/// the unit's parent — the superior (or a level above it), never the assessed unit itself.
pub fn is_appraiser(scope: &Scope, unit: SheetUnit<'_>) -> bool {
    scope.can(Permission::Appraise) && !is_the_unit(scope, unit) && scope.reaches_path(&parent_path(unit.path))
}

/// May the scope act on `actor`'s side of the sheet? `Err` is the Vietnamese reason.
pub fn check_side(scope: &Scope, unit: SheetUnit<'_>, actor: Actor) -> Result<(), String> {
    match actor {
        Actor::Unit if is_unit_side(scope, unit) => Ok(()),
        Actor::Unit if !scope.can(Permission::SelfScore) => Err(Permission::SelfScore.name_vi().to_string()),
        Actor::Unit => Err(format!(
            "{} cho phiếu của {}: chỉ chính đơn vị được chấm điểm tự chấm; cấp trên thẩm định, không chấm thay",
            Permission::SelfScore.name_vi(),
            unit.name
        )),
        Actor::Appraiser if is_appraiser(scope, unit) => Ok(()),
        Actor::Appraiser if !scope.can(Permission::Appraise) => Err(Permission::Appraise.name_vi().to_string()),
        Actor::Appraiser => Err(format!(
            "{}: phiếu của {} do cấp trên trực tiếp thẩm định; đơn vị không tự thẩm định mình",
            Permission::Appraise.name_vi(),
            unit.name
        )),
    }
}

/// The status changes `scope` may make now on a sheet in `status` (`second_round`: see [`next_status`]).
pub fn allowed_actions(scope: &Scope, unit: SheetUnit<'_>, status: SheetStatus, second_round: bool) -> Vec<SheetAction> {
    SheetAction::ALL
        .into_iter()
        .filter(|a| check_side(scope, unit, a.actor()).is_ok())
        .filter(|a| next_status(status, *a, second_round).is_ok())
        .collect()
}

/// What a criterion of a sheet holds, as far as the readiness of a step needs it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemState {
    pub self_scored: bool,
    /// Evidence noted, or the reason it is missing.
    pub evidenced: bool,
    /// The appraiser decided (accept / adjust / survey score).
    pub decided: bool,
    pub appraised: bool,
}

/// One thing a criterion lacks for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    NotScored,
    NoEvidence,
    NotDecided,
    NotAppraised,
}

impl Gap {
    const ALL: [Gap; 4] = [Gap::NotScored, Gap::NoEvidence, Gap::NotDecided, Gap::NotAppraised];

    /// Does criterion `l` in state `i` lack this for `action`? Submitting needs every self-assessed criterion
    /// scored and evidenced (or the missing evidence explained); completing an appraisal round needs a
    /// decision on every self-assessed criterion; finalising needs an appraised score on every criterion,
    /// survey ones included.
    fn applies(self, action: SheetAction, l: &Node, i: ItemState) -> bool {
        let own = l.source != Source::Survey;
        match (action, self) {
            (SheetAction::Submit, Gap::NotScored) => own && !i.self_scored,
            (SheetAction::Submit, Gap::NoEvidence) => own && !i.evidenced,
            (SheetAction::CompleteAppraisal, Gap::NotDecided) => own && !i.decided,
            (SheetAction::Finalise, Gap::NotAppraised) => !i.appraised,
            _ => false,
        }
    }

    /// The summary of the criteria lacking it: "chưa tự chấm 2 tiêu chí: a, b".
    fn summary(self, codes: &[String]) -> String {
        let (n, list) = (codes.len(), codes.join(", "));
        match self {
            Gap::NotScored => format!("chưa tự chấm {n} tiêu chí: {list}"),
            Gap::NoEvidence => format!("thiếu tài liệu kiểm chứng hoặc giải trình lý do thiếu ở {n} tiêu chí: {list}"),
            Gap::NotDecided => format!("chưa thẩm định {n} tiêu chí: {list}"),
            Gap::NotAppraised => format!("chưa có điểm thẩm định (kể cả điểm điều tra xã hội học) ở {n} tiêu chí: {list}"),
        }
    }

    /// Beside one criterion's field.
    fn beside(self) -> &'static str {
        match self {
            Gap::NotScored => "chưa tự chấm điểm",
            Gap::NoEvidence => "chưa có tài liệu kiểm chứng hoặc lý do thiếu tài liệu",
            Gap::NotDecided => "chưa thẩm định",
            Gap::NotAppraised => "chưa có điểm thẩm định",
        }
    }
}

/// Why the sheet is not ready for `action` (empty: ready), each part naming the criteria: submitting needs
/// every self-assessed criterion scored and evidenced (or the missing evidence explained); completing an
/// appraisal round needs a decision on every self-assessed criterion; finalising needs an appraised score
/// on every criterion, survey ones included. `item` gives the state of a leaf (`None`: not on the sheet).
pub fn not_ready(action: SheetAction, leaves: &[Node], item: &dyn Fn(&str) -> Option<ItemState>) -> Vec<String> {
    Gap::ALL
        .into_iter()
        .filter_map(|g| {
            let codes: Vec<String> =
                leaves.iter().filter(|l| g.applies(action, l, item(&l.code).unwrap_or_default())).map(|l| l.code.clone()).collect();
            (!codes.is_empty()).then(|| g.summary(&codes))
        })
        .collect()
}

/// The same as [`not_ready`], criterion by criterion, to be shown beside each one's field: "`code`: tiêu chí
/// “name”: chưa tự chấm điểm" (the code in backticks first, as every refusal naming a criterion).
pub fn not_ready_criteria(action: SheetAction, leaves: &[Node], item: &dyn Fn(&str) -> Option<ItemState>) -> Vec<String> {
    let mut out = Vec::new();
    for l in leaves {
        let state = item(&l.code).unwrap_or_default();
        for g in Gap::ALL.into_iter().filter(|g| g.applies(action, l, state)) {
            out.push(format!("{}: {}", criterion_vi(l), g.beside()));
        }
    }
    out
}

/// "`par.a1.c1`: tiêu chí “Kế hoạch cải cách hành chính năm”": how a refusal about one criterion begins (the
/// code in backticks lets a form put the message beside the criterion's field; the name is what a person reads).
pub fn criterion_vi(leaf: &Node) -> String {
    format!("`{}`: tiêu chí “{}”", leaf.code, leaf.name_vi)
}

/// A score as people read and type it: at most 4 decimals, decimal comma, no trailing zeros ("2,5", "1", "0,25").
pub fn score_vi(x: f64) -> String {
    let s = crate::text::vn_number(round_to(x, 4), 4);
    match s.split_once(',') {
        Some(_) => s.trim_end_matches('0').trim_end_matches(',').to_string(),
        None => s,
    }
}

/// A score given to a leaf must be a number from 0 to the leaf's maximum; `Err` names the criterion and its
/// maximum with a decimal comma ("… vượt quá điểm tối đa (tối đa 2,5)").
pub fn check_score(leaf: &Node, v: f64) -> Result<(), String> {
    const EPS: f64 = 1e-9;
    let max = leaf.max.unwrap_or(0.0);
    if !v.is_finite() {
        Err(format!("{}: điểm phải là một số (tối đa {})", criterion_vi(leaf), score_vi(max)))
    } else if v < -EPS {
        Err(format!("{}: điểm {} không được âm (từ 0 đến tối đa {})", criterion_vi(leaf), score_vi(v), score_vi(max)))
    } else if v > max + EPS {
        Err(format!("{}: điểm {} vượt quá điểm tối đa (tối đa {})", criterion_vi(leaf), score_vi(v), score_vi(max)))
    } else {
        Ok(())
    }
}
