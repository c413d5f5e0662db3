//! Notification and commitment (告知承诺制, 54号 clause 一.1–一.2; 国办发〔2020〕42号):
//! the catalog of administrative items that accept a commitment
//! (`rules/commitments.toml`, a versioned rule set), the commitments
//! applicants make for them — online or at a department's counter — with the
//! materials they may supply later (容缺受理) and their deadlines on the
//! working-day calendar, and the department's verification: kept, breached
//! or false. A breached or false commitment becomes a dishonesty record
//! (catalog item `CNSX`). Besides, public pledges: a company's voluntary
//! commitment and an industry association's self-discipline scheme.
//! `docs/COMMITMENTS.md`.

mod catalog;
mod education;
mod events;
mod model;
mod pledges;
mod tables;

pub use catalog::*;
pub use education::*;
pub use events::*;
pub use model::*;
pub use pledges::*;
pub use tables::*;
