//! `warden audit verify|export|show|checkpoint`.

use crate::cli::{AuditCommand, ExportArgs, ShowArgs};
use anyhow::{bail, Context as _};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;
use warden_store::{Layout, Record, RecordFilter, Store};

/// Runs an audit command.
pub fn run(layout: &Layout, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    let path = layout.database();
    if !path.exists() {
        bail!(
            "no audit log at {} (run `warden init` first)",
            path.display()
        );
    }
    let store = Store::open(&path).context("cannot open the audit log")?;
    match command {
        AuditCommand::Verify => verify(layout, &store),
        AuditCommand::Export(args) => export(&store, args),
        AuditCommand::Show(args) => show(&store, args),
        AuditCommand::Checkpoint => {
            let key = warden_store::load_signing_key(layout)
                .context("cannot load the audit signing key")?;
            match store.checkpoint(&key)? {
                Some(cp) => println!("checkpoint signed at record {} ({})", cp.seq, cp.hash),
                None => println!("nothing new to checkpoint"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verify(layout: &Layout, store: &Store) -> anyhow::Result<ExitCode> {
    let key =
        warden_store::load_verifying_key(layout).context("cannot load the audit verifying key")?;
    let report = store.verify(&key)?;
    match &report.first_problem {
        None => {
            println!(
                "audit log intact: {} records, {} signed checkpoints",
                report.records, report.checkpoints
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(problem) => {
            println!(
                "audit log TAMPERED at record {}: {}",
                problem.seq, problem.message
            );
            Ok(ExitCode::from(1))
        }
    }
}

fn filter(session: Option<&String>, since: Option<&String>) -> RecordFilter {
    RecordFilter {
        session_id: session.cloned(),
        since: since.cloned(),
        limit: None,
    }
}

fn export(store: &Store, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let records = store.records(&filter(args.session.as_ref(), args.since.as_ref()))?;
    let mut out = std::io::stdout().lock();
    for record in &records {
        let line = match args.format.as_str() {
            "ocsf" => ocsf(record),
            _ => serde_json::to_value(record)?,
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Milliseconds since the epoch from an RFC 3339 UTC timestamp
/// (`YYYY-MM-DDTHH:MM:SS(.fff)Z`); 0 when it does not parse.
fn epoch_ms(ts: &str) -> i64 {
    let parse = || -> Option<i64> {
        let (date, time) = ts.trim_end_matches('Z').split_once('T')?;
        let mut d = date.split('-').map(|p| p.parse::<i64>());
        let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
        let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
        let mut t = hms.split(':').map(|p| p.parse::<i64>());
        let (h, min, s) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
        let ms: i64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
        // Days from civil (Howard Hinnant's algorithm).
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(((days * 24 + h) * 60 + min) * 60_000 + s * 1000 + ms)
    };
    parse().unwrap_or(0)
}

/// One record as an OCSF event: shell commands are Process Activity (1007),
/// file reads and edits File System Activity (1001), everything else API
/// Activity (6003); the decision travels in `authorizations`.
pub fn ocsf(record: &Record) -> Value {
    let tool = record.tool.as_deref().unwrap_or("");
    let (class_uid, class_name, category_uid, category_name, activity_id, activity_name) =
        match tool {
            "Bash" | "PowerShell" | "runInTerminal" | "run_in_terminal" => {
                (1007, "Process Activity", 1, "System Activity", 1, "Launch")
            }
            "Read" | "readFile" | "read_file" => (
                1001,
                "File System Activity",
                1,
                "System Activity",
                2,
                "Read",
            ),
            "Write" | "createFile" | "create_file" => (
                1001,
                "File System Activity",
                1,
                "System Activity",
                1,
                "Create",
            ),
            "Edit" | "MultiEdit" | "NotebookEdit" | "editFiles" => (
                1001,
                "File System Activity",
                1,
                "System Activity",
                3,
                "Update",
            ),
            _ => (6003, "API Activity", 6, "Application Activity", 99, "Other"),
        };
    let kind = serde_json::to_value(record.kind).unwrap_or(Value::Null);
    let (action_id, disposition_id) = match record.decision.as_deref() {
        Some("allow") => (1, 1),
        Some("deny") | Some("approve") => (2, 2),
        Some("ask") => (99, 99),
        _ => (0, 0),
    };
    let authorizations: Vec<Value> = record
        .policies
        .iter()
        .enumerate()
        .map(|(i, policy)| {
            json!({
                "decision": record.decision,
                "policy": { "uid": policy, "name": policy, "desc": record.reasons.get(i) },
            })
        })
        .collect();
    json!({
        "class_uid": class_uid,
        "class_name": class_name,
        "category_uid": category_uid,
        "category_name": category_name,
        "activity_id": activity_id,
        "activity_name": activity_name,
        "type_uid": class_uid * 100 + activity_id,
        "time": epoch_ms(&record.ts),
        "severity_id": if record.decision.as_deref() == Some("deny") || record.secret_in_output { 3 } else { 1 },
        "message": record.summary,
        "action_id": action_id,
        "disposition_id": disposition_id,
        "authorizations": authorizations,
        "actor": {
            "user": { "name": record.human },
            "session": { "uid": record.session_id },
            "app_name": record.agent,
        },
        "api": { "operation": tool, "request": { "uid": record.tool_use_id } },
        "metadata": {
            "product": { "name": "Warden", "vendor_name": "Warden" },
            "version": "1.6.0",
            "uid": record.hash,
            "sequence": record.seq,
            "correlation_uid": record.prompt_id,
            "labels": [kind],
        },
        "unmapped": {
            "warden_kind": kind,
            "prev_hash": record.prev_hash,
            "secret_in_output": record.secret_in_output,
            "detail": record.detail,
        },
    })
}

fn show(store: &Store, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let records = store.records(&filter(Some(&args.session), None))?;
    if records.is_empty() {
        bail!("no records for session {}", args.session);
    }
    print!("{}", timeline(&args.session, &records));
    Ok(ExitCode::SUCCESS)
}

/// The readable timeline: each prompt, then what it led to.
pub fn timeline(session: &str, records: &[Record]) -> String {
    let mut out = format!("session {session}\n");
    for record in records {
        let time = record.ts.get(11..19).unwrap_or(&record.ts);
        let kind = serde_json::to_value(record.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        match kind.as_str() {
            "prompt" => {
                out.push_str(&format!(
                    "\n{time}  PROMPT  #{}  {}\n",
                    record.seq, record.summary
                ));
                if let Some(decision) = &record.decision {
                    out.push_str(&format!(
                        "          -> {} ({})\n",
                        decision.to_uppercase(),
                        record.reasons.join("; ")
                    ));
                }
            }
            "decision" => {
                out.push_str(&format!(
                    "{time}    {:<7} #{}  {}\n",
                    record.decision.as_deref().unwrap_or("?").to_uppercase(),
                    record.seq,
                    record.summary
                ));
                for (i, policy) in record.policies.iter().enumerate() {
                    let reason = record.reasons.get(i).map(String::as_str).unwrap_or("");
                    out.push_str(&format!("              {policy}: {reason}\n"));
                }
            }
            "result" => {
                let flag = if record.secret_in_output {
                    "  [SECRET REACHED THE MODEL]"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "{time}      result #{}  {}{flag}\n",
                    record.seq, record.summary
                ));
                for reason in &record.reasons {
                    out.push_str(&format!("              {reason}\n"));
                }
            }
            _ => out.push_str(&format!(
                "{time}  {kind}  #{}  {}\n",
                record.seq, record.summary
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::epoch_ms;

    #[test]
    fn rfc3339_to_epoch_milliseconds() {
        assert_eq!(epoch_ms("1970-01-01T00:00:00Z"), 0);
        assert_eq!(epoch_ms("2026-11-26T06:00:00.123Z"), 1_795_672_800_123);
        assert_eq!(epoch_ms("garbage"), 0);
    }
}
