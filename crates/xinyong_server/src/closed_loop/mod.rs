//! The closed loop: executing departments' feeds, answers, cases and webhooks
//! (`api`), and the console's feed, loop metrics and measures pages (`pages`).

pub mod api;
pub(crate) mod pages;
