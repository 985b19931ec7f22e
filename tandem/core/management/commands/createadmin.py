"""`tandem createadmin`: create a user with the Administrator role (superuser and staff)."""

import getpass

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tandem.core import audit, roles
from tandem.core.models import User
from tandem.core.permissions import sync_roles


class Command(BaseCommand):
    help = "Create an administrator. Asks for what is not given; --no-input needs --username and --password."

    def add_arguments(self, parser):
        parser.add_argument("--username")
        parser.add_argument("--email", default=None)
        parser.add_argument("--password", help="Visible in the process list and shell history; "
                                                 "prefer the prompt.")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive")

    def handle(self, *args, username, email, password, interactive, **options):
        if not interactive and not (username and password):
            raise CommandError("--no-input needs --username and --password.")
        username = (username or self.ask("Username", default="admin")).strip()
        if not username:
            raise CommandError("A username is required.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"User '{username}' already exists.")
        if email is None:
            email = self.ask("Email (optional)", default="") if interactive else ""
        user = User(username=username, email=email.strip())
        while True:
            if password is None:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    self.stderr.write("The passwords do not match.")
                    password = None
                    continue
            try:
                validate_password(password, user)
                break
            except ValidationError as exc:
                if not interactive:
                    raise CommandError(" ".join(exc.messages)) from None
                self.stderr.write(" ".join(exc.messages))
                password = None
        with transaction.atomic():
            groups = {g.name: g for g in Group.objects.filter(name=roles.ADMINISTRATOR)} or sync_roles()
            user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.save()
            user.groups.add(groups[roles.ADMINISTRATOR])
            audit.record(user, "core.user.created", by=None,
                         changes=audit.snapshot(user, ["username", "email"]) | {"role": roles.ADMINISTRATOR})
        self.stdout.write(self.style.SUCCESS(f"Administrator '{username}' created."))

    def ask(self, label: str, *, default: str) -> str:
        suffix = f" [{default}]" if default else ""
        return input(f"{label}{suffix}: ").strip() or default
