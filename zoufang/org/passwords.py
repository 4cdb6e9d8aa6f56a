"""Password rules beyond Django's: characters from at least three of four classes; not the
current password again."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor


class CharacterClassesValidator:
    """At least `classes` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: Actor | None = None) -> None:
        found = sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )
        if found < self.classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)s of: lower-case letters, upper-case "
                    "letters, digits, other characters"
                )
                % {"n": self.classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _(
            "Mix at least %(n)s of: lower-case letters, upper-case letters, digits, "
            "other characters"
        ) % {"n": self.classes}


class NotTheCurrentPasswordValidator:
    """The new password must differ from the one the user has now.

    Django calls every validator with the user whose password is being set, before the new
    one is stored — the change page (the forced change at first login and after the maximum
    age included), the admin site and `zoufang changepassword` alike — so this one check
    covers every way of changing a password. No history of earlier passwords is kept (an old
    hash is one more thing to crack), so only the current one is compared.
    """

    def validate(self, password: str, user: Actor | None = None) -> None:
        stored = getattr(user, "password", "") if user is not None else ""
        # hashers.check_password, not user.check_password: the latter may re-hash and save.
        if stored and check_password(password, stored):
            raise ValidationError(
                _("The new password must differ from the current one"),
                code="password_is_current",
            )

    def get_help_text(self) -> str:
        return _("It must differ from your current password")
