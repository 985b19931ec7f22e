"""The shared tax-ID rule (core.tax_ids): compact form, key without the country prefix, checksums."""

import pytest

from tandem.core.errors import BusinessRuleError
from tandem.core.tax_ids import tax_id_key, validate_tax_id


@pytest.mark.parametrize("typed", ["5252812349", "525-281-23-49", "PL5252812349", "pl 525 281 23 49"])
def test_one_polish_nip_in_every_form_has_one_key(typed):
    assert validate_tax_id(typed, "PL").key == "5252812349"
    assert tax_id_key(typed) == "5252812349"


def test_the_prefix_decides_the_country_and_is_kept_when_typed():
    assert validate_tax_id("DE 136 695 976", "PL").value == "DE136695976"
    assert validate_tax_id("136695976", "DE").value == "136695976"
    assert validate_tax_id("EL094259216").country == "GR"


def test_a_wrong_checksum_names_the_field_and_the_country():
    with pytest.raises(BusinessRuleError) as refused:
        validate_tax_id("525-281-23-45", "PL", field="tax_id")
    assert (refused.value.code, refused.value.field) == ("invalid_tax_id", "tax_id")
    assert "PL" in refused.value.message


def test_a_country_stdnum_does_not_know_keeps_the_number():
    assert validate_tax_id("1234-5678", "NG").value == "1234-5678"
    assert validate_tax_id("1234-5678", "NG").key == "12345678"
    assert validate_tax_id("", "PL").value == ""
