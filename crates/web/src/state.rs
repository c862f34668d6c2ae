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
}

impl AppState {
    pub fn new(app: App, secure_cookies: bool) -> AppState {
        AppState { store: app.store.clone(), frameworks: app.frameworks.clone(), app, secure_cookies }
    }
}
