//! The store contract: every scenario runs on every backend through `store_test!`.
//! (The NATS JetStream backend joins this suite in its own issue.)

mod support;

mod appending;
mod executing;
mod following;
mod hash_chain;
