//! PostgreSQL tests compile as ignored (with the reason printed by the test runner) unless
//! `TEST_DATABASE_URL` is set, so a run without PostgreSQL says what it skipped instead of
//! passing silently.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(doorstep_pg)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var_os("TEST_DATABASE_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=doorstep_pg");
    }
}
