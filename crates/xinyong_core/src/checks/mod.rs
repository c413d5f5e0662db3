//! The credit check: the in-memory index that answers it (`index`) and the
//! receipts written to the log in batches (`receipts`), and whether
//! 告知承诺 is available to an applicant (`commitment`).

pub mod commitment;
pub mod index;
pub mod receipts;
pub mod retention;
