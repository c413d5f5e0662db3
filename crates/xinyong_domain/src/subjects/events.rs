//! What happens to subjects, and the rows each kind writes.

use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};
use crate::subjects::{
    LegalPerson, NaturalPerson, PersonRow, Relation, RelationRow, RoleHolder, SubjectName, SubjectRow,
};

/// Events of the subjects context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(SubjectsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum SubjectsEvent {
    /// An organisation became known to the platform, with the people who hold
    /// roles in it (at least the legal representative when the source has one).
    LegalPersonRegistered { subject: LegalPerson, people: Vec<RoleHolder> },
    /// Name or status of a known organisation changed.
    LegalPersonUpdated { subject: LegalPerson },
    /// A natural person became known on their own (e.g. a court dishonest debtor).
    NaturalPersonRegistered { person: NaturalPerson },
    /// A role was given to a person.
    RelationAdded { relation: Relation, person_name: SubjectName },
    /// A role ended.
    RelationEnded { relation: Relation },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl SubjectsEvent {
    /// The organisation named in the public entry; natural persons never are.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            SubjectsEvent::LegalPersonRegistered { subject, .. } | SubjectsEvent::LegalPersonUpdated { subject } => {
                Some(subject.uscc.as_str())
            }
            SubjectsEvent::RelationAdded { relation, .. } | SubjectsEvent::RelationEnded { relation } => {
                Some(relation.organisation.as_str())
            }
            SubjectsEvent::NaturalPersonRegistered { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            SubjectsEvent::LegalPersonRegistered { subject, people } => {
                let mut writes = vec![subject_row(subject, seq).upsert()?];
                for holder in people {
                    writes.push(person_row(&holder.person, seq).upsert()?);
                    let relation = Relation {
                        organisation: subject.uscc.clone(),
                        person: holder.person.id_number.clone(),
                        role: holder.role,
                    };
                    writes.push(relation_row(&relation, true, seq).upsert()?);
                }
                Ok(writes)
            }
            SubjectsEvent::LegalPersonUpdated { subject } => Ok(vec![subject_row(subject, seq).upsert()?]),
            SubjectsEvent::NaturalPersonRegistered { person } => Ok(vec![person_row(person, seq).upsert()?]),
            SubjectsEvent::RelationAdded { relation, person_name } => Ok(vec![
                PersonRow { id_number: relation.person.clone(), name: person_name.as_str().to_owned(), seq }
                    .upsert()?,
                relation_row(relation, true, seq).upsert()?,
            ]),
            SubjectsEvent::RelationEnded { relation } => Ok(vec![relation_row(relation, false, seq).upsert()?]),
        }
    }
}

fn subject_row(subject: &LegalPerson, seq: u64) -> SubjectRow {
    SubjectRow {
        uscc: subject.uscc.clone(),
        name: subject.name.as_str().to_owned(),
        status: subject.status,
        division: subject.uscc.division_code().to_owned(),
        seq,
    }
}

fn person_row(person: &NaturalPerson, seq: u64) -> PersonRow {
    PersonRow { id_number: person.id_number.clone(), name: person.name.as_str().to_owned(), seq }
}

fn relation_row(relation: &Relation, active: bool, seq: u64) -> RelationRow {
    RelationRow {
        uscc: relation.organisation.clone(),
        id_number: relation.person.clone(),
        role: relation.role,
        active,
        seq,
    }
}
