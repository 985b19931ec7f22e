"""`tandem load_crm_demo`: load only the CRM part of the demo data (idempotent); `tandem demo` runs it too."""

from django.core.management.base import BaseCommand, CommandError

from tandem.crm.demo import SEED, build_crm_demo


class Command(BaseCommand):
    help = ("Load the CRM demo data (pipelines, marketing, leads, a year of deals, interactions, complaints, "
            "tasks, segments) on top of the demo clients of `tandem demo`. Safe to run twice.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed (same seed, same data).")

    def handle(self, *args, seed, **options):
        result = build_crm_demo(seed=seed)
        if result.skipped:
            raise CommandError(result.lines()[0])
        style = self.style.SUCCESS if result.created else (lambda text: text)
        for line in result.lines():
            self.stdout.write(style(line))
