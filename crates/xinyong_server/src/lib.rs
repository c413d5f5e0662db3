#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

use std::future::Future;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::response::IntoResponse as _;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use xinyong_core::Core;
use xinyong_core::auth::policy::{self, Principal, Resource};
use xinyong_core::checks::index::CheckIndex;
use xinyong_core::checks::receipts::ReceiptWriter;
use xinyong_core::portal::search::SearchIndex;

// Shared: the error envelope, page layout, rate limits, operations endpoints,
// and the route table the router is built from.
pub mod error;
pub mod headers;
mod ops;

pub mod ratelimit;
pub mod routes;
mod static_files;
mod web;

// Bounded contexts, one folder each (api, pages).
pub mod agencies;
pub mod auth;
mod campaigns;
pub mod checks;
pub mod closed_loop;
pub mod collection;
mod commitments;
pub mod evaluation;
mod inspections;
pub mod lists;
mod log;
pub mod notices;
mod objections;
pub mod openapi;
mod openapi_limits;
mod openapi_zh;
pub mod portal;
mod registrations;
mod repair;
mod subjects;
pub mod subscriptions;

pub use error::{ApiError, ApiResult};
pub use ratelimit::{IpNet, PortalSettings};

/// Site-wide presentation settings.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    /// Shown in the header and the page titles (default 信用济南).
    pub site_name: String,
    /// Footer line, e.g. the operating office.
    pub footer: String,
    /// The footer's furniture of a government site; empty ones are not shown.
    pub furniture: SiteFurniture,
    /// Mark the session cookie `Secure` (the site is served over HTTPS).
    pub cookie_secure: bool,
    /// The site's public address (`https://…`, no trailing slash), for
    /// links printed on paper: a credit report's QR code. Empty: the QR
    /// code carries the path only.
    pub public_url: String,
    /// Other cities' log keys whose reports `/reports/verify` accepts.
    pub trusted_logs: Vec<String>,
    /// Witnesses' cosignature keys `/reports/verify` counts, and how many
    /// must have cosigned a report's checkpoint.
    pub trusted_witnesses: Vec<String>,
    pub witness_quorum: usize,
}

/// What a government website's footer must carry (政府网站发展指引): who
/// runs it, how to reach them, and its registration numbers.
#[derive(Debug, Clone, Default)]
pub struct SiteFurniture {
    /// 承办单位.
    pub organizer: String,
    /// 联系我们: a telephone number or an address.
    pub contact: String,
    /// 网站标识码.
    pub website_code: String,
    /// ICP 备案号.
    pub icp: String,
    /// 公安机关备案号.
    pub police_record: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            site_name: "信用济南".to_owned(),
            footer: "济南市社会信用体系建设工作领导小组办公室 主办".to_owned(),
            furniture: SiteFurniture::default(),
            cookie_secure: false,
            public_url: String::new(),
            trusted_logs: Vec::new(),
            trusted_witnesses: Vec::new(),
            witness_quorum: 0,
        }
    }
}

/// Shared state of every handler: one `Arc`, so the clone axum makes for
/// each request is one reference-count increment, not one per field (the
/// credit check is a hot path; see `xinyong bench check`).
#[derive(Debug, Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;
    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// What [`AppState`] shares.
#[derive(Debug, Clone)]
pub struct SharedState {
    pub core: Core,
    pub site: Arc<SiteSettings>,
    metrics: PrometheusHandle,
    /// Failed console logins per name and client, per client and per name
    /// (in memory, per process).
    pub(crate) login_throttle: Arc<auth::LoginThrottle>,
    /// Public portal settings (search rate limits, trusted proxies).
    pub portal: Arc<PortalSettings>,
    /// Public search requests per client (in memory, per process).
    pub(crate) limiter: Arc<ratelimit::RateLimiter>,
    /// Company-name search; `serve` rebuilds it at start and a log follower
    /// keeps it current.
    pub search: Arc<SearchIndex>,
    /// The credit check index; `serve` rebuilds it at start and the log
    /// follower keeps it current.
    pub checks: Arc<CheckIndex>,
    /// Appends check receipts to the log in batches.
    pub receipts: Arc<ReceiptWriter>,
    /// Uploaded files being read at once (unpacking and parsing a workbook
    /// takes memory in proportion to it; more wait their turn).
    pub(crate) file_reads: Arc<tokio::sync::Semaphore>,
    /// Typesets PDF documents (letters, notices, decisions).
    pub(crate) documents: Arc<xinyong_documents::Documents>,
    /// Documents typeset at once (each takes a core for some milliseconds
    /// and memory for its pages; more wait their turn).
    pub(crate) pdf_renders: Arc<tokio::sync::Semaphore>,
    /// How long a document waits for its turn before the caller gets 503
    /// `pdf_busy`.
    pub(crate) pdf_render_wait: std::time::Duration,
    /// Live API tokens seen recently, so a check does not read the database
    /// to authenticate (see [`auth::TokenCache`]).
    pub(crate) tokens: Arc<auth::TokenCache>,
}

