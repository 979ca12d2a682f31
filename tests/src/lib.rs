//! The test harness: a fresh database per test (a SQLite file, or a new PostgreSQL
//! database), the real server on a random port, and a typed client to talk to it.

pub mod app;
pub mod browser;
pub mod community;
pub mod console;
pub mod db;
pub mod fairs;
pub mod fake_http;
pub mod gigs;
pub mod identity;
pub mod live;
pub mod logs;
pub mod market;
pub mod smtp;
pub mod talk;
pub mod tencent_sms;
pub mod webhook;
pub mod wechat;

pub use app::{
    ApiResponse, Session, TestApp, item_ids, spawn_app, spawn_app_after, spawn_app_with, url_encode,
};
pub use db::Backend;

/// Runs one test body on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set:
/// `on_both_databases!(name);` next to `async fn name(backend: Backend)` generates
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    not(doorstep_pg),
                    ignore = "PostgreSQL test skipped: TEST_DATABASE_URL was not set when the tests were built"
                )]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )+
    };
}
