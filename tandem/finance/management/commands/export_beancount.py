"""`tandem export-beancount FILE [--entity ID|name] [--from DATE] [--to DATE]`: the posted ledger of one of our
legal entities (the default one unless named) as a beancount file ("-" for standard output)."""

from __future__ import annotations

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from tandem.core.models import LegalEntity
from tandem.core.services import default_legal_entity
from tandem.finance.exports.beancount import export_beancount


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


def _entity(value: str | None) -> LegalEntity:
    if not value:
        return default_legal_entity()
    if value.isdigit():
        entity = LegalEntity.objects.filter(pk=int(value)).first()
    else:
        matches = list(LegalEntity.objects.filter(name__iexact=value)[:2])
        if len(matches) > 1:
            raise CommandError(f"Several legal entities are called {value!r}: give its id.")
        entity = matches[0] if matches else None
    if entity is None:
        known = ", ".join(f"{e.pk} {e.name}" for e in LegalEntity.objects.order_by("pk"))
        raise CommandError(f"There is no legal entity {value!r} (known: {known}).")
    return entity


class Command(BaseCommand):
    help = ("Write the posted ledger of a legal entity as a beancount file: accounts, one transaction per entry "
            "(base currency; foreign-currency lines with their price), streamed.")

    def add_arguments(self, parser):
        parser.add_argument("file", help='the file to write ("-": standard output)')
        parser.add_argument("--entity", help="legal entity id or name (default: the default legal entity)")
        parser.add_argument("--from", dest="date_from", type=_date, help="first date (YYYY-MM-DD); earlier "
                            "balances become one opening transaction")
        parser.add_argument("--to", dest="date_to", type=_date, help="last date (YYYY-MM-DD)")

    def handle(self, *args, file, entity, date_from, date_to, **options):
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from is after --to.")
        company = _entity(entity)
        if file == "-":
            count = export_beancount(company, sys.stdout, date_from=date_from, date_to=date_to)
        else:
            try:
                with open(file, "w", encoding="utf-8") as stream:
                    count = export_beancount(company, stream, date_from=date_from, date_to=date_to)
            except OSError as exc:
                raise CommandError(f"Cannot write {file}: {exc.strerror}.") from None
            self.stderr.write(f"{company.name}: {count} transactions written to {file}.")
