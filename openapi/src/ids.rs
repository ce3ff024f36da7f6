//! Ids in request bodies, accepted only in their canonical spelling (lower-case, hyphenated),
//! as everywhere else in hdab: see `hdab_domain::ids`.

use hdab_domain::ids::parse_canonical_uuid;
use serde::de::Error;
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

/// `#[serde(deserialize_with = "crate::ids::canonical")]` for one id.
pub fn canonical<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Uuid, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_canonical_uuid(&text).map_err(|e| D::Error::custom(e.message))
}

/// `#[serde(deserialize_with = "crate::ids::canonical_list")]` for a list of ids.
pub fn canonical_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Uuid>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| parse_canonical_uuid(text).map_err(|e| D::Error::custom(e.message)))
        .collect()
}
