storage "raft" {
  path = "/vault/data"
}
seal "transit" {
  address = "https://vault-seal.internal:8200"
  token = "hvs.CAESIEYz-Le5wIshGUdFrrHLdRG7saXPsnm7W_YfaW3AhZyKYe8vsddI3Z1VAL20Q9uMjlAQlLtEZ9rBM4lIPr6dM-3RVjn"
  key_name = "autounseal"
}
