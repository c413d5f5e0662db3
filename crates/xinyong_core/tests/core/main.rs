//! The core's use-case tests, one module per bounded context, in one test
//! binary: each test binary links the whole core and storage (about 85 MB in
//! a debug build), so 21 of them took 1.8 GB of disk and 21 link steps in
//! every CI run; one binary takes one of each.

mod access_policy;
mod agencies;
mod auth;
mod campaigns;
mod commitments;
mod credit_file;
mod education;
mod evaluation;
mod feeds;
mod inspections;
mod intake;
mod jobs;
mod listing;
mod log;
mod pledges;
mod registrations;
mod reports;
mod rules;
mod search;
mod subscriptions;
mod witness;
