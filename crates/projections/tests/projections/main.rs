//! Projections on a fresh database per test.

mod approvals;
mod as_at_equals_replay;
mod batches;
mod cluster;
mod first_published;
mod following;
mod foreign_messages;
mod halting;
mod history_view;
mod set_aside;
mod statistics;
mod support;
mod tokens;
mod withdrawals;
