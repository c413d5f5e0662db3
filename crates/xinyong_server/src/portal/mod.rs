//! The public portal (信用济南): search, subject pages, 双公示, the published
//! lists and `/verify` (`pages`), and the public JSON API (`api`).

pub mod api;
pub(crate) mod api_docs;
pub(crate) mod pager;
pub(crate) mod pages;
pub mod reports;
pub(crate) mod witness;
