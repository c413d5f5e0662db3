//! Integration tests, one binary (helpers in `common` are shared).

mod common;
mod csv;
mod no_panic;
mod report;
mod xlsx;
