//! Objections (异议) of market subjects to records about them (DOMAIN §4;
//! 山东省社会信用条例 Art. 39): filed by the subject online or at a counter,
//! routed to the department that provided the record, answered within 3
//! working days (7 when other units must verify), with one of the outcomes
//! of §4. While an objection is open the record is marked 异议处理中 on the
//! portal and in the public API.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
