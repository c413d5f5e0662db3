//! Credit repair: the company applies on `/my`, the deciding department
//! decides on its console.

pub(crate) mod pages;
