//! Database clients, dump tools and migration runners.
//!
//! SQL that only reads (SELECT, SHOW, EXPLAIN, `\d`, `.tables`) is
//! `read_only`; anything else is `database_write`. SQL that cannot be seen
//! (an interactive session, a script from a pipe) is opaque, and a script
//! file is assumed to write.

use super::opts;
use super::{Analyzer, Flow, Word};
use warden_action::Class;

/// Leading keywords of statements that only read.
const READ_KEYWORDS: &[&str] = &[
    "SELECT",
    "SHOW",
    "EXPLAIN",
    "DESCRIBE",
    "DESC",
    "VALUES",
    "TABLE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "START",
    "SET",
    "USE",
    "\\D",
    "\\DT",
    "\\L",
    "\\DN",
    "\\DF",
    "\\DV",
    "\\DI",
    "\\X",
    "\\CONNINFO",
    "\\Q",
    "\\TIMING",
    "\\PSET",
    ".TABLES",
    ".SCHEMA",
    ".HEADERS",
    ".MODE",
    ".DATABASES",
    ".INDEXES",
    ".INDICES",
    ".DUMP",
    ".QUIT",
    ".EXIT",
    ".HELP",
    ".SHOW",
    ".WIDTH",
    "PRAGMA",
    "WITH",
    "LIST",
    "HELP",
    "STATUS",
];

/// Keywords that make a read statement write after all.
const WRITE_MARKERS: &[&str] = &[
    "INSERT ",
    "UPDATE ",
    "DELETE ",
    "MERGE ",
    "DROP ",
    "ALTER ",
    "CREATE ",
    "TRUNCATE ",
    "GRANT ",
    "REVOKE ",
    " INTO ",
    "ANALYZE ",
];

/// Whether a SQL text only reads.
pub(crate) fn sql_reads_only(sql: &str) -> bool {
    let mut any = false;
    for statement in sql.split(';') {
        let text: String = statement
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ");
        let upper = text.trim().to_ascii_uppercase();
        if upper.is_empty() {
            continue;
        }
        any = true;
        let first = upper.split_whitespace().next().unwrap_or("");
        if !READ_KEYWORDS.contains(&first) {
            return false;
        }
        if first == "PRAGMA" && upper.contains('=') {
            return false;
        }
        let padded = format!(" {upper} ");
        if WRITE_MARKERS.iter().any(|m| padded.contains(m)) && first != "SHOW" {
            return false;
        }
    }
    any
}

/// Redis commands that only read.
const REDIS_READS: &[&str] = &[
    "GET",
    "MGET",
    "KEYS",
    "SCAN",
    "EXISTS",
    "TTL",
    "PTTL",
    "TYPE",
    "INFO",
    "PING",
    "DBSIZE",
    "HGET",
    "HGETALL",
    "HKEYS",
    "HVALS",
    "HLEN",
    "HMGET",
    "HEXISTS",
    "HSCAN",
    "LRANGE",
    "LLEN",
    "LINDEX",
    "SMEMBERS",
    "SCARD",
    "SISMEMBER",
    "SSCAN",
    "ZRANGE",
    "ZREVRANGE",
    "ZSCORE",
    "ZCARD",
    "ZRANK",
    "ZSCAN",
    "ZRANGEBYSCORE",
    "XRANGE",
    "XREVRANGE",
    "XLEN",
    "XINFO",
    "STRLEN",
    "GETRANGE",
    "MEMORY",
    "CLIENT",
    "SLOWLOG",
    "LATENCY",
    "TIME",
    "ECHO",
    "OBJECT",
    "DUMP",
    "BITCOUNT",
    "GETBIT",
    "PFCOUNT",
    "GEOPOS",
    "GEODIST",
    "RANDOMKEY",
    "LASTSAVE",
    "ROLE",
    "COMMAND",
    "MONITOR",
    "SUBSCRIBE",
    "PSUBSCRIBE",
];

/// Mongo shell methods that only read.
const MONGO_READS: &[&str] = &[
    "find(",
    "findOne(",
    "count(",
    "countDocuments(",
    "estimatedDocumentCount(",
    "distinct(",
    "getCollectionNames(",
    "getIndexes(",
    "stats(",
    "explain(",
    "show ",
    "getName(",
    "listCollections(",
    "serverStatus(",
    "version(",
    "hostInfo(",
    "isMaster(",
    "hello(",
    "printjson(",
    "getCollectionInfos(",
];

