//! Connecting to destinations: resolution, the private-address guard and
//! connect timeouts.
//!
//! The proxy resolves a host once and connects to an address it has
//! checked, so a name that resolves to a loopback, private or link-local
//! address (cloud metadata, services on the developer's machine) cannot be
//! reached through an allowed host name unless the configuration allows
//! private destinations.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpStream;

/// Why a destination could not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// Name resolution failed or found nothing.
    #[error("cannot resolve {0}")]
    Resolve(String),
    /// Every address found is private and private destinations are not
    /// allowed.
    #[error(
        "{host} resolves to a private or local address ({addr}), which the proxy does not reach"
    )]
    Private {
        /// The host asked for.
        host: String,
        /// The first refused address.
        addr: IpAddr,
    },
    /// Every connect attempt failed.
    #[error("cannot connect to {0}")]
    Connect(String),
    /// Resolution or connect did not finish in time.
    #[error("connecting to {0} timed out")]
    Timeout(String),
}

/// True for addresses the proxy does not reach unless private destinations
/// are allowed: loopback, unspecified, private, shared (CGNAT), link-local,
/// multicast and broadcast ranges, IPv6 unique-local and site-local, and
/// IPv4-mapped or IPv4-compatible forms of those.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] & 0xffc0) == 0xfec0 // site-local fec0::/10
                || (seg[..6] == [0, 0, 0, 0, 0, 0] && is_private_v4(Ipv4Addr::new((seg[6] >> 8) as u8, seg[6] as u8, (seg[7] >> 8) as u8, seg[7] as u8)))
                || v6 == Ipv6Addr::LOCALHOST
        }
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let o = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24
        || o[0] >= 240
}

/// Resolves `host` and connects to the first address that passes the guard
/// and accepts, within `timeout` overall.
pub(crate) async fn connect(
    host: &str,
    port: u16,
    allow_private: bool,
    timeout: Duration,
) -> Result<TcpStream, ConnectError> {
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let attempt = async {
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|_| ConnectError::Resolve(host.to_string()))?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(ConnectError::Resolve(host.to_string()));
        }
        let mut refused = None;
        let mut last_err = None;
        for addr in addrs {
            if !allow_private && is_private(addr.ip()) {
                refused.get_or_insert(addr.ip());
                continue;
            }
            match TcpStream::connect(addr).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(stream);
                }
                Err(e) => last_err = Some(e),
            }
        }
        match (last_err, refused) {
            (None, Some(addr)) => Err(ConnectError::Private {
                host: host.to_string(),
                addr,
            }),
            _ => Err(ConnectError::Connect(target.clone())),
        }
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(r) => r,
        Err(_) => Err(ConnectError::Timeout(target.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(is_private(ip.parse().expect("ip")), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "140.82.112.3",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_private(ip.parse().expect("ip")), "{ip}");
        }
    }
}
