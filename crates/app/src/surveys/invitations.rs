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

/// A survey's invitations with their links.
pub struct Invitations {
    /// Oldest first, with its link.
    pub all: Vec<(Invitation, String)>,
}

impl Invitations {
    pub fn total(&self) -> usize {
        self.all.len()
    }

    /// How many have been answered.
    pub fn used(&self) -> usize {
        self.all.iter().filter(|(i, _)| i.used_at.is_some()).count()
    }

    /// The invitations not answered yet, oldest first.
    pub fn unused(&self) -> impl Iterator<Item = &(Invitation, String)> {
        self.all.iter().filter(|(i, _)| i.used_at.is_none())
    }
}

/// A survey's invitations (for those who may change the survey), with links under `base` (see
/// [`links_base`]).
pub async fn invitations(app: &App, scope: &Scope, survey_id: i64, base: &str) -> Result<Invitations, StoreError> {
    let all = app.store.invitations(scope, survey_id).await?;
    let all = all
        .into_iter()
        .map(|i| {
            let link = invitation_link(base, &i.token);
            (i, link)
        })
        .collect();
    Ok(Invitations { all })
}

/// Create `count` invitations for respondents of `unit_code` (the survey's unit or one below it) in `group`
/// (one of the survey's groups; blank: none). The survey must be open; at most
/// [`chiso_store::surveys::MAX_INVITATIONS_PER_BATCH`] at once.
pub async fn invite(
    app: &App,
    scope: &Scope,
    survey_id: i64,
    unit_code: &str,
    group: &str,
    count: usize,
) -> Result<Vec<Invitation>, StoreError> {
    let group = Some(group.trim()).filter(|g| !g.is_empty());
    app.store.create_invitations(scope, survey_id, unit_code, group, count).await
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
