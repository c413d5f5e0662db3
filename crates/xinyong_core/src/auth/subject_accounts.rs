//! Market subjects' own accounts (企业账号): the activation letter with a
//! one-time code (issued by the credit office or a department's counter),
//! the first account opened with it, logins, and the company's staff
//! accounts. Every change is an event; the code itself is never stored,
//! only its SHA-256.

use chrono::{Days, NaiveDate};
use sha2::{Digest, Sha256};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{
    ActivationMethod, AuthEvent, SubjectAccount, SubjectAccountRole, SubjectAccountRow, valid_login,
};
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;
use xinyong_domain::subjects::{PersonRow, RelationRole, SubjectRow};
use xinyong_storage::auth as queries;

use super::policy::{Action, Principal, Resource, SubjectPrincipal, authorize};
use super::{
    DUMMY_HASH, Session, check_password_policy, constant_time_eq, hash_password, open_session, verify_password,
};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// Letters of an activation code: Crockford's base32 without I, L, O, U,
/// so a code read aloud or typed from paper is not misread.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Most accounts one company holds.
pub const MAX_ACCOUNTS_PER_COMPANY: u32 = 50;

/// An activation letter just issued: what the printed letter shows. The
/// code is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationLetter {
    pub code_id: String,
    /// `XXXX-XXXX-XXXX-XXXX`.
    pub code: String,
    pub uscc: Uscc,
    pub company_name: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub issued_by: String,
}

/// 80 random bits as sixteen code letters in groups of four.
fn format_code(secret: &[u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in secret {
        bits = (bits << 8) | u128::from(*b);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 75 - 5 * i;
        out.push(char::from(CODE_ALPHABET[((bits >> shift) & 31) as usize]));
    }
    out
}

/// The code as typed, normalised: upper case, without separators and
/// spaces, the usual misreadings (O→0, I/L→1) folded.
fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn code_sha256(uscc: &Uscc, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"xinyong-activation-code\x1f");
    h.update(uscc.as_str().as_bytes());
    h.update([0x1f]);
    h.update(normalise_code(code).as_bytes());
    hex::encode(h.finalize())
}

/// Issues an activation letter for a registered organisation. `secret` must
/// be 10 bytes from a cryptographic random source.
pub async fn issue_activation_code(
    core: &Core,
    principal: &Principal,
    uscc: &Uscc,
    secret: [u8; 10],
) -> Result<ActivationLetter> {
    authorize(principal, Action::IssueActivationCode, &Resource::unknown_for(principal))?;
    let Some(subject) = core.store().get(SubjectRow::key(uscc)).await? else {
        return Err(CoreError::NotFound {
            what: format!("统一社会信用代码为 {uscc} 的主体"),
            code: "subject_not_found",
        });
    };
    let code = format_code(&secret);
    let issued_on = china_today(core);
    let days = u64::from(core.settings().redress.activation_code_days);
    let expires_on = issued_on.checked_add_days(Days::new(days)).unwrap_or(issued_on);
    let code_sha256 = code_sha256(uscc, &code);
    let code_id = digest_id("AC", &[uscc.as_str(), &code_sha256]);
    let issued_by = principal.actor().as_str().to_owned();
    let body = AuthEvent::ActivationCodeIssued {
        code_id: code_id.clone(),
        uscc: uscc.clone(),
        code_sha256,
        issued_on,
        expires_on,
        issued_by: issued_by.clone(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(ActivationLetter {
        code_id,
        code,
        uscc: uscc.clone(),
        company_name: subject.name,
        issued_on,
        expires_on,
        issued_by,
    })
}

/// What a company types to open its first account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub uscc: Uscc,
    pub code: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
}

fn activation_failed() -> CoreError {
    // One answer for every wrong code, so the form tells a guesser nothing.
    CoreError::invalid("activation_failed", "统一社会信用代码或开通码不正确，或开通码已使用、已过期")
}

fn check_account_fields(username: &str, display_name: &str) -> Result<String> {
    if !valid_login(username) {
        return Err(CoreError::invalid("username_invalid", "账号名须为 2–32 个小写字母、数字或 _ . -"));
    }
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 32 || display_name.chars().any(char::is_control) {
        return Err(CoreError::invalid("display_name_invalid", "使用人称呼须为 1–32 个字符"));
    }
    Ok(display_name.to_owned())
}

/// Opens the company's legal-representative account with an activation code.
pub async fn activate(core: &Core, a: &Activation) -> Result<SubjectPrincipal> {
    let display_name = check_account_fields(&a.username, &a.display_name)?;
    check_password_policy(&a.password)?;
    let wanted = code_sha256(&a.uscc, &a.code);
    let codes = queries::activation_codes_of(core.store(), &a.uscc, 100).await?;
    let today = china_today(core);
    let Some(code) = codes.into_iter().find(|c| constant_time_eq(c.code_sha256.as_bytes(), wanted.as_bytes())) else {
        return Err(activation_failed());
    };
    if code.used_seq.is_some() || code.expires_on < today {
        return Err(activation_failed());
    }
    if core.store().get(SubjectAccountRow::key(&a.uscc, a.username.as_str())).await?.is_some() {
        return Err(CoreError::invalid("username_taken", format!("本企业已有账号名“{}”，请换一个", a.username)));
    }
    let account = SubjectAccount {
        uscc: a.uscc.clone(),
        username: a.username.clone(),
        display_name,
        role: SubjectAccountRole::LegalRepresentative,
        password_hash: hash_password(&a.password).await?,
    };
    let principal = SubjectPrincipal {
        uscc: a.uscc.clone(),
        username: a.username.clone(),
        role: SubjectAccountRole::LegalRepresentative,
    };
    let body = AuthEvent::SubjectAccountOpened { account, method: ActivationMethod::Code, code_id: Some(code.code_id) };
    core.append(vec![NewEvent::new(Principal::Subject(principal.clone()).actor(), body)]).await?;
    Ok(principal)
}

/// What a company types to open its first account without a letter: its
/// legal representative's name and resident ID number, as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationActivation {
    pub uscc: Uscc,
    pub representative_name: String,
    pub representative_id: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
}

