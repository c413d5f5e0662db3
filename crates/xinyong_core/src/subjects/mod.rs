//! Finding a subject the platform knows from what a clerk typed: the USCC of
//! a registered organisation or the ID number of a known person. Callers
//! word their own errors (a listing form and a ban form say it differently).

pub mod own_file;

use xinyong_domain::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::subjects::{PersonRow, SubjectRow};

use crate::error::Result;
use crate::log::Core;

/// What a typed subject code turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectLookup {
    /// Nothing typed.
    Empty,
    /// Neither a valid USCC nor a valid ID number.
    Malformed,
    /// A valid USCC no registered organisation has.
    UnknownOrganisation(Uscc),
    /// A valid ID number of nobody the platform knows.
    UnknownPerson(IdNumber),
    Found(RecordSubject),
}

/// Looks `typed` up: an organisation by USCC first, then a person by ID number.
pub async fn lookup_subject(core: &Core, typed: &str) -> Result<SubjectLookup> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(SubjectLookup::Empty);
    }
    let uscc = Uscc::parse(typed).ok();
    let id = IdNumber::parse(typed).ok();
    if let Some(uscc) = &uscc
        && let Some(row) = core.store().get(SubjectRow::key(uscc)).await?
    {
        let name = row.name;
        return Ok(SubjectLookup::Found(RecordSubject {
            kind: "legal_person".to_owned(),
            key: uscc.as_str().to_owned(),
            name,
        }));
    }
    if let Some(id) = &id
        && let Some(row) = core.store().get(PersonRow::key(id)).await?
    {
        let name = row.name;
        return Ok(SubjectLookup::Found(RecordSubject {
            kind: "natural_person".to_owned(),
            key: id.as_str().to_owned(),
            name,
        }));
    }
    Ok(match (uscc, id) {
        (Some(uscc), _) => SubjectLookup::UnknownOrganisation(uscc),
        (None, Some(id)) => SubjectLookup::UnknownPerson(id),
        (None, None) => SubjectLookup::Malformed,
    })
}
