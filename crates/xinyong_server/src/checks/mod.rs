//! The credit check API for approval and trading systems.

pub mod api;
