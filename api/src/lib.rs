//! Doorstep's HTTP API. Handlers are thin: they parse and authorise, call the domain, and
//! map the result; every error becomes problem+json in `http::problem`.

pub mod cli;
pub mod config;
pub mod console;
pub mod contract;
pub mod demo;
pub mod http;
pub mod jobs;
pub mod keys;
pub mod openapi;
pub mod ratelimit;
pub mod realtime;
pub mod routes;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod views;

pub use config::Settings;
pub use startup::Application;
