//! The append-only, hash-chained event log: one row per state change, written in the same
//! transaction as the change itself.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hdab_domain::event::{self, ChainHead, ChainedEvent, NewEvent};
use hdab_domain::ids::EventId;

use crate::db::{ROWS_PER_INSERT, insert_rows};
use crate::schema::{event_chain_head, events};
use crate::{DbConnection, StoreError};

mod verify;

pub use verify::{ChainBreak, ChainVerification, verify};

/// Runs `work` in one transaction that may append events. The chain head is locked first, so
/// write transactions are serialised: sequence numbers have no gaps, and on SQLite the
/// transaction holds the write lock from its start instead of failing to upgrade later.
pub fn write<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let _turn = SqliteWriterTurn::take(conn);
    conn.transaction(|tx| {
        lock_chain(tx)?;
        work(tx)
    })
}

/// SQLite has one writer at a time, and a writer that finds the lock taken sleeps in SQLite's
/// busy handler (1, 2, 5, 10, ... 100 ms) before it tries again: under concurrent writes most
/// of a write's latency was that sleep. Writers of this process therefore queue on a mutex and
/// are woken as soon as the previous one commits. (The busy timeout still covers other
/// processes, such as `hdab seed` beside a running server.)
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

thread_local! {
    /// Whether this thread holds the writer's turn, so that a nested `write` does not wait for
    /// itself.
    static HOLDS_TURN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

struct SqliteWriterTurn(Option<std::sync::MutexGuard<'static, ()>>);

impl SqliteWriterTurn {
    fn take(conn: &DbConnection) -> Self {
        if !matches!(conn, DbConnection::Sqlite(_)) || HOLDS_TURN.get() {
            return Self(None);
        }
        let guard = SQLITE_WRITER
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        HOLDS_TURN.set(true);
        Self(Some(guard))
    }
}

impl Drop for SqliteWriterTurn {
    fn drop(&mut self) {
        if self.0.take().is_some() {
            HOLDS_TURN.set(false);
        }
    }
}

/// A no-op update of the head row: takes PostgreSQL's row lock and SQLite's write lock.
fn lock_chain(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::update(event_chain_head::table.find(1))
        .set(event_chain_head::last_seq.eq(event_chain_head::last_seq))
        .execute(conn)
        .map(drop)
}

/// Appends `event` to the chain. Call inside [`write`], whose transaction already holds the
/// chain's lock (taking it again for each of a bulk call's thousand events cost a statement
/// each). One row, not [`append_all`] of one: diesel prepares a multi-row insert anew on
/// every run, a single-row one once per connection, and every write appends an event.
pub fn append(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    event: NewEvent,
) -> Result<ChainedEvent, StoreError> {
    let head = load_head(conn)?;
    let chained = event::chain(&head, EventId::generate(), now, actor, event);
    diesel::insert_into(events::table)
        .values(EventRow::from(&chained))
        .execute(conn)?;
    move_head(conn, &chained)?;
    Ok(chained)
}

/// Appends `new` to the chain in order, as [`append`] one by one would, in multi-row inserts
/// and one move of the head (a bulk call's thousand events: a dozen statements, not 3,000).
/// Call inside [`write`].
pub fn append_all(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    new: Vec<NewEvent>,
) -> Result<Vec<ChainedEvent>, StoreError> {
    let mut head = load_head(conn)?;
    let chained: Vec<ChainedEvent> = new
        .into_iter()
        .map(|event| {
            let chained = event::chain(&head, EventId::generate(), now, actor, event);
            head = ChainHead {
                seq: chained.seq,
                hash: chained.hash.clone(),
            };
            chained
        })
        .collect();
    for chunk in chained.chunks(ROWS_PER_INSERT) {
        let rows: Vec<EventRow> = chunk.iter().map(EventRow::from).collect();
        insert_rows!(conn, events::table, rows)?;
    }
    if let Some(last) = chained.last() {
        move_head(conn, last)?;
    }
    Ok(chained)
}

/// Records `last` as the chain's newest event.
fn move_head(conn: &mut DbConnection, last: &ChainedEvent) -> QueryResult<()> {
    diesel::update(event_chain_head::table.find(1))
        .set((
            event_chain_head::last_seq.eq(last.seq),
            event_chain_head::last_hash.eq(&last.hash),
        ))
        .execute(conn)
        .map(drop)
}

/// The sequence number of the newest event (0 when the log is empty).
pub fn head_seq(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(load_head(conn)?.seq)
}

/// The newest event's sequence number and hash, as the log's head row records them.
pub fn load_head(conn: &mut DbConnection) -> Result<ChainHead, StoreError> {
    let (seq, hash) = event_chain_head::table
        .find(1)
        .select((event_chain_head::last_seq, event_chain_head::last_hash))
        .first::<(i64, String)>(conn)?;
    Ok(ChainHead { seq, hash })
}

/// Events after `after_seq`, oldest first, at most `limit`.
pub fn list_after(
    conn: &mut DbConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<ChainedEvent>, StoreError> {
    load_after(conn, events::table.into_boxed(), after_seq, limit)
}

/// The events after `after_seq` whose action or entity type is one of `types` (all events when
/// `types` is empty), oldest first, at most `limit`. Each type is read down its own index in
/// log order and the runs are merged, so a rare type costs what its own events cost, not a
/// walk of the whole log.
pub fn list_of_types(
    conn: &mut DbConnection,
    types: &[String],
    after_seq: i64,
    limit: i64,
) -> Result<Vec<ChainedEvent>, StoreError> {
    if types.is_empty() {
        return list_after(conn, after_seq, limit);
    }
    let mut merged = Vec::new();
    for kind in types {
        let query = if kind.contains('.') {
            events::table
                .filter(events::action.eq(kind.clone()))
                .into_boxed()
        } else {
            events::table
                .filter(events::entity_type.eq(kind.clone()))
                .into_boxed()
        };
        merged.extend(load_after(conn, query, after_seq, limit)?);
    }
    merged.sort_by_key(|e| e.seq);
    merged.dedup_by_key(|e| e.seq);
    merged.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(merged)
}

/// Narrows a reading of the log; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Events that occurred at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Events that occurred before this time.
    pub until: Option<DateTime<Utc>>,
}

/// The events matching `filter` after `after_seq`, oldest first, at most `limit`.
pub fn list_filtered(
    conn: &mut DbConnection,
    filter: &EventFilter,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<ChainedEvent>, StoreError> {
    let mut query = events::table.into_boxed();
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(events::entity_type.eq(entity_type.clone()));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(events::entity_id.eq(entity_id.clone()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(events::actor.eq(actor.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(events::action.eq(action.clone()));
    }
    if let Some(since) = filter.since {
        query = query.filter(events::occurred_at.ge(since.naive_utc()));
    }
    if let Some(until) = filter.until {
        query = query.filter(events::occurred_at.lt(until.naive_utc()));
    }
    load_after(conn, query, after_seq, limit)
}

/// The events of one entity after `after_seq`, oldest first, at most `limit` (the entity
/// index serves it).
pub fn list_for_entity(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<ChainedEvent>, StoreError> {
    let of_entity = events::table
        .filter(events::entity_type.eq(entity_type.to_owned()))
        .filter(events::entity_id.eq(entity_id.to_owned()))
        .into_boxed();
    load_after(conn, of_entity, after_seq, limit)
}

fn load_after(
    conn: &mut DbConnection,
    query: events::BoxedQuery<'_, crate::db::MultiBackend>,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<ChainedEvent>, StoreError> {
    query
        .filter(events::seq.gt(after_seq))
        .order(events::seq.asc())
        .limit(limit)
        .load::<EventRow>(conn)?
        .into_iter()
        .map(EventRow::into_domain)
        .collect()
}

#[derive(Queryable, Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct EventRow {
    seq: i64,
    id: String,
    occurred_at: NaiveDateTime,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl From<&ChainedEvent> for EventRow {
    fn from(event: &ChainedEvent) -> Self {
        Self {
            seq: event.seq,
            id: event.id.to_string(),
            occurred_at: event.occurred_at.naive_utc(),
            actor: event.actor.clone(),
            action: event.action.clone(),
            entity_type: event.entity_type.clone(),
            entity_id: event.entity_id.clone(),
            payload: event.payload.clone(),
            prev_hash: event.prev_hash.clone(),
            hash: event.hash.clone(),
        }
    }
}

impl EventRow {
    fn into_domain(self) -> Result<ChainedEvent, StoreError> {
        let id = EventId::parse(&self.id)
            .map_err(|e| StoreError::corrupt("event", &self.seq.to_string(), e.message))?;
        Ok(ChainedEvent {
            seq: self.seq,
            id,
            occurred_at: self.occurred_at.and_utc(),
            actor: self.actor,
            action: self.action,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            payload: self.payload,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}
