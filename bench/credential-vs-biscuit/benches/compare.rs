//! Warden's session credential against an equivalent biscuit-auth token:
//! decode + signature checks, the request-time checks, and both together,
//! for a 1-block token and a 2-block one narrowed to `file_read`.
//!
//! Ids are `<operation>/<warden|biscuit>`; token sizes are printed first as
//! `size <token> text=<chars> binary=<bytes>` lines.

use credential_vs_biscuit::{biscuit, unix_now, warden, Request};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn compare(c: &mut Criterion) {
    let now = unix_now();
    let request = Request::matching(now);
    let w = warden::tokens(now);
    let b = biscuit::tokens(now);

    let cases = [
        ("1_block", &w.one_block, &b.one_block),
        ("2_blocks", &w.two_blocks, &b.two_blocks),
    ];
    for (blocks, wt, bt) in cases {
        println!(
            "size warden_{blocks} text={} binary={}",
            wt.len(),
            warden::binary_len(wt)
        );
        println!(
            "size biscuit_{blocks} text={} binary={}",
            bt.len(),
            biscuit::binary_len(bt, b.key)
        );
        // Both must accept before their cost means anything.
        warden::authorize(wt, &w.key, &request).expect("warden accepts");
        biscuit::authorize(bt, b.key, &request).expect("biscuit accepts");
    }

    for (blocks, wt, bt) in cases {
        let mut group = c.benchmark_group(format!("decode_verify_{blocks}"));
        group.bench_function("warden", |x| {
            x.iter(|| black_box(warden::verify(black_box(wt), &w.key)))
        });
        group.bench_function("biscuit", |x| {
            x.iter(|| black_box(biscuit::verify(black_box(bt), b.key)))
        });
        group.finish();

        let verified = warden::verify(wt, &w.key).expect("verifies");
        let token = biscuit::verify(bt, b.key).expect("verifies");
        let mut group = c.benchmark_group(format!("check_{blocks}"));
        group.bench_function("warden", |x| {
            x.iter(|| black_box(warden::check(black_box(&verified), &request)))
        });
        group.bench_function("biscuit", |x| {
            x.iter(|| black_box(biscuit::check(black_box(&token), &request)))
        });
        group.finish();

        let mut group = c.benchmark_group(format!("full_{blocks}"));
        group.bench_function("warden", |x| {
            x.iter(|| black_box(warden::authorize(black_box(wt), &w.key, &request)))
        });
        group.bench_function("biscuit", |x| {
            x.iter(|| black_box(biscuit::authorize(black_box(bt), b.key, &request)))
        });
        group.finish();
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
