"""core.reference_lists: the steps the reference-list settings of parties (sources, tags) and crm (lost
reasons, complaint categories) share. Their pages are tested in their apps; here the helpers themselves."""

import pytest
from django.contrib.auth.models import Group

from tandem.core import reference_lists
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry

# Any model with a `name` works; Group is one core may use (the apps' lists are tested through their pages).


def test_clean_name_strips_and_refuses_empty_or_long():
    assert reference_lists.clean_name("  Price ") == "Price"
    with pytest.raises(BusinessRuleError) as empty:
        reference_lists.clean_name("   ")
    assert (empty.value.code, empty.value.field) == ("required", "name")
    assert reference_lists.clean_name("x" * 100) == "x" * 100
    with pytest.raises(BusinessRuleError) as long:
        reference_lists.clean_name("x" * 51, max_length=50, too_long="Fifty at most.")
    assert (long.value.code, long.value.message) == ("too_long", "Fifty at most.")


@pytest.mark.django_db
def test_refuse_duplicate_ignores_letter_case_and_the_entry_itself():
    own = Group.objects.create(name="VIP")
    with pytest.raises(ConflictError) as duplicate:
        reference_lists.refuse_duplicate(Group, "vip")
    assert duplicate.value.field == "name" and "vip" in duplicate.value.message
    reference_lists.refuse_duplicate(Group, "Vip", exclude_pk=own.pk)  # renaming to another case of itself


@pytest.mark.django_db
def test_rename_entry_audits_only_a_change(admin_user):
    reason = Group.objects.create(name="Price")
    Group.objects.create(name="Timing")
    renamed = reference_lists.rename_entry(reason, by=admin_user, name=" Too expensive ",
                                           action="crm.lostreason.renamed")
    assert renamed.name == "Too expensive"
    entry = AuditEntry.objects.get(action="crm.lostreason.renamed")
    assert entry.changes == {"name": ["Price", "Too expensive"]}
    reference_lists.rename_entry(reason, by=admin_user, name="Too expensive", action="crm.lostreason.renamed")
    assert AuditEntry.objects.filter(action="crm.lostreason.renamed").count() == 1
    with pytest.raises(ConflictError, match="Taken: timing"):
        reference_lists.rename_entry(reason, by=admin_user, name="timing", action="crm.lostreason.renamed",
                                     duplicate="Taken: %(name)s")
    reason.refresh_from_db()
    assert reason.name == "Too expensive"
