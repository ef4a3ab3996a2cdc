//! Warden's local certificate authority, and the per-host leaf
//! certificates it signs for intercepted (brokered) hosts.
//!
//! The CA lives in a directory outside the sandbox: `ca.pem` (the public
//! certificate, 0644) and `ca-key.pem` (its private key, 0600). The sandbox
//! trusts it through a bundle written by [`LocalCa::ca_bundle`] and named by
//! `SSL_CERT_FILE`, `GIT_SSL_CAINFO`, `NODE_EXTRA_CA_CERTS`,
//! `REQUESTS_CA_BUNDLE` and similar variables. It never sees the key.
//!
//! The CA's subject is derived from its key (`Warden local CA <key id>`),
//! so loading needs no certificate parser: the issuer name is rebuilt from
//! the key, and the stored certificate is checked to carry that key.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData as _, SanType, SerialNumber,
};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The file name of the CA certificate inside the CA directory.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The file name of the CA private key inside the CA directory.
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// The file name of the bundle written by [`LocalCa::ca_bundle`].
pub const CA_BUNDLE_FILE: &str = "ca-bundle.pem";
/// Where Debian and its derivatives keep the system's trusted roots.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// How long a leaf certificate is valid.
const LEAF_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a cached leaf is used before a fresh one is signed.
const LEAF_REUSE: Duration = Duration::from_secs(24 * 3600);
/// The most hosts whose leaf is cached at once.
const LEAF_CACHE_MAX: usize = 1024;

/// Errors of the local CA.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// Reading or writing a CA file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Generating or parsing a key or certificate failed.
    #[error("certificate error: {0}")]
    Cert(String),
    /// The stored certificate does not belong to the stored key.
    #[error("{0} does not match the CA key next to it")]
    Mismatch(PathBuf),
    /// Building the TLS configuration for a leaf failed.
    #[error("TLS configuration error: {0}")]
    Tls(String),
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> CaError + 'a {
    move |source| CaError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn cert_err(e: rcgen::Error) -> CaError {
    CaError::Cert(e.to_string())
}

struct CachedLeaf {
    config: Arc<ServerConfig>,
    issued: Instant,
}

/// The local CA: signs a leaf certificate per intercepted host, cached per
/// host.
pub struct LocalCa {
    dir: PathBuf,
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    leaf_key: KeyPair,
    leaf_key_der: Vec<u8>,
    leaves: Mutex<HashMap<String, CachedLeaf>>,
}

