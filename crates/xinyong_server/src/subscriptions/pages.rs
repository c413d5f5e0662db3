//! `/console/subscribers`: the credit office registers a subscriber (its
//! token is shown once), a second person approves it, anyone of the office
//! may suspend it, and each subscriber's page shows what it was sent.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::subscriptions::{self, FeedItem, NewSubscriber, SubscriberView};
use xinyong_domain::subscriptions::SubscriberKind;

use crate::auth::{ConsoleCaller, ConsoleForm, PageError, random_secret};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

struct Line {
    s: SubscriberView,
    watching: u64,
    sent: u64,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    contact: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "subscriptions/list.html")]
struct ListPage {
    layout: Layout,
    csrf_token: String,
    lines: Vec<Line>,
    kinds: Vec<(&'static str, &'static str)>,
    form: RegisterForm,
    problem: Option<String>,
    /// A token just issued: shown this once.
    issued: Option<(String, String)>,
}

async fn render(
    state: &AppState,
    caller: &ConsoleCaller,
    form: RegisterForm,
    problem: Option<String>,
    issued: Option<(String, String)>,
) -> Result<ListPage, ApiError> {
    let lines = subscriptions::subscribers(&state.core, caller)
        .await?
        .into_iter()
        .map(|(s, watching, sent)| Line { s, watching, sent })
        .collect();
    Ok(ListPage {
        layout: Layout::new(state, "订阅单位"),
        csrf_token: caller.csrf_token().to_owned(),
        lines,
        kinds: SubscriberKind::ALL.iter().map(|k| (k.as_str(), k.name_zh())).collect(),
        form,
        problem,
        issued,
    })
}

pub(crate) async fn list_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageSubscribers, &Resource::Platform)?;
    let page = render(&state, &caller, RegisterForm::default(), None, None).await.map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

/// `POST /console/subscribers`: registers one; the page shows its token once.
pub(crate) async fn register(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<RegisterForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageSubscribers, &Resource::Platform)?;
    let input = NewSubscriber {
        name: form.name.clone(),
        uscc: form.uscc.clone(),
        kind: form.kind.clone(),
        contact: form.contact.clone(),
    };
    let secret = random_secret().map_err(|e| error_page(&state, e))?;
    let (status, form, problem, issued) = match subscriptions::register(&state.core, &caller, input, secret).await {
        Ok(r) => (StatusCode::OK, RegisterForm::default(), None, Some((r.subscriber.name, r.token))),
        Err(e) => {
            let e = ApiError::from(e);
            (e.status, form, Some(format!("{}（{}）", e.message, e.code)), None)
        }
    };
    let page = render(&state, &caller, form, problem, issued).await.map_err(|e| error_page(&state, e))?;
    Ok((status, NO_STORE, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SuspendForm {
    #[serde(default)]
    reason: String,
}

pub(crate) async fn approve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<SuspendForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageSubscribers, &Resource::Platform)?;
    subscriptions::approve(&state.core, &caller, &id).await.map_err(|e| error_page(&state, e.into()))?;
    Ok(Redirect::to(&format!("/console/subscribers/{id}")).into_response())
}

pub(crate) async fn suspend(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<SuspendForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageSubscribers, &Resource::Platform)?;
    subscriptions::suspend(&state.core, &caller, &id, &form.reason).await.map_err(|e| error_page(&state, e.into()))?;
    Ok(Redirect::to(&format!("/console/subscribers/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "subscriptions/detail.html")]
struct DetailPage {
    layout: Layout,
    csrf_token: String,
    s: SubscriberView,
    watching: u64,
    sent: u64,
    items: Vec<FeedItem>,
}

/// Changes a subscriber's page lists.
const RECENT_ITEMS: u32 = 200;

pub(crate) async fn detail_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageSubscribers, &Resource::Platform)?;
    let read = async {
        let all = subscriptions::subscribers(&state.core, &caller).await?;
        let found = all.into_iter().find(|(s, ..)| s.subscriber_id == id);
        let Some((s, watching, sent)) = found else {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "subscriber_not_found", format!("没有订阅单位“{id}”")));
        };
        let items = subscriptions::received(&state.core, &caller, &id, RECENT_ITEMS).await?;
        Ok(DetailPage {
            layout: Layout::new(&state, &format!("订阅单位 · {}", s.name)),
            csrf_token: caller.csrf_token().to_owned(),
            s,
            watching,
            sent,
            items,
        })
    };
    let page = read.await.map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}
