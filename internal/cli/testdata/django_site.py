#!/usr/bin/python3
"""Create a Django site's user database as Django itself makes it, for TestAuditDjangoSite.

    /usr/bin/python3 django_site.py /path/to/legacy.db

Django's own migrations create auth_user (no column of Ferry's), and its own
create_user hashes the passwords with the default hasher at its default cost.
The users are the cases `ferry audit` must report. Needs python3-django.
"""

import sys

import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    USE_TZ=True,
)
django.setup()
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
User.objects.create_user("alice", "alice@example.com", "Alice-pw 1", first_name="Alice")  # id 1: fine
User.objects.create_user("ALICE", "alice.upper@example.com", "Alice-pw 2")  # 2: folds with 1
User.objects.create_user("bob smith", "bob@example.com", "Bob-pw 1")  # 3: a space (create_user does not validate)
carol = User.objects.create_user("carol", "carol@example.com")  # 4: no password: set_unusable_password
assert not carol.has_usable_password()
User.objects.create_user("dave", "dave@example.com", "Dave-pw 1", is_active=False)  # 5: inactive
User.objects.create_user("eve", "shared@example.com", "Eve-pw 1")  # 6: shares an email with 7
User.objects.create_user("frank", "shared@example.com", "Frank-pw 1")  # 7
User.objects.create_user("ghost", "", "Ghost-pw 1")  # 8: nothing to answer with
print(django.get_version())
