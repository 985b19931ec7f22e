from django.db import migrations


class Migration(migrations.Migration):
    """The contact's fixed phone and e-mail columns, now channels (0006 moved their values)."""

    dependencies = [
        ("parties", "0006_contact_channels"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contact",
            name="parties_contact_alt_email_idx",
        ),
        migrations.RemoveField(
            model_name="contact",
            name="alternate_email",
        ),
        migrations.RemoveField(
            model_name="contact",
            name="email",
        ),
        migrations.RemoveField(
            model_name="contact",
            name="mobile_phone",
        ),
        migrations.RemoveField(
            model_name="contact",
            name="phone",
        ),
    ]
