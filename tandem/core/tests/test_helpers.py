"""The cross-cutting helpers every app uses: permission check, visible reference, amounts in schemas."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from pydantic import ValidationError

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import DecimalString, InputSchema, MoneyOut, money_list


class AmountIn(InputSchema):
    amount: DecimalString = None


def test_require_permission_takes_a_user_or_a_request(sales_rep, rf):
    require_permission(sales_rep, "parties.view_client")
    request = rf.get("/")
    request.user = sales_rep
    with pytest.raises(AccessDenied) as exc:
        require_permission(request, "core.change_company")
    # One exception for services and pages: the API maps it to 403 {code: permission_denied}, Django to 403.
    assert exc.value.status_code == 403 and exc.value.code == "permission_denied"
    assert isinstance(exc.value, PermissionDenied)


def test_resolve_visible_answers_404_for_the_url_and_400_naming_the_field(sales_rep, other_rep):
    visible = User.objects.filter(pk=sales_rep.pk)
    assert resolve_visible(visible, sales_rep.pk) == sales_rep
    assert resolve_visible(visible, sales_rep) == sales_rep  # an instance is checked too
    assert resolve_visible(User, other_rep.pk, "owner_id") == other_rep  # a model: every row
    assert resolve_visible(visible, None, "owner_id") is None
    for missing in (other_rep.pk, "abc", None):
        with pytest.raises(Http404):
            resolve_visible(visible, missing)
    with pytest.raises(BusinessRuleError) as exc:
        resolve_visible(visible, other_rep.pk, "owner_id")
    assert (exc.value.code, exc.value.field, exc.value.status_code) == ("unknown_reference", "owner_id", 400)


@pytest.mark.parametrize("sent, expected", [("1250.5", Decimal("1250.5")), (" 7 ", Decimal("7")), (1250, Decimal(1250)),
                                            ("", None), (None, None)])
def test_amounts_arrive_as_decimal(sent, expected):
    assert AmountIn(amount=sent).amount == expected


@pytest.mark.parametrize("sent", [12.5, True, "abc", "NaN", "Infinity"])
def test_floats_and_non_numbers_are_refused(sent):
    with pytest.raises(ValidationError):
        AmountIn(amount=sent)


def test_amounts_leave_as_strings():
    assert AmountIn(amount="1250.50").model_dump(mode="json") == {"amount": "1250.50"}
    assert AmountIn.model_json_schema()["properties"]["amount"]["anyOf"][0]["type"] == "string"
    assert [MoneyOut(**m).amount for m in money_list({"USD": Decimal("2.005"), "EUR": Decimal("1")})] == [
        "1.00", "2.01"]