impl std::fmt::Debug for LocalCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCa")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl LocalCa {
    /// Loads the CA from `dir`, or creates it there (the directory 0700,
    /// the key 0600, the certificate 0644) when it does not exist yet.
    pub fn load_or_create(dir: impl AsRef<Path>) -> Result<Self, CaError> {
        let dir = dir.as_ref().to_path_buf();
        create_private_dir(&dir)?;
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        if !key_path.exists() {
            match create(&dir) {
                Ok(()) => {}
                // Another process created it at the same time: load theirs.
                Err(CaError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        let key_pem = zeroize::Zeroizing::new(
            fs::read_to_string(&key_path).map_err(io_err("read", &key_path))?,
        );
        let key = KeyPair::from_pem(&key_pem).map_err(cert_err)?;
        // A CA being created by another process has its key before its
        // certificate: wait a moment for the certificate.
        let mut cert_read = fs::read_to_string(&cert_path);
        for _ in 0..200 {
            match &cert_read {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    cert_read = fs::read_to_string(&cert_path);
                }
                _ => break,
            }
        }
        let cert_pem = cert_read.map_err(io_err("read", &cert_path))?;
        let cert_der = pem_certificates(cert_pem.as_bytes())
            .into_iter()
            .next()
            .ok_or_else(|| CaError::Cert(format!("no certificate in {}", cert_path.display())))?;
        let spki = key.subject_public_key_info();
        if !contains(cert_der.as_ref(), &spki) {
            return Err(CaError::Mismatch(cert_path));
        }
        let params = ca_params(&key, None);
        let issuer = Issuer::new(params, key);
        let leaf_key = KeyPair::generate().map_err(cert_err)?;
        let leaf_key_der = leaf_key.serialize_der();
        Ok(LocalCa {
            dir,
            cert_pem,
            cert_der,
            issuer,
            leaf_key,
            leaf_key_der,
            leaves: Mutex::new(HashMap::new()),
        })
    }

    /// The directory holding the CA.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the CA certificate (`ca.pem`).
    pub fn cert_path(&self) -> PathBuf {
        self.dir.join(CA_CERT_FILE)
    }

    /// The CA certificate in PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate in DER.
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// The bytes of a CA bundle: the system's trusted roots (from
    /// `system_bundle`, or from [`SYSTEM_CA_BUNDLE`] when `None` and it
    /// exists) followed by the warden CA.
    pub fn ca_bundle_bytes(&self, system_bundle: Option<&Path>) -> Result<Vec<u8>, CaError> {
        let mut bundle = Vec::new();
        let system = match system_bundle {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from(SYSTEM_CA_BUNDLE)).filter(|p| p.exists()),
        };
        if let Some(p) = system {
            bundle = fs::read(&p).map_err(io_err("read", &p))?;
            if !bundle.ends_with(b"\n") && !bundle.is_empty() {
                bundle.push(b'\n');
            }
        }
        bundle.extend_from_slice(b"# Warden local CA (TLS interception of brokered hosts)\n");
        bundle.extend_from_slice(self.cert_pem.as_bytes());
        Ok(bundle)
    }

    /// Writes `ca-bundle.pem` next to the CA ([`ca_bundle_bytes`]) and
    /// returns its path. Point `SSL_CERT_FILE`, `GIT_SSL_CAINFO`,
    /// `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` and `NODE_EXTRA_CA_CERTS` at
    /// it. The file is replaced atomically, and only when its content
    /// changes.
    ///
    /// [`ca_bundle_bytes`]: LocalCa::ca_bundle_bytes
    pub fn ca_bundle(&self, system_bundle: Option<&Path>) -> Result<PathBuf, CaError> {
        let bundle = self.ca_bundle_bytes(system_bundle)?;
        let path = self.dir.join(CA_BUNDLE_FILE);
        if fs::read(&path).is_ok_and(|current| current == bundle) {
            return Ok(path);
        }
        let tmp = self
            .dir
            .join(format!(".{CA_BUNDLE_FILE}.{}", std::process::id()));
        write_file(&tmp, &bundle, 0o644, false)?;
        fs::rename(&tmp, &path).map_err(io_err("rename", &path))?;
        Ok(path)
    }

    /// The TLS server configuration presenting a leaf for `host` (a DNS
    /// name or an IP address), signed by this CA. Leaves are cached per
    /// host and re-signed daily.
    pub fn server_config_for(&self, host: &str) -> Result<Arc<ServerConfig>, CaError> {
        let now = Instant::now();
        if let Ok(leaves) = self.leaves.lock() {
            if let Some(c) = leaves.get(host) {
                if now.duration_since(c.issued) < LEAF_REUSE {
                    return Ok(c.config.clone());
                }
            }
        }
        let config = Arc::new(self.build_leaf_config(host)?);
        if let Ok(mut leaves) = self.leaves.lock() {
            if leaves.len() >= LEAF_CACHE_MAX {
                leaves.clear();
            }
            leaves.insert(
                host.to_string(),
                CachedLeaf {
                    config: config.clone(),
                    issued: now,
                },
            );
        }
        Ok(config)
    }

    fn build_leaf_config(&self, host: &str) -> Result<ServerConfig, CaError> {
        let mut params = CertificateParams::default();
        let san = match host.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                host.try_into()
                    .map_err(|e: rcgen::Error| CaError::Cert(e.to_string()))?,
            ),
        };
        params.subject_alt_names = vec![san];
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, host);
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(random_serial()?);
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::hours(1);
        params.not_after = now
            + time::Duration::try_from(LEAF_VALIDITY).map_err(|e| CaError::Cert(e.to_string()))?;
        let leaf = params
            .signed_by(&self.leaf_key, &self.issuer)
            .map_err(cert_err)?;
        let chain = vec![leaf.der().clone(), self.cert_der.clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key_der.clone()));
        let mut config = ServerConfig::builder_with_provider(crate::tls::provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| CaError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| CaError::Tls(e.to_string()))?;
        // Only HTTP/1.1 is spoken inside an intercepted tunnel.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

