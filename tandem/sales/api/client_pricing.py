"""REST endpoints of a client's price group (sales.ClientPricing): read by whoever reads the client's prices, set
by sales managers (thin: the record rules of parties, one service)."""

from __future__ import annotations

from ninja import Router

from tandem.catalog.models import PriceGroup
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.parties.queries import visible_clients
from tandem.sales.models import ClientPricing
from tandem.sales.schemas import ClientPricingIn, ClientPricingOut
from tandem.sales.services.client_pricing import set_client_price_group

router = Router(tags=["sales"])


def _out(client) -> dict:
    row = ClientPricing.objects.select_related("price_group").filter(client=client).first()
    group = row.price_group if row else None
    return {"client_id": client.pk, "price_group": {"id": group.pk, "name": group.name} if group else None}


@router.get("/clients/{client_id}/price-group", response=ClientPricingOut, summary="A client's price group",
            description="The price group whose price lists the client gets; null: the general lists only.")
def get_price_group(request, client_id: Id):
    require_permission(request, "sales.view_clientpricing")
    return _out(resolve_visible(visible_clients(request.user), client_id))


@router.put("/clients/{client_id}/price-group", response=ClientPricingOut, summary="Set a client's price group",
            description="Sales managers put a client in a price group (`price_group_id`) or, with null, back on "
                        "the general lists. An unknown or archived group: 422 on `price_group_id`.")
def put_price_group(request, client_id: Id, payload: ClientPricingIn):
    client = resolve_visible(visible_clients(request.user), client_id)
    require_permission(request, "sales.change_clientpricing")
    group = resolve_visible(PriceGroup.objects.filter(is_archived=False), payload.price_group_id, "price_group_id")
    set_client_price_group(client, group, by=request.user)
    return _out(client)
