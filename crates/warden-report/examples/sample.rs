//! Renders a report over sample evidence: `cargo run -p warden-report
//! --example sample -- [md|html|json] [FRAMEWORK|all]`.

use warden_report::{keys, parse_filter, render, Evidence, Format, Metric};

fn main() {
    let mut args = std::env::args().skip(1);
    let format = Format::parse(&args.next().unwrap_or_else(|| "md".into())).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let filter = parse_filter(&args.next().unwrap_or_else(|| "all".into())).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let evidence = Evidence::new("2026-05-01T09:30:00Z", "dev-laptop")
        .with(keys::ASSISTANTS_TOTAL, Metric::count(3, "assistants found by warden scan"))
        .with(keys::ASSISTANTS_SHADOW, Metric::none_of(1, 3, "assistants ungoverned (shadow): ~/.cursor"))
        .with(keys::ASSISTANTS_REGISTERED_WITH_OWNER, Metric::share(2, 3, "assistants registered with owners"))
        .with(keys::ASSISTANTS_HOOK_INSTALLED, Metric::share(2, 3, "assistants with warden's hook"))
        .with(keys::ASSISTANTS_HOOK_FAIL_CLOSED, Metric::share(2, 2, "hooks that fail closed"))
        .with(keys::ASSISTANTS_BYPASS_MODE, Metric::none_of(0, 3, "assistants in a bypass or auto-approve mode"))
        .with(keys::OWNERS_INACTIVE, Metric::zero(0, "identities with a missing or inactive owner"))
        .with(keys::CREDENTIALS_DISCOVERED, Metric::count(6, "credentials reachable from this account"))
        .with(
            keys::CREDENTIALS_LONG_LIVED_REACHABLE,
            Metric::zero(1, "long-lived credentials reachable outside warden run (~/.aws/credentials [default])"),
        )
        .with(keys::DECISIONS_30D, Metric::count(1234, "decisions in 30 days"))
        .with(
            keys::DECISIONS_WITHOUT_CREDENTIAL_30D,
            Metric::zero(0, "decisions without a session credential in 30 days"),
        )
        .with(keys::POLICY_VALID, Metric::flag(true, "installed policies validate", "installed policies do not validate"))
        .with(keys::APPROVALS_30D, Metric::count(4, "approval requests in 30 days"))
        .with(keys::APPROVALS_SELF_APPROVED, Metric::zero(0, "self-approved requests"))
        .with(keys::AUDIT_INTACT, Metric::flag(true, "audit chain and checkpoints verify", "audit chain TAMPERED"))
        .with(keys::AUDIT_CHECKPOINTS, Metric::at_least(31, 1, "signed checkpoints"))
        .with(keys::SANDBOX_CONTROLS_AVAILABLE, Metric::share(6, 7, "sandbox controls enforced on this host"))
        .with(keys::SANDBOX_CONTROLS_REQUIRED, Metric::all_required(5, 5, "required sandbox controls enforced"));
    print!("{}", render(format, &evidence, filter));
}
