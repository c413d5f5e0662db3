//! Subscribers (六.1): banks, associations and other receivers the credit
//! office approves, each watching a list of organisations and receiving
//! their grade changes, list changes and repairs by pull feed and signed
//! webhook. `docs/SUBSCRIPTIONS.md`.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
