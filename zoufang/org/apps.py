from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """Units, officers, roles and scope."""

    name = "zoufang.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Django announces logins only through these signals; the receivers just audit.
        from django.contrib.auth import signals

        from . import services

        signals.user_logged_in.connect(services.audit_login, dispatch_uid="zoufang-login")
        signals.user_logged_out.connect(services.audit_logout, dispatch_uid="zoufang-logout")
        signals.user_login_failed.connect(
            services.audit_login_failed, dispatch_uid="zoufang-login-failed"
        )
