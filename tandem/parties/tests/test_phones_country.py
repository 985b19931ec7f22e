"""Phone numbers typed without a country code are read in the default legal entity's country."""

import pytest

from tandem.core import legal_entities
from tandem.core.errors import BusinessRuleError
from tandem.parties.phones import normalize_phone


@pytest.fixture
def nordlicht(admin_user):
    return legal_entities.create_legal_entity(by=admin_user, name="Nordlicht Handel GmbH", country="DE")


def test_phone_numbers_without_country_code_use_the_default_entitys_country(nordlicht, admin_user):
    assert normalize_phone("030 1234567", field="phone") == "+49301234567"
    legal_entities.update_legal_entity(nordlicht, by=admin_user, country="RU", tax_id="")
    assert normalize_phone("8 (495) 123-45-67", field="phone") == "+74951234567"
    legal_entities.update_legal_entity(nordlicht, by=admin_user, country="")
    with pytest.raises(BusinessRuleError):
        normalize_phone("030 1234567", field="phone")
    assert normalize_phone("+49 30 1234567", field="phone") == "+49301234567"


def test_client_phone_is_read_in_the_default_country(api, sales_manager, nordlicht):
    response = api(sales_manager).post("/api/v1/clients", {"name": "Local GmbH",
                                                           "phone": "030 1234567"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "+49301234567"
