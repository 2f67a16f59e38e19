#!/usr/bin/python3
"""Builds a legacy Django site for the real-applications suite, with Django's
own code only: `migrate` creates the schema (django.contrib.auth's real
migrations), and the users are made by the User model and Django's hashers.

    FERRY_DJANGO_ENGINE=sqlite3 FERRY_DJANGO_NAME=/tmp/site.db /usr/bin/python3 app.py create < users.json
    ... app.py activate USERNAME      the admin re-activates a user (is_active = True)
    ... app.py sql STATEMENT          a statement run as the site's administrator would

`create` migrates, then reads a JSON list of users: {"username", "email",
"password" (null for set_unusable_password), "hasher" (a PASSWORD_HASHERS
algorithm, e.g. "md5"; absent for the default), "first_name", "last_name",
"is_active"}. It prints one JSON object: the Django version and, per user, the
stored password column, each re-checked with Django's check_password, and under
"refused" the users the database would not take (Django's IntegrityError, e.g.
a username that a case-insensitive collation makes a duplicate of another's)."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import check_password, make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import IntegrityError, connection  # noqa: E402

User = get_user_model()


def create():
    call_command("migrate", interactive=False, verbosity=0)
    out = {"django": django.get_version(), "users": {}, "refused": {}}
    for spec in json.load(sys.stdin):
        try:
            u = User.objects.create_user(spec["username"], email=spec.get("email", ""), password=None,
                                         first_name=spec.get("first_name", ""), last_name=spec.get("last_name", ""))
        except IntegrityError as e:
            out["refused"][spec["username"]] = str(e)
            continue
        if spec.get("password") is None:
            u.set_unusable_password()
        elif spec.get("hasher"):
            u.password = make_password(spec["password"], hasher=spec["hasher"])
        else:
            u.set_password(spec["password"])
        u.is_active = spec.get("is_active", True)
        u.save()
        if spec.get("password") is not None:
            assert check_password(spec["password"], u.password), spec["username"]
        out["users"][spec["username"]] = u.password
    print(json.dumps(out))


def activate(username):
    u = User.objects.get(username=username)
    u.is_active = True
    u.save()


def sql(statement):
    with connection.cursor() as c:
        c.execute(statement)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"create": create, "activate": activate, "sql": sql}[cmd](*args)
