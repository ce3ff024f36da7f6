//! Helpers for turning wire fields into domain values while collecting every failure.

use hdab_domain::{FieldErrors, ValueError, limits};

/// Parses every element of `items`, naming failures `field[index]`. A list over its limit is
/// refused whole, without parsing its items.
pub(crate) fn parse_each<T>(
    errors: &mut FieldErrors,
    field: &str,
    items: &[String],
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Vec<T> {
    if !limits::check(errors, field, items.len()) {
        return Vec::new();
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| errors.take(format!("{field}[{i}]"), parse(item)))
        .collect()
}

/// How many items of a list at `field` to parse: all of them, or none when the list is over
/// its limit (which is then recorded).
pub(crate) fn within(errors: &mut FieldErrors, field: &str, len: usize) -> usize {
    if limits::check(errors, field, len) {
        len
    } else {
        0
    }
}

pub(crate) fn parse_optional<T>(
    errors: &mut FieldErrors,
    field: &str,
    item: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Option<T> {
    item.and_then(|value| errors.take(field, parse(value)))
}
