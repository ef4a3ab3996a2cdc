//! TLS towards destinations: which roots verify them.

use std::path::Path;
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;

use crate::ca::pem_certificates;

/// The `ring` crypto provider used for every TLS connection of the proxy.
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The roots that verify destinations of intercepted connections.
#[derive(Debug, Clone)]
pub struct UpstreamRoots {
    /// Trust the system's roots (read once, at start, through
    /// `rustls-native-certs`).
    pub system: bool,
    /// Further roots to trust (a corporate CA; tests' local CAs).
    pub extra: Vec<CertificateDer<'static>>,
}

impl Default for UpstreamRoots {
    fn default() -> Self {
        UpstreamRoots {
            system: true,
            extra: Vec::new(),
        }
    }
}

/// Errors building the destination TLS configuration.
#[derive(Debug, thiserror::Error)]
pub enum RootsError {
    /// A PEM file had no certificate.
    #[error("no certificate found in {0}")]
    NoCertificate(String),
    /// Reading a PEM file failed.
    #[error("read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No usable root at all.
    #[error("no trusted root certificates: destinations cannot be verified")]
    Empty,
    /// rustls refused the configuration.
    #[error("TLS configuration error: {0}")]
    Tls(String),
}

impl UpstreamRoots {
    /// Only the given roots, not the system's.
    pub fn only(extra: Vec<CertificateDer<'static>>) -> Self {
        UpstreamRoots {
            system: false,
            extra,
        }
    }

    /// Adds every certificate of a PEM text.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<(), RootsError> {
        let certs = pem_certificates(pem);
        if certs.is_empty() {
            return Err(RootsError::NoCertificate("PEM text".into()));
        }
        self.extra.extend(certs);
        Ok(())
    }

    /// Adds every certificate of a PEM file.
    pub fn add_pem_file(&mut self, path: &Path) -> Result<(), RootsError> {
        let data = std::fs::read(path).map_err(|source| RootsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        self.add_pem(&data)
            .map_err(|_| RootsError::NoCertificate(path.display().to_string()))
    }

    /// Builds the client configuration: these roots, HTTP/1.1 by ALPN.
    pub(crate) fn client_config(&self) -> Result<Arc<ClientConfig>, RootsError> {
        let mut store = RootCertStore::empty();
        if self.system {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
        }
        store.add_parsable_certificates(self.extra.iter().cloned());
        if store.is_empty() {
            return Err(RootsError::Empty);
        }
        let mut config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| RootsError::Tls(e.to_string()))?
            .with_root_certificates(store)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}
