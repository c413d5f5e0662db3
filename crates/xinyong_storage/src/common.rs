//! The SQL shared by both backends. Both databases accept the same text
//! (`$n` placeholders, `ON CONFLICT … DO UPDATE`, BIGINT/TEXT/BLOB columns), so
//! the `Store` implementation is written once and stamped out per backend with
//! [`impl_store!`]. What differs (connection set-up, the write lock, the
//! migration tree) lives in `sqlite.rs` and `postgres.rs`.

use std::collections::HashMap;

use xinyong_domain::event::ProjectionWrite;

use crate::{Hash, PersonRecord, PreparedEvent, RelationRecord, StorageError, SubjectRecord};

/// Rows per multi-row INSERT: SQLite allows 32,766 bound parameters per
/// statement and PostgreSQL 65,535; events have 10 columns.
pub(crate) const CHUNK_ROWS: usize = 1_000;

/// Complete subtrees whose roots form the right edge of a tree of `size`
/// leaves: exactly the left siblings an append at index `size` may need.
pub(crate) fn frontier(size: u64) -> Vec<(u8, u64)> {
    let mut coords = Vec::new();
    let mut start = 0u64;
    for level in (0..64u8).rev() {
        let width = 1u64 << level;
        if size & width != 0 {
            coords.push((level, start >> level));
            start += width;
        }
    }
    coords
}

/// Collapses the projection writes of a batch to the last write per row key,
/// because a multi-row upsert may not touch the same row twice (PostgreSQL
/// rejects it) and only the last write survives anyway.
#[derive(Debug, Default)]
pub(crate) struct CollapsedWrites {
    pub subjects: Vec<SubjectRecord>,
    pub persons: Vec<PersonRecord>,
    pub relations: Vec<RelationRecord>,
}

pub(crate) fn collapse_writes(events: &[PreparedEvent]) -> CollapsedWrites {
    let mut subjects: HashMap<String, SubjectRecord> = HashMap::new();
    let mut persons: HashMap<String, PersonRecord> = HashMap::new();
    let mut relations: HashMap<(String, String, String), RelationRecord> = HashMap::new();
    for write in events.iter().flat_map(|e| &e.writes) {
        match write {
            ProjectionWrite::Subject(row) => {
                let rec = SubjectRecord::from(row);
                subjects.insert(rec.uscc.clone(), rec);
            }
            ProjectionWrite::Person(row) => {
                let rec = PersonRecord::from(row);
                persons.insert(rec.id_number.clone(), rec);
            }
            ProjectionWrite::Relation(row) => {
                let rec = RelationRecord::from(row);
                relations.insert(
                    (rec.uscc.clone(), rec.id_number.clone(), rec.role.clone()),
                    rec,
                );
            }
        }
    }
    let mut out = CollapsedWrites {
        subjects: subjects.into_values().collect(),
        persons: persons.into_values().collect(),
        relations: relations.into_values().collect(),
    };
    // Deterministic statement order keeps lock order stable between writers.
    out.subjects.sort();
    out.persons.sort();
    out.relations.sort();
    out
}

/// Checks the batch the caller built and computes the tree nodes it completes.
pub(crate) fn new_tree_nodes(
    size: u64,
    events: &[PreparedEvent],
    frontier_nodes: HashMap<(u8, u64), Hash>,
) -> Result<Vec<(u8, u64, Hash)>, StorageError> {
    let mut known = frontier_nodes;
    let mut created = Vec::new();
    for (offset, prepared) in events.iter().enumerate() {
        let expected = size + offset as u64;
        if prepared.event.seq != expected {
            return Err(StorageError::Inconsistent(format!(
                "batch event has index {} where {expected} was expected",
                prepared.event.seq
            )));
        }
        let nodes = xinyong_tlog::nodes_completed_by_append(
            expected,
            prepared.leaf,
            &mut |level: u8, idx: u64| known.get(&(level, idx)).copied().ok_or(()),
        )
        .map_err(|()| {
            StorageError::Inconsistent(format!("missing tree node while appending {expected}"))
        })?;
        for (level, idx, hash) in nodes {
            known.insert((level, idx), hash);
            if level > 0 {
                created.push((level, idx, hash));
            }
        }
    }
    Ok(created)
}

pub(crate) fn to_hash(bytes: &[u8], what: &str) -> Result<Hash, StorageError> {
    <Hash>::try_from(bytes)
        .map_err(|_| StorageError::Inconsistent(format!("{what} is not a 32-byte hash")))
}

