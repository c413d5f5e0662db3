#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

// Shared: the clock, the error type every use case returns, and the runner
// of named, claimed background jobs.
pub mod clock;
pub mod error;
pub mod jobs;
pub mod net;

// Bounded contexts, one folder each (use cases, queries, jobs, indexes).
pub mod agencies;
pub mod auth;
pub mod campaigns;
pub mod checks;
pub mod closed_loop;
pub mod collection;
pub mod commitments;
pub mod evaluation;
pub mod inspections;
pub mod lists;
pub mod log;
pub mod notices;
pub mod objections;
pub mod portal;
pub mod registrations;
pub mod repair;
pub mod reports;
pub mod rules;
pub mod subjects;
pub mod subscriptions;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CoreError, Result};
pub use log::keys::LogKeys;
pub use log::{Core, CoreSettings};
