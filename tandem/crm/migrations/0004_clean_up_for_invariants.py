"""Clean up rows the constraints of 0004 would refuse, before they are added:

- a deal whose stage lies in another pipeline than its pipeline column: the stage wins (0004 drops the column;
  a deal's pipeline is its stage's pipeline from then on) — nothing to change here;
- more than one default pipeline: the oldest stays default (the same on every database, whatever its collation);
- pipeline names equal but for letter case: later ones are renamed "Name (2)";
- lost reasons equal but for letter case: merged into the oldest (its deals point to it);
- more than one open stage visit of a deal: all but the latest end when the next one began;
- negative amounts: a deal's becomes unknown (empty); a campaign's or event's cost becomes 0."""

from django.db import migrations
from django.db.models import Count


def one_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("crm", "Pipeline")
    defaults = list(Pipeline.objects.filter(is_default=True).order_by("id").values_list("pk", flat=True))
    if len(defaults) > 1:
        Pipeline.objects.filter(pk__in=defaults[1:]).update(is_default=False)


def rename_duplicate_pipelines(apps, schema_editor):
    Pipeline = apps.get_model("crm", "Pipeline")
    taken = {p.name.lower() for p in Pipeline.objects.all()}
    seen: set[str] = set()
    for pipeline in Pipeline.objects.order_by("id"):
        key = pipeline.name.lower()
        if key not in seen:
            seen.add(key)
            continue
        number = 2
        while f"{pipeline.name} ({number})".lower() in taken:
            number += 1
        pipeline.name = f"{pipeline.name[:90]} ({number})"
        taken.add(pipeline.name.lower())
        pipeline.save(update_fields=["name"])


def merge_duplicate_lost_reasons(apps, schema_editor):
    LostReason = apps.get_model("crm", "LostReason")
    Deal = apps.get_model("crm", "Deal")
    kept: dict[str, int] = {}
    for reason in LostReason.objects.order_by("id"):
        key = reason.name.lower()
        if key not in kept:
            kept[key] = reason.pk
            continue
        Deal.objects.filter(lost_reason_id=reason.pk).update(lost_reason_id=kept[key])
        reason.delete()


def one_open_visit_per_deal(apps, schema_editor):
    Visit = apps.get_model("crm", "DealStageVisit")
    deals = (Visit.objects.filter(left_at__isnull=True).values("deal_id").annotate(n=Count("id"))
             .filter(n__gt=1).values_list("deal_id", flat=True))
    for deal_id in list(deals):
        visits = list(Visit.objects.filter(deal_id=deal_id).order_by("entered_at", "id"))
        for visit, following in zip(visits, visits[1:], strict=False):
            if visit.left_at is None:
                visit.left_at = following.entered_at
                visit.save(update_fields=["left_at"])


def no_negative_amounts(apps, schema_editor):
    apps.get_model("crm", "Deal").objects.filter(amount__lt=0).update(amount=None)
    apps.get_model("crm", "Campaign").objects.filter(cost__lt=0).update(cost=0)
    apps.get_model("crm", "MarketingEvent").objects.filter(cost__lt=0).update(cost=0)


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0003_archive_instead_of_delete"),
    ]

    operations = [
        migrations.RunPython(one_default_pipeline, migrations.RunPython.noop),
        migrations.RunPython(rename_duplicate_pipelines, migrations.RunPython.noop),
        migrations.RunPython(merge_duplicate_lost_reasons, migrations.RunPython.noop),
        migrations.RunPython(one_open_visit_per_deal, migrations.RunPython.noop),
        migrations.RunPython(no_negative_amounts, migrations.RunPython.noop),
    ]
