//! Keyset pagination: lists are ordered by a key (ids are UUIDv7, so by creation) and a page
//! ends where the next one starts. Unlike offsets, a page never skips or repeats a row when
//! rows are added meanwhile.

/// One page of rows and the key after which the next page starts, if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<String>,
}

/// Turns `limit + 1` fetched rows into a page of at most `limit`: the extra row only tells
/// that another page exists.
pub fn from_overfetch<T>(mut rows: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
    if rows.len() <= limit {
        return Page {
            items: rows,
            next_after: None,
        };
    }
    rows.truncate(limit);
    let next_after = rows.last().map(key);
    Page {
        items: rows,
        next_after,
    }
}

/// A position in a list ordered newest first by a time, then by id: the public registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeKey<Id> {
    pub at: chrono::DateTime<chrono::Utc>,
    pub id: Id,
}

/// `(time, id) < (key.at, key.id)` over the named columns (`"permits.issued_at, permits.id"`):
/// a row-value comparison, which both databases walk down a `(time, id)` index in order. The
/// equivalent `a < x OR (a = x AND b < y)` made SQLite sort every older row for each page.
pub fn before<QS, Id: std::fmt::Display>(
    columns: &'static str,
    key: &TimeKey<Id>,
) -> Box<
    dyn diesel::BoxableExpression<QS, crate::db::MultiBackend, SqlType = diesel::sql_types::Bool>,
> {
    use diesel::sql_types::{Bool, Text, Timestamp};
    Box::new(
        diesel::dsl::sql::<Bool>(&format!("({columns}) < ("))
            .bind::<Timestamp, _>(key.at.naive_utc())
            .sql(", ")
            .bind::<Text, _>(key.id.to_string())
            .sql(")"),
    )
}

/// Turns `limit + 1` rows of a time-keyed list into a page of at most `limit` and the key after
/// which the next page starts, if there is one.
pub fn time_keyed<T, Id>(
    mut rows: Vec<T>,
    limit: usize,
    key: impl Fn(&T) -> TimeKey<Id>,
) -> (Vec<T>, Option<TimeKey<Id>>) {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = more.then(|| rows.last().map(key)).flatten();
    (rows, next)
}

/// How many rows to fetch for a page of `limit`.
pub fn overfetch(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_result_is_the_last_page() {
        let page = from_overfetch(vec![1, 2], 2, |n| n.to_string());
        assert_eq!(
            page,
            Page {
                items: vec![1, 2],
                next_after: None
            }
        );
    }

    #[test]
    fn an_extra_row_means_another_page_after_the_last_kept_one() {
        let page = from_overfetch(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(
            page,
            Page {
                items: vec![1, 2],
                next_after: Some("2".into())
            }
        );
    }
}
