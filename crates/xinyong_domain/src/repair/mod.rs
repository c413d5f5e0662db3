//! Credit repair (信用修复) of penalty records: whether a record may be
//! repaired now and why not, under the regime in force on its decision
//! date (DOMAIN §2.1–2.4); the application with its commitment and
//! materials; the deciding department's review ("谁认定、谁修复"). An
//! approved repair ends the record's publicity.

mod eligibility;
mod events;
mod model;
mod tables;

pub use eligibility::*;
pub use events::*;
pub use model::*;
pub use tables::*;
