//! `/console/notices`: the credit office's notices, withdrawn ones too,
//! the form to publish one (with attachments) and a withdraw button with
//! its reason on each published one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::notices::{self, AttachmentUpload, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, PublishNotice};

use super::{NoticeView, kinds};
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::commitments::pages::Problem;
use crate::objections::pages::refusal_or_error;
use crate::subjects::NO_STORE;
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

/// The largest notice form: the attachments at their limit, with room for
/// the body and the fields. A larger attachment is refused by the core with
/// its own limit and the form comes back.
pub(crate) const MAX_NOTICE_BODY_BYTES: usize = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024;

/// The form's fields as typed (files are not sent back).
#[derive(Debug, Default)]
struct FormValues {
    kind: String,
    title: String,
    published_on: String,
    issuer: String,
    doc_number: String,
    body: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notices/console.html")]
struct ConsolePage {
    layout: Layout,
    csrf_token: String,
    notices: Vec<NoticeView>,
    kinds: Vec<(&'static str, &'static str)>,
    max_attachments: usize,
    max_mb: usize,
    max_title: usize,
    max_body: usize,
    form: FormValues,
    problem: Option<Problem>,
}

async fn render(
    state: &AppState,
    caller: &ConsoleCaller,
    form: FormValues,
    problem: Option<Problem>,
) -> Result<ConsolePage, PageError> {
    caller.authorize(state, Action::ManageNotices, &Resource::Platform)?;
    let rows = notices::all(&state.core, caller).await.map_err(|e| error_page(state, e.into()))?;
    Ok(ConsolePage {
        layout: Layout::new(state, "通知公告管理"),
        csrf_token: caller.csrf_token().to_owned(),
        notices: rows.iter().map(NoticeView::of).collect(),
        kinds: kinds(),
        max_attachments: MAX_ATTACHMENTS,
        max_mb: MAX_ATTACHMENT_BYTES / (1024 * 1024),
        max_title: notices::MAX_TITLE_CHARS,
        max_body: notices::MAX_BODY_CHARS,
        form,
        problem,
    })
}

/// `GET /console/notices`.
pub(crate) async fn page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let page = render(&state, &caller, FormValues::default(), None).await?;
    Ok((NO_STORE, page).into_response())
}

/// Reads the multipart notice form: fields, attachments, the CSRF token.
async fn read_form(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(FormValues, Vec<AttachmentUpload>, String), PageError> {
    let bad = |m: String| error_page(state, ApiError::bad_request("form_invalid", m));
    let mut multipart = multipart.map_err(|e| bad(format!("表单内容无法识别：{}", e.body_text())))?;
    let (mut form, mut files, mut csrf) = (FormValues::default(), Vec::new(), String::new());
    while let Some(field) =
        multipart.next_field().await.map_err(|e| bad(format!("表单内容无法识别：{}", e.body_text())))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|e| bad(format!("附件无法读取：{}", e.body_text())))?;
            files.push(AttachmentUpload { name: file_name, bytes: bytes.to_vec() });
            continue;
        }
        let value = field.text().await.unwrap_or_default();
        match name.as_str() {
            "kind" => form.kind = value,
            "title" => form.title = value,
            "published_on" => form.published_on = value,
            "issuer" => form.issuer = value,
            "doc_number" => form.doc_number = value,
            "body" => form.body = value,
            "csrf_token" => csrf = value,
            _ => {}
        }
    }
    Ok((form, files, csrf))
}

/// `POST /console/notices` (multipart): publishes a notice; a problem with
/// the fields brings the form back as typed, with the reason.
pub(crate) async fn publish(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageNotices, &Resource::Platform)?;
    let (form, attachments, csrf) = read_form(&state, multipart).await?;
    caller.check_csrf(&csrf).map_err(|e| error_page(&state, e))?;
    let input = PublishNotice {
        kind: form.kind.clone(),
        title: form.title.clone(),
        published_on: form.published_on.clone(),
        body: form.body.clone(),
        issuer: form.issuer.clone(),
        doc_number: form.doc_number.clone(),
        attachments,
    };
    match notices::publish(&state.core, &caller, input).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/notices?published={id}")).into_response()),
        Err(e @ CoreError::Invalid { .. }) => {
            let (problem, status) = Problem::of(e);
            let page = render(&state, &caller, form, Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

/// `POST /console/notices/{id}/withdraw`: the notice leaves the portal.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<WithdrawForm>,
) -> Result<Response, PageError> {
    match notices::withdraw(&state.core, &caller, &id, &form.reason).await {
        Ok(()) => Ok(Redirect::to("/console/notices").into_response()),
        Err(e @ (CoreError::Invalid { .. } | CoreError::NotFound { .. })) => {
            let (problem, status) = Problem::of(e);
            let page = render(&state, &caller, FormValues::default(), Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}
