//! Who works on the platform: departments, their console users with roles,
//! and their systems' API tokens.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
