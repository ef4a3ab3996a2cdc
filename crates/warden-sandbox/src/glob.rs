//! A tiny wildcard matcher for names (environment variables, file names).
//!
//! Only two metacharacters exist: `*` (any run of characters, possibly empty)
//! and `?` (exactly one character). Matching is ASCII case-insensitive,
//! because credential variables and secret files come in every case
//! (`aws_secret_access_key`, `ID_RSA`). There is no escaping and no character
//! class: the patterns this crate needs are names, not paths.

/// Does `name` match `pattern` (ASCII case-insensitive, `*` and `?`)?
pub fn matches(pattern: &str, name: &str) -> bool {
    let p = pattern.as_bytes();
    let n = name.as_bytes();
    // Classic iterative wildcard match with one backtrack point.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&n[ni])) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Does `name` match any of `patterns`? Returns the first matching pattern.
pub fn first_match<'a>(patterns: &'a [String], name: &str) -> Option<&'a str> {
    patterns
        .iter()
        .map(String::as_str)
        .find(|p| matches(p, name))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards() {
        assert!(matches("AWS_*", "AWS_SECRET_ACCESS_KEY"));
        assert!(matches("aws_*", "AWS_REGION"));
        assert!(!matches("AWS_*", "XAWS_REGION"));
        assert!(matches("*_API_KEY", "OPENAI_API_KEY"));
        assert!(!matches("*_API_KEY", "OPENAI_API_KEYS"));
        assert!(matches("*_SECRET*", "CLIENT_SECRET_VALUE"));
        assert!(matches("*_SECRET*", "DB_SECRET"));
        assert!(matches(".env", ".ENV"));
        assert!(matches(".env.*", ".env.local"));
        assert!(!matches(".env.*", ".env"));
        assert!(matches("id_?sa", "id_rsa"));
        assert!(matches("*", ""));
        assert!(!matches("?", ""));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
    }
}
