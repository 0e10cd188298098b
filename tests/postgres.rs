//! The shared mirror on a real PostgreSQL, started by the tests themselves
//! (`initdb` in a temp folder, a free loopback port). Where PostgreSQL is
//! not installed, every test here is skipped and one line says so and how
//! to run them; with `PIK_TUI_REQUIRE_POSTGRES` set (CI sets it) that is a
//! failure instead.

mod common;
mod shared;

use libtest_mimic::{Arguments, Trial};

/// Held for reading by every test, for writing by one that restarts the server.
static CLUSTER_USE: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let tests = shared::tests();
    let count = tests.len();
    let available = pik_tui::test_cluster::cluster().is_some();
    if !available {
        println!("{}", pik_tui::test_cluster::skipped_line(count));
    }
    let trials: Vec<Trial> = tests
        .into_iter()
        .map(|(name, test)| {
            // A test that stops the server runs alone; the others share it.
            let alone = name.contains("restart");
            Trial::test(name, move || {
                let _shared;
                let _alone;
                if alone {
                    _alone = CLUSTER_USE.write().unwrap_or_else(|poisoned| poisoned.into_inner());
                } else {
                    _shared = CLUSTER_USE.read().unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                std::panic::catch_unwind(test).map_err(|panic| {
                    let text = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panicked".into());
                    text.into()
                })
            })
            .with_ignored_flag(!available)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
