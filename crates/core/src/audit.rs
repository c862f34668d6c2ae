//! What the audit log records, as types: the kinds of things changed and the kinds of change, with the
//! Vietnamese words a person reads ("nv.mocchau **chốt** **phiếu chấm điểm** số 2"). The store writes and
//! filters by their stored names; the audit page filters by these kinds and reads entries as sentences.

/// The kind of thing an audit entry is about (`audit_log.entity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Plan,
    Task,
    Report,
    Assessment,
    Survey,
    Unit,
    Agency,
    User,
    Results,
    Result,
}

impl EntityKind {
    pub const ALL: [EntityKind; 10] = [
        EntityKind::Plan,
        EntityKind::Task,
        EntityKind::Report,
        EntityKind::Assessment,
        EntityKind::Survey,
        EntityKind::Unit,
        EntityKind::Agency,
        EntityKind::User,
        EntityKind::Results,
        EntityKind::Result,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Plan => "plan",
            EntityKind::Task => "task",
            EntityKind::Report => "report",
            EntityKind::Assessment => "assessment",
            EntityKind::Survey => "survey",
            EntityKind::Unit => "unit",
            EntityKind::Agency => "agency",
            EntityKind::User => "user",
            EntityKind::Results => "results",
            EntityKind::Result => "result",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The noun in a sentence: "kế hoạch", "phiếu chấm điểm" …
    pub fn noun_vi(self) -> &'static str {
        match self {
            EntityKind::Plan => "kế hoạch",
            EntityKind::Task => "nhiệm vụ",
            EntityKind::Report => "báo cáo",
            EntityKind::Assessment => "phiếu chấm điểm",
            EntityKind::Survey => "khảo sát",
            EntityKind::Unit => "đơn vị",
            EntityKind::Agency => "cơ quan",
            EntityKind::User => "tài khoản",
            EntityKind::Results => "kết quả chỉ số",
            EntityKind::Result => "kết quả của đơn vị",
        }
    }

    /// The filter's label: "Kế hoạch", "Phiếu chấm điểm" …
    pub fn label_vi(self) -> String {
        capitalise(self.noun_vi())
    }
}

/// The kind of change an audit entry records (`audit_log.action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Create,
    Update,
    Issue,
    LinkParent,
    UnlinkParent,
    Progress,
    Return,
    Submit,
    SelfScore,
    Evidence,
    Appraise,
    CompleteAppraisal,
    Explain,
    Finalise,
    Reopen,
    Status,
    Invite,
    RevokeInvitations,
    ImportResponses,
    Estimate,
    Import,
    Reimport,
    Merge,
    Reparent,
    Move,
    Close,
    Predecessor,
    Password,
    BulkCreate,
}

impl ActionKind {
    pub const ALL: [ActionKind; 29] = [
        ActionKind::Create,
        ActionKind::Update,
        ActionKind::Issue,
        ActionKind::LinkParent,
        ActionKind::UnlinkParent,
        ActionKind::Progress,
        ActionKind::Return,
        ActionKind::Submit,
        ActionKind::SelfScore,
        ActionKind::Evidence,
        ActionKind::Appraise,
        ActionKind::CompleteAppraisal,
        ActionKind::Explain,
        ActionKind::Finalise,
        ActionKind::Reopen,
        ActionKind::Status,
        ActionKind::Invite,
        ActionKind::RevokeInvitations,
        ActionKind::ImportResponses,
        ActionKind::Estimate,
        ActionKind::Import,
        ActionKind::Reimport,
        ActionKind::Merge,
        ActionKind::Reparent,
        ActionKind::Move,
        ActionKind::Close,
        ActionKind::Predecessor,
        ActionKind::Password,
        ActionKind::BulkCreate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Create => "create",
            ActionKind::Update => "update",
            ActionKind::Issue => "issue",
            ActionKind::LinkParent => "link_parent",
            ActionKind::UnlinkParent => "unlink_parent",
            ActionKind::Progress => "progress",
            ActionKind::Return => "return",
            ActionKind::Submit => "submit",
            ActionKind::SelfScore => "self_score",
            ActionKind::Evidence => "evidence",
            ActionKind::Appraise => "appraise",
            ActionKind::CompleteAppraisal => "complete_appraisal",
            ActionKind::Explain => "explain",
            ActionKind::Finalise => "finalise",
            ActionKind::Reopen => "reopen",
            ActionKind::Status => "status",
            ActionKind::Invite => "invite",
            ActionKind::RevokeInvitations => "revoke_invitations",
            ActionKind::ImportResponses => "import_responses",
            ActionKind::Estimate => "estimate",
            ActionKind::Import => "import",
            ActionKind::Reimport => "reimport",
            ActionKind::Merge => "merge",
            ActionKind::Reparent => "reparent",
            ActionKind::Move => "move",
            ActionKind::Close => "close",
            ActionKind::Predecessor => "predecessor",
            ActionKind::Password => "password",
            ActionKind::BulkCreate => "bulk_create",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The verb in a sentence, before the thing's noun: "nv.mocchau **chốt** phiếu chấm điểm số 2".
    pub fn verb_vi(self) -> &'static str {
        match self {
            ActionKind::Create => "tạo",
            ActionKind::Update => "sửa",
            ActionKind::Issue => "ban hành",
            ActionKind::LinkParent => "gắn kế hoạch cấp trên cho",
            ActionKind::UnlinkParent => "bỏ kế hoạch cấp trên của",
            ActionKind::Progress => "cập nhật tiến độ",
            ActionKind::Return => "trả lại",
            ActionKind::Submit => "gửi",
            ActionKind::SelfScore => "tự chấm điểm",
            ActionKind::Evidence => "cập nhật tài liệu kiểm chứng của",
            ActionKind::Appraise => "thẩm định",
            ActionKind::CompleteAppraisal => "hoàn thành thẩm định",
            ActionKind::Explain => "giải trình",
            ActionKind::Finalise => "chốt",
            ActionKind::Reopen => "mở lại",
            ActionKind::Status => "đổi trạng thái",
            ActionKind::Invite => "tạo phiếu mời cho",
            ActionKind::RevokeInvitations => "thu hồi phiếu mời của",
            ActionKind::ImportResponses => "nhập câu trả lời cho",
            ActionKind::Estimate => "tính ước lượng cho",
            ActionKind::Import => "nhập",
            ActionKind::Reimport => "nhập lại",
            ActionKind::Merge => "sáp nhập",
            ActionKind::Reparent => "chuyển cấp trên của",
            ActionKind::Move => "chuyển",
            ActionKind::Close => "cho hết hiệu lực",
            ActionKind::Predecessor => "ghi đơn vị tiền thân cho",
            ActionKind::Password => "đổi mật khẩu",
            ActionKind::BulkCreate => "tạo hàng loạt",
        }
    }

    /// The filter's label: "Tạo", "Chốt" …
    pub fn label_vi(self) -> String {
        capitalise(self.verb_vi())
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_has_vietnamese_words() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()), Some(k));
            assert!(!k.noun_vi().is_empty());
        }
        for a in ActionKind::ALL {
            assert_eq!(ActionKind::parse(a.as_str()), Some(a));
        }
        assert_eq!(ActionKind::Finalise.label_vi(), "Chốt");
        assert_eq!(EntityKind::Assessment.label_vi(), "Phiếu chấm điểm");
        assert_eq!(ActionKind::parse("drop"), None);
    }
}
