//! Prints a policy's JSON form (used while writing the candidate index).
use std::str::FromStr;
fn main() {
    let Ok(p) = cedar_policy::Policy::from_str(
        r#"@id("a") permit(principal, action in [Warden::Action::"shell", Warden::Action::"other"], resource) when { context.classes.contains("x") && context.production } when { context.branch == "y" } unless { context.hosts.containsAny(["a"]) };"#,
    ) else {
        return;
    };
    let Ok(json) = p.to_json() else { return };
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
    let t = std::time::Instant::now();
    for _ in 0..1000 {
        std::hint::black_box(p.to_json().is_ok());
    }
    println!("{:?} per to_json", t.elapsed() / 1000);
}
