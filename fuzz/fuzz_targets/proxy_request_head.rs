//! The egress proxy's request-head parser on arbitrary bytes: it must never
//! panic, must respect its size limit, and what it accepts must round-trip
//! through serialization. The helpers that read parsed values (proxy
//! credentials, CONNECT authorities, Host headers) must not panic either.

#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_proxy::head::{parse_head, parse_proxy_authorization, HeadStatus, MAX_HEAD_BYTES};
use warden_proxy::hosts::{host_header_matches, parse_authority};

fuzz_target!(|data: &[u8]| {
    // The first byte picks a limit, so small limits are exercised too.
    let (limit, input) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (usize::from(*b) * 16 + 16, rest),
        _ => (MAX_HEAD_BYTES, data),
    };
    let Ok(HeadStatus::Complete { head, len }) = parse_head(input, limit) else {
        return;
    };
    assert!(len <= limit && len <= input.len());
    let wire = head.to_bytes();
    match parse_head(&wire, usize::MAX) {
        Ok(HeadStatus::Complete { head: again, len }) => {
            assert_eq!(len, wire.len());
            assert_eq!(again, head);
        }
        other => panic!("a parsed head did not round-trip: {other:?}"),
    }
    if let Ok((host, port)) = parse_authority(&head.target) {
        assert!(port > 0);
        assert!(!host.is_empty());
    }
    for h in &head.headers {
        let _ = parse_proxy_authorization(&h.value);
        let _ = host_header_matches(&h.value, "example.com", 443);
    }
});
