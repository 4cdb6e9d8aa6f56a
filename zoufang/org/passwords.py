"""Password rules beyond Django's: characters from at least three of four classes."""

from __future__ import annotations

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
