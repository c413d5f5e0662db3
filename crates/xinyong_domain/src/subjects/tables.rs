//! The subjects context's projection tables.

use crate::codes::id_number::IdNumber;
use crate::codes::uscc::Uscc;
use crate::projection::TableSpec;
use crate::subjects::{RelationRole, SubjectStatus};

crate::projection::table! {
    /// Organisations with a USCC.
    pub struct SubjectRow in SUBJECTS = "subjects" {
        key { uscc: Uscc }
        name: String,
        status: SubjectStatus,
        /// Positions 3–8 of the USCC: the registering authority's division.
        division: String,
        seq: u64,
    }
}

crate::projection::table! {
    /// Natural persons. Never served on public pages or public APIs.
    pub struct PersonRow in PERSONS = "persons" {
        key { id_number: IdNumber }
        name: String,
        seq: u64,
    }
}

crate::projection::table! {
    /// Roles of natural persons in organisations.
    pub struct RelationRow in RELATIONS = "relations" {
        key { uscc: Uscc, id_number: IdNumber, role: RelationRole }
        active: bool,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&SUBJECTS, &PERSONS, &RELATIONS]
}
