//! Collection (归集, 54号 clauses 四 and 十五): departments' licence, penalty
//! and other records checked against the public credit information catalog,
//! judged by the publicity regime in force on their decision date, and
//! logged with the batch they came in.

pub mod catalog;
mod events;
mod model;
pub mod publicity;
pub mod record;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
