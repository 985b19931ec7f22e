"""API shapes for the current user, personal tokens, the company and module switches."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

# ?archived= of list endpoints: "false" (default) rows in use, "true" archived ones, "all" both.
ArchivedFilter = Literal["false", "true", "all"]


class ArchiveOut(Schema):
    """Fields every archivable record shows."""

    is_archived: bool
    archived_at: datetime.datetime | None


class InputSchema(Schema):
    """A request body: an unknown key is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    language: str
    roles: list[str]
    permissions: list[str]


class UserOut(Schema):
    id: int
    username: str
    name: str = Field(alias="display_name")
    first_name: str
    last_name: str
    email: str
    language: str
    is_active: bool
    roles: list[str]
    last_login: datetime.datetime | None = Field(description="Last sign-in; null if never.")
    two_factor: bool

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(group.name for group in obj.groups.all())

    @staticmethod
    def resolve_two_factor(obj) -> bool:
        if hasattr(obj, "two_factor_on"):
            return obj.two_factor_on
        return obj.totpdevice_set.filter(confirmed=True).exists()


class UserIn(InputSchema):
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    language: str | None = Field(None, description="Defaults to the company's language.")
    roles: list[str] = Field(default_factory=list, description="Role names, e.g. \"Sales representative\".")
    password: str | None = Field(None, description="Omit to have one generated (returned once).")


class UserCreatedOut(UserOut):
    generated_password: str | None = Field(
        None, description="The generated password, shown once; null when one was given.")


class UserPatch(InputSchema):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    language: str | None = None
    is_active: bool | None = None
    roles: list[str] | None = None


class PasswordResetIn(InputSchema):
    password: str | None = Field(None, description="Omit to have one generated (returned once).")


class PasswordResetOut(Schema):
    generated_password: str | None = Field(None, description="Shown once; null when one was given.")
    revoked_tokens: int


class MePatch(InputSchema):
    language: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    is_active: bool


class TokenIn(InputSchema):
    name: str


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once: it is not stored and cannot be retrieved again.")


class CompanyOut(Schema):
    name: str
    base_currency: str
    language: str
    time_zone: str


class CompanyPatch(InputSchema):
    name: str | None = None
    base_currency: str | None = None
    language: str | None = None
    time_zone: str | None = None


class ModuleOut(Schema):
    key: str
    name: str
    enabled: bool
    requires: list[str]


class ModulePatch(InputSchema):
    enabled: bool
