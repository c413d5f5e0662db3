//! The portal's browser tests (headless Chromium through chromedriver),
//! one module per page family, in one test binary: each test binary links
//! the whole server, about 240 MB in a debug build, so one binary saves
//! disk and link time in every CI run.

mod api_docs;
#[expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]
mod browser;
mod lists;
mod notices;
mod portal;
mod registrations_side;
mod subject_side;
