//! Invitations: random tokens, one answer each, and the links people open (`<base>/s/<token>`).

use crate::App;
use chiso_core::access::Scope;
use chiso_store::StoreError;
use chiso_store::surveys::Invitation;

/// Where invitation links point: the configured address ([`crate::Settings::base_url`]) when it is set;
/// else `request_origin`, the scheme and host the person's request came to.
///
/// The fallback trusts the request's Host header, which a client chooses: a server reachable under several
/// names (or behind a proxy that passes Host through) must set the base URL.
pub fn links_base(app: &App, request_origin: &str) -> String {
    match app.settings.base_url.as_deref().map(|b| b.trim().trim_end_matches('/')).filter(|b| !b.is_empty()) {
        Some(base) => base.to_string(),
        None => request_origin.to_string(),
    }
}

/// The public form of an invitation.
pub fn invitation_link(base: &str, token: &str) -> String {
    format!("{base}/s/{token}")
}

/// A survey's invitations. Their links are not among them: only a hash of each token is stored, so a link
/// is shown once, when [`invite`] makes it.
pub struct Invitations {
    /// Oldest first.
    pub all: Vec<Invitation>,
}

impl Invitations {
    pub fn total(&self) -> usize {
        self.all.len()
    }

    /// How many have been answered.
    pub fn used(&self) -> usize {
        self.all.iter().filter(|i| i.used_at.is_some()).count()
    }

    /// How many have not been answered yet.
    pub fn unused(&self) -> usize {
        self.total() - self.used()
    }
}

/// A survey's invitations (for those who may change the survey), without links.
pub async fn invitations(app: &App, scope: &Scope, survey_id: i64) -> Result<Invitations, StoreError> {
    Ok(Invitations { all: app.store.invitations(scope, survey_id).await? })
}

/// An invitation just made and its link: the only time the link can be shown.
pub struct IssuedLink {
    pub invitation: Invitation,
    pub link: String,
}

/// Create `count` invitations for respondents of `unit_code` (the survey's unit or one below it) in `group`
/// (one of the survey's groups; blank: none), with their links under `base` (see [`links_base`]). The
/// survey must be open; at most [`chiso_store::surveys::MAX_INVITATIONS_PER_BATCH`] at once.
pub async fn invite(
    app: &App,
    scope: &Scope,
    survey_id: i64,
    unit_code: &str,
    group: &str,
    count: usize,
    base: &str,
) -> Result<Vec<IssuedLink>, StoreError> {
    let group = Some(group.trim()).filter(|g| !g.is_empty());
    let issued = app.store.create_invitations(scope, survey_id, unit_code, group, count).await?;
    Ok(issued.into_iter().map(|i| IssuedLink { link: invitation_link(base, &i.token), invitation: i.invitation }).collect())
}

/// Withdraw the survey's unanswered invitations (their links stop working). Returns how many.
pub async fn revoke_unused(app: &App, scope: &Scope, survey_id: i64) -> Result<u64, StoreError> {
    app.store.revoke_unused_invitations(scope, survey_id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;
    use chiso_core::framework::FrameworkSet;
    use chiso_store::testing::TestDb;
    use std::sync::Arc;

    #[tokio::test]
    async fn links_use_the_configured_address_when_there_is_one() {
        let db = TestDb::sqlite().await.expect("db");
        let app = App::new(db.store.clone(), Arc::new(FrameworkSet::builtin().expect("frameworks")));
        assert_eq!(links_base(&app, "http://127.0.0.1:8080"), "http://127.0.0.1:8080", "unset: the request's origin");
        let set = |b: &str| app.clone().with_settings(Settings { base_url: Some(b.to_string()) });
        assert_eq!(links_base(&set("https://chiso.example.gov.vn/"), "http://evil.example"), "https://chiso.example.gov.vn");
        assert_eq!(links_base(&set("  "), "http://127.0.0.1:8080"), "http://127.0.0.1:8080", "blank is unset");
        assert_eq!(invitation_link("https://a.vn", "0123"), "https://a.vn/s/0123");
        db.cleanup().await;
    }
}
