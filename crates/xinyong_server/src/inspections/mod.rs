//! 双随机、一公开: the departments' console (items, inspectors, tasks from
//! plan to publication) and the portal's published draws with the record
//! anyone can recompute.

pub(crate) mod pages;
pub(crate) mod portal;