fn registration_mismatch() -> CoreError {
    // One answer for an unknown company, another name or another number.
    CoreError::invalid("activation_failed", "法定代表人姓名或身份证号码与登记信息不一致")
}

/// Opens the company's main account when the legal representative's name
/// and ID number match the registration data (an active legal
/// representative or an individual business's operator). Callers rate-limit
/// attempts; the ID number is never logged in clear.
pub async fn activate_by_registration(core: &Core, a: &RegistrationActivation) -> Result<SubjectPrincipal> {
    let display_name = check_account_fields(&a.username, &a.display_name)?;
    check_password_policy(&a.password)?;
    let Ok(id) = xinyong_domain::IdNumber::parse(a.representative_id.trim()) else {
        return Err(registration_mismatch());
    };
    let relations = xinyong_storage::subjects::relations_of(core.store(), &a.uscc, 100).await?;
    let holder = relations.iter().find(|r| {
        r.active && r.id_number == id && matches!(r.role, RelationRole::LegalRepresentative | RelationRole::Principal)
    });
    let Some(holder) = holder else { return Err(registration_mismatch()) };
    let person = core.store().get(PersonRow::key(&holder.id_number)).await?;
    if person.is_none_or(|p| p.name.trim() != a.representative_name.trim()) {
        return Err(registration_mismatch());
    }
    if core.store().get(SubjectAccountRow::key(&a.uscc, a.username.as_str())).await?.is_some() {
        return Err(CoreError::invalid("username_taken", format!("本企业已有账号名“{}”，请换一个", a.username)));
    }
    let account = SubjectAccount {
        uscc: a.uscc.clone(),
        username: a.username.clone(),
        display_name,
        role: SubjectAccountRole::LegalRepresentative,
        password_hash: hash_password(&a.password).await?,
    };
    let principal = SubjectPrincipal {
        uscc: a.uscc.clone(),
        username: a.username.clone(),
        role: SubjectAccountRole::LegalRepresentative,
    };
    let body = AuthEvent::SubjectAccountOpened { account, method: ActivationMethod::RegistrationMatch, code_id: None };
    core.append(vec![NewEvent::new(Principal::Subject(principal.clone()).actor(), body)]).await?;
    Ok(principal)
}

/// The session login of a subject account: `subject:<USCC>:<username>`.
pub fn session_login(uscc: &Uscc, username: &str) -> String {
    format!("subject:{}:{username}", uscc.as_str())
}

/// Reads a session login written by [`session_login`].
pub fn parse_session_login(login: &str) -> Option<(Uscc, String)> {
    let rest = login.strip_prefix("subject:")?;
    let (uscc, username) = rest.split_once(':')?;
    Some((Uscc::parse(uscc).ok()?, username.to_owned()))
}

