"""REST endpoints for clients, counterparties, contacts, sources and tags (thin: parse, look up with the
record rules of parties.queries, check the permission, call one service, return the schema)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router

from tandem.core.audit import history_for
from tandem.core.concurrency import etag_for, expected_version
from tandem.core.models import User
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import ArchivedFilter, Id, patch_values
from tandem.parties import queries, services
from tandem.parties.models import Client, Contact, Counterparty, Source, Tag
from tandem.parties.schemas import (
    BankAccountIn,
    BankAccountOut,
    ClientFilters,
    ClientIn,
    ClientOut,
    ClientPatch,
    ContactFilters,
    ContactIn,
    ContactOut,
    ContactPatch,
    CounterpartyIn,
    CounterpartyOut,
    CounterpartyPatch,
    HistoryEntryOut,
    SearchHitOut,
    SourceIn,
    SourceOut,
    SourcePatch,
    TagOut,
    TagPatch,
)

router = Router(tags=["clients"])


def _with_list_details(qs: QuerySet[Client]) -> QuerySet[Client]:
    """Everything ClientOut shows, in a fixed number of queries whatever the page size."""
    today = timezone.localdate()
    return qs.select_related("owner", "first_source").prefetch_related(
        "tags",
        Prefetch(
            "counterparties",
            queryset=Counterparty.objects.filter(Counterparty.valid_on(today)).order_by("-valid_from"),
            to_attr="current_counterparties",
        ),
    )


def _client_values(data: dict) -> dict:
    """Schema fields -> service keyword arguments (ids resolved to rows)."""
    if "owner_id" in data:
        data["owner"] = resolve_visible(User, data.pop("owner_id"), "owner_id")
    if "first_source_id" in data:
        data["first_source"] = resolve_visible(Source, data.pop("first_source_id"), "first_source_id")
    return data


def _client_out(client: Client) -> Client:
    return _with_list_details(Client.objects.filter(pk=client.pk)).get()


# --- Clients ----------------------------------------------------------------------------------------

@router.get("/clients", response=Page[ClientOut], summary="List clients")
def list_clients(request, filters: Query[ClientFilters], pagination: Query[PageParams]):
    require_permission(request, "parties.view_client")
    qs = queries.filter_clients(
        queries.visible_clients(request.user),
        q=filters.q, status=filters.status or "", kind=filters.kind or "", owner_id=filters.owner_id,
        tag=filters.tag, source_id=filters.source_id, sort=filters.sort, archived=filters.archived,
    )
    return paginate(_with_list_details(qs), pagination)


@router.post("/clients", response={201: ClientOut}, summary="Create a client")
def create_client(request, payload: ClientIn):
    require_permission(request, "parties.add_client")
    client = services.create_client(by=request.user, **_client_values(payload.dict()))
    return _client_out(client)


@router.get("/clients/{client_id}", response=ClientOut, summary="Get a client",
            description="The `ETag` header carries the client's `version`; send it back in `If-Match` when "
                        "changing it.")
def get_client(request, client_id: Id, response: HttpResponse):
    client = _client_out(queries.get_visible_client(request.user, client_id))
    response["ETag"] = etag_for(client.version)
    return client


@router.patch("/clients/{client_id}", response=ClientOut, summary="Change a client",
              description="Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` (the "
                          "ETag of GET) or as `version` in the body. When someone changed the client since, "
                          "nothing is written and the answer is 409 with code `stale` (409 rather than 412, "
                          "so every refusal has the same shape). Without either, the change applies to the "
                          "current version (last write wins).")
def update_client(request, client_id: Id, payload: ClientPatch, response: HttpResponse):
    client = queries.get_visible_client(request.user, client_id)
    require_permission(request, "parties.change_client")
    data = patch_values(payload, Client)
    allow_duplicates = data.pop("allow_duplicates", False)
    seen = expected_version(request, data.pop("version", None))
    client = services.update_client(client, by=request.user, allow_duplicates=allow_duplicates,
                                    expected_version=seen, **_client_values(data))
    response["ETag"] = etag_for(client.version)
    return _client_out(client)


@router.delete("/clients/{client_id}", response={204: None}, summary="Delete a client nothing refers to",
               description="Refused with 409, code `referenced` and a `references` list ({model, count, label}) "
                           "while deals, interactions or other records refer to the client: archive it instead.")
def delete_client(request, client_id: Id):
    client = queries.get_visible_client(request.user, client_id)
    require_permission(request, "parties.delete_client")
    services.delete_client(client, by=request.user)


@router.post("/clients/{client_id}/archive", response=ClientOut, summary="Archive a client",
             description="Hidden from pickers and the default list (`?archived=true` lists archived clients); "
                         "documents that name the client keep showing it.")
def archive_client(request, client_id: Id):
    client = queries.get_visible_client(request.user, client_id)
    return _client_out(services.archive_client(client, by=request.user))


@router.post("/clients/{client_id}/restore", response=ClientOut, summary="Restore an archived client")
def restore_client(request, client_id: Id):
    client = queries.get_visible_client(request.user, client_id)
    return _client_out(services.restore_client(client, by=request.user))


@router.get("/clients/{client_id}/history", response=Page[HistoryEntryOut], summary="Change history")
def client_history(request, client_id: Id, pagination: Query[PageParams]):
    client = queries.get_visible_client(request.user, client_id)
    return paginate(history_for(client, user=request.user), pagination)


# --- Counterparties ---------------------------------------------------------------------------------

@router.get("/clients/{client_id}/counterparties", response=list[CounterpartyOut], tags=["counterparties"])
def list_counterparties(request, client_id: Id, archived: ArchivedFilter = "false"):
    client = queries.get_visible_client(request.user, client_id)
    require_permission(request, "parties.view_counterparty")
    return list(queries.visible_counterparties(request.user).filter(client=client).in_archive_state(archived))


@router.post("/clients/{client_id}/counterparties", response={201: CounterpartyOut}, tags=["counterparties"])
def create_counterparty(request, client_id: Id, payload: CounterpartyIn):
    client = queries.get_visible_client(request.user, client_id)
    require_permission(request, "parties.add_counterparty")
    return services.add_counterparty(client, by=request.user, **payload.dict())


@router.get("/counterparties/{counterparty_id}", response=CounterpartyOut, tags=["counterparties"])
def get_counterparty(request, counterparty_id: Id):
    return queries.get_visible_counterparty(request.user, counterparty_id)


@router.patch("/counterparties/{counterparty_id}", response=CounterpartyOut, tags=["counterparties"])
def update_counterparty(request, counterparty_id: Id, payload: CounterpartyPatch):
    counterparty = queries.get_visible_counterparty(request.user, counterparty_id)
    require_permission(request, "parties.change_counterparty")
    data = patch_values(payload, Counterparty)
    allow_duplicates = data.pop("allow_duplicates", False)
    return services.update_counterparty(counterparty, by=request.user, allow_duplicates=allow_duplicates,
                                        **data)


@router.delete("/counterparties/{counterparty_id}", response={204: None}, tags=["counterparties"])
def delete_counterparty(request, counterparty_id: Id):
    counterparty = queries.get_visible_counterparty(request.user, counterparty_id)
    require_permission(request, "parties.delete_counterparty")
    services.delete_counterparty(counterparty, by=request.user)


@router.post("/counterparties/{counterparty_id}/archive", response=CounterpartyOut, tags=["counterparties"])
def archive_counterparty(request, counterparty_id: Id):
    counterparty = queries.get_visible_counterparty(request.user, counterparty_id)
    return services.archive_counterparty(counterparty, by=request.user)


@router.post("/counterparties/{counterparty_id}/restore", response=CounterpartyOut, tags=["counterparties"])
def restore_counterparty(request, counterparty_id: Id):
    counterparty = queries.get_visible_counterparty(request.user, counterparty_id)
    return services.restore_counterparty(counterparty, by=request.user)


@router.get("/counterparties/{counterparty_id}/bank-accounts", response=list[BankAccountOut],
            tags=["counterparties"])
def list_bank_accounts(request, counterparty_id: Id):
    counterparty = queries.get_visible_counterparty(request.user, counterparty_id)
    return list(counterparty.bank_accounts.all())


@router.post("/counterparties/{counterparty_id}/bank-accounts", response={201: BankAccountOut},
             tags=["counterparties"])
def create_bank_account(request, counterparty_id: Id, payload: BankAccountIn):
    counterparty = queries.get_visible_counterparty(request.user, counterparty_id)
    require_permission(request, "parties.change_counterparty")
    return services.add_bank_account(counterparty, by=request.user, **payload.dict())


@router.delete("/counterparties/{counterparty_id}/bank-accounts/{account_id}", response={204: None},
               tags=["counterparties"])
def delete_bank_account(request, counterparty_id: Id, account_id: Id):
    counterparty = queries.get_visible_counterparty(request.user, counterparty_id)
    account = resolve_visible(counterparty.bank_accounts.select_related("counterparty__client"), account_id)
    require_permission(request, "parties.change_counterparty")
    services.delete_bank_account(account, by=request.user)


# --- Contacts ---------------------------------------------------------------------------------------

@router.get("/contacts", response=Page[ContactOut], tags=["contacts"], summary="List or find contacts")
def list_contacts(request, filters: Query[ContactFilters], pagination: Query[PageParams]):
    require_permission(request, "parties.view_contact")
    qs = queries.filter_contacts(queries.visible_contacts(request.user), q=filters.q,
                                 client_id=filters.client_id, archived=filters.archived)
    return paginate(qs, pagination)


@router.get("/clients/{client_id}/contacts", response=list[ContactOut], tags=["contacts"])
def list_client_contacts(request, client_id: Id, archived: ArchivedFilter = "false"):
    client = queries.get_visible_client(request.user, client_id)
    require_permission(request, "parties.view_contact")
    return list(queries.visible_contacts(request.user).filter(client=client).in_archive_state(archived))


@router.post("/clients/{client_id}/contacts", response={201: ContactOut}, tags=["contacts"])
def create_contact(request, client_id: Id, payload: ContactIn):
    client = queries.get_visible_client(request.user, client_id)
    require_permission(request, "parties.add_contact")
    return services.add_contact(client, by=request.user, **payload.dict())


@router.get("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def get_contact(request, contact_id: Id):
    return queries.get_visible_contact(request.user, contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def update_contact(request, contact_id: Id, payload: ContactPatch):
    contact = queries.get_visible_contact(request.user, contact_id)
    require_permission(request, "parties.change_contact")
    data = patch_values(payload, Contact)
    allow_duplicates = data.pop("allow_duplicates", False)
    return services.update_contact(contact, by=request.user, allow_duplicates=allow_duplicates, **data)


@router.delete("/contacts/{contact_id}", response={204: None}, tags=["contacts"])
def delete_contact(request, contact_id: Id):
    contact = queries.get_visible_contact(request.user, contact_id)
    require_permission(request, "parties.delete_contact")
    services.delete_contact(contact, by=request.user)


@router.post("/contacts/{contact_id}/archive", response=ContactOut, tags=["contacts"])
def archive_contact(request, contact_id: Id):
    contact = queries.get_visible_contact(request.user, contact_id)
    return services.archive_contact(contact, by=request.user)


@router.post("/contacts/{contact_id}/restore", response=ContactOut, tags=["contacts"])
def restore_contact(request, contact_id: Id):
    contact = queries.get_visible_contact(request.user, contact_id)
    return services.restore_contact(contact, by=request.user)


# --- Search, sources, tags --------------------------------------------------------------------------

@router.get("/search", response=list[SearchHitOut], tags=["search"],
            summary="Find clients, counterparties and contacts")
def search(request, q: str = ""):
    return queries.global_search(request.user, q)


@router.get("/sources", response=list[SourceOut], tags=["lookups"])
def list_sources(request, archived: ArchivedFilter = "false", active: bool | None = None):
    require_permission(request, "parties.view_source")
    if active is not None:  # the older spelling: active=true is archived=false
        archived = "false" if active else "true"
    return list(Source.objects.in_archive_state(archived))


def _source(request, source_id: int) -> Source:
    require_permission(request, "parties.view_source")
    return resolve_visible(Source, source_id)


@router.post("/sources/{source_id}/archive", response=SourceOut, tags=["lookups"])
def archive_source(request, source_id: Id):
    return services.archive_source(_source(request, source_id), by=request.user)


@router.post("/sources/{source_id}/restore", response=SourceOut, tags=["lookups"])
def restore_source(request, source_id: Id):
    return services.restore_source(_source(request, source_id), by=request.user)


@router.delete("/sources/{source_id}", response={204: None}, tags=["lookups"],
               summary="Delete a source nothing refers to (409 naming the references otherwise)")
def delete_source(request, source_id: Id):
    services.delete_source(_source(request, source_id), by=request.user)


@router.post("/sources", response={201: SourceOut}, tags=["lookups"])
def create_source(request, payload: SourceIn):
    require_permission(request, "parties.add_source")
    return services.create_source(by=request.user, **payload.dict())


@router.get("/tags", response=list[TagOut], tags=["lookups"])
def list_tags(request):
    require_permission(request, "parties.view_tag")
    return list(Tag.objects.all())


@router.patch("/sources/{source_id}", response=SourceOut, tags=["lookups"],
              summary="Rename a source or change its channel")
def update_source(request, source_id: Id, payload: SourcePatch):
    return services.update_source(_source(request, source_id), by=request.user, **patch_values(payload, Source))


def _tag(request, tag_id: int) -> Tag:
    require_permission(request, "parties.view_tag")
    return resolve_visible(Tag, tag_id)


@router.patch("/tags/{tag_id}", response=TagOut, tags=["lookups"], summary="Rename a tag on every client")
def rename_tag(request, tag_id: Id, payload: TagPatch):
    return services.rename_tag(_tag(request, tag_id), by=request.user, name=payload.name)


@router.delete("/tags/{tag_id}", response={204: None}, tags=["lookups"],
               summary="Delete a tag no client carries (409 naming the clients otherwise)")
def delete_tag(request, tag_id: Id):
    services.delete_tag(_tag(request, tag_id), by=request.user)
