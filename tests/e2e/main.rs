//! End-to-end tests: run the `scoreledger` binary the way a user does.

mod approvals;
mod auditor;
mod backup;
mod bench;
mod browser;
mod client;
mod crash;
mod demo;
mod evidence;
mod golden;
mod history;
mod import;
mod lock;
mod nats;
mod project;
mod published;
mod rag;
mod reads;
mod record;
mod serve;
mod session;
mod set_aside;
mod settings;
mod support;
mod token;
mod verify;
