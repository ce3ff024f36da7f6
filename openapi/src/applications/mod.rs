//! Access applications and data requests on the wire: what researchers send, what committees
//! send, what everyone reads back, and the public register.

pub mod commands;
pub(crate) mod parse;
pub mod register;
mod types;
pub(crate) mod view;

pub use parse::{optional_text, required_text};
pub use types::*;
