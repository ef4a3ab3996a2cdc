//! Property tests of the untrusted-input parsers: the request-head parser
//! never panics and round-trips; authorities and DLP encodings hold up.

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine as _;
use proptest::prelude::*;
use warden_proxy::dlp::KnownSecrets;
use warden_proxy::git::for_each_object;
use warden_proxy::head::{parse_head, HeadStatus, HeaderField, RequestHead, MAX_HEAD_BYTES};
use warden_proxy::hosts::{normalize_host, parse_authority};
use warden_proxy::SecretString;

fn head_strategy() -> impl Strategy<Value = RequestHead> {
    let method = "[A-Z]{1,10}";
    let target = prop_oneof![
        "/[A-Za-z0-9/._~%?=&:@!$'()*+,;-]{0,60}",
        "[a-z0-9.-]{1,30}:[1-9][0-9]{0,3}",
        "http://[a-z0-9.-]{1,30}(:[1-9][0-9]{0,3})?/[A-Za-z0-9/._?=&-]{0,40}",
    ];
    let header = (
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}",
        "([!-~]([ !-~]{0,60}[!-~])?)?",
    )
        .prop_map(|(name, value)| HeaderField {
            name,
            value: value.into_bytes(),
        });
    (
        method,
        target,
        0u8..=1,
        prop::collection::vec(header, 0..12),
    )
        .prop_map(|(method, target, minor_version, headers)| RequestHead {
            method,
            target,
            minor_version,
            headers,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048), limit in 0usize..4096) {
        let _ = parse_head(&bytes, limit);
    }

    #[test]
    fn parse_never_panics_on_near_heads(prefix in "(GET|CONNECT|POST) [ -~]{0,40} HTTP/1\\.[0-9]\r\n", rest in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = prefix.into_bytes();
        bytes.extend(rest);
        let _ = parse_head(&bytes, MAX_HEAD_BYTES);
    }

    #[test]
    fn heads_round_trip(head in head_strategy(), trailing in prop::collection::vec(any::<u8>(), 0..64)) {
        let wire = head.to_bytes();
        let mut input = wire.clone();
        input.extend_from_slice(&trailing);
        match parse_head(&input, MAX_HEAD_BYTES) {
            Ok(HeadStatus::Complete { head: parsed, len }) => {
                prop_assert_eq!(len, wire.len());
                prop_assert_eq!(&parsed, &head);
                prop_assert_eq!(parsed.to_bytes(), wire);
            }
            other => prop_assert!(false, "not parsed back: {:?}", other),
        }
    }

    #[test]
    fn a_prefix_of_a_head_is_never_complete(head in head_strategy(), cut in any::<prop::sample::Index>()) {
        let wire = head.to_bytes();
        let cut = cut.index(wire.len());
        prop_assert!(
            !matches!(parse_head(&wire[..cut], MAX_HEAD_BYTES), Ok(HeadStatus::Complete { .. })),
            "a strict prefix parsed as complete"
        );
    }

    #[test]
    fn the_size_limit_holds(head in head_strategy(), limit in 16usize..256) {
        let wire = head.to_bytes();
        if let Ok(HeadStatus::Complete { len, .. }) = parse_head(&wire, limit) {
            prop_assert!(len <= limit);
        }
    }

    #[test]
    fn authorities_never_panic_and_normalize_idempotently(s in "[ -~]{0,80}") {
        if let Ok((host, port)) = parse_authority(&s) {
            prop_assert!(port > 0);
            prop_assert_eq!(normalize_host(&host).ok(), Some(host.clone()));
        }
    }

    #[test]
    fn known_secrets_are_found_in_every_encoding(
        secret in "[A-Za-z0-9_]{8,48}",
        prefix in prop::collection::vec(any::<u8>(), 0..10),
        suffix in prop::collection::vec(any::<u8>(), 0..10),
    ) {
        let known = KnownSecrets::new(&[SecretString::new(secret.clone())]);
        let mut blob = prefix.clone();
        blob.extend_from_slice(secret.as_bytes());
        blob.extend_from_slice(&suffix);
        prop_assert!(known.found_in(&blob));
        prop_assert!(known.found_in(STANDARD.encode(&blob).as_bytes()));
        prop_assert!(known.found_in(URL_SAFE.encode(&blob).as_bytes()));
    }

    #[test]
    fn pack_walking_never_panics(
        objects in 0u32..4,
        rest in prop::collection::vec(any::<u8>(), 0..512),
        budget in 0usize..4096,
    ) {
        let mut body = b"0016x refs/heads/main\n0000PACK".to_vec();
        body.extend_from_slice(&2u32.to_be_bytes());
        body.extend_from_slice(&objects.to_be_bytes());
        body.extend_from_slice(&rest);
        let mut total = 0usize;
        let _ = for_each_object(&body, budget, |o| {
            total += o.len();
            true
        });
        prop_assert!(total <= budget);
        let _ = for_each_object(&rest, budget, |_| true);
    }
}