/// Mongo shell methods that write.
const MONGO_WRITES: &[&str] = &[
    "insert",
    "update",
    "delete",
    "remove(",
    "drop",
    "createIndex",
    "replaceOne",
    "bulkWrite",
    "renameCollection",
    "$out",
    "$merge",
    "createCollection",
    "createUser",
    "dropUser",
    "findOneAndUpdate",
    "findOneAndDelete",
    "findOneAndReplace",
    "findAndModify",
    "save(",
    "runCommand",
    "adminCommand",
    "eval(",
];

impl Analyzer<'_, '_> {
    fn sql(&mut self, tool: &str, sql: &str) {
        if sql_reads_only(sql) {
            self.ctx
                .add(Class::ReadOnly, format!("`{tool}` runs read-only SQL"));
        } else {
            self.ctx.add(
                Class::DatabaseWrite,
                format!("`{tool}` runs SQL that changes data or schema"),
            );
        }
    }

    fn sql_from_stdin(&mut self, tool: &str, input: &Flow) {
        match &input.literal {
            Some(sql) => {
                let sql = sql.clone();
                self.sql(tool, &sql);
            }
            None => self.ctx.add(
                Class::Opaque,
                format!("`{tool}` runs statements it reads at run time"),
            ),
        }
    }

    fn db_host(&mut self, host: Option<&Word>) {
        if let Some(host) = host.and_then(|w| w.value.clone()) {
            let host = host.split(':').next().unwrap_or(&host).to_owned();
            if host.starts_with('/') {
                return;
            }
            self.destination(&host);
        }
    }

    fn db_url(&mut self, word: &Word) {
        if let Some(text) = &word.value {
            if text.contains("://") {
                if let Some(host) = crate::destination::host_of_url(text) {
                    self.destination(&host);
                }
            }
        }
    }

