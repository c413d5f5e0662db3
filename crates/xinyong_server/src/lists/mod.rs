//! Lists in the console: the listing procedure (`pages`) and the credit file
//! with bans, interviews and people (`credit_file`).

pub(crate) mod credit_file;
pub(crate) mod documents;
pub(crate) mod pages;
