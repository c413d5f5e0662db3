//! Rule sets as versioned data: every version of the catalog, publicity
//! regimes, list types, measures (and, later, models and calendars) that
//! anything was judged by is written to the log once, text included, so anyone
//! can see what a decision rested on. The rules themselves are parsed where
//! they are used (`collection::catalog`, `collection::publicity`,
//! `lists::sanction`, `calendar`).

mod events;
mod tables;

pub use events::*;
pub use tables::*;
