use super::*;
use crate::app::columns::Columns;
use crate::store::Sort;
use std::io::Write;

fn write(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
    let path = dir.join(name);
    let written = std::fs::File::create(&path).and_then(|mut f| f.write_all(text.as_bytes()));
    assert!(written.is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert!(std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).is_ok());
    }
    path
}

fn temp() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("no temp dir: {err}"),
    }
}

const FILE: &str = r#"
default_profile = "test"
[profiles.test]
base_url = "http://127.0.0.1:9/v1"
api_key_file = "test.key"
[profiles.live]
api_key = "pik_live_fromfile"
read_only = true
"#;

#[test]
fn flags_beat_environment_beat_file() {
    let dir = temp();
    let config = write(dir.path(), "config.toml", FILE, 0o600);
    write(dir.path(), "test.key", "pik_test_fromkeyfile\n", 0o600);
    let flag_key = write(dir.path(), "flag.key", "pik_test_fromflag", 0o600);
    let flags = Flags { config: Some(config.clone()), ..Flags::default() };

    let from_file = resolve(&flags, &Environment::default());
    let Ok(from_file) = from_file else { panic!("{from_file:?}") };
    assert_eq!(from_file.profile.as_deref(), Some("test"));
    assert_eq!(from_file.key.expose(), "pik_test_fromkeyfile");
    assert_eq!(from_file.base_url, "http://127.0.0.1:9/v1");
    assert!(from_file.warnings.is_empty(), "{:?}", from_file.warnings);

    let env = Environment {
        api_key: Some("pik_test_fromenv".into()),
        base_url: Some("http://localhost:1/v1".into()),
        profile: Some("live".into()),
    };
    let from_env = resolve(&flags, &env);
    let Ok(from_env) = from_env else { panic!("{from_env:?}") };
    assert_eq!((from_env.key.expose(), from_env.base_url.as_str()), ("pik_test_fromenv", "http://localhost:1/v1"));
    assert_eq!(from_env.profile.as_deref(), Some("live"));
    assert!(from_env.read_only);

    let flags = Flags {
        config: Some(config),
        profile: Some("test".into()),
        base_url: Some("https://example.test/v1".into()),
        api_key_file: Some(flag_key),
        read_only: false,
    };
    let from_flags = resolve(&flags, &env);
    let Ok(from_flags) = from_flags else { panic!("{from_flags:?}") };
    assert_eq!(from_flags.key.expose(), "pik_test_fromflag");
    assert_eq!(from_flags.base_url, "https://example.test/v1");
    assert!(!from_flags.read_only);
}

#[test]
fn a_profile_switch_uses_that_profile_alone() {
    let dir = temp();
    let config = write(dir.path(), "config.toml", FILE, 0o600);
    write(dir.path(), "test.key", "pik_test_fromkeyfile\n", 0o600);
    let flag_key = write(dir.path(), "flag.key", "pik_test_fromflag", 0o600);
    let flags = Flags {
        config: Some(config),
        api_key_file: Some(flag_key),
        base_url: Some("https://flag.example/v1".into()),
        read_only: true,
        ..Flags::default()
    };
    let Ok(test) = resolve_profile(&flags, "test") else { panic!("refused") };
    assert_eq!((test.key.expose(), test.base_url.as_str()), ("pik_test_fromkeyfile", "http://127.0.0.1:9/v1"));
    assert!(test.read_only, "--read-only holds across switches");
    let Ok(live) = resolve_profile(&flags, "live") else { panic!("refused") };
    assert_eq!((live.key.expose(), live.base_url.as_str()), ("pik_live_fromfile", DEFAULT_BASE_URL));
    assert!(resolve_profile(&flags, "nope").is_err());
}

