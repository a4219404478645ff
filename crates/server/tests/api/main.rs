//! The HTTP service, started in-process on a free loopback port over real backends, and
//! called the way a client would.

mod actions;
mod approvals;
mod close;
mod commands;
mod councils;
mod fuzz;
mod headers;
mod history_kinds;
mod lock_race;
mod log_check;
mod logs;
mod openapi;
mod operations;
mod pages;
mod proofs;
mod public;
mod publication_race;
mod queries;
mod roles;
mod sessions;
mod set_aside;
mod shutdown;
mod support;
mod verification;