    pub(crate) fn database(&mut self, name: &str, args: &[Word], input: &Flow) -> Flow {
        match name {
            "psql" | "cockroach" => {
                let args: Vec<Word> = if name == "cockroach" {
                    args.iter().skip(1).cloned().collect()
                } else {
                    args.to_vec()
                };
                let parsed = opts::parse(
                    &args,
                    &[
                        "-c",
                        "--command",
                        "-f",
                        "--file",
                        "-h",
                        "--host",
                        "-p",
                        "--port",
                        "-U",
                        "--username",
                        "-d",
                        "--dbname",
                        "-v",
                        "--set",
                        "--variable",
                        "-o",
                        "--output",
                        "-P",
                        "--pset",
                        "-L",
                        "--log-file",
                        "-F",
                        "-R",
                        "-e",
                        "--execute",
                        "--url",
                    ],
                    false,
                );
                self.db_host(parsed.value(&["-h", "--host"]));
                for word in parsed
                    .pos
                    .iter()
                    .chain(parsed.values(&["-d", "--dbname", "--url"]))
                {
                    let word = word.clone();
                    self.db_url(&word);
                }
                if let Some(out) = parsed.value(&["-o", "--output"]).cloned() {
                    self.write_target(&out, false);
                }
                let commands: Vec<String> = parsed
                    .values(&["-c", "--command", "-e", "--execute"])
                    .map(|w| w.value.clone().unwrap_or_default())
                    .collect();
                if parsed
                    .values(&["-c", "--command", "-e", "--execute"])
                    .any(|w| w.value.is_none())
                {
                    self.ctx.add(
                        Class::Opaque,
                        format!("`{name}` runs SQL computed at run time"),
                    );
                }
                if parsed.has(&["-f", "--file"]) {
                    for file in parsed
                        .values(&["-f", "--file"])
                        .cloned()
                        .collect::<Vec<_>>()
                    {
                        self.read_word(&file);
                    }
                    self.ctx.add(
                        Class::DatabaseWrite,
                        format!("`{name} -f` runs a SQL script"),
                    );
                }
                if !commands.is_empty() {
                    for sql in commands {
                        self.sql(name, &sql);
                    }
                } else if !parsed.has(&[
                    "-f",
                    "--file",
                    "-l",
                    "--list",
                    "-V",
                    "--version",
                    "--help",
                ]) {
                    self.sql_from_stdin(name, input);
                } else if parsed.has(&["-l", "--list", "-V", "--version", "--help"]) {
                    self.ctx
                        .add(Class::ReadOnly, format!("`{name}` lists databases"));
                }
            }
            "mysql" | "mariadb" => {
                let parsed = opts::parse(
                    args,
                    &[
                        "-e",
                        "--execute",
                        "-h",
                        "--host",
                        "-P",
                        "--port",
                        "-u",
                        "--user",
                        "-D",
                        "--database",
                        "-S",
                        "--socket",
                        "--defaults-file",
                        "--default-character-set",
                    ],
                    false,
                );
                self.db_host(parsed.value(&["-h", "--host"]));
                if parsed.opts.iter().any(|(n, _)| {
                    n.starts_with("-p") && n.len() > 2 || n.starts_with("--password=")
                }) {
                    self.ctx.add(
                        Class::SecretAccess,
                        "passes a database password on the command line",
                    );
                }
                let commands: Vec<String> = parsed
                    .values(&["-e", "--execute"])
                    .filter_map(|w| w.value.clone())
                    .collect();
                if commands.is_empty() {
                    self.sql_from_stdin(name, input);
                } else {
                    for sql in commands {
                        self.sql(name, &sql);
                    }
                }
            }
            "sqlite3" | "sqlite" | "duckdb" => {
                let parsed = opts::parse(
                    args,
                    &["-cmd", "-separator", "-nullvalue", "-init", "-c"],
                    false,
                );
                let mut pos = parsed.pos.clone();
                let commands: Vec<String> = parsed
                    .values(&["-cmd", "-c"])
                    .filter_map(|w| w.value.clone())
                    .collect();
                if !pos.is_empty() {
                    let db = pos.remove(0);
                    if let Some(raw) = db.value.clone() {
                        self.source_path(&raw);
                    }
                }
                let mut sql: Vec<String> = commands;
                for word in &pos {
                    match &word.value {
                        Some(v) => sql.push(v.clone()),
                        None => self.ctx.add(
                            Class::Opaque,
                            format!("`{name}` runs SQL computed at run time"),
                        ),
                    }
                }
                if sql.is_empty() {
                    self.sql_from_stdin(name, input);
                } else {
                    let joined = sql.join(";");
                    if parsed.has(&["-readonly"]) {
                        self.ctx
                            .add(Class::ReadOnly, format!("`{name} -readonly` cannot write"));
                    } else {
                        self.sql(name, &joined);
                    }
                }
            }
            "mongosh" | "mongo" => {
                let parsed = opts::parse(
                    args,
                    &[
                        "--eval",
                        "--host",
                        "--port",
                        "-u",
                        "--username",
                        "-p",
                        "--password",
                        "--authenticationDatabase",
                        "-f",
                        "--file",
                    ],
                    false,
                );
                self.db_host(parsed.value(&["--host"]));
                for word in parsed.pos.clone() {
                    self.db_url(&word);
                }
                if parsed.has(&["-p", "--password"]) {
                    self.ctx.add(
                        Class::SecretAccess,
                        "passes a database password on the command line",
                    );
                }
                let code: Option<String> = parsed
                    .value(&["--eval"])
                    .map(|w| w.value.clone().unwrap_or_default());
                match code {
                    Some(code) if MONGO_WRITES.iter().any(|m| code.contains(m)) => {
                        self.ctx
                            .add(Class::DatabaseWrite, format!("`{name}` changes data"));
                    }
                    Some(code) if MONGO_READS.iter().any(|m| code.contains(m)) => {
                        self.ctx
                            .add(Class::ReadOnly, format!("`{name}` reads data"));
                    }
                    Some(_) => self
                        .ctx
                        .add(Class::Opaque, format!("`{name}` code cannot be judged")),
                    None if parsed.has(&["-f", "--file"]) => self
                        .ctx
                        .add(Class::DatabaseWrite, format!("`{name}` runs a script")),
                    None => self.sql_from_stdin(name, input),
                }
            }
            "redis-cli" => {
                let parsed = opts::parse(
                    args,
                    &[
                        "-h", "-p", "-a", "-n", "-u", "-s", "--user", "--pass", "-r", "-i",
                        "--eval", "--tls", "--cacert", "--cert", "--key",
                    ],
                    false,
                );
                self.db_host(parsed.value(&["-h"]));
                if let Some(url) = parsed.value(&["-u"]).cloned() {
                    self.db_url(&url);
                }
                if parsed.has(&["-a", "--pass"]) {
                    self.ctx.add(
                        Class::SecretAccess,
                        "passes a Redis password on the command line",
                    );
                }
                if parsed.has(&["--eval"]) {
                    self.ctx
                        .add(Class::DatabaseWrite, "`redis-cli --eval` runs a Lua script");
                } else if parsed.has(&[
                    "--scan",
                    "--bigkeys",
                    "--memkeys",
                    "--stat",
                    "--latency",
                    "--hotkeys",
                ]) {
                    self.ctx.add(Class::ReadOnly, "`redis-cli` inspects keys");
                } else {
                    match parsed.pos.first().and_then(|w| w.value.clone()) {
                        Some(command) => {
                            let upper = command.to_ascii_uppercase();
                            let sub = parsed
                                .pos
                                .get(1)
                                .map(|w| w.text().to_ascii_uppercase())
                                .unwrap_or_default();
                            if REDIS_READS.contains(&upper.as_str())
                                || (upper == "CONFIG" && sub == "GET")
                            {
                                self.ctx
                                    .add(Class::ReadOnly, format!("`redis-cli {upper}` reads"));
                            } else {
                                self.ctx.add(
                                    Class::DatabaseWrite,
                                    format!("`redis-cli {upper}` changes data"),
                                );
                            }
                        }
                        None if parsed.pos.is_empty() && input.literal.is_none() => {
                            self.ctx
                                .add(Class::Opaque, "`redis-cli` reads commands at run time");
                        }
                        None => self.sql_from_stdin(name, input),
                    }
                }
            }
            _ => {
                // cqlsh, clickhouse-client, sqlcmd: -e/-q/--query/-Q carry the statement.
                let parsed = opts::parse(
                    args,
                    &[
                        "-e",
                        "--execute",
                        "-q",
                        "--query",
                        "-Q",
                        "-h",
                        "--host",
                        "-S",
                        "-u",
                        "-U",
                        "-p",
                        "-P",
                        "-d",
                        "-k",
                        "--keyspace",
                        "-f",
                        "--file",
                        "-i",
                    ],
                    false,
                );
                self.db_host(parsed.value(&["-h", "--host", "-S"]));
                let commands: Vec<String> = parsed
                    .values(&["-e", "--execute", "-q", "--query", "-Q"])
                    .filter_map(|w| w.value.clone())
                    .collect();
                if commands.is_empty() {
                    if parsed.has(&["-f", "--file", "-i"]) {
                        self.ctx
                            .add(Class::DatabaseWrite, format!("`{name}` runs a script"));
                    } else {
                        self.sql_from_stdin(name, input);
                    }
                }
                for sql in commands {
                    self.sql(name, &sql);
                }
            }
        }
        Flow::default()
    }

