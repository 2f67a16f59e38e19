"""The smallest Django project that has django.contrib.auth: what a real site's
settings.py holds for users, and nothing else. The database comes from the
environment (FERRY_DJANGO_ENGINE and friends), so one file serves SQLite,
PostgreSQL and MySQL/MariaDB. PASSWORD_HASHERS lists every hasher Django 3.2 ships that Ferry
verifies, with Django's default (PBKDF2) first, as the documentation shows
for a site that keeps old hashes verifiable."""

import os

SECRET_KEY = "ferry-realapps-not-secret"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]

_engine = os.environ["FERRY_DJANGO_ENGINE"]
if _engine == "sqlite3":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["FERRY_DJANGO_NAME"]}}
elif _engine == "mysql":
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ["FERRY_DJANGO_NAME"],
        "USER": os.environ["FERRY_DJANGO_USER"],
        "PASSWORD": os.environ["FERRY_DJANGO_PASSWORD"],
        "HOST": os.environ["FERRY_DJANGO_HOST"],
        "PORT": os.environ["FERRY_DJANGO_PORT"],
    }}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["FERRY_DJANGO_NAME"],
        "USER": os.environ["FERRY_DJANGO_USER"],
        "PASSWORD": os.environ["FERRY_DJANGO_PASSWORD"],
        "HOST": os.environ["FERRY_DJANGO_HOST"],
        "PORT": os.environ["FERRY_DJANGO_PORT"],
        "OPTIONS": {"options": "-c search_path=" + os.environ["FERRY_DJANGO_SCHEMA"]},
    }}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.SHA1PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
    "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
]
