use xinyong_storage::StorageError;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Errors of the use cases. `code()` is the stable machine code the API
/// envelope carries; `Display` is the Chinese message for people.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("未找到{what}")]
    NotFound { what: String, code: &'static str },
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// The caller may not do this (e.g. a department submitting another's item).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Nobody is calling where the access policy needs somebody.
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    #[error("存储错误：{0}")]
    Storage(#[from] StorageError),
    #[error("透明日志错误：{0}")]
    Log(String),
    #[error("签名密钥错误：{0}")]
    Key(String),
    /// The signing key is not the one the log is signed with, or missing
    /// (`log_key_mismatch`, `log_key_missing`): nothing may be signed or
    /// appended with it.
    #[error("{message}")]
    LogKey { code: &'static str, message: String },
    /// A failure inside the process that is not the caller's fault (e.g. the
    /// password hasher); served as a 500.
    #[error("内部错误：{0}")]
    Internal(String),
}

impl CoreError {
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotFound { code, .. }
            | CoreError::Invalid { code, .. }
            | CoreError::Forbidden { code, .. }
            | CoreError::Unauthenticated { code, .. }
            | CoreError::LogKey { code, .. } => code,
            CoreError::Storage(_) => "storage_error",
            CoreError::Log(_) => "log_error",
            CoreError::Key(_) => "key_error",
            CoreError::Internal(_) => "internal_error",
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::Invalid { code, message: message.into() }
    }
}

/// A refusal of the access policy, as the use cases return it.
impl From<crate::auth::policy::Denied> for CoreError {
    fn from(denied: crate::auth::policy::Denied) -> CoreError {
        let (code, message) = (denied.code, denied.message.to_owned());
        if denied.is_unauthenticated() {
            CoreError::Unauthenticated { code, message }
        } else {
            CoreError::Forbidden { code, message }
        }
    }
}
