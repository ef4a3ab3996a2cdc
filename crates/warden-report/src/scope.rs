//! What warden does not do, stated plainly in every report.

/// What warden does not do. Each entry is one plain sentence; none names a
/// framework identifier (the framework tables list uncovered identifiers).
pub const OUT_OF_SCOPE: &[&str] = &[
    "Detecting prompt injection or goal hijacking in the model: warden neither sees the model's reasoning nor judges the text it reads; it limits what a hijacked assistant can do (policy, approvals, sandbox, egress) and records it.",
    "Memory, context and retrieval poisoning: warden does not inspect an assistant's memory, retrieval index or vector store.",
    "The model itself: training data, fine-tuning, model weights, model provenance, hallucination and output quality are not governed.",
    "Cost and rate limits: warden does not meter tokens, requests or spend.",
    "Authenticating or validating messages between agents, and cascading failures across multi-agent systems beyond each session's own limits: warden governs each assistant's actions on one host.",
    "CI/CD and cloud configuration: warden does not review pipelines, cloud IAM or the claims of workload identity tokens; `warden scan` reads only the credentials the local user account can reach.",
    "Reuse of one non-human identity across development, staging and production environments, beyond binding each session credential to one repository.",
    "A fleet-wide control plane: every host is governed and reported on by itself; there is no central server, central policy distribution or cross-host inventory yet.",
    "Enforcement on macOS and Windows: the kernel sandbox (`warden run`) works on Linux only.",
    "Assistants that offer no hooks and are not launched with `warden run`: `warden scan` finds them, but nothing governs their actions.",
    "Proving who the human is: the session's human is the enrolled local account; there is no single sign-on or multi-factor authentication.",
    "Physical access to devices.",
    "Reviewing the code an assistant writes for vulnerabilities or quality.",
    "Certification: this report maps warden's controls to framework identifiers and shows live evidence; it is not an audit and does not say that any framework's requirements are met.",
];
