//! The server's integration tests, one module per story, in one test
//! binary: every test binary links the whole server (typst included, about
//! 240 MB in a debug build), so 22 of them took 5 GB of disk and 22 link
//! steps in every CI run; one binary takes one of each.

mod access_matrix;
mod agencies;
mod campaigns;
mod checks;
mod commitments;
mod console;
mod credit_file_pages;
mod evaluation;
mod feeds_api;
#[expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]
mod independent;
mod inspections;
mod intake_pages;
mod joint_punishment_story;
mod leak_walk;
mod listing_pages;
mod log_endpoints;
mod notices;
mod portal;
mod records_api;
mod registrations;
mod security_headers;
mod subject_side;
mod subscriptions;
