//! Who is calling (`extract`: sessions, bearer tokens, CSRF) and the console's
//! own pages: login, the console home, users and API tokens (`pages`).

pub(crate) mod audit;
mod extract;
pub(crate) mod pages;
mod throttle;

pub use extract::*;
pub use throttle::{LoginThrottle, LoginThrottleSettings, ThrottleRule};
