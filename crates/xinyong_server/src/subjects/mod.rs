//! The market subject's side: company accounts (`/my/login`,
//! `/my/activate`, staff accounts), the company's own credit file (`/my`)
//! and its export, and the console's activation letters.

pub(crate) mod accounts;
pub(crate) mod own_file;

use axum::http::header;
use xinyong_core::auth::policy::{self, Action, Denied, Principal, Resource, SubjectPrincipal};

use crate::AppState;
use crate::auth::{ConsoleCaller, PageError};

/// Pages about a company's own things are never cached.
pub(crate) const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// The company account calling a `/my` page, allowed `action` on its own
/// company; nobody goes to the company login, anybody else gets 403.
pub(crate) fn company(state: &AppState, caller: &ConsoleCaller, action: Action) -> Result<SubjectPrincipal, PageError> {
    match &caller.principal {
        Principal::Subject(s) => {
            caller.authorize(state, action, &Resource::Subject(s.uscc.clone()))?;
            Ok(s.clone())
        }
        other => {
            let denied =
                policy::authorize(other, action, &Resource::Platform).err().unwrap_or_else(Denied::unauthenticated);
            Err(caller.refuse(state, denied).into())
        }
    }
}
