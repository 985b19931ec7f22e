"""Clean up rows the constraints of 0004 would refuse: tag and source names equal but for letter case.

Tags are labels: duplicates merge into the oldest (its clients keep the tag). Sources are referred to by many
records of other apps, so a duplicate is renamed "Name (2)" rather than merged."""

from django.db import migrations


def merge_duplicate_tags(apps, schema_editor):
    Tag = apps.get_model("parties", "Tag")
    Through = apps.get_model("parties", "Client").tags.through
    kept: dict[str, int] = {}
    for tag in Tag.objects.order_by("id"):
        key = tag.name.lower()
        if key not in kept:
            kept[key] = tag.pk
            continue
        keeper = kept[key]
        for link in Through.objects.filter(tag_id=tag.pk):
            if not Through.objects.filter(tag_id=keeper, client_id=link.client_id).exists():
                Through.objects.create(tag_id=keeper, client_id=link.client_id)
        Through.objects.filter(tag_id=tag.pk).delete()
        tag.delete()


def rename_duplicate_sources(apps, schema_editor):
    Source = apps.get_model("parties", "Source")
    taken = {s.name.lower() for s in Source.objects.all()}
    seen: set[str] = set()
    for source in Source.objects.order_by("id"):
        key = source.name.lower()
        if key not in seen:
            seen.add(key)
            continue
        number = 2
        while f"{source.name} ({number})".lower() in taken:
            number += 1
        source.name = f"{source.name[:90]} ({number})"
        taken.add(source.name.lower())
        source.save(update_fields=["name"])


class Migration(migrations.Migration):

    dependencies = [
        ("parties", "0003_archive_instead_of_delete"),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_tags, migrations.RunPython.noop),
        migrations.RunPython(rename_duplicate_sources, migrations.RunPython.noop),
    ]
