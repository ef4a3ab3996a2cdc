"""Thin clients for the model providers."""
import hashlib
import os

import anthropic
import openai

OPENAI_KEY = "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"
ANTHROPIC_KEY = 'sk-ant-api03-BgfQPDqvaxXSBot-df9KnSXLdJ0PJ6iyuKTbBB3UFgd-ao0F9wbfoAvzb-ef8uwAmR6-g9dPVFvOnNfC5ndYRbTRKd51JAA'
GROQ_KEY = os.environ["GROQ_API_KEY"]
MISTRAL_KEY = os.getenv("MISTRAL_API_KEY", "")
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MODEL_DIGEST = "sha256:82df9c6c0006771f0e015a79c44576db2943ef8e26e427a2944cb7d522651110"


def openai_client():
    return openai.OpenAI(api_key=os.environ.get("OPENAI_API_KEY"))


def hf_headers():
    return {"Authorization": "Bearer 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"}


def password_hash(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000).hex()


def connect(password=None, token=None):
    password = password or os.environ["DB_PASSWORD"]
    token = token or read_token()
    return password, token

REQUEST_ID = "b65457a4-c21f-b940-2d52-7a074579b88e"
aws_secret_access_key = "hSraONfb2NU7gQXeTdTZclpyODDxa8yieGg2YsDe"
aws_access_key_id = "AKIA5IZRE3G7CWCGFWZG"
PINECONE = "pcsk_88ZIe_XY491z6aQrCVL82WvMeZphZ3BVyp3rSwwMejkegMzmE82uiXjPudPt0u8mGnEBfN"
LANGSMITH = "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"
PERPLEXITY = "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"
