"""Back-office views of clients. Business records are read-only here: their writes go through
parties.services (rules and audit); only the lookup lists (sources, tags) are edited in the admin."""

from django.contrib import admin

from tandem.core.admin import ReadOnlyAdminMixin, ReferencedDeleteAdminMixin
from tandem.parties.models import BankAccount, Client, Contact, ContactChannel, Counterparty, Source, Tag


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class CounterpartyInline(ReadOnlyInline):
    model = Counterparty
    fields = ("legal_name", "tax_id", "valid_from", "valid_to")


class ContactInline(ReadOnlyInline):
    model = Contact
    fields = ("first_name", "last_name", "position")


class ContactChannelInline(ReadOnlyInline):
    model = ContactChannel
    fields = ("kind", "value")
    show_change_link = False


class BankAccountInline(ReadOnlyInline):
    model = BankAccount
    fields = ("bank_name", "account_number", "bic", "currency")


@admin.register(Source)
class SourceAdmin(ReferencedDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "channel", "is_archived")
    list_filter = ("channel", "is_archived")
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Client)
class ClientAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "status", "owner", "first_source", "email", "phone", "created_at")
    list_filter = ("status", "kind", "first_source", "tags")
    list_select_related = ("owner", "first_source")
    search_fields = ("search_name", "email", "phone")
    date_hierarchy = "created_at"
    inlines = [CounterpartyInline, ContactInline]


@admin.register(Counterparty)
class CounterpartyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("legal_name", "client", "tax_id", "valid_from", "valid_to")
    list_select_related = ("client",)
    search_fields = ("search_name", "tax_id", "registration_number")
    inlines = [BankAccountInline]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("full_name", "client", "position")
    list_select_related = ("client",)
    search_fields = ("search_name", "channels__search_value")
    inlines = [ContactChannelInline]


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bank_name", "account_number", "bic", "currency", "counterparty")
    list_select_related = ("counterparty",)
    search_fields = ("bank_name", "account_number", "bic")
