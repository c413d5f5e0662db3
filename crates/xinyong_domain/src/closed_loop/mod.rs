//! The closed loop of joint rewards and punishments (发起—响应—推送—执行反馈,
//! 54号 clause 十.2): measures pushed to executing departments by a listing
//! decision, their acknowledgements and feedback, the departments' feeds and
//! signed webhooks.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
