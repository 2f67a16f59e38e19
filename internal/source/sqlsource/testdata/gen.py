#!/usr/bin/python3
"""Regenerate the framework rows the preset tests seed, with each framework's own code.

Run from this directory with Debian's interpreter:

    /usr/bin/python3 gen.py

Needs python3-django (Django's own make_password and hashers), python3-bcrypt
and python3-argon2 (the back ends Django's BCrypt and Argon2 hashers call),
php-cli and the wordpress package (/usr/share/wordpress: WordPress's own
PasswordHash class, as wp_hash_password uses it). Nothing here is Ferry's code.

Each file is login<TAB>password<TAB>stored, one row per hasher, where stored is
the value the framework writes into its password column.
"""

import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for line in header.strip().splitlines():
            f.write("# " + line.strip() + "\n")
        for row in rows:
            assert all("\t" not in c and "\n" not in c for c in row), row
            f.write("\t".join(row) + "\n")


def django_rows():
    import django
    from django.conf import settings

    hashers = [
        "PBKDF2PasswordHasher", "PBKDF2SHA1PasswordHasher", "Argon2PasswordHasher",
        "BCryptSHA256PasswordHasher", "BCryptPasswordHasher", "SHA1PasswordHasher",
        "MD5PasswordHasher", "UnsaltedSHA1PasswordHasher", "UnsaltedMD5PasswordHasher",
    ]
    settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers." + h for h in hashers])
    django.setup()
    from django.contrib.auth.hashers import check_password, get_hashers, make_password

    rows = []
    for hasher in get_hashers():
        login = "dj_" + hasher.algorithm
        password = "Pw-" + hasher.algorithm + " 1"
        # Cheap costs keep the test fast; the format is what matters here.
        for attr, value in (("iterations", 1000), ("rounds", 4), ("time_cost", 1), ("memory_cost", 64)):
            if hasattr(hasher, attr):
                setattr(hasher, attr, value)
        stored = make_password(password, hasher=hasher)
        assert check_password(password, stored), hasher.algorithm
        rows.append((login, password, stored))
    return (django.get_version(), rows)


def wordpress_rows():
    code = r"""
require '/usr/share/wordpress/wp-includes/class-phpass.php';
$h = new PasswordHash(8, true);
$pw = $argv[1];
echo $h->HashPassword($pw), "\n", md5($pw), "\n";
"""
    version = subprocess.run(
        ["php", "-r", "include '/usr/share/wordpress/wp-includes/version.php'; echo $wp_version;"],
        check=True, capture_output=True, text=True).stdout.strip()
    rows = []
    for login, password in (("wp_phpass", "Pw-phpass 1"), ("wp_md5", "Pw-md5 1")):
        out = subprocess.run(["php", "-r", code, "--", password], check=True, capture_output=True,
                             text=True).stdout.split("\n")
        rows.append((login, password, out[0] if login == "wp_phpass" else out[1]))
    return version, rows


if __name__ == "__main__":
    v, rows = django_rows()
    write("rows/django.tsv", f"""
Django {v} (Debian python3-django): make_password with every hasher it ships but scrypt
(Django 4.0+) and crypt; a bare 32-hex UnsaltedMD5 value is what Django writes for it.
""", rows)
    v, rows = wordpress_rows()
    write("rows/wordpress.tsv", f"""
WordPress {v} (Debian wordpress): its PasswordHash(8, true) as wp_hash_password does ($P$),
and the bare md5() that an administrator's SQL reset leaves and wp_check_password accepts.
""", rows)
