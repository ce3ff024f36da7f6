//! hdab's functional core: values, decisions and the rules of the EHDS, with no I/O.
//!
//! Every constrained value is a newtype whose `parse` says what is wrong with an input, so the
//! rest of hdab handles only valid values. Time and ids come in as arguments, which keeps every
//! rule deterministic in tests.

pub mod applications;
pub mod auth;
pub mod catalogue;
pub mod codes;
pub mod committee;
pub mod error;
pub mod event;
pub mod harvest;
pub mod ids;
pub mod limits;
pub mod permits;
pub mod publisher;
pub mod values;
pub mod version;
pub mod webhooks;

pub use error::{DomainError, FieldError, FieldErrors, ValueError};
