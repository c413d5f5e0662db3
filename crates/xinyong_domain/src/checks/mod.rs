//! The credit check (应查必查, 54号 clause 十.2): the pure decision over a
//! subject's list memberships, liabilities and bans (`decide`), the receipts
//! the log keeps of every check, and the cases departments report handled.

mod decide;
mod events;
mod model;
mod tables;

pub use decide::*;
pub use events::*;
pub use model::*;
pub use tables::*;
