//! A policy scoped to an action group applies to every kind in the group,
//! with the candidate index and without (found in review: the group was
//! unknown at evaluation, so such a forbid never matched).

use warden_action::{Action, ActionKind, Class, Effect, What, Who};
use warden_policy::{packs, PolicyEngine, Validation};

fn engine(extra: &str) -> PolicyEngine {
    let mut sources = packs::pack("baseline")
        .map(|p| p.policy_sources())
        .unwrap_or_default();
    sources.push(("team.cedar".to_owned(), extra.to_owned()));
    PolicyEngine::from_sources(packs::SCHEMA, &sources, Validation::Strict).expect("validates")
}

fn read_action(kind: ActionKind) -> Action {
    let mut action = Action::new(
        Who {
            agent: "a".to_owned(),
            ..Who::default()
        },
        What::new(kind, "Read", "/w"),
    );
    action.context.add(Class::ReadOnly, "reads");
    action.context.workspace.root = "/w".to_owned();
    action
}

#[test]
fn a_forbid_on_the_any_group_denies_every_kind() {
    for scope in [
        r#"action in Warden::Action::"any""#,
        r#"action in [Warden::Action::"any"]"#,
    ] {
        let engine = engine(&format!(
            "@id(\"team.freeze\")\n@reason(\"change freeze\")\nforbid (principal, {scope}, resource);\n"
        ));
        for kind in [ActionKind::FileRead, ActionKind::Shell, ActionKind::McpCall] {
            let action = read_action(kind);
            assert_eq!(
                engine.decide_unindexed(&action).effect,
                Effect::Deny,
                "{scope} {kind:?} unindexed"
            );
            engine.prepare_index();
            let decision = engine.decide(&action);
            assert_eq!(decision.effect, Effect::Deny, "{scope} {kind:?} indexed");
            assert_eq!(decision.policies, vec!["team.freeze".to_owned()]);
        }
    }
}
