//! Lists (名单, 54号 clauses 八, 十, 十一, 十二): the listing life cycle with
//! notice and objection, list types and the measures catalog as rule data
//! (`sanction`), bans, interviews, and the personal records of liable people.

mod bans;
mod events;
mod interviews;
mod model;
pub mod sanction;
mod state;
mod tables;

pub use bans::*;
pub use events::*;
pub use interviews::*;
pub use model::*;
pub use state::*;
pub use tables::*;
