//! Prints the matches of a file's text before and after redaction.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return;
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    for m in warden_classify::secrets::find_secrets(&text) {
        println!("before: {} {:?}", m.rule, text.get(m.start..m.end));
    }
    let redacted = warden_classify::secrets::redact(&text);
    println!("redacted: {redacted:?}");
    for m in warden_classify::secrets::find_secrets(&redacted) {
        println!("after: {} {:?}", m.rule, redacted.get(m.start..m.end));
    }
}
