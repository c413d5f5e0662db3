//! The credit check: the in-memory index that answers it (`index`) and the
//! receipts written to the log in batches (`receipts`).

pub mod index;
pub mod receipts;
