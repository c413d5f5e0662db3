//! Integrity education (诚信教育): the public course catalog (`/education`)
//! and the credit office's console (`/console/education`) for courses and
//! completions. People's completions are shown masked, in the console only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::commitments::education::{self, CompletionInput, CourseInput};
use xinyong_domain::commitments::{CourseCompletionRow, IntegrityCourseRow};

use super::pages::Problem;
use crate::AppState;
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::objections::pages::refusal_or_error;
use crate::subjects::NO_STORE;
use crate::web::{Layout, error_page};

#[derive(Template, WebTemplate)]
#[template(path = "commitments/education.html")]
struct PublicPage {
    layout: Layout,
    courses: Vec<IntegrityCourseRow>,
}

/// `GET /education`: the courses offered.
pub(crate) async fn public_page(State(state): State<AppState>) -> Response {
    match education::courses(&state.core).await {
        Ok(all) => {
            let courses = all.into_iter().filter(|c| c.active).collect();
            PublicPage { layout: Layout::new(&state, "诚信教育").at("commitments"), courses }.into_response()
        }
        Err(e) => error_page(&state, e.into()).into_response(),
    }
}

/// A completion as the console lists it: people masked.
struct CompletionLine {
    course: String,
    learner: String,
    learner_key: String,
    person: bool,
    certificate_no: String,
    completed_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "commitments/education_console.html")]
struct ConsolePage {
    layout: Layout,
    csrf_token: String,
    courses: Vec<IntegrityCourseRow>,
    completions: Vec<CompletionLine>,
    problem: Option<Problem>,
}

async fn render(state: &AppState, caller: &ConsoleCaller, problem: Option<Problem>) -> Result<ConsolePage, PageError> {
    caller.authorize(state, Action::ManageEducation, &Resource::Platform)?;
    let read = async {
        Ok::<_, CoreError>((
            education::courses(&state.core).await?,
            education::recent_completions(&state.core, caller).await?,
        ))
    };
    let (courses, recent) = read.await.map_err(|e| error_page(state, e.into()))?;
    let mask = &state.core.settings().mask;
    let title =
        |id: &str| courses.iter().find(|c| c.course_id == id).map_or_else(|| id.to_owned(), |c| c.title.clone());
    let completions = recent
        .into_iter()
        .map(|r: CourseCompletionRow| {
            let person = r.learner_kind == "natural_person";
            CompletionLine {
                course: title(&r.course_id),
                learner: if person { mask.mask_name(&r.learner_name) } else { r.learner_name },
                learner_key: if person { mask.mask_id(&r.learner_key) } else { r.learner_key },
                person,
                certificate_no: r.certificate_no,
                completed_on: r.completed_on.to_string(),
            }
        })
        .collect();
    Ok(ConsolePage {
        layout: Layout::new(state, "诚信教育"),
        csrf_token: caller.csrf_token().to_owned(),
        courses,
        completions,
        problem,
    })
}

/// `GET /console/education`.
pub(crate) async fn console_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let page = render(&state, &caller, None).await?;
    Ok((NO_STORE, page).into_response())
}

async fn after(
    state: &AppState,
    caller: &ConsoleCaller,
    outcome: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(()) => Ok(Redirect::to("/console/education").into_response()),
        Err(e @ (CoreError::Invalid { .. } | CoreError::NotFound { .. })) => {
            let (problem, status) = Problem::of(e);
            let page = render(state, caller, Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(state, caller, e).into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CourseForm {
    #[serde(default)]
    course_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    repair_training: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
}

/// `POST /console/education/courses`: a new or changed course.
pub(crate) async fn save_course(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<CourseForm>,
) -> Result<Response, PageError> {
    let input = CourseInput {
        course_id: form.course_id,
        title: form.title,
        provider: form.provider,
        hours: form.hours,
        content: form.content,
        location: form.location,
        repair_training: form.repair_training.is_some(),
        active: form.withdrawn.is_none(),
    };
    let outcome = education::save_course(&state.core, &caller, input).await.map(drop);
    after(&state, &caller, outcome).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CompletionForm {
    #[serde(default)]
    course_id: String,
    #[serde(default)]
    learner: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    certificate_no: String,
    #[serde(default)]
    completed_on: String,
}

/// `POST /console/education/completions`: someone completed a course.
pub(crate) async fn record_completion(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<CompletionForm>,
) -> Result<Response, PageError> {
    let input = CompletionInput {
        course_id: form.course_id,
        learner: form.learner,
        name: form.name,
        certificate_no: form.certificate_no,
        completed_on: form.completed_on,
    };
    let outcome = education::record_completion(&state.core, &caller, input).await;
    after(&state, &caller, outcome).await
}
