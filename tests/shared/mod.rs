//! The PostgreSQL tests, run by `tests/postgres.rs`: each gets a database
//! of its own in the test process's throwaway cluster.

mod service;
mod store;

use pik_tui::store::postgres::{Given, Target};
use pik_tui::store::{Account, Place, Store};
use pik_tui::test_cluster::{Cluster, cluster};

pub type Test = Box<dyn FnOnce() + Send + std::panic::UnwindSafe>;

pub fn tests() -> Vec<(String, Test)> {
    let mut tests = store::tests();
    tests.extend(service::tests());
    tests
}

pub fn the_cluster() -> &'static Cluster {
    match cluster() {
        Some(cluster) => cluster,
        None => panic!("PostgreSQL is not available"),
    }
}

/// A runtime for one test (each test is a plain function to the harness).
pub fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => panic!("no runtime: {err}"),
    }
}

/// A fresh database named after the test, and its URL (with the password,
/// as a config file holds it).
pub fn database(name: &str) -> String {
    the_cluster().database(name)
}

pub fn account(base_url: &str) -> Account {
    Account::new(base_url, &pik_tui::api::ApiKey::new(pik_tui::sandbox::DEMO_KEY))
}

/// The shared store in the database at `url`.
pub async fn open(url: &str, base_url: &str) -> Store {
    let target = match Target::parse(url, Given::ConfigFile) {
        Ok(target) => target,
        Err(err) => panic!("{err}"),
    };
    match Store::open_place(Place::Postgres(target), &account(base_url)).await {
        Ok(opened) => opened.store,
        Err(err) => panic!("cannot open {url}: {err}"),
    }
}
