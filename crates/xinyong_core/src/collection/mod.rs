//! Collection (归集): the one intake path for API batches, console uploads and
//! `xinyong import` (`intake`), what is read back of batches and records
//! (`queries`), and the timeliness statistics of what arrived (`stats`).

pub mod intake;
pub mod queries;
pub mod stats;
