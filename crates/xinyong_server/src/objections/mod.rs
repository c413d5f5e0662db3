//! Objections to records: filed on `/my` or at a department's counter,
//! answered on the department's console.

pub(crate) mod pages;
