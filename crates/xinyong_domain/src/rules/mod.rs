//! Rule sets as versioned data: every version of the catalog, publicity
//! regimes, list types, measures and calendar years that anything was judged
//! by is written to the log once, text included, with the day it comes into
//! force, so anyone can see what a decision rested on. The rules themselves
//! are parsed where they are used (`collection::catalog`,
//! `collection::publicity`, `lists::sanction`, `calendar`); this context
//! names the sets, says which version is in force on a date and points at
//! the line of a rule file a problem is on.

mod events;
mod sets;
mod tables;

pub use events::*;
pub use sets::*;
pub use tables::*;
