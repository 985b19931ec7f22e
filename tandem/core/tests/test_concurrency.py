"""core.concurrency: the version an API client saw, and a database refusal named for people."""

import pytest
from django.db import IntegrityError
from django.test import RequestFactory

from tandem.core.concurrency import conflict_from_integrity_error, expected_version, version_from_if_match
from tandem.core.errors import ConflictError


@pytest.mark.parametrize(("header", "version"), [
    (None, None), ("", None), ("*", None), ('"3"', 3), ('W/"3"', 3), ('"3", "4"', 3), ("7", 7),
])
def test_if_match_names_a_version(header, version):
    assert version_from_if_match(header) == version


def test_if_match_that_is_not_a_version_is_refused():
    with pytest.raises(ConflictError) as refusal:
        version_from_if_match('"abc"')
    assert refusal.value.code == "stale"


@pytest.mark.parametrize(("header", "body", "seen"), [
    (None, None, None), ('"2"', None, 2), (None, 5, 5), ('"4"', 3, 3), ('"3"', 4, 3),
])
def test_expected_version_takes_the_older_of_header_and_body(header, body, seen):
    request = RequestFactory().patch("/", headers={"If-Match": header} if header else {})
    assert expected_version(request, body) == seen


def test_a_named_constraint_gives_its_field_and_message(db):
    refusal = conflict_from_integrity_error(
        IntegrityError('duplicate key value violates unique constraint "tag_name_unique_ci"'))
    assert (refusal.code, refusal.status_code) == ("conflict", 409)
    assert refusal.field == "name" and refusal.message == "A tag with this name exists already."
    check = conflict_from_integrity_error(IntegrityError("CHECK constraint failed: deal_amount_range"))
    assert check.field == "amount" and check.message == "Enter an amount between 0 and 99999999999.9999."


def test_an_unnamed_sqlite_unique_failure_still_names_the_column(db):
    refusal = conflict_from_integrity_error(IntegrityError("UNIQUE constraint failed: crm_dealstagevisit.deal_id"))
    assert refusal.field == "deal" and "Reload" in refusal.message