#[test]
fn keys_and_theme_come_with_their_line_numbers() {
    let dir = temp();
    let text = "theme = \"light\"\n\n[keys]\n\"ctrl-n\" = \"new_link\"\n\"x\" = \"deactivate\"\n";
    let config = write(dir.path(), "config.toml", text, 0o600);
    let Ok(Some(file)) = load_file(&config) else { panic!("not read") };
    let keys = file.key_entries();
    assert_eq!(
        keys.iter().map(|e| (e.line, e.key.as_str(), e.value.as_str())).collect::<Vec<_>>(),
        [(4, "ctrl-n", "new_link"), (5, "x", "deactivate")]
    );
    assert_eq!(file.theme_entries().0, Some((1, "light".to_string())));
    let table = "[theme]\nname = \"mono\"\n[theme.colors]\npaid = \"#2e7d32\"\n";
    let config = write(dir.path(), "table.toml", table, 0o600);
    let Ok(Some(file)) = load_file(&config) else { panic!("not read") };
    let (name, colors) = file.theme_entries();
    assert_eq!(name, Some((2, "mono".to_string())));
    assert_eq!(colors, [Entry { line: 4, key: "paid".into(), value: "#2e7d32".into() }]);
    // A syntax error names its line too.
    let broken = write(dir.path(), "broken.toml", "[keys]\n\"x\" = \n", 0o600);
    let err = load_file(&broken).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("line 2"), "{err}");
}

#[cfg(unix)]
#[test]
fn warns_when_others_can_read_a_key() {
    let dir = temp();
    let config = write(dir.path(), "config.toml", FILE, 0o644);
    write(dir.path(), "test.key", "pik_test_k", 0o640);
    let flags = Flags { config: Some(config), profile: Some("live".into()), ..Flags::default() };
    let live = resolve(&flags, &Environment::default());
    assert!(live.is_ok_and(|s| s.warnings.len() == 1 && s.warnings[0].contains("chmod 600")));
    let flags = Flags { profile: Some("test".into()), ..flags };
    let test = resolve(&flags, &Environment::default());
    assert!(test.is_ok_and(|s| s.warnings.len() == 1 && s.warnings[0].contains("test.key")));
}

#[test]
fn clear_errors_for_missing_things() {
    let dir = temp();
    let missing = Flags { config: Some(dir.path().join("none.toml")), ..Flags::default() };
    let err = resolve(&missing, &Environment::default()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("none.toml") && err.contains("there is no such file"), "{err}");
    let err = resolve(&Flags::default(), &Environment::default()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("no API key") && err.contains("pik-tui --demo"), "{err}");
    #[cfg(unix)]
    {
        let zero = Flags { config: Some("/dev/zero".into()), ..Flags::default() };
        let err = resolve(&zero, &Environment::default()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("larger than 1 MB"), "{err}");
    }

    let config = write(dir.path(), "config.toml", FILE, 0o600);
    let flags = Flags { config: Some(config.clone()), profile: Some("prod".into()), ..Flags::default() };
    let err = resolve(&flags, &Environment::default()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("no profile \"prod\""), "{err}");

    let bad = write(dir.path(), "bad.toml", "[profiles.x]\nkey = 1\n", 0o600);
    let flags = Flags { config: Some(bad), ..Flags::default() };
    let err = resolve(&flags, &Environment::default()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("is not valid"), "{err}");

    let flags = Flags { config: Some(config), api_key_file: Some(dir.path().join("nope.key")), ..Flags::default() };
    let err = resolve(&flags, &Environment::default()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("cannot read the API key file"), "{err}");
}

#[test]
fn the_zone_comes_from_the_flag_then_the_profile_then_the_file() {
    let dir = temp();
    let text = "tz = \"Asia/Kolkata\"\n[profiles.berlin]\napi_key = \"pik_test_x\"\ntz = \"Europe/Berlin\"\n\
                [profiles.plain]\napi_key = \"pik_test_y\"\n[profiles.bad]\napi_key = \"pik_test_z\"\ntz = \"Mars/Base\"\n";
    let path = write(dir.path(), "config.toml", text, 0o600);
    let Ok(Some(file)) = load_file(&path) else { panic!("the file") };
    let name = |flag: Option<&str>, profile: Option<&str>| {
        zone(flag, Some(&file), profile, "config.toml").map(|z| z.name().to_string()).map_err(|e| e.to_string())
    };
    assert_eq!(name(Some("UTC"), Some("berlin")), Ok("UTC".into()));
    assert_eq!(name(None, Some("berlin")), Ok("Europe/Berlin".into()));
    assert_eq!(name(None, Some("plain")), Ok("Asia/Kolkata".into()));
    assert_eq!(name(None, None), Ok("Asia/Kolkata".into()));
    let refused = name(None, Some("bad"));
    assert!(matches!(&refused, Err(e) if e.contains("line 9") && e.contains("Mars/Base")), "{refused:?}");
    let flag = name(Some("Nowhere/Else"), None);
    assert!(matches!(&flag, Err(e) if e.starts_with("--tz:")), "{flag:?}");
}

