//! What every handler shares: the use cases (`App`) and the HTTP settings.

use chiso_app::App;
use chiso_core::framework::FrameworkSet;
use chiso_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    /// The use cases. Handlers call these; `store` and `frameworks` below are the same objects, kept for
    /// plain scoped reads that involve no rule.
    pub app: App,
    pub store: Store,
    pub frameworks: Arc<FrameworkSet>,
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// The header a trusted reverse proxy sets to the client's address (e.g. `X-Forwarded-For`,
    /// `X-Real-IP`). Only when set is the client address (used for the login back-off) read from it;
    /// otherwise the connection's peer address is used and the header is ignored (anyone can forge it).
    pub trusted_proxy_header: Option<axum::http::HeaderName>,
}

impl AppState {
    pub fn new(app: App, secure_cookies: bool) -> AppState {
        AppState { store: app.store.clone(), frameworks: app.frameworks.clone(), app, secure_cookies, trusted_proxy_header: None }
    }

    /// Take the client address from this header (set by a trusted reverse proxy); see
    /// [`AppState::trusted_proxy_header`].
    pub fn with_trusted_proxy_header(mut self, name: &str) -> Result<AppState, String> {
        let h = axum::http::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| format!("tên header không hợp lệ '{name}': {e}"))?;
        self.trusted_proxy_header = Some(h);
        Ok(self)
    }

    /// The client's address: from the trusted proxy header when one is configured and present (its last
    /// entry, the one the proxy itself appended), otherwise the peer address of the connection.
    pub fn client_address(&self, headers: &axum::http::HeaderMap, peer: std::net::IpAddr) -> String {
        if let Some(name) = &self.trusted_proxy_header
            && let Some(v) = headers.get_all(name).iter().next_back().and_then(|v| v.to_str().ok())
            && let Some(last) = v.rsplit(',').next().map(str::trim)
            && let Ok(ip) = last.parse::<std::net::IpAddr>()
        {
            return ip.to_string();
        }
        peer.to_string()
    }
}
