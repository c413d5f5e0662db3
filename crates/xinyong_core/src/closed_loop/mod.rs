//! The closed loop: departments' feeds, acknowledgements and feedback
//! (`feeds`), signed webhook delivery (`webhooks`), and the loop's metrics
//! (`metrics`).

pub mod feeds;
pub mod metrics;
pub mod webhooks;
