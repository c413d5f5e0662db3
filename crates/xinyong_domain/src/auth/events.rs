//! What happens to departments, users and tokens, and the rows each kind writes.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::Uscc;
use crate::auth::{
    AccessAuditRow, ActivationCodeRow, ActivationMethod, ApiTokenRow, Department, DepartmentCode, DepartmentRow,
    SubjectAccount, SubjectAccountRow, User, UserRow,
};
use crate::event::EventMeta;
use crate::projection::{Joined, ProjectionError, ProjectionWrite, Row as _};

/// Events of the auth context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(AuthKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum AuthEvent {
    /// A department joined the platform (or its details changed).
    DepartmentRegistered {
        department: Department,
    },
    /// A console user was created.
    UserCreated {
        user: User,
    },
    UserPasswordChanged {
        login: String,
        password_hash: String,
    },
    UserDisabled {
        login: String,
    },
    /// An administrator gave a user a temporary password (only its hash
    /// here): it serves only to set a new one at the next login.
    UserPasswordReset {
        login: String,
        password_hash: String,
    },
    /// An API token for a department's system; only its SHA-256 is kept.
    ApiTokenIssued {
        token_id: String,
        department: DepartmentCode,
        label: String,
        secret_sha256: String,
    },
    ApiTokenRevoked {
        token_id: String,
    },
    /// Somebody read personal data (a credit file's people, a person's
    /// file): the audit trail. `subject` is a USCC or a masked ID number;
    /// no unmasked personal data is in the event.
    PersonalDataRead {
        reader: String,
        /// The reader's roles (`operator,reviewer`), `token` or `system`.
        reader_roles: String,
        reader_department: Option<DepartmentCode>,
        reason: String,
        /// What was read: `credit_file.people`, `person_file`.
        what: String,
        subject: String,
    },
    /// An activation letter for a market subject's first account was issued
    /// (credit office or a department's counter). Only the code's SHA-256 is
    /// in the event.
    ActivationCodeIssued {
        code_id: String,
        uscc: Uscc,
        code_sha256: String,
        issued_on: NaiveDate,
        expires_on: NaiveDate,
        issued_by: String,
    },
    /// A market subject's account was opened: with an activation code (which
    /// is used up) or by the company's legal-representative account.
    SubjectAccountOpened {
        account: SubjectAccount,
        method: ActivationMethod,
        code_id: Option<String>,
    },
    SubjectAccountPasswordChanged {
        uscc: Uscc,
        username: String,
        password_hash: String,
    },
    /// A staff account removed by the company (or by the credit office).
    SubjectAccountDisabled {
        uscc: Uscc,
        username: String,
    },
    /// The account turned on its second factor (TOTP, RFC 6238): the shared
    /// secret, base32. The log holds only a commitment to it.
    SubjectTotpEnabled {
        uscc: Uscc,
        username: String,
        secret_base32: String,
    },
    SubjectTotpDisabled {
        uscc: Uscc,
        username: String,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl AuthEvent {
    /// None of these name a subject.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            AuthEvent::DepartmentRegistered { .. }
            | AuthEvent::UserCreated { .. }
            | AuthEvent::UserPasswordChanged { .. }
            | AuthEvent::UserDisabled { .. }
            | AuthEvent::UserPasswordReset { .. }
            | AuthEvent::ApiTokenIssued { .. }
            | AuthEvent::ApiTokenRevoked { .. }
            | AuthEvent::PersonalDataRead { .. }
            | AuthEvent::ActivationCodeIssued { .. }
            | AuthEvent::SubjectAccountOpened { .. }
            | AuthEvent::SubjectAccountPasswordChanged { .. }
            | AuthEvent::SubjectAccountDisabled { .. }
            | AuthEvent::SubjectTotpEnabled { .. }
            | AuthEvent::SubjectTotpDisabled { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        let write = match self {
            AuthEvent::DepartmentRegistered { department: d } => DepartmentRow {
                code: d.code.clone(),
                name: d.name.clone(),
                uscc: d.uscc.clone(),
                district: d.district.clone(),
                sector: d.sector.clone(),
                seq,
            }
            .upsert()?,
            AuthEvent::UserCreated { user: u } => UserRow {
                login: u.login.clone(),
                display_name: u.display_name.clone(),
                department: u.department.clone(),
                roles: Joined(u.roles.clone()),
                password_hash: u.password_hash.clone(),
                active: true,
                must_change_password: false,
                seq,
            }
            .upsert()?,
            AuthEvent::UserPasswordChanged { login, password_hash } => UserRow::key(login)
                .update(seq)
                .password_hash(password_hash.clone())
                .must_change_password(false)
                .write()?,
            AuthEvent::UserPasswordReset { login, password_hash } => UserRow::key(login)
                .update(seq)
                .password_hash(password_hash.clone())
                .must_change_password(true)
                .write()?,
            AuthEvent::UserDisabled { login } => UserRow::key(login).update(seq).active(false).write()?,
            AuthEvent::ApiTokenIssued { token_id, department, label, secret_sha256 } => ApiTokenRow {
                token_id: token_id.clone(),
                department: department.clone(),
                label: label.clone(),
                secret_sha256: secret_sha256.clone(),
                revoked: false,
                seq,
            }
            .upsert()?,
            AuthEvent::ApiTokenRevoked { token_id } => ApiTokenRow::key(token_id).update(seq).revoked(true).write()?,
            AuthEvent::PersonalDataRead { reader, reader_roles, reader_department, reason, what, subject } => {
                AccessAuditRow {
                    entry: seq,
                    read_at_ms: at.time_ms(),
                    reader: reader.clone(),
                    reader_roles: reader_roles.clone(),
                    reader_department: reader_department.clone(),
                    reason: reason.clone(),
                    what: what.clone(),
                    subject: subject.clone(),
                    seq,
                }
                .upsert()?
            }
            AuthEvent::ActivationCodeIssued { .. }
            | AuthEvent::SubjectAccountOpened { .. }
            | AuthEvent::SubjectAccountPasswordChanged { .. }
            | AuthEvent::SubjectAccountDisabled { .. }
            | AuthEvent::SubjectTotpEnabled { .. }
            | AuthEvent::SubjectTotpDisabled { .. } => return self.subject_account_writes(seq),
        };
        Ok(vec![write])
    }

    /// The rows of the subject-account kinds (activation codes and accounts).
    fn subject_account_writes(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let write = match self {
            AuthEvent::ActivationCodeIssued { code_id, uscc, code_sha256, issued_on, expires_on, issued_by } => {
                ActivationCodeRow {
                    code_id: code_id.clone(),
                    uscc: uscc.clone(),
                    code_sha256: code_sha256.clone(),
                    expires_on: *expires_on,
                    issued_by: issued_by.clone(),
                    issued_on: *issued_on,
                    used_seq: None,
                    seq,
                }
                .upsert()?
            }
            AuthEvent::SubjectAccountOpened { account, method: _, code_id } => {
                let row = SubjectAccountRow {
                    uscc: account.uscc.clone(),
                    username: account.username.clone(),
                    display_name: account.display_name.clone(),
                    role: account.role,
                    password_hash: account.password_hash.clone(),
                    active: true,
                    totp_secret: None,
                    seq,
                }
                .upsert()?;
                let Some(code_id) = code_id else { return Ok(vec![row]) };
                return Ok(vec![row, ActivationCodeRow::key(code_id).update(seq).used_seq(Some(seq)).write()?]);
            }
            AuthEvent::SubjectAccountPasswordChanged { uscc, username, password_hash } => {
                SubjectAccountRow::key(uscc, username).update(seq).password_hash(password_hash.clone()).write()?
            }
            AuthEvent::SubjectAccountDisabled { uscc, username } => {
                SubjectAccountRow::key(uscc, username).update(seq).active(false).write()?
            }
            AuthEvent::SubjectTotpEnabled { uscc, username, secret_base32 } => {
                SubjectAccountRow::key(uscc, username).update(seq).totp_secret(Some(secret_base32.clone())).write()?
            }
            AuthEvent::SubjectTotpDisabled { uscc, username } => {
                SubjectAccountRow::key(uscc, username).update(seq).totp_secret(None).write()?
            }
            AuthEvent::DepartmentRegistered { .. }
            | AuthEvent::UserCreated { .. }
            | AuthEvent::UserPasswordChanged { .. }
            | AuthEvent::UserDisabled { .. }
            | AuthEvent::UserPasswordReset { .. }
            | AuthEvent::ApiTokenIssued { .. }
            | AuthEvent::ApiTokenRevoked { .. }
            | AuthEvent::PersonalDataRead { .. } => return Ok(Vec::new()),
        };
        Ok(vec![write])
    }
}
