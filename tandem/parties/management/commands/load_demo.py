"""`tandem demo`: load the demo data set (idempotent) and print the logins."""

import time

from django.core.management.base import BaseCommand

from tandem.core import demo as core_demo
from tandem.core import modules
from tandem.core.models import User
from tandem.parties.demo import CLIENT_COUNT, SEED, build_demo_data

URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = ("Load a deterministic demo data set (company, one user per role, clients, and what enabled modules "
            "add through their `load_demo_data(seed, scale)` hook). Safe to run twice.")

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=None,
                            help=f"How many clients to create (default {CLIENT_COUNT} times the scale).")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Size of the whole data set relative to the default (0.25 = a quarter).")
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed (same seed, same data).")
        parser.add_argument("--url", default=URL, help="The address printed for opening the demo (where it is served).")

    def handle(self, *args, clients, seed, scale, url, **options):
        started = time.monotonic()
        clients = clients if clients is not None else max(10, round(CLIENT_COUNT * scale))
        result = build_demo_data(seed=seed, clients=clients)
        if result.created:
            counts = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in result.counts.items())
            self.stdout.write(self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.1f} s: {counts}."))
        else:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        # Core's data step: the demo company's legal entity and exchange rates (fills in what is missing).
        admin = User.objects.filter(username="admin").first()
        if admin is not None:
            for line in core_demo.load_demo_data(by=admin, seed=seed):
                self.stdout.write(line)
        # Upper apps (CRM, ...) add their demo data through an AppConfig hook: this app never names them.
        for line in modules.collect("load_demo_data", seed, scale):
            self.stdout.write(line)
        self.stdout.write(f"\nOpen {url} and log in as:")
        width = max((len(login.username) for login in result.logins), default=0)
        for login in result.logins:
            password = login.password or "(password changed since the demo was loaded)"
            self.stdout.write(f"  {login.username:<{width}}  {password:<20}  {login.role}")
