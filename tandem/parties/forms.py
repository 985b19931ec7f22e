"""Forms for the clients UI. They check shape only; business rules live in parties.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import DateField, ModelChoiceField
from tandem.core.models import User
from tandem.parties.models import BankAccount, Client, Contact, Counterparty, Source, Tag
from tandem.parties.queries import can_see_all_clients


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def _text(model, name, **kwargs):
    field = model._meta.get_field(name)
    kwargs.setdefault("required", not field.blank)
    return forms.CharField(label=field.verbose_name, max_length=field.max_length, **kwargs)


class DateInput(forms.DateInput):
    """A browser date picker; it always sends ISO dates, which DateField accepts in every locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


ALLOW_DUPLICATES_LABEL = _("Save anyway: I checked the records above and this is not a duplicate")


class ClientFilterForm(forms.Form):
    """Filters of the client list (GET parameters q, status, type, owner, tag, source, sort)."""

    SORT_CHOICES = [
        ("name", _("Name A–Z")), ("-name", _("Name Z–A")),
        ("-created", _("Newest first")), ("created", _("Oldest first")),
        ("status", _("Status")), ("-status", _("Status, descending")),
    ]  # fmt: skip

    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name contains…")}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Client.Status.choices]
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Client.Kind.choices]
    )
    owner = ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label=_("All owners")
    )
    tag = ModelChoiceField(
        label=_("Tag"),
        required=False,
        queryset=Tag.objects.all(),
        to_field_name="name",
        empty_label=_("All tags"),
    )
    source = ModelChoiceField(
        label=_("Source"), required=False, queryset=Source.objects.all(), empty_label=_("All sources")
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    archived = forms.ChoiceField(
        label=_("Archive"), required=False,
        choices=[("", _("In use")), ("true", _("Archived")), ("all", _("All"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if can_see_all_clients(user):
            self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(
                "first_name", "username"
            )
        else:
            del self.fields["owner"]

    def filters(self) -> dict:
        """Keyword arguments for queries.filter_clients; invalid values are ignored, not errors."""
        data = self.cleaned_data if self.is_valid() else {}
        owner, tag, source = data.get("owner"), data.get("tag"), data.get("source")
        return {
            "q": data.get("q", ""),
            "status": data.get("status", ""),
            "kind": data.get("type", ""),
            "owner_id": owner.pk if owner else None,
            "tag": tag.name if tag else "",
            "source_id": source.pk if source else None,
            "sort": data.get("sort") or "name",
            "archived": data.get("archived") or "false",
        }


class ClientForm(forms.Form):
    name = _text(Client, "name")
    kind = forms.ChoiceField(
        label=_label(Client, "kind"), choices=Client.Kind.choices, initial=Client.Kind.B2B
    )
    status = forms.ChoiceField(
        label=_label(Client, "status"), choices=Client.Status.choices, initial=Client.Status.PROSPECT
    )
    owner = ModelChoiceField(label=_label(Client, "owner"), queryset=User.objects.none())
    first_source = ModelChoiceField(
        label=_label(Client, "first_source"), required=False, queryset=Source.objects.active()
    )
    email = forms.EmailField(label=_label(Client, "email"), required=False)
    phone = _text(Client, "phone", help_text=Client._meta.get_field("phone").help_text)
    website = forms.URLField(label=_label(Client, "website"), required=False, assume_scheme="https")
    tags = forms.CharField(
        label=_label(Client, "tags"), required=False, help_text=_("Comma-separated, e.g. wholesale, vip")
    )
    notes = forms.CharField(
        label=_label(Client, "notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    allow_duplicates = forms.BooleanField(label=ALLOW_DUPLICATES_LABEL, required=False)
    # The version the user opened (edits only): a save after someone else's is refused, nothing written.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        if client is None:
            del self.fields["version"]
        if can_see_all_clients(user):
            owners = User.objects.filter(is_active=True)
            if client is not None:
                owners = owners | User.objects.filter(pk=client.owner_id)
        else:
            owners = User.objects.filter(pk=user.pk)
        self.fields["owner"].queryset = owners.order_by("first_name", "username")
        self.fields["owner"].label_from_instance = lambda u: u.display_name
        if client is not None and client.first_source_id:
            self.fields["first_source"].queryset = Source.objects.active() | Source.objects.filter(
                pk=client.first_source_id
            )
        if not self.is_bound:
            self.initial.setdefault("owner", user.pk)

    @staticmethod
    def initial_for(client: Client) -> dict:
        return {
            "name": client.name, "kind": client.kind, "status": client.status, "owner": client.owner_id,
            "first_source": client.first_source_id, "email": client.email, "phone": client.phone,
            "website": client.website, "notes": client.notes,
            "tags": ", ".join(t.name for t in client.tags.all()), "version": client.version,
        }  # fmt: skip

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("allow_duplicates")
        values.pop("version", None)
        return values


class CounterpartyForm(forms.Form):
    legal_name = _text(Counterparty, "legal_name")
    tax_id = _text(Counterparty, "tax_id")
    registration_number = _text(Counterparty, "registration_number")
    legal_address = forms.CharField(
        label=_label(Counterparty, "legal_address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    postal_address = forms.CharField(
        label=_label(Counterparty, "postal_address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_from = DateField(label=_label(Counterparty, "valid_from"), widget=DateInput)
    valid_to = DateField(
        label=_label(Counterparty, "valid_to"),
        required=False,
        widget=DateInput,
        help_text=Counterparty._meta.get_field("valid_to").help_text,
    )
    allow_duplicates = forms.BooleanField(label=ALLOW_DUPLICATES_LABEL, required=False)

    @staticmethod
    def initial_for(cp: Counterparty) -> dict:
        return {
            name: getattr(cp, name)
            for name in (
                "legal_name",
                "tax_id",
                "registration_number",
                "legal_address",
                "postal_address",
                "valid_from",
                "valid_to",
            )
        }

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("allow_duplicates")
        return values


class BankAccountForm(forms.Form):
    bank_name = _text(BankAccount, "bank_name")
    account_number = _text(BankAccount, "account_number")
    bic = _text(BankAccount, "bic")
    currency = forms.CharField(
        label=_label(BankAccount, "currency"), min_length=3, max_length=3, initial="EUR"
    )


class ContactForm(forms.Form):
    first_name = _text(Contact, "first_name")
    last_name = _text(Contact, "last_name")
    position = _text(Contact, "position")
    email = forms.EmailField(label=_label(Contact, "email"), required=False)
    alternate_email = forms.EmailField(label=_label(Contact, "alternate_email"), required=False)
    phone = _text(Contact, "phone")
    mobile_phone = _text(Contact, "mobile_phone")
    messengers = _text(Contact, "messengers", help_text=Contact._meta.get_field("messengers").help_text)
    allow_duplicates = forms.BooleanField(label=ALLOW_DUPLICATES_LABEL, required=False)

    @staticmethod
    def initial_for(contact: Contact) -> dict:
        return {
            name: getattr(contact, name)
            for name in (
                "first_name",
                "last_name",
                "position",
                "email",
                "alternate_email",
                "phone",
                "mobile_phone",
                "messengers",
            )
        }

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("allow_duplicates")
        return values


class SourceForm(forms.Form):
    """Add a source on the settings page (shape only; parties.services.create_source checks the rest)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), choices=Source.Channel.choices, initial=Source.Channel.OTHER)
