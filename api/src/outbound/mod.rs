//! Outbound HTTP (filled in below).
