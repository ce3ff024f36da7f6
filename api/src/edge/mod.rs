//! The HTTP edge: the app factory, routes and their OpenAPI operations, request extractors,
//! content negotiation, authentication, and errors rendered as RFC 9457 problems.

pub mod app;
pub mod auth;
pub mod error;
pub mod extract;
pub mod http_policy;
pub mod idempotency;
pub mod negotiate;
pub mod routes;
pub mod search_params;
pub mod state;
