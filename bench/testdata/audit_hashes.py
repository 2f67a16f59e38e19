#!/usr/bin/python3
"""Print the stored values BenchmarkAudit (bench/audit_test.go) seeds, as Django writes them.

Run with Debian's interpreter (python3-django, python3-bcrypt, python3-argon2):

    /usr/bin/python3 bench/testdata/audit_hashes.py

Each line is algorithm<TAB>stored: Django's make_password with each hasher at its
default cost, the values a long-lived Django site holds in auth_user.password.
"""

import django
from django.conf import settings

HASHERS = [
    "PBKDF2PasswordHasher", "PBKDF2SHA1PasswordHasher", "Argon2PasswordHasher",
    "BCryptSHA256PasswordHasher", "SHA1PasswordHasher", "UnsaltedMD5PasswordHasher",
]

settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers." + h for h in HASHERS])
django.setup()
from django.contrib.auth.hashers import check_password, get_hashers, make_password  # noqa: E402

print("# Django " + django.get_version())
for hasher in get_hashers():
    stored = make_password("bench password", hasher=hasher)
    assert check_password("bench password", stored), hasher.algorithm
    print(hasher.algorithm + "\t" + stored)
