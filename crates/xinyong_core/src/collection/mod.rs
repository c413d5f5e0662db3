//! Collection (归集): the one intake path for API batches, console uploads and
//! `xinyong import`, and the timeliness statistics of what arrived.

pub mod intake;
pub mod stats;
