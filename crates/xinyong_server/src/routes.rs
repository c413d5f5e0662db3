//! The route table: every route the server answers, with the action it
//! performs and how its handler finds the resource the action is about. The
//! router is built from this list and nothing else, so the access matrix test
//! (`tests/server/access_matrix.rs`) that walks it walks every route.
//!
//! Each handler reads like a paragraph: establish who is calling (an
//! extractor of [`crate::auth`]), read the input, ask
//! [`xinyong_core::auth::policy::authorize`] for the action and resource named
//! here, call the core, shape the response. Public routes identify nobody:
//! their actions are public by the policy, which [`router`](crate::router)
//! checks once when it builds them.

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use xinyong_core::auth::policy::Action;

use crate::AppState;
use crate::{
    agencies, auth, campaigns, checks, closed_loop, collection, commitments, evaluation, inspections, lists, log,
    notices, objections, openapi, ops, portal, registrations, repair, static_files, subjects, subscriptions,
};

/// How a route learns who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// Nobody is asked: the action is public (a database read per request
    /// would only slow the portal and the check bench's `ping`).
    Public,
    /// A console session cookie ([`auth::ConsoleCaller`]); bearer tokens are
    /// not read. Refusals: the login page (303) or the error page (403).
    Session,
    /// A bearer token, or a console session with `X-CSRF-Token` on writes
    /// ([`auth::ApiCaller`]). Refusals: the envelope with 401 or 403.
    Api,
}

/// How a handler finds the [`Resource`](xinyong_core::auth::policy::Resource)
/// its action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locate {
    /// `Resource::Platform`: public routes and console-wide pages.
    Platform,
    /// The caller's own department (`policy::own_department`): the API's
    /// department endpoints and acts that are always the caller's own.
    OwnDepartment,
    /// Every department for a caller the policy lets see them all (the
    /// credit office), else the caller's own (`policy::scope`).
    Scope,
    /// `?department=` when given, else [`Locate::Scope`].
    QueryDepartment,
    /// The form's `department` field, else the caller's own department.
    FormDepartment,
    /// The form's `department` when the caller's scope is every department
    /// (the credit office chooses), else the caller's own department.
    ChosenDepartment,
    /// The `{department}` path segment.
    PathDepartment,
    /// The listing `{id}` names (its deciding department and subject).
    Listing,
    /// The ban `{id}` names (its deciding department and subject).
    Ban,
    /// The batch `{id}` names (its department). One the caller may not see
    /// is reported absent (404): its existence is not theirs to know.
    Batch,
    /// The record `{id}` names; concealed like a batch.
    Record,
    /// The API token `{id}` names (its department).
    Token,
    /// The organisation `{uscc}` names.
    Subject,
    /// Natural persons' data.
    NaturalPersons,
    /// The calling company account's own company (`Resource::Subject`).
    OwnSubject,
    /// The record `{id}` names, as a record of its department about its
    /// subject (`Resource::Record`).
    SubjectRecord,
    /// The objection `{id}` names: its record's department and subject.
    Objection,
    /// The repair application `{id}` names: its record's department and subject.
    Repair,
    /// The inspection task `{id}` names: its lead department (for results,
    /// the caller's own department when it takes part).
    InspectionTask,
    /// The commitment `{id}` names: the department that grants its item.
    Commitment,
    /// The form's applicant and item: a commitment of the item's granting
    /// department about that company (`Resource::Record`).
    CommitmentApplication,
    /// The registration `{id}` names: its reviewing department.
    Registration,
}

impl Locate {
    /// Whether a forbidden caller is told "not found" instead of 403.
    pub fn conceals(self) -> bool {
        matches!(self, Locate::Batch | Locate::Record)
    }
}

/// The request body a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLimit {
    /// The server-wide limit (2 MB), refused before the handler runs.
    Default,
    /// A file upload's own limit, which the multipart reader enforces so the
    /// clerk gets the form back with the reason.
    Upload(usize),
}

/// One route of the table.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub action: Action,
    pub resource: Locate,
    pub credentials: Credentials,
    pub body_limit: BodyLimit,
    pub(crate) handler: MethodRouter<AppState>,
}

