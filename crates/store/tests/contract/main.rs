//! The store contract: every scenario runs on every backend through `store_test!`.
//! Backends: SQLite, and NATS JetStream on the machine image's server and a current release.

mod support;

mod appending;
mod backup;
mod cluster;
mod deployment;
mod following;
mod hash_chain;
mod jetstream;
mod login;
mod permissions;
mod random_tamper;
mod random_tamper_signed;
mod round_trip;
mod signing;
mod verify;
