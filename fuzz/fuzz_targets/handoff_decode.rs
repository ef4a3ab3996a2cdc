//! Any bytes where warden's front expects the daemon's prepared sandbox:
//! decoding and adopting never panic, and what adopts was well formed.
#![no_main]
use warden_sandbox::{Adopted, Handoff};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(handoff) = serde_json::from_slice::<Handoff>(data) {
        // Without its ruleset descriptor a handoff that names one is
        // refused; one that names none adopts.
        let _ = Adopted::new(handoff, None);
    }
});
