//! The HTTP service, started in-process on a free loopback port over real backends, and
//! called the way a client would.

mod approvals;
mod commands;
mod operations;
mod queries;
mod support;
