//! Keeping the stored comparison keys of unique names ([`Name::comparison_key`]) current: rows
//! written before the keys existed, or before the key's rules changed, get theirs recomputed at
//! start. Keys are derived data, so this records no event.

use diesel::prelude::*;
use hdab_domain::values::Name;

use crate::schema::{committees, publishers};
use crate::{DbConnection, StoreError};

/// Recomputes every publisher's and committee's name key that differs from the domain's rule;
/// returns how many changed. A key that would now collide with another's is left as it is and
/// logged: the two names were told apart before and an administrator must rename one.
pub fn refresh_keys(conn: &mut DbConnection) -> Result<usize, StoreError> {
    macro_rules! refresh {
        ($table:ident) => {{
            let rows: Vec<(String, String, String)> = $table::table
                .select(($table::id, $table::name, $table::name_key))
                .load(conn)?;
            let mut changed = 0;
            for (id, name, stored) in rows {
                let Ok(key) = Name::parse(&name).map(|n| n.comparison_key()) else {
                    continue;
                };
                if key == stored {
                    continue;
                }
                let update = diesel::update($table::table.find(&id))
                    .set($table::name_key.eq(&key))
                    .execute(conn);
                match update.map_err(StoreError::from) {
                    Ok(_) => changed += 1,
                    Err(StoreError::Conflict { .. }) => tracing::warn!(
                        table = stringify!($table),
                        id = %id,
                        "two names now compare equal; rename one of them"
                    ),
                    Err(other) => return Err(other),
                }
            }
            changed
        }};
    }
    let changed = refresh!(publishers) + refresh!(committees);
    Ok(changed)
}
