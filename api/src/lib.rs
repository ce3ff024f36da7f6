//! The hdab service: HTTP routes, authentication, configuration and telemetry around the
//! domain and persistence crates.

pub mod app;
pub mod auth;
pub mod checkpoints;
pub mod cli;
pub mod config;
pub mod error;
pub mod export;
pub mod extract;
pub mod http_policy;
pub mod negotiate;
pub mod published;
pub mod rdf;
pub mod routes;
pub mod search;
pub mod seed;
pub mod server;
pub mod signing;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod usecase;
