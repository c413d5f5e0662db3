//! Voluntary registration (信用信息自愿注册, 54号 clause 二.(五)): a company
//! registers its qualifications, honours, operations, contract performance
//! and public-welfare information under a truthfulness commitment, with
//! supporting files; the reviewing department (the credit office, or the
//! department competent for the kind) accepts it, rejects it with reasons,
//! or finds it false — which becomes a dishonesty record. Accepted
//! registrations are shown on the subject's public page marked
//! 自主申报 · 已审核 and feed the evaluation. `docs/REGISTRATIONS.md`.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
