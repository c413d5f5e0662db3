//! Codes that identify subjects and places: the unified social credit code
//! (USCC, GB 32100-2015), the resident identity number (GB 11643-1999), the
//! administrative division code (GB/T 2260), and the checker behind
//! `xinyong codes check` that tells them apart in a clerk's spreadsheet.

pub mod check;
pub mod division;
pub mod id_number;
pub mod uscc;

// Stored codes come back leniently, as through serde: a pilot code admitted on
// import with a checksum warning must still read back.
crate::projection::text_column!(uscc::Uscc, |s| uscc::Uscc::try_from(s.to_owned()).ok());
// An ID number identifies a natural person: masked in every message.
crate::projection::text_column!(id_number::IdNumber, |s| id_number::IdNumber::parse(s).ok(), personal = true);
