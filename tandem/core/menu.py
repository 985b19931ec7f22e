from dataclasses import dataclass


@dataclass(frozen=True)
class MenuEntry:
    """A menu item an AppConfig declares; shown while its module is on and the user has `permission`."""

    label: str
    url_name: str
    permission: str | None = None