impl AppState {
    pub fn new(core: Core, site: SiteSettings) -> AppState {
        let portal = PortalSettings::default();
        AppState(Arc::new(SharedState {
            site: Arc::new(site),
            metrics: metrics_handle(),
            login_throttle: Arc::default(),
            limiter: Arc::new(ratelimit::RateLimiter::new(&portal)),
            portal: Arc::new(portal),
            search: Arc::new(SearchIndex::new()),
            checks: Arc::new(
                CheckIndex::new(core.settings().mask.clone())
                    .barring_serious_records(core.settings().commitments.serious_records_bar),
            ),
            receipts: Arc::new(ReceiptWriter::new(core.clone())),
            file_reads: Arc::new(tokio::sync::Semaphore::new(DEFAULT_PARALLEL_FILE_READS)),
            documents: Arc::default(),
            pdf_renders: Arc::new(tokio::sync::Semaphore::new(DEFAULT_PARALLEL_PDF_RENDERS)),
            pdf_render_wait: DEFAULT_PDF_RENDER_WAIT,
            tokens: Arc::default(),
            core,
        }))
    }

    /// The shared state to change while building (before the router shares it).
    fn parts(&mut self) -> &mut SharedState {
        Arc::make_mut(&mut self.0)
    }

    /// The same state searching `index` instead of the empty index `new`
    /// starts with.
    pub fn with_search(mut self, index: Arc<SearchIndex>) -> AppState {
        self.parts().search = index;
        self
    }

    /// The same state checking against `index` instead of an empty index.
    pub fn with_checks(mut self, index: Arc<CheckIndex>) -> AppState {
        self.parts().checks = index;
        self
    }

    /// The token cache, for the log follower (it drops revoked tokens).
    pub fn token_cache(&self) -> Arc<auth::TokenCache> {
        Arc::clone(&self.tokens)
    }

    /// The same state reading at most `n` uploaded files at once (at least one).
    pub fn with_parallel_file_reads(mut self, n: usize) -> AppState {
        self.parts().file_reads = Arc::new(tokio::sync::Semaphore::new(n.max(1)));
        self
    }

    /// The same state typesetting PDFs with `documents`, at most `parallel`
    /// at once (at least one).
    pub fn with_documents(mut self, documents: xinyong_documents::Documents, parallel: usize) -> AppState {
        let parts = self.parts();
        parts.documents = Arc::new(documents);
        parts.pdf_renders = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
        self
    }

    /// The same state letting a document wait at most `wait` for its turn.
    pub fn with_pdf_render_wait(mut self, wait: std::time::Duration) -> AppState {
        self.parts().pdf_render_wait = wait;
        self
    }

    /// The same state throttling console logins by `settings`.
    pub fn with_login_throttle(mut self, settings: auth::LoginThrottleSettings) -> AppState {
        self.parts().login_throttle = Arc::new(auth::LoginThrottle::new(settings));
        self
    }

    /// The same state with other portal settings (and fresh rate limits).
    pub fn with_portal(mut self, portal: PortalSettings) -> AppState {
        let parts = self.parts();
        parts.limiter = Arc::new(ratelimit::RateLimiter::new(&portal));
        parts.portal = Arc::new(portal);
        self
    }
}

/// The Prometheus recorder is process-global; install it once and share the
/// handle (tests build many routers in one process).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Latency histograms (not summaries): quantiles over many
            // processes and any window are computed by Prometheus.
            let builder = || {
                PrometheusBuilder::new()
                    .set_buckets_for_metric(
                        metrics_exporter_prometheus::Matcher::Suffix("_duration_seconds".to_owned()),
                        &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
                    )
                    .unwrap_or_else(|_| PrometheusBuilder::new())
            };
            builder().install_recorder().unwrap_or_else(|_| builder().build_recorder().handle())
        })
        .clone()
}

/// Uploaded files read at once unless configured (`server.parallel_file_reads`).
pub const DEFAULT_PARALLEL_FILE_READS: usize = 2;

/// PDF documents typeset at once unless configured (`documents.parallel_renders`).
pub const DEFAULT_PARALLEL_PDF_RENDERS: usize = 2;
/// How long a document waits for its turn unless configured
/// (`[documents] render_wait_seconds`).
pub const DEFAULT_PDF_RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Largest request body accepted anywhere but the upload form, which sets
/// its own ([`routes::BodyLimit`]).
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The router: every route of [`routes::table`], and nothing else but the
/// not-found page.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in routes::table() {
        let handler = match route.body_limit {
            routes::BodyLimit::Default => route.handler.layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES)),
            routes::BodyLimit::Upload(_) => route.handler,
        };
        let handler = match route.credentials {
            // A public route identifies nobody, so its action must be one the
            // policy grants to nobody; asked once here, not per request (the
            // check bench measures `ping`). Were an action ever taken off the
            // public list, its routes would refuse everyone.
            routes::Credentials::Public => {
                match policy::authorize(&Principal::Anonymous, route.action, &Resource::Platform) {
                    Ok(()) => handler,
                    Err(denied) => axum::routing::any(move || async move { ApiError::from(denied).into_response() }),
                }
            }
            routes::Credentials::Session | routes::Credentials::Api => handler,
        };
        router = router.route(route.path, handler);
    }
    // After routing, so requests are counted by their route's pattern.
    let router = router.route_layer(axum::middleware::from_fn(ops::record_request));
    // Built once per router, shared by every response.
    let security: Arc<[_]> = headers::security_headers(state.site.cookie_secure).into();
    router
        .fallback(web::not_found)
        .method_not_allowed_fallback(web::method_not_allowed)
        .layer(axum::middleware::from_fn(error::api_errors_in_the_envelope))
        .layer(axum::middleware::map_response(move |response| {
            let security = Arc::clone(&security);
            async move { headers::add_security_headers(&security, response) }
        }))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the scraper's `GET /metrics` (no session; see `[server]
/// metrics_listen`) until `shutdown` resolves.
pub async fn serve_metrics(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, ops::metrics_router(state)).with_graceful_shutdown(shutdown).await
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address is the client key of the public search rate limits.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
