#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

pub mod auth;
pub mod check;
pub mod clock;
pub mod credit_file;
pub mod demo;
pub mod demo_listings;
pub mod demo_records;
pub mod error;
pub mod feeds;
pub mod follower;
pub mod intake;
pub mod jobs;
pub mod keys;
pub mod listing;
pub mod log;
pub mod loop_metrics;
pub mod portal;
pub mod published_lists;
pub mod receipts;
pub mod rules;
pub mod search;
pub mod stats;
pub mod subjects;
pub mod verify;
pub mod webhooks;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CoreError, Result};
pub use keys::LogKeys;
pub use log::{Core, CoreSettings};