impl Route {
    fn new<H, T>(
        method: Method,
        path: &'static str,
        action: Action,
        resource: Locate,
        credentials: Credentials,
        handler: H,
    ) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        // A method axum cannot route (none the table uses) serves nothing
        // (405), never the handler under another method.
        let handler = MethodFilter::try_from(method.clone()).map_or_else(|_| MethodRouter::new(), |f| on(f, handler));
        Route { method, path, action, resource, credentials, body_limit: BodyLimit::Default, handler }
    }

    /// Anyone: no credentials are read.
    fn public<H: Handler<T, AppState>, T: 'static>(
        method: Method,
        path: &'static str,
        action: Action,
        handler: H,
    ) -> Route {
        Route::new(method, path, action, Locate::Platform, Credentials::Public, handler)
    }

    /// A console page or form.
    fn page<H: Handler<T, AppState>, T: 'static>(
        method: Method,
        path: &'static str,
        action: Action,
        resource: Locate,
        handler: H,
    ) -> Route {
        Route::new(method, path, action, resource, Credentials::Session, handler)
    }

    /// A JSON API endpoint for departments' systems.
    fn api<H: Handler<T, AppState>, T: 'static>(
        method: Method,
        path: &'static str,
        action: Action,
        resource: Locate,
        handler: H,
    ) -> Route {
        Route::new(method, path, action, resource, Credentials::Api, handler)
    }

    fn with_body_limit(mut self, limit: BodyLimit) -> Route {
        if let BodyLimit::Upload(bytes) = limit {
            self.handler = self.handler.layer(DefaultBodyLimit::max(bytes));
        }
        self.body_limit = limit;
        self
    }
}

