import jwt
import pytest

JWT_IO = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
EXAMPLE_KEY = 'sk_live_EXAMPLE00000000000000000000'
PLACEHOLDER = 'ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'
DUMMY_PASSWORD = 'dummy-password-123'


def test_login(client):
    resp = client.post('/login', json={'user': 'alice', 'password': 'password123'})
    assert resp.status_code == 401

def test_token_roundtrip():
    token = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImY4ZWNjMzJkIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cHJvZDprdGJneG90ciIsImlzcyI6Imh0dHBzOi8vYXV0aC5pbnRlcm5hbCIsImV4cCI6MTg5NDI4NTEzOH0.J9Mq57moxLrTuYrMH83-R3UZF2hbvcsaV09aiIWy3PzBOFSdyzNS1-rZAFixK8tcYfsJwQwUd8TSlAt9q3eiBr6iUUUJRSsLXFneMeHz7U_zBrJU0ZgR1UH4LsMAaUQIMPJaacX5-7JPcNXZtGjH83e31eIbW9r4_XXtwLZ5pnQ'
    assert jwt.decode(token, options={'verify_signature': False})['sub']

def test_hash():
    assert sha256(b'abc') == 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
