"""The navigation bar, filtered by the user's role."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import Perm, can, officer_of, role_of

NAV_ITEMS = (
    ("dashboards:home", _("Overview"), Perm.DASHBOARD_VIEW),
    ("ledger:visit_list", _("Visit ledger"), Perm.VISIT_VIEW),
    ("ledger:visit_create", _("Record a visit"), Perm.VISIT_CREATE),
    ("opinions:opinion_list", _("Opinions"), Perm.OPINION_VIEW),
    ("campaigns:campaign_list", _("Campaign"), Perm.CAMPAIGN_VIEW),
    ("inspections:inspection_list", _("Inspections"), Perm.CAMPAIGN_VIEW),
    ("bulletins:bulletin_list", _("Campaign column"), Perm.CAMPAIGN_VIEW),
    ("notices:notice_list", _("Notices"), Perm.DASHBOARD_VIEW),
    ("admin:index", _("Settings"), Perm.SETTINGS_MANAGE),
)


def navigation(request: Any) -> dict[str, Any]:
    """`nav`, `current_officer` and `current_role` for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items: list[dict[str, Any]] = [
        {"url": reverse(name), "label": label, "active": False}
        for name, label, perm in NAV_ITEMS
        if can(user, perm)
    ]
    # The longest matching prefix is the current section ("/" only matches itself).
    matches = [
        item
        for item in items
        if request.path == item["url"]
        or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav": items, "current_officer": officer_of(user), "current_role": role_of(user)}