/// Every route the server answers. A list, not a function of the state: the
/// matrix test and the router read the same one.
#[expect(clippy::too_many_lines, reason = "the route table is one list, every route in one place, grouped by context")]
pub fn table() -> Vec<Route> {
    use Action::*;
    use Locate::*;
    use Method as M;
    vec![
        // ----- public: portal, transparency log, operations
        Route::public(M::GET, "/", ViewPortal, portal::pages::home),
        Route::public(M::GET, "/search", ViewPortal, portal::pages::search),
        Route::public(M::GET, "/search/suggest", ViewPortal, portal::pages::suggest),
        Route::public(M::GET, "/subjects/{uscc}", ViewPortal, portal::pages::subject),
        Route::public(M::GET, "/subjects/{uscc}/report.json", ViewPortal, portal::reports::public_report),
        Route::public(M::GET, "/subjects/{uscc}/report.pdf", ViewPortal, portal::reports::public_report_pdf),
        Route::public(M::POST, "/witness/add-checkpoint", ViewLog, portal::witness::add_checkpoint),
        Route::public(M::GET, "/reports/verify", ViewLog, portal::reports::verify_form),
        Route::public(M::POST, "/reports/verify", ViewLog, portal::reports::verify_upload)
            .with_body_limit(BodyLimit::Upload(portal::reports::MAX_REPORT_FILE_BYTES)),
        Route::public(M::GET, "/reports/{id}", ViewLog, portal::reports::report_page),
        Route::public(M::GET, "/publicity/licences", ViewPortal, portal::pages::licences),
        Route::public(M::GET, "/publicity/penalties", ViewPortal, portal::pages::penalties),
        Route::public(M::GET, "/lists", ViewPortal, portal::pages::lists),
        Route::public(M::GET, "/static/{*path}", ViewPortal, static_files::serve),
        Route::public(M::GET, "/favicon.ico", ViewPortal, static_files::favicon),
        Route::public(M::GET, "/api/v1/public/subjects", ViewPortal, portal::api::search_subjects),
        Route::public(M::GET, "/api/v1/public/subjects/{uscc}", ViewPortal, portal::api::get_subject),
        Route::public(M::GET, "/api/v1/public/lists", ViewPortal, portal::api::get_lists),
        Route::public(M::GET, "/api/v1/public/licences", ViewPortal, portal::api::list_licences),
        Route::public(M::GET, "/api/v1/public/penalties", ViewPortal, portal::api::list_penalties),
        Route::public(M::GET, "/api/v1/public/log/{index}", ViewLog, portal::api::get_log_entry),
        Route::public(M::GET, "/verify", ViewLog, portal::pages::verify_home),
        Route::public(M::GET, "/verify/{index}", ViewLog, portal::pages::verify),
        Route::public(M::GET, "/verify/{index}/body.json", ViewLog, portal::pages::verify_body),
        Route::public(M::GET, "/verify/{index}/disclosures.json", ViewLog, portal::pages::verify_disclosures),
        Route::public(M::GET, "/log/key", ViewLog, log::key),
        Route::public(M::GET, "/log/key-rotations", ViewLog, log::key_rotations),
        Route::public(M::GET, "/log/checkpoint", ViewLog, log::checkpoint),
        Route::public(M::GET, "/log/checkpoint/cosigned", ViewLog, log::cosigned_checkpoint),
        Route::public(M::GET, "/log/entries/{index}", ViewLog, log::entry),
        Route::public(M::GET, "/log/entries/{index}/proof", ViewLog, log::proof),
        Route::public(M::GET, "/log/consistency", ViewLog, log::consistency),
        Route::public(M::GET, "/healthz", ViewOperations, ops::healthz),
        Route::public(M::GET, "/readyz", ViewOperations, ops::readyz),
        Route::page(M::GET, "/metrics", ViewMetrics, Platform, ops::metrics),
        Route::public(M::GET, "/api/v1/ping", ViewOperations, checks::api::ping),
        Route::public(M::GET, "/api/v1/openapi.json", ViewApiDocs, openapi::get_openapi),
        Route::public(M::GET, "/api/docs", ViewApiDocs, portal::api_docs::page),
        Route::public(M::GET, "/console/login", LogIn, auth::pages::login_page),
        Route::public(M::POST, "/console/login", LogIn, auth::pages::login),
        // ----- the console: who you are, users, tokens
        Route::page(M::GET, "/console", ViewConsole, Platform, auth::pages::home),
        Route::page(M::POST, "/console/logout", LogOut, Platform, auth::pages::logout),
        Route::page(M::POST, "/console/users", ManageUsers, Platform, auth::pages::create_user),
        Route::page(M::POST, "/console/users/{login}/disable", ManageUsers, Platform, auth::pages::disable_user),
        Route::page(
            M::POST,
            "/console/users/{login}/reset-password",
            ManageUsers,
            Platform,
            auth::pages::reset_password,
        ),
        Route::page(M::GET, "/console/audit", ViewAuditTrail, Platform, auth::audit::audit_page),
        Route::page(M::GET, "/console/audit.xlsx", ViewAuditTrail, Platform, auth::audit::audit_export),
        Route::page(M::POST, "/console/tokens", IssueTokens, FormDepartment, auth::pages::issue_token),
        Route::page(M::POST, "/console/tokens/{id}/revoke", RevokeTokens, Token, auth::pages::revoke_token),
        Route::api(M::GET, "/api/v1/whoami", ViewIdentity, Platform, auth::pages::whoami),
        // ----- collection (归集)
        Route::page(M::GET, "/console/uploads", ViewBatches, Scope, collection::pages::upload_page),
        Route::page(M::POST, "/console/uploads", SubmitRecords, ChosenDepartment, collection::pages::upload)
            .with_body_limit(BodyLimit::Upload(collection::pages::MAX_UPLOAD_BODY_BYTES)),
        Route::page(M::GET, "/console/templates/{file}", ViewRules, Platform, collection::pages::item_template),
        Route::page(M::GET, "/console/batches/{id}", ViewBatches, Batch, collection::pages::batch_page),
        Route::page(
            M::GET,
            "/console/batches/{id}/errors.xlsx",
            ViewBatches,
            Batch,
            collection::pages::batch_error_report,
        ),
        Route::page(M::GET, "/console/timeliness", ViewTimeliness, Scope, collection::pages::timeliness_page),
        Route::api(M::POST, "/api/v1/records/batches", SubmitRecords, OwnDepartment, collection::api::create_batch),
        Route::api(M::GET, "/api/v1/records/batches/{id}", ViewBatches, Batch, collection::api::get_batch),
        Route::api(
            M::GET,
            "/api/v1/records/batches/{id}/errors.xlsx",
            ViewBatches,
            Batch,
            collection::api::get_batch_error_report,
        ),
        Route::api(M::GET, "/api/v1/records/{id}", ViewBatches, Record, collection::api::get_record),
        Route::api(
            M::GET,
            "/api/v1/stats/timeliness",
            ViewTimeliness,
            OwnDepartment,
            collection::stats_api::get_timeliness,
        ),
        // ----- lists: the listing procedure
        Route::page(M::GET, "/console/listings", ViewListings, Scope, lists::pages::table_page),
        Route::page(M::POST, "/console/listings", ProposeListing, ChosenDepartment, lists::pages::propose),
        Route::page(M::GET, "/console/listings/{id}", ViewListings, Listing, lists::pages::detail_page),
        Route::page(M::GET, "/console/listings/{id}/notice.pdf", ViewListings, Listing, lists::documents::notice),
        Route::page(M::GET, "/console/listings/{id}/decision.pdf", ViewListings, Listing, lists::documents::decision),
        Route::page(
            M::GET,
            "/console/listings/{id}/objections/{objection}/answer.pdf",
            ViewListings,
            Listing,
            lists::documents::objection_answer,
        ),
        Route::page(M::POST, "/console/listings/{id}/notice", HandleListing, Listing, lists::pages::serve_notice),
        Route::page(M::POST, "/console/listings/{id}/objections", HandleListing, Listing, lists::pages::file_objection),
        Route::page(M::POST, "/console/listings/{id}/answer", DecideListing, Listing, lists::pages::answer_objection),
        Route::page(M::POST, "/console/listings/{id}/decide", DecideListing, Listing, lists::pages::decide),
        Route::page(M::POST, "/console/listings/{id}/withdraw", DecideListing, Listing, lists::pages::withdraw),
        Route::page(M::POST, "/console/listings/{id}/exit", DecideListing, Listing, lists::pages::exit),
        // ----- lists: the credit file, bans, interviews, people
        Route::page(M::GET, "/console/bans", ViewBans, Scope, lists::credit_file::bans_page),
        Route::page(M::POST, "/console/bans", ImposeBan, OwnDepartment, lists::credit_file::impose_ban),
        Route::page(M::POST, "/console/bans/{id}/lift", LiftBan, Ban, lists::credit_file::lift_ban),
        Route::page(M::GET, "/console/interviews", ViewInterviews, Scope, lists::credit_file::interviews_page),
        Route::page(
            M::POST,
            "/console/interviews",
            RecordInterview,
            OwnDepartment,
            lists::credit_file::record_interview,
        ),
        Route::page(M::GET, "/console/subjects", ViewCreditFile, Platform, lists::credit_file::subject_lookup),
        Route::page(M::GET, "/console/subjects/{uscc}", ViewCreditFile, Subject, lists::credit_file::subject_file),
        Route::page(M::GET, "/console/evaluation", ViewGrades, Platform, evaluation::pages::overview_page),
        Route::page(M::POST, "/console/evaluation/import", ManageEvaluation, Platform, evaluation::pages::import)
            .with_body_limit(BodyLimit::Upload(collection::pages::MAX_UPLOAD_BODY_BYTES)),
        Route::page(M::GET, "/console/evaluation/dashboard", ViewGrades, Platform, evaluation::pages::dashboard_page),
        Route::api(
            M::POST,
            "/api/v1/evaluation/external-grades",
            ManageEvaluation,
            Platform,
            evaluation::api::post_external_grades,
        ),
        Route::api(M::GET, "/api/v1/subjects/{uscc}/grades", ViewGrades, Subject, evaluation::api::get_subject_grades),
        Route::page(M::GET, "/console/persons", ViewPersons, NaturalPersons, lists::credit_file::persons_page),
        Route::page(M::POST, "/console/persons", ViewPersons, NaturalPersons, lists::credit_file::person_lookup),
        // ----- checks (应查必查)
        Route::api(M::POST, "/api/v1/checks", CheckCredit, OwnDepartment, checks::api::create_check),
        Route::api(M::POST, "/api/v1/checks/batch", CheckCredit, OwnDepartment, checks::api::create_batch_check),
        Route::api(M::GET, "/api/v1/checks/receipts/{id}", ViewReceipt, Platform, checks::api::get_receipt),
        // ----- the closed loop
        Route::page(M::GET, "/console/feed", ReadFeed, QueryDepartment, closed_loop::pages::feed_page),
        Route::page(M::POST, "/console/feed/acknowledge", AnswerFeed, FormDepartment, closed_loop::pages::acknowledge),
        Route::page(M::POST, "/console/feed/feedback", AnswerFeed, FormDepartment, closed_loop::pages::feedback),
        Route::page(M::GET, "/console/loop", ViewLoopMetrics, Scope, closed_loop::pages::loop_page),
        Route::page(M::GET, "/console/measures", ViewRules, Platform, closed_loop::pages::measures_page),
        Route::api(M::GET, "/api/v1/feeds/{department}", ReadFeed, PathDepartment, closed_loop::api::get_feed),
        Route::api(
            M::POST,
            "/api/v1/feeds/{department}/acknowledgements",
            AnswerFeed,
            PathDepartment,
            closed_loop::api::acknowledge,
        ),
        Route::api(
            M::POST,
            "/api/v1/feeds/{department}/feedback",
            AnswerFeed,
            PathDepartment,
            closed_loop::api::feedback,
        ),
        Route::api(M::POST, "/api/v1/cases", ReportCases, OwnDepartment, closed_loop::api::report_cases),
        Route::api(
            M::PUT,
            "/api/v1/webhooks/{department}",
            ManageWebhook,
            PathDepartment,
            closed_loop::api::put_webhook,
        ),
        Route::api(
            M::DELETE,
            "/api/v1/webhooks/{department}",
            ManageWebhook,
            PathDepartment,
            closed_loop::api::delete_webhook,
        ),
        // ----- the market subject's side: company accounts and its own file
        Route::public(M::GET, "/my/login", LogIn, subjects::accounts::login_page),
        Route::public(M::POST, "/my/login", LogIn, subjects::accounts::login),
        Route::public(M::GET, "/my/activate", LogIn, subjects::accounts::activate_page),
        Route::public(M::POST, "/my/activate", LogIn, subjects::accounts::activate),
        Route::public(M::POST, "/my/activate/registration", LogIn, subjects::accounts::activate_by_registration),
        Route::page(M::POST, "/my/logout", ViewOwnFile, OwnSubject, subjects::accounts::logout),
        Route::page(M::GET, "/my", ViewOwnFile, OwnSubject, subjects::own_file::my_page),
        Route::page(M::GET, "/my/export.json", ViewOwnFile, OwnSubject, subjects::own_file::export_json),
        Route::page(M::GET, "/my/export.xlsx", ViewOwnFile, OwnSubject, subjects::own_file::export_xlsx),
        Route::page(M::GET, "/my/accounts", ViewOwnFile, OwnSubject, subjects::accounts::accounts_page),
        Route::page(M::POST, "/my/accounts", ViewOwnFile, OwnSubject, subjects::accounts::add_staff),
        Route::page(M::POST, "/my/password", ViewOwnFile, OwnSubject, subjects::accounts::change_password),
        Route::page(M::POST, "/my/totp", ViewOwnFile, OwnSubject, subjects::accounts::enable_totp),
        Route::page(M::POST, "/my/totp/disable", ViewOwnFile, OwnSubject, subjects::accounts::disable_totp),
        Route::page(
            M::POST,
            "/my/accounts/{username}/disable",
            ViewOwnFile,
            OwnSubject,
            subjects::accounts::disable_staff,
        ),
        Route::page(
            M::POST,
            "/console/activation-letters",
            IssueActivationCode,
            Scope,
            subjects::accounts::issue_letter,
        ),
        // ----- objections (异议)
        Route::page(
            M::POST,
            "/my/records/{id}/objection",
            FileObjection,
            SubjectRecord,
            objections::pages::file_online,
        )
        .with_body_limit(BodyLimit::Upload(objections::pages::MAX_OBJECTION_BODY_BYTES)),
        Route::page(
            M::GET,
            "/console/objections/{id}/evidence/{n}",
            ViewObjections,
            Objection,
            objections::pages::evidence_file,
        ),
        Route::page(M::POST, "/my/objections/{id}/withdraw", FileObjection, Objection, objections::pages::withdraw),
        Route::page(
            M::POST,
            "/my/listings/{id}/objection",
            FileObjection,
            Listing,
            objections::pages::object_to_listing,
        ),
        Route::page(
            M::POST,
            "/my/listings/{id}/waive",
            FileObjection,
            Listing,
            objections::pages::waive_listing_objection,
        ),
        Route::page(
            M::POST,
            "/console/records/{id}/objection",
            FileObjection,
            SubjectRecord,
            objections::pages::file_at_counter,
        ),
        Route::page(M::GET, "/console/objections", ViewObjections, Scope, objections::pages::queue),
        Route::page(M::GET, "/console/objections/{id}", ViewObjections, Objection, objections::pages::detail),
        Route::page(M::POST, "/console/objections/{id}/answer", AnswerObjection, Objection, objections::pages::answer),
        Route::page(M::POST, "/console/objections/{id}/extend", AnswerObjection, Objection, objections::pages::extend),
        // ----- credit repair (信用修复)
        Route::page(M::GET, "/my/records/{id}/repair", ViewOwnFile, SubjectRecord, repair::pages::apply_form),
        Route::page(M::POST, "/my/records/{id}/repair", ApplyRepair, SubjectRecord, repair::pages::apply),
        // ----- random inspections (双随机、一公开)
        Route::page(M::GET, "/console/inspections", ViewInspections, Scope, inspections::pages::console_page),
        Route::page(
            M::POST,
            "/console/inspections/items",
            PlanInspections,
            FormDepartment,
            inspections::pages::save_item,
        ),
        Route::page(
            M::POST,
            "/console/inspections/inspectors",
            PlanInspections,
            FormDepartment,
            inspections::pages::register_inspector,
        ),
        Route::page(M::POST, "/console/inspections/tasks", PlanInspections, FormDepartment, inspections::pages::plan),
        Route::page(
            M::GET,
            "/console/inspections/tasks/{id}",
            ViewInspections,
            InspectionTask,
            inspections::pages::task_page,
        ),
        Route::page(
            M::POST,
            "/console/inspections/tasks/{id}/commit",
            PlanInspections,
            InspectionTask,
            inspections::pages::commit,
        ),
        Route::page(
            M::POST,
            "/console/inspections/tasks/{id}/draw",
            PlanInspections,
            InspectionTask,
            inspections::pages::run_draw,
        ),
        Route::page(
            M::POST,
            "/console/inspections/tasks/{id}/beacon",
            EnterBeacon,
            Platform,
            inspections::pages::beacon,
        ),
        Route::page(
            M::POST,
            "/console/inspections/tasks/{id}/results",
            RecordInspectionResults,
            InspectionTask,
            inspections::pages::result,
        ),
        Route::page(
            M::POST,
            "/console/inspections/tasks/{id}/publish",
            PublishInspections,
            InspectionTask,
            inspections::pages::publish_results,
        ),
        Route::public(M::GET, "/inspections", ViewPortal, inspections::portal::list),
        Route::public(M::GET, "/inspections/{id}", ViewPortal, inspections::portal::detail),
        Route::public(M::GET, "/api/v1/public/inspections/{id}/draw", ViewPortal, inspections::portal::draw_record),
        // ----- subscribers (订阅单位)
        Route::page(M::GET, "/console/subscribers", ManageSubscribers, Platform, subscriptions::pages::list_page),
        Route::page(M::POST, "/console/subscribers", ManageSubscribers, Platform, subscriptions::pages::register),
        Route::page(
            M::GET,
            "/console/subscribers/{id}",
            ManageSubscribers,
            Platform,
            subscriptions::pages::detail_page,
        ),
        Route::page(
            M::POST,
            "/console/subscribers/{id}/approve",
            ManageSubscribers,
            Platform,
            subscriptions::pages::approve,
        ),
        Route::page(
            M::POST,
            "/console/subscribers/{id}/suspend",
            ManageSubscribers,
            Platform,
            subscriptions::pages::suspend,
        ),
        Route::api(M::GET, "/api/v1/subscription/feed", UseSubscription, Platform, subscriptions::api::get_feed),
        Route::api(
            M::GET,
            "/api/v1/subscription/watchlist",
            UseSubscription,
            Platform,
            subscriptions::api::get_watchlist,
        ),
        Route::api(
            M::PUT,
            "/api/v1/subscription/watchlist",
            UseSubscription,
            Platform,
            subscriptions::api::put_watchlist,
        ),
        Route::api(M::PUT, "/api/v1/subscription/webhook", UseSubscription, Platform, subscriptions::api::put_webhook),
        // ----- rectification campaigns (专项治理)
        Route::page(M::GET, "/console/campaigns", ViewCampaigns, Platform, campaigns::pages::list_page),
        Route::page(M::POST, "/console/campaigns", OpenCampaign, ChosenDepartment, campaigns::pages::open),
        Route::page(M::GET, "/console/campaigns/{id}", ViewCampaigns, Platform, campaigns::pages::detail_page),
        Route::page(
            M::GET,
            "/console/campaigns/{id}/dashboard",
            ViewCampaigns,
            Platform,
            campaigns::dashboard::dashboard_page,
        ),
        Route::page(
            M::GET,
            "/console/campaigns/{id}/subjects/{uscc}",
            ViewCampaigns,
            Platform,
            campaigns::pages::subject_page,
        ),
        Route::page(
            M::GET,
            "/console/campaigns/{id}/subjects/{uscc}/evidence/{n}",
            ViewCampaigns,
            Platform,
            campaigns::pages::evidence_file,
        ),
        Route::page(
            M::POST,
            "/console/campaigns/{id}/subjects/{uscc}/progress",
            ReportRectification,
            FormDepartment,
            campaigns::pages::report_progress,
        )
        .with_body_limit(BodyLimit::Upload(campaigns::pages::MAX_PROGRESS_BODY_BYTES)),
        Route::page(
            M::POST,
            "/console/campaigns/{id}/subjects/{uscc}/outcome",
            DecideRectification,
            FormDepartment,
            campaigns::pages::decide,
        ),
        Route::page(
            M::POST,
            "/console/campaigns/{id}/subjects/{uscc}/interview",
            RecordInterview,
            OwnDepartment,
            campaigns::pages::record_interview,
        ),
        // ----- notification and commitment (告知承诺)
        Route::public(M::GET, "/commitments", ViewPortal, commitments::portal::catalog),
        Route::public(M::GET, "/commitments/items/{code}", ViewPortal, commitments::portal::letter),
        Route::public(M::GET, "/commitments/items/{code}/letter.pdf", ViewPortal, commitments::portal::letter_pdf),
        Route::public(M::GET, "/commitments/pledges", ViewPortal, commitments::pledges::public_page),
        Route::public(M::GET, "/education", ViewPortal, commitments::education::public_page),
        Route::page(M::GET, "/console/education", ManageEducation, Platform, commitments::education::console_page),
        Route::page(
            M::POST,
            "/console/education/courses",
            ManageEducation,
            Platform,
            commitments::education::save_course,
        ),
        Route::page(
            M::POST,
            "/console/education/completions",
            ManageEducation,
            Platform,
            commitments::education::record_completion,
        ),
        Route::public(M::GET, "/api/v1/public/pledges", ViewPortal, commitments::pledges::api_pledges),
        Route::page(M::GET, "/my/pledges", ViewOwnFile, OwnSubject, commitments::pledges::my_page),
        Route::page(M::POST, "/my/pledges", MakePledge, OwnSubject, commitments::pledges::my_make),
        Route::page(M::POST, "/my/pledges/schemes", MakePledge, OwnSubject, commitments::pledges::my_scheme),
        Route::page(M::POST, "/my/pledges/{id}/withdraw", MakePledge, OwnSubject, commitments::pledges::my_withdraw),
        Route::page(M::GET, "/my/commitments", ViewOwnFile, OwnSubject, commitments::pages::my_page),
        Route::page(M::POST, "/my/commitments", MakeCommitment, OwnSubject, commitments::pages::my_make),
        Route::page(M::GET, "/my/commitments/{id}", ViewOwnFile, OwnSubject, commitments::pages::my_detail),
        Route::page(M::GET, "/console/commitments", ViewCommitments, Scope, commitments::pages::console_page),
        Route::page(
            M::POST,
            "/console/commitments",
            MakeCommitment,
            CommitmentApplication,
            commitments::pages::counter,
        ),
        Route::page(M::GET, "/console/commitments/{id}", ViewCommitments, Commitment, commitments::pages::detail_page),
        Route::page(
            M::POST,
            "/console/commitments/{id}/materials/{code}",
            VerifyCommitment,
            Commitment,
            commitments::pages::supply,
        ),
        Route::page(
            M::POST,
            "/console/commitments/{id}/verify",
            VerifyCommitment,
            Commitment,
            commitments::pages::verify,
        ),
        Route::page(
            M::POST,
            "/console/commitments/{id}/revoke",
            VerifyCommitment,
            Commitment,
            commitments::pages::revoke,
        ),
        // ----- credit service agencies (信用服务机构)
        Route::public(M::GET, "/agencies", ViewPortal, agencies::portal::list),
        Route::public(M::GET, "/agencies/{uscc}", ViewPortal, agencies::portal::detail),
        Route::public(M::GET, "/api/v1/public/agencies", ViewPortal, agencies::api::list_agencies),
        Route::public(M::GET, "/api/v1/public/agencies/{uscc}", ViewPortal, agencies::api::get_agency),
        Route::page(M::GET, "/console/agencies", ManageAgencies, Platform, agencies::console::page),
        Route::page(M::POST, "/console/agencies", ManageAgencies, Platform, agencies::console::file),
        Route::page(M::GET, "/console/agencies/{uscc}", ManageAgencies, Platform, agencies::console::detail),
        Route::page(M::POST, "/console/agencies/{uscc}/status", ManageAgencies, Platform, agencies::console::status),
        Route::page(M::POST, "/console/agencies/{uscc}/staff", ManageAgencies, Platform, agencies::console::staff),
        Route::page(
            M::POST,
            "/console/agencies/{uscc}/supervision",
            ManageAgencies,
            Platform,
            agencies::console::supervision,
        ),
        Route::page(M::POST, "/console/agencies/{uscc}/accounts", ManageAgencies, Platform, agencies::console::account),
        Route::page(M::GET, "/my/agencies", GrantAgencyConsent, OwnSubject, agencies::my::page),
        Route::page(M::POST, "/my/agencies/consents", GrantAgencyConsent, OwnSubject, agencies::my::grant),
        Route::page(M::POST, "/my/agencies/consents/{id}/revoke", GrantAgencyConsent, OwnSubject, agencies::my::revoke),
        Route::page(M::GET, "/my/report/full.json", ViewOwnFile, OwnSubject, agencies::my::full_report),
        Route::page(M::GET, "/my/report/full.pdf", ViewOwnFile, OwnSubject, agencies::my::full_report_pdf),
        Route::public(M::GET, "/agency/login", LogIn, agencies::agency::login_page),
        Route::public(M::POST, "/agency/login", LogIn, agencies::agency::login),
        Route::page(M::POST, "/agency/logout", UseAgencyConsent, Platform, agencies::agency::logout),
        Route::page(M::GET, "/agency", UseAgencyConsent, Platform, agencies::agency::home),
        Route::page(M::POST, "/agency/reports/{uscc}", UseAgencyConsent, Subject, agencies::agency::download),
        // ----- notices and policy documents (通知公告, 政策法规)
        Route::public(M::GET, "/notices", ViewPortal, notices::portal::list),
        Route::public(M::GET, "/notices/{id}", ViewPortal, notices::portal::detail),
        Route::public(M::GET, "/notices/{id}/attachments/{n}", ViewPortal, notices::portal::attachment),
        Route::public(M::GET, "/api/v1/public/notices", ViewPortal, notices::api::list_notices),
        Route::public(M::GET, "/api/v1/public/notices/{id}", ViewPortal, notices::api::get_notice),
        Route::page(M::GET, "/console/notices", ManageNotices, Platform, notices::console::page),
        Route::page(M::POST, "/console/notices", ManageNotices, Platform, notices::console::publish)
            .with_body_limit(BodyLimit::Upload(notices::console::MAX_NOTICE_BODY_BYTES)),
        Route::page(M::POST, "/console/notices/{id}/withdraw", ManageNotices, Platform, notices::console::withdraw),
        // ----- voluntary registration (自愿注册)
        Route::page(M::GET, "/my/registrations", ViewOwnFile, OwnSubject, registrations::pages::my_page),
        Route::page(M::POST, "/my/registrations", SubmitRegistration, OwnSubject, registrations::pages::my_submit)
            .with_body_limit(BodyLimit::Upload(registrations::pages::MAX_REGISTRATION_BODY_BYTES)),
        Route::page(M::GET, "/my/registrations/{id}", ViewOwnFile, OwnSubject, registrations::pages::my_detail),
        Route::page(
            M::POST,
            "/my/registrations/{id}/withdraw",
            SubmitRegistration,
            OwnSubject,
            registrations::pages::my_withdraw,
        ),
        Route::page(M::GET, "/console/registrations", ViewRegistrations, Scope, registrations::pages::queue),
        Route::page(
            M::GET,
            "/console/registrations/{id}",
            ViewRegistrations,
            Registration,
            registrations::pages::detail,
        ),
        Route::page(
            M::POST,
            "/console/registrations/{id}/review",
            ReviewRegistration,
            Registration,
            registrations::pages::review,
        ),
        Route::page(
            M::GET,
            "/console/registrations/{id}/files/{n}",
            ViewRegistrations,
            Registration,
            registrations::pages::file,
        ),
        Route::page(M::GET, "/console/repairs", ViewRepairs, Scope, repair::pages::queue),
        Route::page(M::GET, "/console/repairs/{id}", ViewRepairs, Repair, repair::pages::detail),
        Route::page(M::POST, "/console/repairs/{id}/decide", DecideRepair, Repair, repair::pages::decide),
        Route::page(M::POST, "/console/repairs/{id}/confirm", ConfirmRepair, Platform, repair::pages::confirm),
    ]
}