#[test]
fn the_panes_first_sort_comes_from_the_file_and_a_bad_one_names_its_line() {
    let dir = temp();
    let path = write(dir.path(), "config.toml", "[sort]\nlinks = \"amount desc\"\ntransactions = \"settled\"\n", 0o600);
    let Ok(Some(file)) = load_file(&path) else { panic!("the file") };
    let read = sorts(Some(&file), "config.toml");
    let amount = Sort { column: crate::store::SortColumn::Amount, descending: true };
    let settled = Sort { column: crate::store::SortColumn::Settled, descending: true };
    assert!(matches!(read, Ok([links, transactions]) if links == amount && transactions == settled));
    assert!(matches!(sorts(None, "x"), Ok([a, b]) if a == Sort::default() && b == Sort::default()));
    let bad = write(dir.path(), "bad.toml", "[sort]\n\nlinks = \"settled\"\n", 0o600);
    let Ok(Some(file)) = load_file(&bad) else { panic!("the file") };
    let refused = sorts(Some(&file), "bad.toml").map_err(|e| e.to_string());
    assert!(matches!(&refused, Err(e) if e.contains("line 3") && e.contains("amount, currency")), "{refused:?}");
}

#[test]
fn the_tables_columns_come_from_the_file_and_an_unknown_one_names_its_line_and_the_names() {
    use crate::app::columns::{Column, Table};
    let dir = temp();
    let text = "# mine\n[columns]\nlinks = [\"id\", \"description:40\", \"amount\", \"status\"]\n";
    let path = write(dir.path(), "config.toml", text, 0o600);
    let Ok(Some(file)) = load_file(&path) else { panic!("the file") };
    let Ok(read) = columns(Some(&file), "config.toml") else { panic!("refused") };
    let links: Vec<_> = read.of(Table::Links).iter().map(|c| (c.column, c.width)).collect();
    assert_eq!(
        links,
        [
            (Column::Id, None),
            (Column::Description, Some(40)),
            (Column::Amount, None),
            (Column::Currency, None),
            (Column::Status, None)
        ]
    );
    assert_eq!(read.of(Table::Transactions), Columns::default().of(Table::Transactions), "the others as they were");
    let bad = write(dir.path(), "bad.toml", "[columns]\n\ntransactions = [\"id\",\n  \"colour\"]\n", 0o600);
    let Ok(Some(file)) = load_file(&bad) else { panic!("the file") };
    let refused = columns(Some(&file), "bad.toml").map_err(|e| e.to_string());
    assert!(
        matches!(&refused, Err(e) if e.contains("line 3") && e.contains("\"colour\"") && e.contains("id, link, amount")),
        "{refused:?}"
    );
    let unknown_table = write(dir.path(), "views.toml", "[columns]\nlinkz = [\"id\"]\n", 0o600);
    assert!(load_file(&unknown_table).is_err(), "a table that does not exist is refused");
}

