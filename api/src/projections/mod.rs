//! Read models derived from the database and its event log: the search index, the
//! HealthDCAT-AP RDF descriptions, the whole-catalogue export and the reader they share.

pub mod export;
pub mod permit_grants;
pub mod published;
pub mod rdf;
pub mod search;
