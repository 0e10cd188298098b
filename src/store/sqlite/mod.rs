//! The mirror's queries on SQLite that have a twin on PostgreSQL
//! (`store/postgres/`): each reads the same rules, written once in
//! `store/`, its own way.

pub mod window;
