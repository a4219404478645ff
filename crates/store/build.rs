//! `sqlx::migrate!` embeds the migrations when this crate compiles; a migration added later
//! must rebuild it, or a build that is not from scratch would run without it.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/sqlite");
}