/// Implements [`crate::Store`] for `$store`, whose `pool` field is a
/// `sqlx::Pool<$db>` and which has an inherent
/// `async fn begin_write(&self) -> Result<sqlx::Transaction<'static, $db>>`.
macro_rules! impl_store {
    ($store:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

            async fn append(&self, build: $crate::BuildEvents<'_>) -> $crate::Result<$crate::AppendOutcome> {
                use sqlx::Row as _;
                use $crate::common::*;
                use $crate::to_i64;

                let mut tx = self.begin_write().await?;
                let size: i64 = sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) FROM events")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                let size = $crate::to_u64(size);
                let events = build(size);
                if events.is_empty() {
                    tx.rollback().await?;
                    return Ok($crate::AppendOutcome { first_seq: size, count: 0, size });
                }

                // Left siblings for the new nodes: the right edge of the current tree.
                let coords = frontier(size);
                let mut frontier_nodes = std::collections::HashMap::new();
                for &(level, idx) in &coords {
                    let row = if level == 0 {
                        sqlx::query("SELECT leaf_hash FROM events WHERE seq = $1")
                            .bind(to_i64(idx))
                            .fetch_optional(&mut *tx)
                            .await?
                    } else {
                        sqlx::query("SELECT hash FROM tree_nodes WHERE level = $1 AND idx = $2")
                            .bind(i64::from(level))
                            .bind(to_i64(idx))
                            .fetch_optional(&mut *tx)
                            .await?
                    };
                    let row = row.ok_or_else(|| {
                        $crate::StorageError::Inconsistent(format!("tree node ({level}, {idx}) is missing"))
                    })?;
                    let bytes: Vec<u8> = row.try_get(0)?;
                    frontier_nodes.insert((level, idx), to_hash(&bytes, "tree node")?);
                }
                let nodes = new_tree_nodes(size, &events, frontier_nodes)?;

                for chunk in events.chunks(CHUNK_ROWS) {
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO events (seq, time_ms, actor, kind, subject, rules, body, salt, entry, leaf_hash) ",
                    );
                    qb.push_values(chunk, |mut b, p| {
                        let e = &p.event;
                        b.push_bind(to_i64(e.seq))
                            .push_bind(e.time.timestamp_millis())
                            .push_bind(e.actor.as_str().to_owned())
                            .push_bind(e.body.kind())
                            .push_bind(e.body.public_subject().map(|u| u.as_str().to_owned()))
                            .push_bind(serde_json::to_string(&e.rules).unwrap_or_default())
                            .push_bind(String::from_utf8(e.body.canonical_json()).unwrap_or_default())
                            .push_bind(e.salt.to_vec())
                            .push_bind(p.entry.clone())
                            .push_bind(p.leaf.to_vec());
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in nodes.chunks(CHUNK_ROWS * 3) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO tree_nodes (level, idx, hash) ");
                    qb.push_values(chunk, |mut b, (level, idx, hash)| {
                        b.push_bind(i64::from(*level)).push_bind(to_i64(*idx)).push_bind(hash.to_vec());
                    });
                    qb.build().execute(&mut *tx).await?;
                }

                let writes = collapse_writes(&events);
                for chunk in writes.subjects.chunks(CHUNK_ROWS) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO subjects (uscc, name, status, division, seq) ");
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(r.uscc.clone())
                            .push_bind(r.name.clone())
                            .push_bind(r.status.clone())
                            .push_bind(r.division.clone())
                            .push_bind(r.seq);
                    });
                    qb.push(
                        " ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, status = excluded.status, \
                         division = excluded.division, seq = excluded.seq",
                    );
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in writes.persons.chunks(CHUNK_ROWS) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO persons (id_number, name, seq) ");
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(r.id_number.clone()).push_bind(r.name.clone()).push_bind(r.seq);
                    });
                    qb.push(" ON CONFLICT (id_number) DO UPDATE SET name = excluded.name, seq = excluded.seq");
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in writes.relations.chunks(CHUNK_ROWS) {
                    let mut qb =
                        sqlx::QueryBuilder::new("INSERT INTO relations (uscc, id_number, role, active, seq) ");
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(r.uscc.clone())
                            .push_bind(r.id_number.clone())
                            .push_bind(r.role.clone())
                            .push_bind(i64::from(r.active))
                            .push_bind(r.seq);
                    });
                    qb.push(
                        " ON CONFLICT (uscc, id_number, role) DO UPDATE SET active = excluded.active, seq = excluded.seq",
                    );
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                let count = events.len() as u64;
                Ok($crate::AppendOutcome { first_seq: size, count, size: size + count })
            }

            async fn log_size(&self) -> $crate::Result<u64> {
                use sqlx::Row as _;
                let size: i64 = sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) FROM events")
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)?;
                Ok($crate::to_u64(size))
            }

            async fn events_from(&self, from: u64, limit: u32) -> $crate::Result<Vec<$crate::StoredEvent>> {
                use sqlx::Row as _;
                let rows = sqlx::query(
                    "SELECT seq, time_ms, actor, kind, subject, rules, body, salt, entry, leaf_hash \
                     FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2",
                )
                .bind($crate::to_i64(from))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::StoredEvent {
                            seq: r.try_get("seq")?,
                            time_ms: r.try_get("time_ms")?,
                            actor: r.try_get("actor")?,
                            kind: r.try_get("kind")?,
                            subject: r.try_get("subject")?,
                            rules: r.try_get("rules")?,
                            body: r.try_get("body")?,
                            salt: r.try_get("salt")?,
                            entry: r.try_get("entry")?,
                            leaf_hash: r.try_get("leaf_hash")?,
                        })
                    })
                    .collect()
            }

            async fn entry(&self, seq: u64) -> $crate::Result<Option<Vec<u8>>> {
                use sqlx::Row as _;
                let row = sqlx::query("SELECT entry FROM events WHERE seq = $1")
                    .bind($crate::to_i64(seq))
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(r) => Some(r.try_get(0)?),
                    None => None,
                })
            }

            async fn tree_nodes(&self, coords: &[(u8, u64)]) -> $crate::Result<Vec<$crate::Hash>> {
                use sqlx::Row as _;
                let mut conn = self.pool.acquire().await?;
                let mut out = Vec::with_capacity(coords.len());
                for &(level, idx) in coords {
                    let row = if level == 0 {
                        sqlx::query("SELECT leaf_hash FROM events WHERE seq = $1")
                            .bind($crate::to_i64(idx))
                            .fetch_optional(&mut *conn)
                            .await?
                    } else {
                        sqlx::query("SELECT hash FROM tree_nodes WHERE level = $1 AND idx = $2")
                            .bind(i64::from(level))
                            .bind($crate::to_i64(idx))
                            .fetch_optional(&mut *conn)
                            .await?
                    };
                    let row = row.ok_or_else(|| {
                        $crate::StorageError::Inconsistent(format!("tree node ({level}, {idx}) is missing"))
                    })?;
                    let bytes: Vec<u8> = row.try_get(0)?;
                    out.push($crate::common::to_hash(&bytes, "tree node")?);
                }
                Ok(out)
            }

            async fn tree_nodes_page(
                &self,
                after: Option<(u8, u64)>,
                limit: u32,
            ) -> $crate::Result<Vec<(u8, u64, Vec<u8>)>> {
                use sqlx::Row as _;
                let (level, idx) = after.map_or((0, -1), |(l, i)| (i64::from(l), $crate::to_i64(i)));
                let rows = sqlx::query(
                    "SELECT level, idx, hash FROM tree_nodes WHERE level > $1 OR (level = $1 AND idx > $2) \
                     ORDER BY level, idx LIMIT $3",
                )
                .bind(level)
                .bind(idx)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let level: i64 = r.try_get(0)?;
                        let idx: i64 = r.try_get(1)?;
                        Ok((u8::try_from(level).unwrap_or(u8::MAX), $crate::to_u64(idx), r.try_get(2)?))
                    })
                    .collect()
            }

            async fn latest_checkpoint(&self) -> $crate::Result<Option<$crate::StoredCheckpoint>> {
                let row = sqlx::query(
                    "SELECT size, root, note, signed_at_ms FROM checkpoints ORDER BY size DESC LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| checkpoint_from_row(&r)).transpose()
            }

            async fn checkpoint(&self, size: u64) -> $crate::Result<Option<$crate::StoredCheckpoint>> {
                let row = sqlx::query("SELECT size, root, note, signed_at_ms FROM checkpoints WHERE size = $1")
                    .bind($crate::to_i64(size))
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| checkpoint_from_row(&r)).transpose()
            }

            async fn save_checkpoint(&self, cp: &$crate::StoredCheckpoint) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO checkpoints (size, root, note, signed_at_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (size) DO NOTHING",
                )
                .bind($crate::to_i64(cp.size))
                .bind(cp.root.to_vec())
                .bind(cp.note.clone())
                .bind(cp.signed_at.timestamp_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn counts(&self) -> $crate::Result<$crate::Counts> {
                use sqlx::Row as _;
                let r = sqlx::query(
                    "SELECT (SELECT COALESCE(MAX(seq) + 1, 0) FROM events), (SELECT COUNT(*) FROM subjects), \
                     (SELECT COUNT(*) FROM persons), (SELECT COUNT(*) FROM relations)",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::Counts {
                    events: $crate::to_u64(r.try_get(0)?),
                    subjects: $crate::to_u64(r.try_get(1)?),
                    persons: $crate::to_u64(r.try_get(2)?),
                    relations: $crate::to_u64(r.try_get(3)?),
                })
            }

            async fn subject(&self, uscc: &str) -> $crate::Result<Option<$crate::SubjectRecord>> {
                let row = sqlx::query("SELECT uscc, name, status, division, seq FROM subjects WHERE uscc = $1")
                    .bind(uscc.to_owned())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| subject_from_row(&r)).transpose()
            }

            async fn person(&self, id_number: &str) -> $crate::Result<Option<$crate::PersonRecord>> {
                let row = sqlx::query("SELECT id_number, name, seq FROM persons WHERE id_number = $1")
                    .bind(id_number.to_owned())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| person_from_row(&r)).transpose()
            }

            async fn relations_of(&self, uscc: &str) -> $crate::Result<Vec<$crate::RelationRecord>> {
                let rows = sqlx::query(
                    "SELECT uscc, id_number, role, active, seq FROM relations WHERE uscc = $1 \
                     ORDER BY role, id_number",
                )
                .bind(uscc.to_owned())
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(relation_from_row).collect()
            }

            async fn subjects_page(
                &self,
                after: Option<&str>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::SubjectRecord>> {
                let rows = sqlx::query(
                    "SELECT uscc, name, status, division, seq FROM subjects WHERE uscc > $1 ORDER BY uscc LIMIT $2",
                )
                .bind(after.unwrap_or("").to_owned())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(subject_from_row).collect()
            }

            async fn persons_page(
                &self,
                after: Option<&str>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::PersonRecord>> {
                let rows = sqlx::query(
                    "SELECT id_number, name, seq FROM persons WHERE id_number > $1 ORDER BY id_number LIMIT $2",
                )
                .bind(after.unwrap_or("").to_owned())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(person_from_row).collect()
            }

            async fn relations_page(
                &self,
                after: Option<(&str, &str, &str)>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::RelationRecord>> {
                let (u, i, r) = after.unwrap_or(("", "", ""));
                let rows = sqlx::query(
                    "SELECT uscc, id_number, role, active, seq FROM relations \
                     WHERE uscc > $1 OR (uscc = $1 AND (id_number > $2 OR (id_number = $2 AND role > $3))) \
                     ORDER BY uscc, id_number, role LIMIT $4",
                )
                .bind(u.to_owned())
                .bind(i.to_owned())
                .bind(r.to_owned())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(relation_from_row).collect()
            }
        }

        fn checkpoint_from_row<R: sqlx::Row>(r: &R) -> $crate::Result<$crate::StoredCheckpoint>
        where
            for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> &'a str: sqlx::ColumnIndex<R>,
        {
            let size: i64 = r.try_get("size")?;
            let root: Vec<u8> = r.try_get("root")?;
            let ms: i64 = r.try_get("signed_at_ms")?;
            Ok($crate::StoredCheckpoint {
                size: $crate::to_u64(size),
                root: $crate::common::to_hash(&root, "checkpoint root")?,
                note: r.try_get("note")?,
                signed_at: xinyong_domain::event::time_from_millis(ms).unwrap_or_default(),
            })
        }

        fn subject_from_row<R: sqlx::Row>(r: &R) -> $crate::Result<$crate::SubjectRecord>
        where
            for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> &'a str: sqlx::ColumnIndex<R>,
        {
            Ok($crate::SubjectRecord {
                uscc: r.try_get("uscc")?,
                name: r.try_get("name")?,
                status: r.try_get("status")?,
                division: r.try_get("division")?,
                seq: r.try_get("seq")?,
            })
        }

        fn person_from_row<R: sqlx::Row>(r: &R) -> $crate::Result<$crate::PersonRecord>
        where
            for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> &'a str: sqlx::ColumnIndex<R>,
        {
            Ok($crate::PersonRecord { id_number: r.try_get("id_number")?, name: r.try_get("name")?, seq: r.try_get("seq")? })
        }

        fn relation_from_row<R: sqlx::Row>(r: &R) -> $crate::Result<$crate::RelationRecord>
        where
            for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> &'a str: sqlx::ColumnIndex<R>,
        {
            let active: i64 = r.try_get("active")?;
            Ok($crate::RelationRecord {
                uscc: r.try_get("uscc")?,
                id_number: r.try_get("id_number")?,
                role: r.try_get("role")?,
                active: active != 0,
                seq: r.try_get("seq")?,
            })
        }
    };
}

pub(crate) use impl_store;
