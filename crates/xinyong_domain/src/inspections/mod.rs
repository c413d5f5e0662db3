//! 双随机、一公开 around the lottery (seed clauses 七.2, 十六; DOMAIN §7):
//! the random-inspection item lists (一单), the inspector directory (两库;
//! the subject directory is derived from the platform's data), inspection
//! tasks planned by supervision class, the pool and roster committed to the
//! log before the seed exists, the draw, the results and their publication
//! (一公开). The draw itself is [`crate::lottery`]; `docs/LOTTERY.md`.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
