//! The results index: imported years per framework, and the import form (administrators of the whole system).

use super::*;

#[derive(Template)]
#[template(path = "results.html")]
pub(super) struct IndexPage {
    pub(super) b: Base,
    pub(super) frameworks: Vec<FrameworkYears>,
    pub(super) can_import: bool,
    pub(super) message: Option<String>,
    pub(super) errors: Vec<String>,
    pub(super) framework_codes: Vec<(String, String)>,
    /// The last import would remove the published results of this many units: ask to confirm.
    pub(super) confirm_removal: Option<usize>,
}

pub(super) struct FrameworkYears {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) years: Vec<YearRow>,
}

pub(super) struct YearRow {
    pub(super) year: i32,
    pub(super) published: i64,
    pub(super) not_published: i64,
    pub(super) source: String,
    pub(super) imported: String,
}

#[derive(Deserialize, Default)]
pub struct MsgQuery {
    pub(super) msg: Option<String>,
}

pub(super) async fn index(State(state): State<AppState>, me: CurrentUser, Query(q): Query<MsgQuery>) -> Result<Html<String>, PageError> {
    render_index(&state, &me, q.msg, Vec::new(), None).await
}

pub(super) async fn render_index(
    state: &AppState,
    me: &CurrentUser,
    message: Option<String>,
    errors: Vec<String>,
    confirm_removal: Option<usize>,
) -> Result<Html<String>, PageError> {
    let mut frameworks = Vec::new();
    for fw in state.frameworks.frameworks() {
        let years = state.store.result_years(&me.scope, &fw.code).await?;
        frameworks.push(FrameworkYears {
            code: fw.code.clone(),
            name: fw.name_vi.clone(),
            years: years
                .into_iter()
                .map(|y| YearRow {
                    year: y.year,
                    published: y.published,
                    not_published: y.not_published,
                    source: y.source,
                    imported: crate::pages::format_ms(y.imported_at),
                })
                .collect(),
        });
    }
    let page = IndexPage {
        b: me.base(me.lang.t("results"), "results"),
        framework_codes: state.frameworks.frameworks().iter().map(|f| (f.code.clone(), f.name_vi.clone())).collect(),
        frameworks,
        can_import: check_may_import(&me.scope).is_ok(),
        message,
        errors,
        confirm_removal,
    };
    Ok(Html(page.render()?))
}

/// Results upload: at most 5 MB.
pub(super) const RESULTS_LIMIT: usize = 5 * 1024 * 1024;

pub(super) async fn import_upload(State(state): State<AppState>, me: CurrentUser, mut multipart: Multipart) -> Result<Response, PageError> {
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut mapping: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("biểu mẫu tải lên không hợp lệ: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" | "mapping" => {
                let fname = field.file_name().unwrap_or("tệp").to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("không đọc được tệp '{fname}': {e}")))?;
                if bytes.len() > RESULTS_LIMIT {
                    return Err(AppError::BadRequest(format!("tệp '{fname}' quá lớn ({} byte, tối đa 5 MB)", bytes.len())).into());
                }
                let slot = if name == "file" { &mut file } else { &mut mapping };
                if !bytes.is_empty() {
                    *slot = Some((fname, bytes.to_vec()));
                }
            }
            _ => {
                let v = field.text().await.map_err(|e| AppError::BadRequest(e.to_string()))?;
                fields.insert(name, v);
            }
        }
    }
    me.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let fw = framework(&state, fields.get("framework").map(String::as_str).unwrap_or(""))?;
    let year = year_of(fields.get("year").map(String::as_str).unwrap_or(""))?;
    let format = ResultsFormat::parse(fields.get("format").map(String::as_str).unwrap_or("wide"))
        .ok_or_else(|| AppError::BadRequest("định dạng phải là wide hoặc long".into()))?;
    let Some((name, bytes)) = file else { return Err(AppError::BadRequest("chưa chọn tệp kết quả".into()).into()) };
    let utf8 = |n: &str, b: Vec<u8>| {
        String::from_utf8(b).map_err(|_| AppError::BadRequest(format!("tệp '{n}' không phải văn bản UTF-8 (hãy lưu CSV dạng UTF-8)")))
    };
    let text = utf8(&name, bytes)?;
    let unit_codes = fields.get("unit_codes").is_some_and(|v| v == "1");
    let map_text = match mapping {
        Some((n, b)) => Some((n.clone(), utf8(&n, b)?)),
        None => None,
    };
    let mapping = match &map_text {
        Some((n, t)) => Mapping::File { name: n, text: t },
        None if unit_codes => Mapping::None,
        None => Mapping::Default,
    };
    let confirm_removal = fields.get("confirm_removal").is_some_and(|v| v == "1");
    let req = ImportRequest { framework: fw, year, text: &text, format, mapping, source: &name, confirm_removal };
    match state.app.results().import(&me.scope, req).await {
        Ok(s) => {
            let msg = if s.unchanged {
                format!("'{name}': trùng với dữ liệu {} năm {year} đã lưu, không thay đổi.", fw.code)
            } else {
                format!(
                    "Đã nhập '{name}' ({} năm {year}): {} đơn vị có kết quả, {} không công bố{}.",
                    fw.code,
                    s.published,
                    s.not_published,
                    if s.replaced { format!("; thay bản cũ, {} đơn vị thay đổi", s.changed_units) } else { String::new() }
                )
            };
            Ok(Redirect::to(&format!("/results/{}/{year}?msg={}", fw.code, urlencode(&msg))).into_response())
        }
        Err(ImportError::Mapping { name: n, error: e }) => {
            let errors = std::iter::once(format!("Tệp ánh xạ '{n}' có lỗi, chưa nhập gì:"))
                .chain(e.problems.iter().map(|p| p.to_string()))
                .collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render_index(&state, &me, None, errors, None).await?).into_response())
        }
        Err(ImportError::File(e)) => {
            let mut errors = vec![format!("Tệp '{name}' có lỗi, không dữ liệu nào được nhận:")];
            errors.extend(e.problems.iter().map(|p| p.to_string()));
            if e.more > 0 {
                errors.push(format!("… và {} lỗi khác", e.more));
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render_index(&state, &me, None, errors, None).await?).into_response())
        }
        Err(e @ ImportError::RemovalNotConfirmed(_)) => {
            let ImportError::RemovalNotConfirmed(units) = &e else { unreachable!() };
            let errors = vec![
                format!("Tệp '{name}' ({} năm {year}) chưa được nhập: {e}.", fw.code),
                "Nếu đúng là cần xóa, hãy chọn lại tệp, đánh dấu ô xác nhận bên dưới rồi nhập lại.".to_string(),
            ];
            Ok((StatusCode::CONFLICT, render_index(&state, &me, None, errors, Some(units.len())).await?).into_response())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
