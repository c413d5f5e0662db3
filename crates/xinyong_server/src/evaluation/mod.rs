//! Credit evaluation in the console and the API: the model in force with
//! the city's distribution of grades and supervision classes, the import
//! of grades other schemes gave (file or JSON), and a subject's grades.

pub mod api;
pub(crate) mod pages;
