"""API: the units in the caller's scope."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS
from zoufang.org.permissions import Perm, require

from .models import Unit
from .selectors import unit_list

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    headcount: int

    @staticmethod
    def resolve_parent(obj: Unit) -> str | None:
        return obj.parent.code if obj.parent else None


@router.get("", response={200: list[UnitOut], **ERRORS}, summary="Units in scope")
def list_units(request: HttpRequest) -> list[Unit]:
    """Units the caller may see, in tree order."""
    user = request_user(request)
    require(user, Perm.UNIT_VIEW)
    return list(unit_list(user=user))
