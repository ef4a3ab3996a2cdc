//! End-to-end tests of `init`, the key files and the database.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use warden_store::{
    init, load_signing_key, load_verifying_key, InitFile, InitReport, Layout, Store, StoreError,
};

fn pack_a() -> Vec<InitFile> {
    vec![
        InitFile::new("warden.toml", "mode = \"enforce\"\n"),
        InitFile::new(
            "policies/base.cedar",
            "permit(principal, action, resource);\n",
        ),
        InitFile::new(
            "policies/extra.cedar",
            "forbid(principal, action, resource);\n",
        ),
        InitFile::new("policies/warden.cedarschema", "entity User;\n"),
        InitFile::new("policies/tests/basic.toml", "[[case]]\n"),
    ]
}

fn pack_b() -> Vec<InitFile> {
    vec![
        InitFile::new("warden.toml", "mode = \"audit\"\n"),
        InitFile::new(
            "policies/strict.cedar",
            "forbid(principal, action, resource);\n",
        ),
        InitFile::new("policies/warden.cedarschema", "entity User; entity Tool;\n"),
    ]
}

fn fresh() -> (tempfile::TempDir, Layout) {
    let dir = tempfile::tempdir().unwrap();
    // A not-yet-existing nested root exercises parent creation.
    let layout = Layout::new(dir.path().join("home").join("warden"));
    (dir, layout)
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Every regular file under `root` with its contents and mtime.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.insert(
                    entry.path(),
                    (
                        fs::read(entry.path()).unwrap(),
                        meta.modified().unwrap(),
                        meta.permissions().mode(),
                    ),
                );
            }
        }
    }
    out
}

fn sorted(mut v: Vec<PathBuf>) -> Vec<PathBuf> {
    v.sort();
    v
}

