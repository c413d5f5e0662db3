//! `sqlx::migrate!` embeds the migration files at compile time, but Cargo
//! does not know the macro reads them: without this, a new migration file
//! is silently left out of an incremental build.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