fn login_failed() -> CoreError {
    CoreError::invalid("login_failed", "统一社会信用代码、账号名或密码错误")
}

/// Checks a subject account's password (and its dynamic code, when the
/// account turned the second factor on) and opens a session.
pub async fn subject_login(
    core: &Core,
    uscc: &Uscc,
    username: &str,
    password: &str,
    totp: Option<&str>,
    session_secret: [u8; 32],
) -> Result<Session> {
    let found =
        if valid_login(username) { core.store().get(SubjectAccountRow::key(uscc, username)).await? } else { None };
    let Some(account) = found else {
        verify_password(password, DUMMY_HASH).await?;
        return Err(login_failed());
    };
    if !verify_password(password, &account.password_hash).await? {
        return Err(login_failed());
    }
    if !account.active {
        return Err(CoreError::Forbidden { code: "user_disabled", message: "该账号已停用".to_owned() });
    }
    if let Some(secret) = &account.totp_secret {
        let typed = totp.map(str::trim).filter(|t| !t.is_empty());
        let Some(typed) = typed else {
            return Err(CoreError::invalid("totp_required", "该账号已开启动态验证码，请输入验证器上的 6 位数字"));
        };
        if !super::totp::verify(secret, typed, core.now().timestamp()) {
            return Err(login_failed());
        }
    }
    open_session(core, &session_login(uscc, username), session_secret).await
}

/// A company account as its own pages show it (never the hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectAccountView {
    pub username: String,
    pub display_name: String,
    pub role: SubjectAccountRole,
    pub active: bool,
}

/// The company's accounts.
pub async fn accounts_of(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<SubjectAccountView>> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    let rows = queries::subject_accounts_of(core.store(), uscc, MAX_ACCOUNTS_PER_COMPANY).await?;
    Ok(rows
        .into_iter()
        .map(|r| SubjectAccountView {
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            active: r.active,
        })
        .collect())
}