#[test]
fn fresh_init_creates_everything_with_the_right_modes() {
    let (_dir, layout) = fresh();
    let report = init(&layout, &pack_a(), false).unwrap();

    let root = &layout.root;
    assert_eq!(mode(root), 0o700);
    assert_eq!(mode(&layout.keys()), 0o700);
    assert_eq!(mode(&layout.config()), 0o600);
    assert_eq!(
        fs::read_to_string(layout.config()).unwrap(),
        "mode = \"enforce\"\n"
    );
    for policy in [
        "policies/base.cedar",
        "policies/extra.cedar",
        "policies/warden.cedarschema",
        "policies/tests/basic.toml",
    ] {
        assert_eq!(mode(&root.join(policy)), 0o644, "{policy}");
    }
    assert_eq!(mode(&layout.database()), 0o600);
    assert_eq!(mode(&layout.signing_key()), 0o600);
    assert_eq!(mode(&layout.verifying_key()), 0o644);

    // Key files hold hex; the pair matches.
    let secret_hex = fs::read_to_string(layout.signing_key()).unwrap();
    assert_eq!(secret_hex.trim().len(), 64);
    assert!(secret_hex.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    let key = load_signing_key(&layout).unwrap();
    assert_eq!(load_verifying_key(&layout).unwrap(), key.verifying_key());
    assert_eq!(
        fs::read_to_string(layout.verifying_key()).unwrap().trim(),
        hex::encode(key.verifying_key().as_bytes())
    );

    // The database is migrated and in WAL mode.
    let store = Store::open(&layout.database()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        warden_store::SCHEMA_VERSION
    );
    assert_eq!(
        store.meta("schema").unwrap(),
        Some(warden_store::SCHEMA_VERSION.to_string())
    );
    assert!(store.meta("created_at").unwrap().is_some());

    let mut expected: Vec<PathBuf> = pack_a().iter().map(|f| root.join(&f.relative)).collect();
    expected.extend([
        layout.database(),
        layout.signing_key(),
        layout.verifying_key(),
    ]);
    assert_eq!(sorted(report.created), sorted(expected));
    assert!(report.overwritten.is_empty());
    assert!(report.kept.is_empty());
    assert!(report.removed.is_empty());

    // No temporary files left behind anywhere.
    for path in snapshot(root).keys() {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(!name.contains(".tmp-"), "{}", path.display());
    }
}

#[test]
fn second_init_without_force_fails_and_changes_nothing() {
    let (_dir, layout) = fresh();
    init(&layout, &pack_a(), false).unwrap();
    let before = snapshot(&layout.root);

    // The first existing supplied file is named, even when earlier entries
    // are new.
    let mut files = vec![InitFile::new(
        "policies/new.cedar",
        "permit(principal, action, resource);",
    )];
    files.extend(pack_b());
    let err = init(&layout, &files, false).unwrap_err();
    match err {
        StoreError::AlreadyInitialized { path } => assert_eq!(path, layout.config()),
        other => panic!("unexpected error: {other:?}"),
    }
    assert_eq!(snapshot(&layout.root), before);
    assert!(!layout.policies().join("new.cedar").exists());
}

#[test]
fn force_overwrites_config_and_policies_but_keeps_db_and_keys() {
    let (_dir, layout) = fresh();
    init(&layout, &pack_a(), false).unwrap();

    {
        let store = Store::open(&layout.database()).unwrap();
        store
            .connection()
            .execute(
                "INSERT INTO meta (key, value) VALUES ('audit_marker', 'keep me')",
                [],
            )
            .unwrap();
    }
    let secret_before = fs::read(layout.signing_key()).unwrap();
    let public_before = fs::read(layout.verifying_key()).unwrap();
    // A user-added policy and a non-cedar file in policies/.
    fs::write(
        layout.policies().join("custom.cedar"),
        "permit(principal, action, resource);",
    )
    .unwrap();
    fs::write(layout.policies().join("README.md"), "notes").unwrap();

    let report = init(&layout, &pack_b(), true).unwrap();
    let root = &layout.root;

    assert_eq!(
        fs::read_to_string(layout.config()).unwrap(),
        "mode = \"audit\"\n"
    );
    assert_eq!(mode(&layout.config()), 0o600);
    assert_eq!(
        fs::read_to_string(layout.policies().join("warden.cedarschema")).unwrap(),
        "entity User; entity Tool;\n"
    );
    assert_eq!(mode(&layout.policies().join("strict.cedar")), 0o644);

    // Stale policies are gone; other files in policies/ are not touched.
    for gone in ["base.cedar", "extra.cedar", "custom.cedar"] {
        assert!(!layout.policies().join(gone).exists(), "{gone}");
    }
    assert!(layout.policies().join("README.md").exists());
    assert!(layout.policies().join("tests/basic.toml").exists());

    // Database and keys survive.
    let store = Store::open(&layout.database()).unwrap();
    assert_eq!(
        store.meta("audit_marker").unwrap().as_deref(),
        Some("keep me")
    );
    assert_eq!(fs::read(layout.signing_key()).unwrap(), secret_before);
    assert_eq!(fs::read(layout.verifying_key()).unwrap(), public_before);

    assert_eq!(
        report,
        InitReport {
            created: vec![root.join("policies/strict.cedar")],
            overwritten: vec![layout.config(), root.join("policies/warden.cedarschema")],
            kept: vec![
                layout.database(),
                layout.signing_key(),
                layout.verifying_key()
            ],
            removed: vec![
                root.join("policies/base.cedar"),
                root.join("policies/custom.cedar"),
                root.join("policies/extra.cedar"),
            ],
        }
    );
}

#[test]
fn init_without_force_into_partial_home_keeps_existing_state() {
    let (_dir, layout) = fresh();
    init(&layout, &pack_a(), false).unwrap();
    let secret_before = fs::read(layout.signing_key()).unwrap();
    fs::remove_file(layout.config()).unwrap();
    fs::remove_file(layout.verifying_key()).unwrap();

    let files = [InitFile::new("warden.toml", "x = 1\n")];
    let report = init(&layout, &files, false).unwrap();
    assert_eq!(
        sorted(report.created),
        sorted(vec![layout.config(), layout.verifying_key()])
    );
    assert_eq!(
        sorted(report.kept),
        sorted(vec![layout.database(), layout.signing_key()])
    );
    assert_eq!(fs::read(layout.signing_key()).unwrap(), secret_before);
    let key = load_signing_key(&layout).unwrap();
    assert_eq!(load_verifying_key(&layout).unwrap(), key.verifying_key());
    // Without force, unsupplied policies are left alone.
    assert!(layout.policies().join("base.cedar").exists());
}

#[test]
fn bad_relative_paths_are_rejected_before_writing() {
    let (_dir, layout) = fresh();
    for bad in [
        "",
        "/etc/passwd",
        "../escape.cedar",
        "policies/../../escape",
        "./warden.toml",
        "policies//x.cedar",
        "keys/audit.ed25519",
        "warden.db",
    ] {
        let files = [
            InitFile::new("warden.toml", "ok"),
            InitFile::new(bad, "evil"),
        ];
        let err = init(&layout, &files, true).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidPath { ref relative, .. } if relative == bad),
            "{bad:?}: {err:?}"
        );
        assert!(!layout.root.exists(), "{bad:?} caused a write");
    }
}

