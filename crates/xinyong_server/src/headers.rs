//! Security headers on every response (pages, API, log endpoints, errors).
//!
//! The pages run no inline script or style (the one script is the vendored
//! htmx, loaded from `/static`), so the content security policy allows only
//! this origin; nothing may frame the site (the console's forms must not be
//! clickjacked); browsers must not guess content types; other sites see no
//! path or query of ours in `Referer`. HSTS is sent only when the site is
//! served over HTTPS (`auth.cookie_secure`), since a browser that received it
//! over plain HTTP on a test deployment would refuse that host for a year.
//! A handler that sets one of these headers itself keeps its own value.

use axum::http::HeaderValue;
use axum::http::header::{self, HeaderName};
use axum::response::Response;

/// The policy for every response. `connect-src 'self'` is for the search
/// box's suggestions (htmx); `form-action 'self'` keeps an injected form from
/// posting elsewhere; `base-uri 'none'` stops a `<base>` from redirecting
/// relative links.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// One year, the usual value for a site that is HTTPS-only for good.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// The headers every response carries, with HSTS when `https`.
pub fn security_headers(https: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
    ];
    if https {
        headers.push((header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY)));
    }
    headers
}

/// Adds the `headers` (built once by [`security_headers`], not per
/// response: the credit check is a hot path) a response does not already have.
pub fn add_security_headers(headers: &[(HeaderName, HeaderValue)], mut response: Response) -> Response {
    let present = response.headers_mut();
    for (name, value) in headers {
        present.entry(name).or_insert_with(|| value.clone());
    }
    response
}
