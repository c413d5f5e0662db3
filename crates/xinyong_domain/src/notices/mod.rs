//! Notices and policy documents (通知公告, 政策法规): what the credit office
//! publishes on the portal — announcements of its work and the laws,
//! regulations and policy documents of the credit system — with their
//! attachments. Each is public text the office wrote; a withdrawn one
//! leaves the portal but stays in the log. `docs/PORTAL.md`.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
