"""`tandem expire-quotes`: sent quotes past their 'valid until' (before today in the company's time zone)
become expired. Run it daily (cron or a systemd timer, see the README's Deployment section)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tandem.sales.services.quotes import expire_overdue_quotes


class Command(BaseCommand):
    help = "Expire the sent quotes whose 'valid until' date has passed (a daily job)."

    def handle(self, *args, **options):
        count = expire_overdue_quotes()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{count} quote(s) expired.")