    pub(crate) fn db_admin(&mut self, name: &str, args: &[Word]) -> Flow {
        let parsed = opts::parse(
            args,
            &[
                "-h",
                "--host",
                "-p",
                "--port",
                "-U",
                "-u",
                "--username",
                "-d",
                "--dbname",
                "-f",
                "--file",
                "-o",
                "--out",
                "--uri",
                "-F",
                "--format",
                "-t",
                "--table",
                "-n",
                "--schema",
                "--db",
                "-c",
                "--collection",
            ],
            false,
        );
        self.db_host(parsed.value(&["-h", "--host"]));
        for url in parsed
            .values(&["--uri", "-d", "--dbname"])
            .cloned()
            .collect::<Vec<_>>()
        {
            self.db_url(&url);
        }
        match name {
            "pg_dump" | "mysqldump" | "mongodump" => {
                if let Some(out) = parsed.value(&["-f", "--file", "-o", "--out"]).cloned() {
                    self.write_target(&out, false);
                }
                self.ctx
                    .add(Class::ReadOnly, format!("`{name}` reads a whole database"));
                Flow {
                    files: true,
                    ..Flow::default()
                }
            }
            "dropdb" => {
                self.ctx
                    .add(Class::DatabaseWrite, "`dropdb` deletes a database");
                self.ctx
                    .add(Class::Destructive, "`dropdb` deletes a database");
                Flow::default()
            }
            _ => {
                self.ctx
                    .add(Class::DatabaseWrite, format!("`{name}` writes a database"));
                Flow::default()
            }
        }
    }