/// The legal-representative account adds a staff account of its company.
pub async fn add_staff_account(
    core: &Core,
    principal: &Principal,
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<()> {
    let owner = legal_representative(principal)?;
    let display_name = check_account_fields(username, display_name)?;
    check_password_policy(password)?;
    let existing = queries::subject_accounts_of(core.store(), &owner.uscc, MAX_ACCOUNTS_PER_COMPANY).await?;
    if existing.iter().any(|r| r.username == username) {
        return Err(CoreError::invalid("username_taken", format!("本企业已有账号名“{username}”，请换一个")));
    }
    if existing.len() >= MAX_ACCOUNTS_PER_COMPANY as usize {
        return Err(CoreError::invalid("too_many_accounts", format!("每个企业最多 {MAX_ACCOUNTS_PER_COMPANY} 个账号")));
    }
    let account = SubjectAccount {
        uscc: owner.uscc.clone(),
        username: username.to_owned(),
        display_name,
        role: SubjectAccountRole::Staff,
        password_hash: hash_password(password).await?,
    };
    let body = AuthEvent::SubjectAccountOpened { account, method: ActivationMethod::AddedByCompany, code_id: None };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// A company account changes its own password (the current one first), and
/// every other session of it ends.
pub async fn change_password(core: &Core, principal: &Principal, current: &str, new: &str) -> Result<()> {
    let Principal::Subject(me) = principal else {
        return Err(CoreError::Forbidden {
            code: "subject_account_required",
            message: "请用企业账号登录后办理".to_owned(),
        });
    };
    let Some(row) = core.store().get(SubjectAccountRow::key(&me.uscc, me.username.as_str())).await? else {
        return Err(CoreError::NotFound { what: format!("账号“{}”", me.username), code: "account_not_found" });
    };
    if !verify_password(current, &row.password_hash).await? {
        return Err(CoreError::invalid("password_wrong", "当前密码不正确"));
    }
    check_password_policy(new)?;
    let body = AuthEvent::SubjectAccountPasswordChanged {
        uscc: me.uscc.clone(),
        username: me.username.clone(),
        password_hash: hash_password(new).await?,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    core.store().delete_sessions_of(&session_login(&me.uscc, &me.username)).await?;
    Ok(())
}

/// Turns the account's second factor on: the secret shown to it, confirmed
/// with a code its authenticator app computed from it.
pub async fn enable_totp(core: &Core, principal: &Principal, secret_base32: &str, code: &str) -> Result<()> {
    let me = own_account(principal)?;
    let secret = secret_base32.trim().to_ascii_uppercase();
    if super::totp::base32_decode(&secret).is_none_or(|s| s.len() < 10) {
        return Err(CoreError::invalid("totp_secret_invalid", "密钥无效，请刷新页面重新开始"));
    }
    if !super::totp::verify(&secret, code, core.now().timestamp()) {
        return Err(CoreError::invalid(
            "totp_wrong",
            "验证码不正确：请确认手机时间准确，并输入验证器上当前显示的 6 位数字",
        ));
    }
    let body =
        AuthEvent::SubjectTotpEnabled { uscc: me.uscc.clone(), username: me.username.clone(), secret_base32: secret };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// Turns the second factor off, with the account's password.
pub async fn disable_totp(core: &Core, principal: &Principal, password: &str) -> Result<()> {
    let me = own_account(principal)?;
    let Some(row) = core.store().get(SubjectAccountRow::key(&me.uscc, me.username.as_str())).await? else {
        return Err(CoreError::NotFound { what: format!("账号“{}”", me.username), code: "account_not_found" });
    };
    if !verify_password(password, &row.password_hash).await? {
        return Err(CoreError::invalid("password_wrong", "当前密码不正确"));
    }
    if row.totp_secret.is_some() {
        let body = AuthEvent::SubjectTotpDisabled { uscc: me.uscc.clone(), username: me.username.clone() };
        core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    }
    Ok(())
}

/// Whether the account has its second factor on.
pub async fn totp_enabled(core: &Core, principal: &Principal) -> Result<bool> {
    let me = own_account(principal)?;
    let row = core.store().get(SubjectAccountRow::key(&me.uscc, me.username.as_str())).await?;
    Ok(row.is_some_and(|r| r.totp_secret.is_some()))
}

fn own_account(principal: &Principal) -> Result<&SubjectPrincipal> {
    match principal {
        Principal::Subject(s) => Ok(s),
        _ => Err(CoreError::Forbidden {
            code: "subject_account_required",
            message: "请用企业账号登录后办理".to_owned(),
        }),
    }
}

/// The legal-representative account removes a staff account of its company
/// and ends its sessions.
pub async fn remove_staff_account(core: &Core, principal: &Principal, username: &str) -> Result<()> {
    let owner = legal_representative(principal)?;
    let Some(row) = core.store().get(SubjectAccountRow::key(&owner.uscc, username)).await? else {
        return Err(CoreError::NotFound { what: format!("账号“{username}”"), code: "account_not_found" });
    };
    if row.role != SubjectAccountRole::Staff {
        return Err(CoreError::invalid("account_is_main", "主账号不能在这里停用，请联系信用办"));
    }
    if row.active {
        let body = AuthEvent::SubjectAccountDisabled { uscc: owner.uscc.clone(), username: username.to_owned() };
        core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    }
    core.store().delete_sessions_of(&session_login(&owner.uscc, username)).await?;
    Ok(())
}

fn legal_representative(principal: &Principal) -> Result<&SubjectPrincipal> {
    match principal {
        Principal::Subject(s) if s.role == SubjectAccountRole::LegalRepresentative => Ok(s),
        Principal::Subject(_) => Err(CoreError::Forbidden {
            code: "main_account_required",
            message: "只有企业主账号可以管理经办人账号".to_owned(),
        }),
        _ => Err(CoreError::Forbidden {
            code: "subject_account_required",
            message: "请用企业账号登录后办理".to_owned(),
        }),
    }
}

/// The account behind a subject session login, if it is live.
pub(super) async fn session_account(core: &Core, login: &str) -> Result<Option<(SubjectPrincipal, String)>> {
    let Some((uscc, username)) = parse_session_login(login) else { return Ok(None) };
    let Some(row) = core.store().get(SubjectAccountRow::key(&uscc, username.as_str())).await? else {
        return Ok(None);
    };
    if !row.active {
        return Ok(None);
    }
    Ok(Some((SubjectPrincipal { uscc, username, role: row.role }, row.display_name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_unambiguous_letters_and_survive_misreading() {
        let code = format_code(&[0xff, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
        assert_eq!(code.len(), 19);
        assert!(code.replace('-', "").bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
        let uscc = Uscc::parse("91370102MA3C8Y4N2P").unwrap_or_else(|_| Uscc::parse("911100007109311097").unwrap());
        let typed = code.to_lowercase().replace('0', "o").replace('-', " ");
        assert_eq!(code_sha256(&uscc, &code), code_sha256(&uscc, &typed));
    }
}
