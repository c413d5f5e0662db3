//! Who is calling (`extract`: sessions, bearer tokens, CSRF) and the console's
//! own pages: login, the console home, users and API tokens (`pages`).

mod extract;
pub(crate) mod pages;

pub use extract::*;