#[test]
fn a_view_that_does_not_read_is_refused_at_start_up_naming_its_line() {
    let dir = temp();
    let zone = crate::zone::Zone::utc();
    let rules = crate::cases::CaseRules::default();
    let reading = crate::store::Reading { zone: &zone, now: crate::test_support::t0(), cases: &rules };
    let taken = |c: char| (c == 'd').then(|| "deactivate".to_string());
    let read = |name: &str, text: &str| {
        let path = write(dir.path(), name, text, 0o600);
        let Ok(Some(file)) = load_file(&path) else { panic!("{name} does not load") };
        views(Some(&file), name, reading, &taken, &Columns::default()).map_err(|e| e.to_string())
    };
    let good =
        "[[views]]\nname = \"big\"\nquery = \"status:active amount:>=1000\"\nsort = \"amount desc\"\nkey = \"u\"\n";
    let Ok(read_good) = read("good.toml", good) else { panic!("refused") };
    assert_eq!(read_good.iter().map(|v| (v.name.as_str(), v.key)).collect::<Vec<_>>(), [("big", Some('u'))]);
    let refusals = [
        ("date.toml", "\n[[views]]\nname = \"a\"\nquery = \"created:someday\"\n", "line 2", "created"),
        ("sort.toml", "[[views]]\nname = \"a\"\nquery = \"x\"\nsort = \"colour\"\n", "line 1", "sort by one of"),
        ("status.toml", "[[views]]\nname = \"a\"\nquery = \"status:payed\"\n", "line 1", "none of active, paid"),
        (
            "kind.toml",
            "[[views]]\nname = \"a\"\nquery = \"status:failed\"\nkind = \"links\"\n",
            "line 1",
            "about payments",
        ),
        ("twice.toml", &format!("{good}\n[[views]]\nname = \"BIG\"\nquery = \"x\"\n"), "line 7", "another view"),
        (
            "keys.toml",
            &format!("{good}\n[[views]]\nname = \"b\"\nquery = \"x\"\nkey = \"u\"\n"),
            "line 7",
            "key of another view",
        ),
        ("taken.toml", "[[views]]\nname = \"a\"\nquery = \"x\"\nkey = \"d\"\n", "line 1", "deactivate"),
    ];
    for (name, text, line, words) in refusals {
        let refused = read(name, text);
        assert!(matches!(&refused, Err(e) if e.contains(line) && e.contains(words)), "{name}: {refused:?}");
    }
}

#[test]
fn views_take_their_own_columns_or_every_view_s_and_an_unknown_one_is_refused() {
    use crate::app::columns::Column;
    let dir = temp();
    let zone = crate::zone::Zone::utc();
    let rules = crate::cases::CaseRules::default();
    let reading = crate::store::Reading { zone: &zone, now: crate::test_support::t0(), cases: &rules };
    let text = "[columns]\nviews = [\"id\", \"amount\", \"hash\", \"url\"]\n\n[[views]]\nname = \"links\"\nquery = \"x\"\n\n\
                [[views]]\nname = \"fails\"\nquery = \"status:failed\"\n\n[[views]]\nname = \"mine\"\nquery = \"y\"\ncolumns = [\"id\", \"paid\"]\n";
    let path = write(dir.path(), "views.toml", text, 0o600);
    let Ok(Some(file)) = load_file(&path) else { panic!("the file") };
    let Ok(every) = columns(Some(&file), "views.toml") else { panic!("refused") };
    let Ok(read) = views(Some(&file), "views.toml", reading, &|_| None, &every) else { panic!("refused") };
    let shown = |at: usize| -> Vec<Column> { read[at].columns.iter().flatten().map(|c| c.column).collect() };
    use Column::*;
    assert_eq!(shown(0), [Id, Amount, Currency, Status, Url], "a link's of every view's");
    assert_eq!(shown(1), [Id, Amount, Currency, Status, Hash], "a payment's of every view's");
    assert_eq!(shown(2), [Id, Amount, Currency, Status, Paid], "its own");
    let bad = write(dir.path(), "bad.toml", "[columns]\nviews = [\"id\", \"colour\"]\n", 0o600);
    let Ok(Some(file)) = load_file(&bad) else { panic!("the file") };
    let refused = columns(Some(&file), "bad.toml").map_err(|e| e.to_string());
    assert!(
        matches!(&refused, Err(e) if e.contains("line 2") && e.contains("\"colour\"") && e.contains("hash")),
        "{refused:?}"
    );
    let widths = write(dir.path(), "widths.toml", "[columns]\nviews = [\"id:10\"]\n", 0o600);
    let Ok(Some(file)) = load_file(&widths) else { panic!("the file") };
    let refused = columns(Some(&file), "widths.toml").map_err(|e| e.to_string());
    assert!(matches!(&refused, Err(e) if e.contains("line 2") && e.contains("own widths")), "{refused:?}");
}
