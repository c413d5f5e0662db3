#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

pub mod city;
pub mod listings;
mod play;
mod play_agencies;
mod play_campaigns;
mod play_commitments;
mod play_evaluation;
mod play_inspections;
mod play_lists;
mod play_notices;
mod play_pledges;
mod play_registrations;
mod play_subjects;
mod play_subscriptions;
pub mod records;
mod timeline;
mod trades;

pub use city::DemoCity;
pub use play::{DEMO_PASSWORD, DEMO_USERS, create_city, create_demo_users};
pub use play_agencies::{DEMO_AGENCY_ACCOUNT, play as agencies_of_the_city};
pub use play_commitments::play as commitments_of_the_city;
pub use play_inspections::play as random_inspections;
pub use play_notices::play as notices_of_the_city;
pub use play_pledges::pledges_of_the_city;
pub use play_subjects::{DEMO_COMPANY_ACCOUNT, demo_company};

/// What went wrong while writing the demo city, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{what}: {source}")]
    Core { what: &'static str, source: xinyong_core::CoreError },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = DemoError> = std::result::Result<T, E>;

/// Progress of a long step: (what, done, total). The binary draws a bar.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Send + Sync);

/// Wraps a core error with what the demo was doing.
pub(crate) fn fail(what: &'static str) -> impl Fn(xinyong_core::CoreError) -> DemoError {
    move |source| DemoError::Core { what, source }
}

/// A value the demo built itself failed to parse: a bug in the demo.
pub(crate) fn invalid(e: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(e.to_string())
}
