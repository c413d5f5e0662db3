//! Baselines for `xinyong bench ingest`: the fastest plain way to put the same
//! rows into each database, with no log, no validation and no projections —
//! a multi-row INSERT into a bare table on SQLite, `COPY` on PostgreSQL. The
//! bench reports the real ingest rate next to these.

use crate::{PostgresStore, Result, SqliteStore};

/// `CREATE TABLE bench_bare (c0 TEXT, c1 TEXT, …)`, replacing any earlier one.
fn create_sql(columns: usize) -> String {
    let cols: Vec<String> = (0..columns).map(|i| format!("c{i} TEXT")).collect();
    format!("CREATE TABLE bench_bare ({})", cols.join(", "))
}

impl SqliteStore {
    /// Inserts `rows` (all of `columns` cells) into a fresh bare table in one
    /// transaction with multi-row INSERTs; returns the row count.
    pub async fn baseline_insert(&self, columns: usize, rows: &[Vec<String>]) -> Result<u64> {
        // The same connection and lock as an append, so the two rates compare.
        let mut tx = self.begin_write().await?;
        sqlx::query("DROP TABLE IF EXISTS bench_bare").execute(&mut *tx).await?;
        sqlx::query(sqlx::AssertSqlSafe(create_sql(columns))).execute(&mut *tx).await?;
        let per_statement = (30_000 / columns.max(1)).max(1);
        for chunk in rows.chunks(per_statement) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO bench_bare ");
            qb.push_values(chunk, |mut b, row| {
                for cell in row.iter().take(columns) {
                    b.push_bind(cell.clone());
                }
            });
            qb.build().execute(&mut *tx).await?;
        }
        sqlx::query("DROP TABLE bench_bare").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}

impl PostgresStore {
    /// `COPY`s `rows` (CSV) into a fresh bare table; returns the row count.
    pub async fn baseline_copy(&self, columns: usize, rows: &[Vec<String>]) -> Result<u64> {
        use sqlx::postgres::PgPoolCopyExt as _;
        sqlx::query("DROP TABLE IF EXISTS bench_bare").execute(&self.pool).await?;
        sqlx::query(sqlx::AssertSqlSafe(create_sql(columns))).execute(&self.pool).await?;
        let mut copy = self.pool.copy_in_raw("COPY bench_bare FROM STDIN WITH (FORMAT csv)").await?;
        let mut buf = Vec::with_capacity(1 << 20);
        for row in rows {
            for (i, cell) in row.iter().take(columns).enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.push(b'"');
                buf.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                buf.push(b'"');
            }
            buf.push(b'\n');
            if buf.len() > (1 << 20) {
                copy.send(std::mem::take(&mut buf)).await?;
            }
        }
        if !buf.is_empty() {
            copy.send(buf).await?;
        }
        let n = copy.finish().await?;
        sqlx::query("DROP TABLE bench_bare").execute(&self.pool).await?;
        Ok(n)
    }
}
