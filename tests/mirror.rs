//! The mirror's convergence property (`common/convergence.rs`) on SQLite.

mod common;

use common::convergence::converges;
use pik_tui::store::{Account, Place, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_mirror_converges_to_pik_through_activity_drift_and_faults() {
    for seed in [7, 1234] {
        // The sandbox's base URL is not known before it starts; the store
        // does not check the account in memory beyond its first claim.
        let account = Account::new("http://127.0.0.1/v1", &pik_tui::api::ApiKey::new(pik_tui::sandbox::DEMO_KEY));
        let store = match Store::open(Place::Memory, &account) {
            Ok(opened) => opened.store,
            Err(err) => panic!("{err}"),
        };
        converges(seed, store).await;
    }
}