#[test]
fn key_file_readable_by_others_is_refused() {
    let (_dir, layout) = fresh();
    init(&layout, &pack_a(), false).unwrap();
    let path = layout.signing_key();
    let secret = fs::read_to_string(&path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    let err = load_signing_key(&layout).unwrap_err();
    match &err {
        StoreError::KeyPermissions { path: p, mode } => {
            assert_eq!(p, &path);
            assert_eq!(*mode, 0o644);
        }
        other => panic!("unexpected error: {other:?}"),
    }
    let shown = format!("{err} / {err:?}");
    assert!(shown.contains("0644"), "{shown}");
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert!(!shown.contains(secret.trim()), "key bytes leaked: {shown}");

    // init refuses to proceed with an unsafe key, too, and writes nothing.
    let before = snapshot(&layout.root);
    assert!(matches!(
        init(&layout, &pack_b(), true),
        Err(StoreError::KeyPermissions { .. })
    ));
    assert_eq!(snapshot(&layout.root), before);

    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let key = load_signing_key(&layout).unwrap();
    let debug = format!("{key:?}");
    assert!(!debug.contains(secret.trim()), "key bytes leaked: {debug}");
}

#[test]
fn mismatched_or_orphaned_keys_are_refused() {
    let (_dir, layout) = fresh();
    init(&layout, &pack_a(), false).unwrap();

    // A public key from another pair.
    let other = tempfile::tempdir().unwrap();
    let other_layout = Layout::new(other.path());
    init(&other_layout, &[], false).unwrap();
    fs::copy(other_layout.verifying_key(), layout.verifying_key()).unwrap();
    assert!(matches!(
        init(&layout, &pack_a(), true),
        Err(StoreError::KeyMismatch { .. })
    ));

    // A public key without its signing key.
    fs::remove_file(layout.signing_key()).unwrap();
    let public_before = fs::read(layout.verifying_key()).unwrap();
    assert!(matches!(
        init(&layout, &pack_a(), true),
        Err(StoreError::MissingSigningKey { .. })
    ));
    assert_eq!(fs::read(layout.verifying_key()).unwrap(), public_before);
    assert!(!layout.signing_key().exists());
}

#[test]
fn wal_mode_is_on_after_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("w.db")).unwrap();
    let mode: String = store
        .connection()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn directory_in_place_of_a_file_is_reported_before_writing() {
    let (_dir, layout) = fresh();
    fs::create_dir_all(layout.config()).unwrap();
    let err = init(&layout, &pack_a(), true).unwrap_err();
    assert!(matches!(err, StoreError::NotAFile { .. }), "{err:?}");
    assert!(!layout.policies().exists());
    assert!(!layout.database().exists());
}
