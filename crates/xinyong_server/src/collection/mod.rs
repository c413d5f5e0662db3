//! Collection (归集): the records API (`api`), the timeliness statistics API
//! (`stats_api`), and the console's uploads, batches and timeliness pages
//! (`pages`).

pub mod api;
pub(crate) mod pages;
pub mod stats_api;
