//! Subjects (主体): organisations keyed by their USCC, natural persons keyed
//! by their ID number, and the roles that link them (legal representative,
//! principal, actual controller).

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
