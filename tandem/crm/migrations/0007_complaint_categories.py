# Complaint categories become a managed reference list: the five fixed choices turn into rows (named in
# the company's language), and Complaint.category becomes a foreign key to them.

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.utils import translation
from django.utils.translation import gettext

FORMER = [  # code, English label (translated when the rows are made), position
    ("quality", "Product quality", 10), ("delivery", "Delivery", 20), ("billing", "Billing", 30),
    ("service", "Service", 40), ("other", "Other", 50),
]


def choices_to_rows(apps, schema_editor):
    Company = apps.get_model("core", "Company")
    ComplaintCategory = apps.get_model("crm", "ComplaintCategory")
    Complaint = apps.get_model("crm", "Complaint")
    company = Company.objects.order_by("pk").first()
    language = company.language if company else settings.LANGUAGE_CODE
    with translation.override(language):
        for code, label, position in FORMER:
            category = ComplaintCategory.objects.create(name=gettext(label), code=code, position=position)
            Complaint.objects.filter(category_code=code).update(category=category)
    # A value outside the former choices (never expected) keeps its complaint under "Other".
    other = ComplaintCategory.objects.get(code="other")
    Complaint.objects.filter(category__isnull=True).update(category=other)


def rows_to_choices(apps, schema_editor):
    Complaint = apps.get_model("crm", "Complaint")
    for complaint in Complaint.objects.select_related("category"):
        complaint.category_code = complaint.category.code or "other"
        complaint.save(update_fields=["category_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("crm", "0006_amount_and_duration_ranges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("is_archived", models.BooleanField(db_index=True, default=False, verbose_name="archived")),
                ("archived_at", models.DateTimeField(blank=True, null=True, verbose_name="archived at")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("code", models.CharField(blank=True, default="", help_text="A short stable key for integrations; optional.", max_length=20, verbose_name="code")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("archived_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="archived by")),
            ],
            options={
                "verbose_name": "complaint category",
                "verbose_name_plural": "complaint categories",
                "ordering": ["position", "name"],
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("code", ""), _negated=True), fields=("code",), name="complaintcategory_code_unique"),
                    models.UniqueConstraint(django.db.models.functions.text.Lower("name"), name="complaint_category_name_unique_ci", violation_error_message="A complaint category with this name exists already."),
                ],
            },
        ),
        migrations.RenameField("complaint", "category", "category_code"),
        # A default, so that migrating back can re-add the column before the codes are written into it.
        migrations.AlterField("complaint", "category_code", models.CharField(default="other", max_length=10)),
        migrations.AddField(
            model_name="complaint",
            name="category",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="complaints", to="crm.complaintcategory", verbose_name="category"),
        ),
        migrations.RunPython(choices_to_rows, rows_to_choices),
        migrations.RemoveField("complaint", "category_code"),
        migrations.AlterField(
            model_name="complaint",
            name="category",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="complaints", to="crm.complaintcategory", verbose_name="category"),
        ),
    ]
