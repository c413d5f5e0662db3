//! Baseline for `xinyong bench search`: SQLite FTS5 with the trigram
//! tokenizer over the same names, the search a SQLite deployment would get
//! without our index.
//!
//! The trigram index can only answer queries of three or more characters
//! (`MATCH`, ranked by bm25); two-character queries fall back to
//! `LIKE '%xx%'`, which SQLite answers by scanning the table (unranked, rowid
//! order). The bench reports how many queries took that path.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Pool, Row, Sqlite};

use crate::Result;

/// Names per INSERT statement (well under SQLite's 32,766 parameters).
const INSERT_CHUNK: usize = 10_000;

/// An in-memory FTS5 trigram table of names; row `i + 1` is `names[i]`.
#[derive(Debug)]
pub struct Fts5Baseline {
    pool: Pool<Sqlite>,
}

/// How a query was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fts5Method {
    /// Three or more characters: the trigram index, `ORDER BY rank`.
    Match,
    /// Fewer: `LIKE '%…%'`, a full scan.
    Like,
}

/// Builds the table (in memory, one connection that is never recycled, so
/// the database lives as long as the returned value).
pub async fn fts5_baseline(names: &[String]) -> Result<Fts5Baseline> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await?;
    sqlx::query("CREATE VIRTUAL TABLE names USING fts5(name, tokenize = 'trigram')").execute(&pool).await?;
    let mut tx = pool.begin().await?;
    for (chunk_no, chunk) in names.chunks(INSERT_CHUNK).enumerate() {
        let mut qb = sqlx::QueryBuilder::new("INSERT INTO names (rowid, name) ");
        let first = chunk_no * INSERT_CHUNK + 1;
        qb.push_values(chunk.iter().enumerate(), |mut b, (i, name)| {
            b.push_bind((first + i) as i64).push_bind(name.as_str());
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Fts5Baseline { pool })
}

impl Fts5Baseline {
    /// Rowids of up to `limit` names containing `query`, best first for
    /// `MATCH` (bm25), in rowid order for `LIKE`.
    pub async fn query(&self, query: &str, limit: u32) -> Result<(Vec<i64>, Fts5Method)> {
        let (sql, pattern, method) = if query.chars().count() >= 3 {
            // An FTS5 string: the whole query as one phrase, quotes doubled.
            let phrase = format!("\"{}\"", query.replace('"', "\"\""));
            ("SELECT rowid FROM names WHERE names MATCH $1 ORDER BY rank LIMIT $2", phrase, Fts5Method::Match)
        } else {
            let escaped = query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            (
                "SELECT rowid FROM names WHERE name LIKE $1 ESCAPE '\\' LIMIT $2",
                format!("%{escaped}%"),
                Fts5Method::Like,
            )
        };
        let rows = sqlx::query(sql).bind(pattern).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        let ids = rows.iter().map(|r| r.try_get::<i64, _>(0)).collect::<std::result::Result<_, _>>()?;
        Ok((ids, method))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn trigram_match_for_three_characters_like_for_two() {
        let names: Vec<String> =
            ["济南泉润商贸有限公司", "山东鲁泉科技有限公司", "济南舜耕100%物流有限公司"].map(str::to_owned).to_vec();
        let fts = fts5_baseline(&names).await.expect("build");
        assert_eq!(fts.query("泉润商", 10).await.expect("query"), (vec![1], Fts5Method::Match));
        assert_eq!(fts.query("鲁泉", 10).await.expect("query"), (vec![2], Fts5Method::Like));
        let (mut both, _) = fts.query("有限公司", 10).await.expect("query");
        both.sort_unstable();
        assert_eq!(both, [1, 2, 3]);
        // LIKE wildcards and FTS5 quotes in queries are literal text.
        assert_eq!(fts.query("0%", 10).await.expect("query").0, [3]);
        assert!(fts.query("\"泉润", 10).await.expect("query").0.is_empty());
    }
}
