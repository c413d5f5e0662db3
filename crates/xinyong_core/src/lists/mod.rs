//! Lists (名单): the listing life cycle's use cases and its expiry job
//! (`listing`), what the console reads of listings (`queries`), bans,
//! interviews and the credit file (`credit_file`), and the one public rule
//! for list entries (`published`).

pub mod credit_file;
pub mod listing;
pub mod published;
pub mod queries;
