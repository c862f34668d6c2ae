//! Building and running the server. `Application::build` binds first and reports the port, so tests can
//! bind port 0 and several processes can run over one PostgreSQL (no state that matters lives in memory).

pub use crate::state::AppState;
use crate::{assets, auth, pages, plans, reports, results, surveys};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest request body outside the uploads that have their own route limit (see `chiso_core::limits`).
pub const BODY_LIMIT: usize = chiso_core::limits::MAX_FORM_BODY_BYTES;

pub fn router(state: AppState) -> Router {
    let error_pages = axum::middleware::from_fn_with_state(state.clone(), crate::error::error_pages);
    Router::new()
        .route("/", get(pages::home))
        .route("/my-work", get(crate::my_work::my_work))
        .route("/health", get(health))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/lang/{lang}", get(auth::set_lang))
        .route("/assets/{name}", get(assets::asset))
        .route("/units", get(pages::units))
        .route("/units/export.csv", get(pages::units_export))
        .route("/units/import", post(pages::units_import))
        .route("/units/moves", get(crate::unit_moves::page))
        .route("/units/moves/all", post(crate::unit_moves::move_all))
        .route("/units/{code}/move", post(crate::unit_moves::move_one))
        .route("/units/{code}", get(pages::unit_detail))
        .route("/units/{code}/children", post(pages::unit_create_child))
        .route("/units/{code}/agencies", post(pages::agency_create))
        .route("/frameworks", get(pages::frameworks))
        .route("/frameworks/{code}", get(pages::framework_detail))
        .route("/users", get(pages::users).post(pages::user_create))
        .route("/audit", get(pages::audit))
        .route("/audit/export.csv", get(pages::audit_csv))
        .merge(crate::openapi::api_router().split_for_parts().0)
        .merge(plans::router())
        .merge(results::router())
        .merge(surveys::router())
        .merge(reports::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn(crate::extract::require_csrf_field))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::extract::reject_nul))
        .layer(axum::middleware::from_fn(crate::error::api_errors_as_json))
        .layer(axum::middleware::from_fn(too_large_in_vietnamese))
        .layer(error_pages)
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A body over its limit is refused by the extractors with a short English text: say it in Vietnamese
/// with the limits, as JSON under `/api/`.
async fn too_large_in_vietnamese(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let ours = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    if resp.status() != StatusCode::PAYLOAD_TOO_LARGE || ours {
        return resp;
    }
    let e = crate::error::AppError::too_large();
    if api { crate::error::ApiError(e).into_response() } else { crate::error::PageError(e).into_response() }
}

async fn not_found(uri: axum::http::Uri) -> impl IntoResponse {
    let e = crate::error::AppError::NotFound(format!("trang {}", uri.path()));
    if uri.path().starts_with("/api/") { crate::error::ApiError(e).into_response() } else { crate::error::PageError(e).into_response() }
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let backend = match state.store.backend() {
        chiso_store::Backend::Sqlite => "sqlite",
        chiso_store::Backend::Postgres => "postgres",
    };
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok", "database": backend, "version": env!("CARGO_PKG_VERSION")}))),
        Err(e) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "error", "database": backend, "error": e.to_string()})))
        }
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Bind `addr` (e.g. "127.0.0.1:0") and prepare the router.
    pub async fn build(state: AppState, addr: &str) -> std::io::Result<Application> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Application { listener, router: router(state) })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serve until `shutdown` completes (graceful: in-flight requests finish).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
    }
}
