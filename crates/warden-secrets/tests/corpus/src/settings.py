from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = False
ALLOWED_HOSTS = ["api.acme.io"]
SECRET_KEY = 'django-insecure-ZU94JSf4KLWBFriP%2LeYzbsznh9JzuUs%+5uZuqiu^%bu+2CX'
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": "9ajpCD6Q^EzKkep@c6tBf7",
        "HOST": "pg.internal",
        "PORT": "5432",
    }
}
EMAIL_HOST_PASSWORD = "bqn9+XoLHxZX%_k!"
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AWS_STORAGE_BUCKET_NAME = "acme-static"
AWS_S3_ACCESS_KEY_ID = "AKIAUK2R3B5O5PMKCXSS"
AWS_S3_SECRET_ACCESS_KEY = "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"
SENTRY_DSN = "https://28ab480fd90e43d4687ed2e47c78c918@o353193.ingest.sentry.io/4098965"
CELERY_BROKER_URL = "redis://:lwinXBsvSyODRH3CA2MbQLf7SH@redis.internal:6379/1"