    pub(crate) fn migration(&mut self, name: &str, args: &[Word]) -> Flow {
        let texts: Vec<String> = args
            .iter()
            .map(|w| w.text().to_owned())
            .filter(|t| !t.starts_with('-'))
            .collect();
        let joined = texts.join(" ");
        let first = texts.first().map(String::as_str).unwrap_or("");
        let second = texts.get(1).map(String::as_str).unwrap_or("");
        let writes = match name {
            "alembic" => matches!(first, "upgrade" | "downgrade" | "stamp"),
            "flyway" | "liquibase" => matches!(
                first,
                "migrate"
                    | "clean"
                    | "repair"
                    | "baseline"
                    | "undo"
                    | "update"
                    | "rollback"
                    | "drop-all"
                    | "dropAll"
            ),
            "knex" | "sequelize" | "typeorm" => {
                (first.starts_with("migrate:")
                    && !first.contains("make")
                    && !first.contains("status")
                    && !first.contains("list"))
                    || first.starts_with("seed:run")
                    || first.starts_with("db:")
                    || first.starts_with("migration:run")
                    || first.starts_with("migration:revert")
                    || first.starts_with("schema:sync")
                    || first.starts_with("schema:drop")
                    || first.starts_with("query")
            }
            "sqlx" => {
                (first == "migrate" && matches!(second, "run" | "revert"))
                    || (first == "database"
                        && matches!(second, "create" | "drop" | "reset" | "setup"))
            }
            "diesel" => {
                (first == "migration" && matches!(second, "run" | "revert" | "redo"))
                    || (first == "database" && matches!(second, "setup" | "reset" | "drop"))
                    || first == "setup"
            }
            "prisma" => {
                (first == "migrate" && matches!(second, "deploy" | "dev" | "reset" | "resolve"))
                    || (first == "db" && matches!(second, "push" | "seed" | "execute"))
            }
            "dbmate" | "goose" | "migrate" => joined.split_whitespace().any(|w| {
                matches!(
                    w,
                    "up" | "down"
                        | "rollback"
                        | "drop"
                        | "create"
                        | "reset"
                        | "redo"
                        | "force"
                        | "goto"
                        | "up-by-one"
                        | "up-to"
                        | "down-to"
                        | "fix"
                        | "load"
                )
            }),
            "atlas" => matches!(
                (first, second),
                ("schema", "apply" | "clean") | ("migrate", "apply" | "down")
            ),
            "rails" => {
                first.starts_with("db:") && !matches!(first, "db:version" | "db:migrate:status")
            }
            _ => false,
        };
        if writes {
            self.ctx.add(
                Class::DatabaseWrite,
                format!("`{name} {joined}` changes a database"),
            );
            return Flow::default();
        }
        let generates = matches!(
            (name, first),
            ("alembic", "revision") | ("rails", "generate" | "g" | "new") | ("prisma", "init")
        ) || first.contains("make")
            || first.contains("generate")
            || first.contains("create")
            || matches!(second, "add" | "generate" | "create" | "new");
        if generates {
            self.write_path(".", false);
        } else if matches!(
            first,
            "studio" | "console" | "c" | "server" | "s" | "runner" | "dbconsole"
        ) {
            self.ctx.add(
                Class::Opaque,
                format!("`{name} {first}` runs an interactive program"),
            );
        } else if matches!(
            first,
            "test" | "spec" | "validate" | "format" | "prepare" | "check"
        ) || (name == "prisma" && first == "generate")
        {
            self.ctx.add(
                Class::BuildTest,
                format!("`{name} {first}` checks or generates code"),
            );
        } else {
            self.ctx.add(
                Class::ReadOnly,
                format!("`{name} {joined}` reads migration status"),
            );
        }
        Flow::default()
    }
}

#[cfg(test)]
mod tests {
    use super::sql_reads_only;

    #[test]
    fn sql_reads_and_writes() {
        assert!(sql_reads_only("SELECT count(*) FROM users"));
        assert!(sql_reads_only("SHOW TABLES"));
        assert!(sql_reads_only(".tables"));
        assert!(!sql_reads_only("DROP TABLE users"));
        assert!(!sql_reads_only("SELECT 1; DELETE FROM x"));
        assert!(!sql_reads_only(
            "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"
        ));
        assert!(!sql_reads_only("EXPLAIN ANALYZE DELETE FROM t"));
        assert!(!sql_reads_only("SELECT * INTO backup FROM users"));
        assert!(!sql_reads_only(""));
    }
}
