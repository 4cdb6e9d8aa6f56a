"""Login, logout and password change pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class LoginView(auth_views.LoginView):
    """The login page."""

    template_name = "org/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out (POST only) and return to the login page."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password."""

    template_name = "org/password_change.html"
    success_url = reverse_lazy("dashboards:home")
