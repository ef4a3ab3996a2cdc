//! Compares a cold parse of the baseline pack from Cedar text and from
//! Cedar's JSON form (measuring a compiled-cache design).
use std::str::FromStr;
use std::time::Instant;
fn main() {
    let src = warden_policy::packs::pack("baseline")
        .map(|p| p.policies[0].1)
        .unwrap_or("");
    let mode = std::env::args().nth(1).unwrap_or_default();
    if mode == "make" {
        let Ok(set) = cedar_policy::PolicySet::from_str(src) else {
            return;
        };
        let Ok(json) = set.to_json() else { return };
        println!("{json}");
        return;
    }
    let t = Instant::now();
    if mode == "json" {
        let text = std::fs::read_to_string("/tmp/pack.json").unwrap_or_default();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            return;
        };
        let set = cedar_policy::PolicySet::from_json_value(v);
        println!("json: {:?} ok={}", t.elapsed(), set.is_ok());
    } else {
        let set = cedar_policy::PolicySet::from_str(src);
        println!("text: {:?} ok={}", t.elapsed(), set.is_ok());
    }
}
