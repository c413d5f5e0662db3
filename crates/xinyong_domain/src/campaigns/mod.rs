//! Rectification campaigns (专项治理, 54号 clause 九): the credit office or a
//! department opens a time-limited campaign over the organisations on a
//! list (optionally in one district); each subject gets a deadline, its
//! progress and evidence, and an outcome decided by the department that
//! listed it; a subject still not rectified at its deadline is overdue and
//! is interviewed by that department (谁认定、谁约谈). `docs/CAMPAIGNS.md`.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
