//! Any bytes as a shell command line: the classifier must not panic and
//! must always assign a class.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    warden_classify::fuzz_shell(data);
});
