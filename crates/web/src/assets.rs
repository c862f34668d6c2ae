//! Static assets compiled into the binary: the server works on an intranet without internet.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const JS: &str = "text/javascript; charset=utf-8";

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("results.css", "text/css; charset=utf-8", include_bytes!("../assets/results.css")),
    ("public-form.css", "text/css; charset=utf-8", include_bytes!("../assets/public-form.css")),
    ("survey-builder.css", "text/css; charset=utf-8", include_bytes!("../assets/survey-builder.css")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/favicon.svg")),
    // The pages' own scripts: no inline script, so the CSP can say `script-src 'self'`.
    ("app.js", JS, include_bytes!("../assets/app.js")),
    ("dashboard.js", JS, include_bytes!("../assets/dashboard.js")),
    ("overview.js", JS, include_bytes!("../assets/overview.js")),
    ("report.js", JS, include_bytes!("../assets/report.js")),
    ("results-ranking.js", JS, include_bytes!("../assets/results-ranking.js")),
    ("results-unit.js", JS, include_bytes!("../assets/results-unit.js")),
    ("results-continuity.js", JS, include_bytes!("../assets/results-continuity.js")),
    ("survey-estimates.js", JS, include_bytes!("../assets/survey-estimates.js")),
    ("survey-builder.js", JS, include_bytes!("../assets/survey-builder.js")),
    // ECharts 5.6.0 (Apache-2.0), from the npm package's dist/echarts.min.js.
    ("echarts.min.js", JS, include_bytes!("../assets/echarts.min.js")),
];

pub async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "public, max-age=3600")], *body).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
