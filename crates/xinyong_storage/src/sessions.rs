//! Console sessions: operational state, not events. Only the SHA-256 of a
//! cookie value is stored.

use crate::sql::{Cols, Kind, Stmt};
use crate::{Result, Store, StoredSession};

impl dyn Store + '_ {
    /// Stores a new session; its `id_sha256` must be unused.
    pub async fn insert_session(&self, session: &StoredSession) -> Result<()> {
        let stmt = Stmt::new(
            "INSERT INTO sessions (id_sha256, login, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .arg(session.id_sha256.as_str())
        .arg(session.login.as_str())
        .arg(session.csrf_token.as_str())
        .arg(session.created_ms)
        .arg(session.expires_ms);
        self.execute(&stmt).await?;
        Ok(())
    }

    /// The session whose cookie value hashes to `id_sha256`, expired or not.
    pub async fn session_by_hash(&self, id_sha256: &str) -> Result<Option<StoredSession>> {
        let stmt =
            Stmt::new("SELECT id_sha256, login, csrf_token, created_ms, expires_ms FROM sessions WHERE id_sha256 = $1")
                .arg(id_sha256)
                .returns(&[Kind::Text, Kind::Text, Kind::Text, Kind::Int, Kind::Int]);
        let Some(row) = self.fetch(&stmt).await?.into_iter().next() else { return Ok(None) };
        let mut c = Cols::new(row, "sessions");
        Ok(Some(StoredSession {
            id_sha256: c.text()?,
            login: c.text()?,
            csrf_token: c.text()?,
            created_ms: c.int()?,
            expires_ms: c.int()?,
        }))
    }

    /// Ends one session (logout); `false` when there was none.
    pub async fn delete_session(&self, id_sha256: &str) -> Result<bool> {
        let stmt = Stmt::new("DELETE FROM sessions WHERE id_sha256 = $1").arg(id_sha256);
        Ok(self.execute(&stmt).await? > 0)
    }

    /// Ends every session of a user (disabled, or password changed).
    pub async fn delete_sessions_of(&self, login: &str) -> Result<u64> {
        self.execute(&Stmt::new("DELETE FROM sessions WHERE login = $1").arg(login)).await
    }

    /// Removes sessions with `expires_ms <= now_ms`; returns how many.
    pub async fn delete_expired_sessions(&self, now_ms: i64) -> Result<u64> {
        self.execute(&Stmt::new("DELETE FROM sessions WHERE expires_ms <= $1").arg(now_ms)).await
    }
}
