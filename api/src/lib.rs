//! The hdab service, in module groups that follow the flow of a request (ARCHITECTURE.md):
//!
//! - [`edge`]: HTTP — routes, extractors, content negotiation, authentication, problems;
//! - [`application`]: use cases — every write goes through one; no HTTP types inside;
//! - [`projections`]: read models fed by the event log — search, RDF, export;
//! - [`background`]: the job runner — event-log followers and scheduled jobs;
//! - [`outbound`]: the one HTTP client for calls to other systems;
//! - [`shell`]: the process — command line, configuration, start and stop, logs, seeds.
//!
//! Calls go edge → application → (domain, persistence); projections and background read
//! through persistence; nothing calls back up into the edge.

pub mod application;
pub mod background;
pub mod edge;
pub mod outbound;
pub mod projections;
pub mod shell;
