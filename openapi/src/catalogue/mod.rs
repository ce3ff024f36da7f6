//! Datasets on the wire: the HealthDCAT-AP description with the cancer-imaging extensions.
//!
//! `types` holds the shapes, `parse` turns a wire description into the domain's (naming every
//! failing field), `render` turns the domain's back into the wire form, `search` holds the
//! search request and result shapes.

pub mod bulk;
pub mod parse;
mod render;
mod search;
mod types;

pub use search::{DatasetSummary, FacetValue, JsonLdDocument, SearchPage, SearchQuery};
pub use types::*;

#[cfg(test)]
mod tests;
