//! Locating the Warden home directory and the files inside it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// Name of the configuration file inside the home directory.
pub const CONFIG_FILE: &str = "warden.toml";
/// Name of the policy directory inside the home directory.
pub const POLICIES_DIR: &str = "policies";
/// Name of the SQLite database inside the home directory.
pub const DATABASE_FILE: &str = "warden.db";
/// Name of the key directory inside the home directory.
pub const KEYS_DIR: &str = "keys";
/// Name of the audit signing key inside the key directory.
pub const SIGNING_KEY_FILE: &str = "audit.ed25519";
/// Name of the audit verifying (public) key inside the key directory.
pub const VERIFYING_KEY_FILE: &str = "audit.ed25519.pub";

/// Returns the Warden home directory from the process environment.
///
/// Precedence: `$WARDEN_HOME` if set and non-empty; otherwise
/// `$XDG_CONFIG_HOME/warden` if `XDG_CONFIG_HOME` is set to an absolute
/// path; otherwise `$HOME/.config/warden` if `HOME` is set and non-empty.
///
/// # Errors
///
/// [`StoreError::NoHome`] when none of these applies.
pub fn default_home() -> Result<PathBuf, StoreError> {
    home_from(
        std::env::var_os("WARDEN_HOME").as_deref(),
        std::env::var_os("XDG_CONFIG_HOME").as_deref(),
        std::env::var_os("HOME").as_deref(),
    )
}

/// The pure precedence rule behind [`default_home`], taking the values of
/// `WARDEN_HOME`, `XDG_CONFIG_HOME` and `HOME` (each `None` when unset).
///
/// A relative `XDG_CONFIG_HOME` is ignored, as the XDG Base Directory
/// specification requires; empty values count as unset.
///
/// # Errors
///
/// [`StoreError::NoHome`] when no usable value is given.
pub fn home_from(
    warden_home: Option<&OsStr>,
    xdg: Option<&OsStr>,
    home: Option<&OsStr>,
) -> Result<PathBuf, StoreError> {
    if let Some(dir) = warden_home.filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = xdg.map(Path::new).filter(|p| p.is_absolute()) {
        return Ok(dir.join("warden"));
    }
    if let Some(dir) = home.filter(|v| !v.is_empty()) {
        return Ok(Path::new(dir).join(".config").join("warden"));
    }
    Err(StoreError::NoHome)
}

/// Where each piece of Warden's state lives under a home directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Layout {
    /// The home directory (`$WARDEN_HOME`).
    pub root: PathBuf,
}

impl Layout {
    /// A layout rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
    }

    /// A layout rooted at [`default_home`].
    ///
    /// # Errors
    ///
    /// [`StoreError::NoHome`] when no home directory can be determined.
    pub fn from_env() -> Result<Self, StoreError> {
        default_home().map(Layout::new)
    }

    /// `root/warden.toml`, the configuration file.
    pub fn config(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// `root/policies`, the Cedar policy directory.
    pub fn policies(&self) -> PathBuf {
        self.root.join(POLICIES_DIR)
    }

    /// `root/warden.db`, the SQLite database.
    pub fn database(&self) -> PathBuf {
        self.root.join(DATABASE_FILE)
    }

    /// `root/keys`, the key directory.
    pub fn keys(&self) -> PathBuf {
        self.root.join(KEYS_DIR)
    }

    /// `root/keys/audit.ed25519`, the hex-encoded audit signing key.
    pub fn signing_key(&self) -> PathBuf {
        self.keys().join(SIGNING_KEY_FILE)
    }

    /// `root/keys/audit.ed25519.pub`, the hex-encoded audit verifying key.
    pub fn verifying_key(&self) -> PathBuf {
        self.keys().join(VERIFYING_KEY_FILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn warden_home_wins() {
        let got = home_from(os("/w"), os("/x"), os("/h")).unwrap();
        assert_eq!(got, PathBuf::from("/w"));
    }

    #[test]
    fn relative_warden_home_is_kept_as_is() {
        let got = home_from(os("state"), os("/x"), os("/h")).unwrap();
        assert_eq!(got, PathBuf::from("state"));
    }

    #[test]
    fn empty_warden_home_falls_through_to_xdg() {
        let got = home_from(os(""), os("/x"), os("/h")).unwrap();
        assert_eq!(got, PathBuf::from("/x/warden"));
    }

    #[test]
    fn xdg_used_when_absolute() {
        let got = home_from(None, os("/cfg"), os("/h")).unwrap();
        assert_eq!(got, PathBuf::from("/cfg/warden"));
    }

    #[test]
    fn relative_or_empty_xdg_is_ignored() {
        let got = home_from(None, os("cfg"), os("/h")).unwrap();
        assert_eq!(got, PathBuf::from("/h/.config/warden"));
        let got = home_from(None, os(""), os("/h")).unwrap();
        assert_eq!(got, PathBuf::from("/h/.config/warden"));
    }

    #[test]
    fn home_fallback() {
        let got = home_from(None, None, os("/home/u")).unwrap();
        assert_eq!(got, PathBuf::from("/home/u/.config/warden"));
    }

    #[test]
    fn nothing_set_is_an_error() {
        assert!(matches!(
            home_from(None, None, None),
            Err(StoreError::NoHome)
        ));
        assert!(matches!(
            home_from(os(""), os("rel"), os("")),
            Err(StoreError::NoHome)
        ));
    }

    #[test]
    fn layout_paths() {
        let l = Layout::new("/r");
        assert_eq!(l.config(), PathBuf::from("/r/warden.toml"));
        assert_eq!(l.policies(), PathBuf::from("/r/policies"));
        assert_eq!(l.database(), PathBuf::from("/r/warden.db"));
        assert_eq!(l.keys(), PathBuf::from("/r/keys"));
        assert_eq!(l.signing_key(), PathBuf::from("/r/keys/audit.ed25519"));
        assert_eq!(
            l.verifying_key(),
            PathBuf::from("/r/keys/audit.ed25519.pub")
        );
    }
}
