//! hdab's wire contract: what clients send and receive, with the schemas and descriptions that
//! become the OpenAPI document. Wire types are plain (`String`, numbers); each request type
//! turns into domain types in one `TryFrom` that reports every field problem at once.

pub mod applications;
pub mod audit;
pub mod catalogue;
pub mod changes;
pub mod document;
mod fields;
pub mod harvest;
pub mod ids;
pub mod jobs;
pub mod organisations;
pub mod page;
pub mod permits;
pub mod problem;
pub mod schema;
pub mod system;
pub mod webhooks;

pub use document::BaseDocument;
pub use page::Page;
pub use problem::{Problem, ProblemFieldError};
