//! The process: the command line, configuration, starting and stopping the server and its
//! background work, logs, TLS set-up, and the demo and synthetic seeds.

pub mod admin;
pub mod cli;
pub mod config;
pub mod seed;
pub mod server;
pub mod telemetry;
pub mod tls;
pub mod upgrade;
