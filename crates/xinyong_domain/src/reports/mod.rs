//! Credit reports (信用报告): a subject's public facts, each proven against
//! the transparency log, signed by the platform and checkable offline by
//! anyone (docs/REPORTS.md). Issuing one is an event; the report itself is
//! built from the log when asked for and is not stored.

mod events;
mod tables;

pub use events::*;
pub use tables::*;
