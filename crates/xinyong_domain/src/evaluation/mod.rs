//! Credit evaluation (公共信用综合评价, seed clauses 六 and 七.1): grades
//! received from elsewhere, scorecard models as versioned rule files, the
//! scores with their reasons, and the graded-supervision table that turns a
//! grade into inspection ratios. DOMAIN §6–7; `docs/EVALUATION.md`.

mod events;
mod external;
mod model;
mod score;
mod tables;

pub use events::*;
pub use external::*;
pub use model::*;
pub use score::*;
pub use tables::*;