fn ca_params(
    key: &KeyPair,
    validity: Option<(time::OffsetDateTime, time::OffsetDateTime)>,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    let key_id = params.key_identifier(key);
    let short: String = key_id.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Warden");
    dn.push(DnType::CommonName, format!("Warden local CA {short}"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    if let Some((nb, na)) = validity {
        params.not_before = nb;
        params.not_after = na;
    }
    params
}

fn create(dir: &Path) -> Result<(), CaError> {
    let key = KeyPair::generate().map_err(cert_err)?;
    let now = time::OffsetDateTime::now_utc();
    let mut params = ca_params(
        &key,
        Some((
            now - time::Duration::days(1),
            now + time::Duration::days(3650),
        )),
    );
    params.serial_number = Some(random_serial()?);
    let cert = params.self_signed(&key).map_err(cert_err)?;
    let key_pem = zeroize::Zeroizing::new(key.serialize_pem());
    // The key appears whole or not at all (a hard link of a complete file,
    // which fails when another process won the race); its certificate
    // follows, and loaders wait for it.
    let key_path = dir.join(CA_KEY_FILE);
    let key_tmp = dir.join(format!(".{CA_KEY_FILE}.{}", std::process::id()));
    write_file(&key_tmp, key_pem.as_bytes(), 0o600, false)?;
    let linked = fs::hard_link(&key_tmp, &key_path);
    let _ = fs::remove_file(&key_tmp);
    linked.map_err(io_err("create", &key_path))?;
    let cert_path = dir.join(CA_CERT_FILE);
    let tmp = dir.join(format!(".{CA_CERT_FILE}.{}", std::process::id()));
    write_file(&tmp, cert.pem().as_bytes(), 0o644, false)?;
    fs::rename(&tmp, &cert_path).map_err(io_err("rename", &cert_path))
}

fn random_serial() -> Result<SerialNumber, CaError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| CaError::Cert(format!("no randomness: {e}")))?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    Ok(SerialNumber::from_slice(&bytes))
}

fn create_private_dir(dir: &Path) -> Result<(), CaError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_err("create", dir))
}

fn write_file(path: &Path, data: &[u8], mode: u32, create_new: bool) -> Result<(), CaError> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true);
    if create_new {
        opts.create_new(true);
    } else {
        opts.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path).map_err(io_err("create", path))?;
    f.write_all(data).map_err(io_err("write", path))?;
    f.sync_all().map_err(io_err("sync", path))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every certificate in a PEM text, skipping other blocks.
pub fn pem_certificates(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    use rustls_pki_types::pem::PemObject as _;
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_loads_the_same_ca_with_private_key_perms() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_dir = dir.path().join("ca");
        let a = LocalCa::load_or_create(&ca_dir).expect("create");
        let b = LocalCa::load_or_create(&ca_dir).expect("load");
        assert_eq!(a.cert_pem(), b.cert_pem());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&ca_dir.join(CA_KEY_FILE)), 0o600);
            assert_eq!(mode(&ca_dir), 0o700);
        }
        // A leaf from the reloaded CA is signed under the same name.
        b.server_config_for("example.com").expect("leaf");
        b.server_config_for("127.0.0.1").expect("ip leaf");
    }

    #[test]
    fn bundle_is_system_roots_then_the_warden_ca() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = LocalCa::load_or_create(dir.path()).expect("create");
        let sys = dir.path().join("sys.pem");
        fs::write(&sys, "SYSTEM ROOTS").expect("write");
        let bundle = ca.ca_bundle(Some(&sys)).expect("bundle");
        let text = fs::read_to_string(bundle).expect("read");
        assert!(text.starts_with("SYSTEM ROOTS\n"));
        assert!(text.ends_with(ca.cert_pem()));
    }

    #[test]
    fn a_foreign_certificate_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let other = tempfile::tempdir().expect("tempdir");
        LocalCa::load_or_create(dir.path()).expect("create");
        LocalCa::load_or_create(other.path()).expect("create");
        fs::copy(
            other.path().join(CA_CERT_FILE),
            dir.path().join(CA_CERT_FILE),
        )
        .expect("copy");
        assert!(matches!(
            LocalCa::load_or_create(dir.path()),
            Err(CaError::Mismatch(_))
        ));
    }
}
