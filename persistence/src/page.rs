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
