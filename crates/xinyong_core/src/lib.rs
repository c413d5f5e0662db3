#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

pub mod auth;
pub mod clock;
pub mod credit_file;
pub mod demo;
pub mod demo_records;
pub mod error;
pub mod follower;
pub mod intake;
pub mod keys;
pub mod log;
pub mod portal;
pub mod published_lists;
pub mod rules;
pub mod search;
pub mod stats;
pub mod verify;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CoreError, Result};
pub use keys::LogKeys;
pub use log::{Core, CoreSettings};
