//! Test vectors and a leaked key.

pub const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
pub const BLAKE3_EMPTY: &str = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
pub const ED25519_PUBLIC_KEY: &str = "7ab761514a6225725922be482dfb2d6596dded198023748993a27e92be72a3bc";
const CRATES_TOKEN: &str = "cioQTIkHytfNAXwZTBHJZby6XrVpo1TlTFz";
pub struct Config {
    pub token: Option<String>,
    pub password: String,
    pub api_key: SecretString,
}
fn next(&mut self) -> Token {
    let token = self.lexer.next_token();
    token
}
const UUID_NAMESPACE: &str = "7fac0b34-b6f8-57f9-0151-38e8c3582e89";
