//! The OpenAPI document, generated from the code: every `/api/v1` handler carries `#[utoipa::path]` and is
//! registered through an `OpenApiRouter`, so a route cannot exist without its description.

use crate::state::AppState;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

/// Every error of the API: `{"error": {"code", "message"}}`; the message is Vietnamese, for people.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code: not_found, out_of_scope, forbidden, conflict, invalid, bad_request, unauthorized, csrf …
    pub code: String,
    pub message: String,
}

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("chiso_session"))));
        components.add_security_scheme("csrf", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))));
        api.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new())]);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "chiso API", description = "API của chiso: đơn vị, bộ chỉ số, kế hoạch, báo cáo, kết quả, chấm điểm, khảo sát. Xác thực bằng phiên đăng nhập (cookie chiso_session); các lệnh ghi cần tiêu đề X-CSRF-Token lấy từ /api/v1/me."),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Security)
)]
struct ApiDoc;

/// All `/api/v1` routes with their descriptions.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::api::routes())
        .merge(crate::plans::api_routes())
        .merge(crate::reports::api_routes())
        .merge(crate::surveys::api_routes())
        .merge(crate::results::api::routes())
}

/// The answers that layers give for every route, before or around its handler, added to each operation of
/// the document `doc` that can receive them (so no handler needs to repeat them, and none can forget them):
/// - 400 where the operation takes parameters or a body: `extract::reject_nul` refuses a NUL byte in any of
///   them, and the Api* extractors a malformed path, query or JSON;
/// - 401 where the operation needs the session (`CurrentUser`);
/// - 413 where it takes a body (the body limit), and 415 where that body is JSON and is sent as something else.
pub fn add_layer_responses(doc: &mut serde_json::Value) {
    let err = |description: &str| serde_json::json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let anonymous_by_default = doc["security"].as_array().is_none_or(|s| s.is_empty());
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for item in paths.values_mut() {
        let path_params = item.get("parameters").and_then(|p| p.as_array()).is_some_and(|p| !p.is_empty());
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let has_params = path_params || op.get("parameters").and_then(|p| p.as_array()).is_some_and(|p| !p.is_empty());
            let has_body = op.get("requestBody").is_some();
            let json_body = op["requestBody"]["content"].get("application/json").is_some();
            // `security: [{}]` (or an empty list) marks an operation open to everyone.
            let anonymous = match op.get("security").and_then(|s| s.as_array()) {
                Some(list) => list.is_empty() || list.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())),
                None => anonymous_by_default,
            };
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            if has_params || has_body {
                responses.entry("400").or_insert_with(|| err("Tham số hoặc nội dung không hợp lệ (sai kiểu, thiếu, hoặc chứa ký tự NUL)"));
            }
            if !anonymous {
                responses.entry("401").or_insert_with(|| err("Chưa đăng nhập"));
            }
            if has_body {
                responses.entry("413").or_insert_with(|| err("Nội dung yêu cầu quá lớn"));
            }
            if json_body {
                responses.entry("415").or_insert_with(|| err("Nội dung không phải application/json"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every `/api/v1` path that some source file of this crate routes with plain axum (`.route("/api/v1…"`)
    /// or through `#[utoipa::path]`.
    fn routed_paths(dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                routed_paths(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("openapi.rs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for cue in [".route(\"/api/v1", "path = \"/api/v1"] {
                    for (i, _) in text.match_indices(cue) {
                        let start = i + cue.len() - "/api/v1".len();
                        let rest = &text[start..];
                        let end = rest.find('"').unwrap_or(rest.len());
                        out.push((rest[..end].to_string(), p.display().to_string()));
                    }
                }
            }
        }
    }

    #[test]
    fn every_api_route_is_in_the_document() {
        let doc = crate::api::openapi_document();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        let mut routed = Vec::new();
        routed_paths(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut routed);
        assert!(routed.len() >= 20, "the scan found the routes: {routed:?}");
        let missing: Vec<_> = routed.iter().filter(|(p, _)| !paths.contains_key(p)).collect();
        assert!(missing.is_empty(), "routes missing from the OpenAPI document: {missing:?}");
    }

    #[test]
    fn every_operation_documents_the_answers_of_the_layers() {
        let doc = crate::api::openapi_document();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
            for (method, op) in item.as_object().cloned().unwrap_or_default() {
                let responses = &op["responses"];
                if path.contains('{') || op["parameters"].as_array().is_some_and(|p| !p.is_empty()) {
                    assert!(responses.get("400").is_some(), "{method} {path}: 400 for a NUL or malformed parameter");
                }
                if op.get("requestBody").is_some() {
                    assert!(responses.get("413").is_some(), "{method} {path}: 413 for a body too large");
                    let json = op["requestBody"]["content"].get("application/json").is_some();
                    assert!(!json || responses.get("415").is_some(), "{method} {path}: 415 for a body that is not JSON");
                }
                if path != "/api/v1/openapi.json" {
                    assert!(responses.get("401").is_some(), "{method} {path}: 401 without a session");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 20, "{checked} operations");
    }

    #[test]
    fn every_error_response_is_the_json_error_body() {
        let doc = crate::api::openapi_document();
        for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
            for (method, op) in item.as_object().cloned().unwrap_or_default() {
                for (status, resp) in op["responses"].as_object().cloned().unwrap_or_default() {
                    if status.starts_with('4') || status.starts_with('5') {
                        let schema = &resp["content"]["application/json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/Error", "{method} {path} {status}");
                    }
                }
            }
        }
    }
}
