"""The mutation check of docs/security.md: each control removed or weakened in a copy of the
tree, and the tests that must then fail.

    .venv/bin/python -m tests.security_mutations [--postgres URL] [--keep] [ID ...]

The tree (without .venv, node_modules and var) is copied to a temporary directory once; each
mutation edits its files there, runs its tests (`python -m pytest -x`, SQLite unless the
mutation is marked for PostgreSQL, which needs `--postgres`), and puts the files back. One
JSON line per mutation; exit 1 if a mutation could not be applied (its text is gone: update
it with the code) or a control's tests did not fail (`caught=False` marks the known ones,
explained in docs/security.md). Not part of `make test`: it takes about half an hour.
"""

# ruff: noqa: E501 - a table of code excerpts

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "config/settings/base.py"
PROD = "config/settings/prod.py"
MW = "zoufang/org/middleware.py"


@dataclass(frozen=True)
class Mutation:
    """One control, the edits that remove it, and the tests that must fail then."""

    id: str
    control: str
    mutation: str
    edits: list[tuple[str, str, str]]  # (path, old text, new text); the first occurrence
    tests: list[str]  # pytest arguments
    postgres: bool = False
    env: dict[str, str] = field(default_factory=dict)
    # False: known not to be caught, None: caught in some runs only (docs/security.md says why)
    caught: bool | None = True


M = Mutation

MUTATIONS = [
    M(
        "D1",
        "HSTS",
        "SECURE_HSTS_SECONDS removed from prod",
        [(PROD, "SECURE_HSTS_SECONDS = 31_536_000\n", "")],
        ["tests/test_settings.py::test_prod_passes_the_deploy_check"],
    ),
    M(
        "D2",
        "HSTS for a year",
        "SECURE_HSTS_SECONDS = 3600 (the deploy check accepts it)",
        [(PROD, "SECURE_HSTS_SECONDS = 31_536_000", "SECURE_HSTS_SECONDS = 3600")],
        ["tests/test_settings.py::test_prod_settings_hold_the_controls"],
    ),
    M(
        "D3",
        "secure session cookie",
        "SESSION_COOKIE_SECURE = False in prod",
        [(PROD, "SESSION_COOKIE_SECURE = True", "SESSION_COOKIE_SECURE = False")],
        ["tests/test_settings.py::test_prod_passes_the_deploy_check"],
    ),
    M(
        "D4",
        "CSRF",
        "CsrfViewMiddleware removed",
        [(BASE, '    "django.middleware.csrf.CsrfViewMiddleware",\n', "")],
        ["tests/test_settings.py::test_prod_passes_the_deploy_check"],
    ),
    M(
        "D5",
        "SSL redirect",
        "SECURE_SSL_REDIRECT = False in prod",
        [(PROD, "SECURE_SSL_REDIRECT = True", "SECURE_SSL_REDIRECT = False")],
        ["tests/test_settings.py::test_prod_passes_the_deploy_check"],
    ),
    M(
        "D6",
        "content security policy",
        "CSPMiddleware removed",
        [(BASE, '    "csp.middleware.CSPMiddleware",\n', "")],
        ["tests/test_headers.py::test_every_page_keeps_to_the_policy"],
    ),
    M(
        "D7",
        "pages satisfy the CSP",
        "an inline style attribute in base.html",
        [
            (
                "zoufang/templates/base.html",
                '<main class="container-fluid px-3 px-md-4">',
                '<main class="container-fluid px-3 px-md-4" style="min-height:80vh">',
            )
        ],
        ["tests/test_headers.py::test_every_page_keeps_to_the_policy"],
    ),
    M(
        "D8",
        "pages satisfy the CSP",
        "an inline script in base.html",
        [
            (
                "zoufang/templates/base.html",
                "{% block scripts %}{% endblock %}",
                '<script>document.body.dataset.ready = "1";</script>{% block scripts %}{% endblock %}',
            )
        ],
        ["tests/test_headers.py::test_every_page_keeps_to_the_policy"],
    ),
    M(
        "D9",
        "pages satisfy the CSP",
        "an inline onclick handler on the menu button (base.html)",
        [
            (
                "zoufang/templates/base.html",
                '<button class="navbar-toggler" type="button"',
                '<button class="navbar-toggler" onclick="void 0" type="button"',
            )
        ],
        ["tests/test_headers.py::test_every_page_keeps_to_the_policy"],
    ),
    M(
        "D10",
        "strict CSP",
        "'unsafe-inline' added to script-src",
        [(BASE, '"script-src": ["\'self\'"],', '"script-src": ["\'self\'", "\'unsafe-inline\'"],')],
        ["tests/test_headers.py::test_every_page_keeps_to_the_policy"],
    ),
    M(
        "D11",
        "nosniff",
        "SECURE_CONTENT_TYPE_NOSNIFF = False",
        [(BASE, "SECURE_CONTENT_TYPE_NOSNIFF = True", "SECURE_CONTENT_TYPE_NOSNIFF = False")],
        ["tests/test_headers.py::test_every_page_keeps_to_the_policy"],
    ),
    M(
        "D12",
        "frame denial",
        'X_FRAME_OPTIONS = "SAMEORIGIN"',
        [(BASE, 'X_FRAME_OPTIONS = "DENY"', 'X_FRAME_OPTIONS = "SAMEORIGIN"')],
        ["tests/test_headers.py::test_every_page_keeps_to_the_policy"],
    ),
    M(
        "D13",
        "no-store",
        "NoStoreMiddleware removed",
        [(BASE, '    "zoufang.core.middleware.NoStoreMiddleware",\n', "")],
        ["tests/test_headers.py::test_personal_answers_are_never_stored"],
    ),
    M(
        "D14",
        "HttpOnly CSRF cookie (set here)",
        "CSRF_COOKIE_HTTPONLY = False",
        [(BASE, "CSRF_COOKIE_HTTPONLY = True", "CSRF_COOKIE_HTTPONLY = False")],
        ["tests/test_settings.py::test_prod_settings_hold_the_controls"],
    ),
    M(
        "D15",
        "the environment cannot lengthen sessions (added here)",
        "the W003 idle check removed",
        [
            (
                "zoufang/core/checks.py",
                "    if idle > MAX_IDLE_SECONDS or not settings.SESSION_SAVE_EVERY_REQUEST:",
                "    if False:",
            )
        ],
        ["tests/test_settings.py::test_the_deploy_check_refuses_longer_sessions"],
    ),
    M(
        "A1",
        "lockout after 5 failures",
        "AXES_FAILURE_LIMIT = 10",
        [(BASE, "AXES_FAILURE_LIMIT = 5", "AXES_FAILURE_LIMIT = 10")],
        [
            "tests/test_authentication.py::test_five_failures_lock_the_user_at_that_address_for_30_minutes"
        ],
    ),
    M(
        "A2",
        "lockout for 30 minutes",
        "AXES_COOLOFF_TIME = 0.25 (15 minutes)",
        [(BASE, "AXES_COOLOFF_TIME = 0.5", "AXES_COOLOFF_TIME = 0.25")],
        [
            "tests/test_authentication.py::test_five_failures_lock_the_user_at_that_address_for_30_minutes"
        ],
    ),
    M(
        "A3",
        "lockout keyed on user and address",
        'AXES_LOCKOUT_PARAMETERS = ["username"]',
        [
            (
                BASE,
                'AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]',
                'AXES_LOCKOUT_PARAMETERS = ["username"]',
            )
        ],
        ["tests/test_authentication.py::test_the_lock_is_keyed_on_user_and_address"],
    ),
    M(
        "A4",
        "lockout",
        "the axes authentication backend removed",
        [(BASE, '    "axes.backends.AxesStandaloneBackend",\n', "")],
        [
            "tests/test_authentication.py::test_five_failures_lock_the_user_at_that_address_for_30_minutes"
        ],
    ),
    M(
        "A5",
        "audit record per failed login",
        "the user_login_failed receiver not connected",
        [
            (
                "zoufang/org/apps.py",
                '        signals.user_login_failed.connect(\n            services.audit_login_failed, dispatch_uid="zoufang-login-failed"\n        )\n',
                "",
            )
        ],
        ["tests/test_authentication.py::test_every_failure_is_audited_locked_attempts_included"],
    ),
    M(
        "A6",
        "password at least 10 characters",
        "min_length 8",
        [(BASE, '"OPTIONS": {"min_length": 10}', '"OPTIONS": {"min_length": 8}')],
        ["tests/test_authentication.py::test_weak_passwords_are_refused"],
    ),
    M(
        "A7",
        "password: 3 of 4 classes",
        "CharacterClassesValidator classes=2",
        [(BASE, '"OPTIONS": {"classes": 3}', '"OPTIONS": {"classes": 2}')],
        ["tests/test_authentication.py::test_weak_passwords_are_refused"],
    ),
    M(
        "A8",
        "password: not a common one",
        "CommonPasswordValidator removed",
        [
            (
                BASE,
                '    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},\n',
                "",
            )
        ],
        ["tests/test_authentication.py::test_weak_passwords_are_refused"],
    ),
    M(
        "A9",
        "password changed every 90 days",
        "password_expired() always False",
        [
            (
                MW,
                "    return changed is None or timezone.now() - changed > limit",
                "    return False",
            )
        ],
        ["tests/test_authentication.py::test_a_password_older_than_90_days_must_be_changed"],
    ),
    M(
        "A10",
        "password age configurable",
        "the limit hard-coded to 90 days",
        [
            (
                MW,
                "limit = datetime.timedelta(days=settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS)",
                "limit = datetime.timedelta(days=90)",
            )
        ],
        ["tests/test_authentication.py::test_the_maximum_age_is_configurable"],
    ),
    M(
        "A11",
        "password changed at first login",
        "the must_change_password hold removed",
        [(MW, "    if user.must_change_password:\n        return Hold.PASSWORD_FIRST\n", "")],
        ["tests/test_authentication.py::test_the_first_login_must_change_the_password"],
    ),
    M(
        "A12",
        "argon2 hashing",
        "PBKDF2 before Argon2 in PASSWORD_HASHERS",
        [
            (
                BASE,
                '    "django.contrib.auth.hashers.Argon2PasswordHasher",\n    "django.contrib.auth.hashers.PBKDF2PasswordHasher",\n',
                '    "django.contrib.auth.hashers.PBKDF2PasswordHasher",\n    "django.contrib.auth.hashers.Argon2PasswordHasher",\n',
            )
        ],
        ["tests/test_settings.py::test_prod_settings_hold_the_controls"],
    ),
    M(
        "A13",
        "TOTP required for the roles a deployment names",
        "needs_second_factor() ignores ZOUFANG_REQUIRE_2FA_ROLES",
        [
            (
                MW,
                "return role_of(user) in settings.ZOUFANG_REQUIRE_2FA_ROLES or user_has_device(user)",
                "return user_has_device(user)",
            )
        ],
        [
            "tests/test_authentication.py::test_a_role_the_deployment_names_must_use_the_second_factor"
        ],
    ),
    M(
        "A14",
        "TOTP once set up",
        "needs_second_factor() ignores a confirmed device",
        [
            (
                MW,
                "return role_of(user) in settings.ZOUFANG_REQUIRE_2FA_ROLES or user_has_device(user)",
                "return role_of(user) in settings.ZOUFANG_REQUIRE_2FA_ROLES",
            )
        ],
        ["tests/test_authentication.py::test_other_roles_need_it_only_once_they_set_it_up"],
    ),
    M(
        "A15",
        "account policy on API sessions (fixed here)",
        "SessionAuth ignores account_hold()",
        [("zoufang/api/auth.py", "return user if hold is None else None", "return user")],
        ["tests/test_authentication.py::test_the_api_session_needs_the_second_factor_too"],
    ),
    M(
        "A16",
        "second factor for API tokens (fixed here)",
        "issue_token skips the second factor",
        [
            (
                "zoufang/api/api.py",
                "if needs_second_factor(user) and not second_factor_matches(user, payload.otp):",
                "if False:",
            )
        ],
        ["tests/test_authentication.py::test_an_api_token_needs_the_second_factor_too"],
    ),
    M(
        "A17",
        "current password for API tokens (fixed here)",
        "issue_token skips the password age",
        [
            (
                "zoufang/api/api.py",
                "if user.must_change_password or password_expired(user):",
                "if False:",
            )
        ],
        ["tests/test_authentication.py::test_an_api_token_needs_a_current_password"],
    ),
    M(
        "A18",
        "audit of a wrong second-factor code (added here)",
        "TwoFactorView does not record the failure",
        [
            (
                "zoufang/org/views.py",
                "        services.second_factor_failed(user=user)\n",
                "",
            )
        ],
        [
            "tests/test_authentication.py::test_a_role_the_deployment_names_must_use_the_second_factor"
        ],
    ),
    M(
        "A19",
        "login audited",
        "the user_logged_in receiver not connected",
        [
            (
                "zoufang/org/apps.py",
                '        signals.user_logged_in.connect(services.audit_login, dispatch_uid="zoufang-login")\n',
                "",
            )
        ],
        ["zoufang/org/tests/test_login_audit.py"],
    ),
    M(
        "S1",
        "idle expiry: renewed on each request",
        "SESSION_SAVE_EVERY_REQUEST = False",
        [(BASE, "SESSION_SAVE_EVERY_REQUEST = True", "SESSION_SAVE_EVERY_REQUEST = False")],
        ["tests/test_sessions.py::test_a_session_idle_for_30_minutes_ends"],
    ),
    M(
        "S2",
        "idle expiry at most 30 minutes",
        "idle default 60 minutes",
        [(BASE, '"ZOUFANG_SESSION_IDLE_MINUTES", "30"', '"ZOUFANG_SESSION_IDLE_MINUTES", "60"')],
        ["tests/test_sessions.py::test_a_session_idle_for_30_minutes_ends"],
    ),
    M(
        "S3",
        "absolute expiry 12 hours",
        "the absolute-age hold removed",
        [
            (
                MW,
                "    if login_at is None or timezone.now().timestamp() - login_at > max_age:\n        return Hold.ENDED\n",
                "",
            )
        ],
        ["tests/test_sessions.py::test_an_active_session_ends_after_12_hours"],
    ),
    M(
        "S4",
        "new session key at login",
        "the login keeps the session key (cycle_key disabled)",
        [
            (
                "zoufang/org/views.py",
                '    template_name = "org/login.html"\n    redirect_authenticated_user = True\n',
                '    template_name = "org/login.html"\n    redirect_authenticated_user = True\n\n    def form_valid(self, form):\n        self.request.session.cycle_key = lambda: None\n        return super().form_valid(form)\n',
            )
        ],
        ["tests/test_sessions.py::test_login_gives_a_new_session_key"],
    ),
    M(
        "S5",
        "logout ends every session",
        "LogoutView ends only the current session",
        [
            (
                "zoufang/org/views.py",
                "            services.sessions_end(user=user)\n",
                "            pass\n",
            )
        ],
        ["tests/test_sessions.py::test_logout_ends_every_session_of_the_user"],
    ),
    M(
        "S6",
        "password change ends the other sessions",
        "password_changed() ends none",
        [
            (
                "zoufang/org/services.py",
                "    ended = sessions_end(user=user, keep=keep_session)\n",
                "    ended = 0\n",
            )
        ],
        ["tests/test_sessions.py::test_a_password_change_ends_the_other_sessions_and_tokens"],
    ),
    M(
        "S7",
        "password change revokes API tokens (fixed here)",
        "password_changed() revokes none",
        [
            (
                "zoufang/org/services.py",
                "    revoked = api_tokens_revoke(user=user)\n",
                "    revoked = 0\n",
            )
        ],
        ["tests/test_sessions.py::test_a_password_change_ends_the_other_sessions_and_tokens"],
    ),
    M(
        "S8",
        "deactivation ends every session",
        "user_deactivate() ends none",
        [
            (
                "zoufang/org/services.py",
                "    ended = sessions_end(user=user)\n    api_tokens_revoke(user=user)\n",
                "    ended = 0\n    api_tokens_revoke(user=user)\n",
            )
        ],
        ["tests/test_sessions.py::test_deactivation_ends_every_session_and_token"],
    ),
    M(
        "S9",
        "deactivation revokes API tokens",
        "user_deactivate() revokes none",
        [
            (
                "zoufang/org/services.py",
                "    ended = sessions_end(user=user)\n    api_tokens_revoke(user=user)\n",
                "    ended = sessions_end(user=user)\n",
            )
        ],
        ["tests/test_sessions.py::test_deactivation_ends_every_session_and_token"],
    ),
    M(
        "S10",
        "deactivation in the admin site (fixed here)",
        "UserAdmin.save_model only saves",
        [
            (
                "zoufang/org/admin.py",
                '            services.user_deactivate(actor=request.user, user=obj, reason="admin site")\n',
                "            pass\n",
            )
        ],
        ["tests/test_admin_audit.py::test_deactivation_in_the_admin_ends_every_session_and_token"],
    ),
    M(
        "S11",
        "a password set by an administrator (fixed here)",
        "user_change_password does not call the service",
        [
            (
                "zoufang/org/admin.py",
                "                services.password_set_by_admin(actor=request.user, user=user)\n",
                "                pass\n",
            )
        ],
        ["tests/test_admin_audit.py::test_a_password_set_by_an_administrator_must_be_changed"],
    ),
    M(
        "S12",
        "API session absolute expiry (fixed here)",
        "SessionAuth ignores account_hold()",
        [("zoufang/api/auth.py", "return user if hold is None else None", "return user")],
        ["tests/test_sessions.py::test_an_api_session_ends_after_12_hours_too"],
    ),
    M(
        "X1",
        "every page in the role matrix",
        "a new route without an entry",
        [
            (
                "zoufang/org/urls.py",
                '    path("2fa/", views.TwoFactorView.as_view(), name="two_factor"),\n',
                '    path("2fa/", views.TwoFactorView.as_view(), name="two_factor"),\n    path("whoami/", views.TwoFactorView.as_view(), name="whoami"),\n',
            )
        ],
        ["tests/test_access.py::test_every_page_is_in_the_access_table"],
    ),
    M(
        "X2",
        "every API operation in the role matrix",
        "a new API operation without an entry",
        [
            (
                "zoufang/org/api.py",
                '@router.get("", response={200: list[UnitOut], **ERRORS}, summary="Units in scope")',
                '@router.get("/count", response={200: int}, summary="Count")\ndef count_units(request: HttpRequest) -> int:\n    return 0\n\n\n@router.get("", response={200: list[UnitOut], **ERRORS}, summary="Units in scope")',
            )
        ],
        ["tests/api/test_api_access.py::test_every_operation_is_in_the_table"],
    ),
    M(
        "X3",
        "role x action matrix (pages)",
        "leader granted ledger.export",
        [
            (
                "zoufang/org/permissions.py",
                "Role.LEADER: _READ | {Perm.AUDIT_VIEW, Perm.NOTICE_DRAFTS, Perm.SENSITIVE_VIEW},",
                "Role.LEADER: _READ | {Perm.AUDIT_VIEW, Perm.NOTICE_DRAFTS, Perm.SENSITIVE_VIEW, Perm.LEDGER_EXPORT},",
            )
        ],
        ["tests/test_access.py::test_role_matrix", "-k", "leader and visit_export"],
    ),
    M(
        "X4",
        "role x action matrix (API)",
        "officer granted personal.reveal",
        [
            (
                "zoufang/org/permissions.py",
                "        Perm.VISIT_CHANGE_OWN,\n        Perm.LEDGER_IMPORT,\n        Perm.OPINION_REGISTER,",
                "        Perm.VISIT_CHANGE_OWN,\n        Perm.LEDGER_IMPORT,\n        Perm.PERSONAL_REVEAL,\n        Perm.OPINION_REGISTER,",
            )
        ],
        ["tests/api/test_api_access.py::test_role_matrix", "-k", "reveal"],
    ),
    M(
        "X5",
        "scope: another unit's record is 404",
        "Visit.visible_to() drops the unit scope",
        [
            (
                "zoufang/ledger/querysets.py",
                "        return self.filter(unit_id__in=units).sensitive_visible_to(user)",
                "        return self.sensitive_visible_to(user)",
            )
        ],
        ["tests/test_access.py::test_another_units_record_is_404"],
    ),
    M(
        "X6",
        "sensitive visits hidden from the uncleared",
        "sensitive_visible_to() keeps everything",
        [
            (
                "zoufang/ledger/querysets.py",
                "        if sees_sensitive(user):\n            return self\n        from zoufang.org.permissions import officer_of",
                "        if True:\n            return self\n        from zoufang.org.permissions import officer_of",
            )
        ],
        ["zoufang/ledger/tests/test_sensitive.py"],
    ),
    M(
        "X7",
        "sensitive visits absent from counts",
        "roll-ups keep the sensitive types",
        [
            (
                "zoufang/ledger/querysets.py",
                "        rollups = super().visible_to(user)\n        if sees_sensitive(user):",
                "        rollups = super().visible_to(user)\n        if True:",
            )
        ],
        [
            "zoufang/ledger/tests/test_sensitive.py::test_roll_up_counts_leave_them_out_for_the_uncleared"
        ],
    ),
    M(
        "X8",
        "server-set fields (mass assignment)",
        "the API takes `source` from the body",
        [
            (
                "zoufang/ledger/api.py",
                "    visit_date: str\n",
                '    visit_date: str\n    source: str = "api"\n',
            ),
            ("zoufang/ledger/api.py", "source=VisitSource.API)", "source=payload.source)"),
        ],
        ["tests/api/test_mass_assignment.py::test_api_visit"],
    ),
    M(
        "P1",
        "authenticated encryption bound to its purpose",
        "no associated data in encrypt/decrypt",
        [
            (
                "zoufang/core/personal.py",
                "sealed = ring.current_aead().encrypt(nonce, plain.encode(), purpose.encode())",
                "sealed = ring.current_aead().encrypt(nonce, plain.encode(), None)",
            ),
            (
                "zoufang/core/personal.py",
                "plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())",
                "plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)",
            ),
        ],
        ["zoufang/core/tests/test_personal.py"],
    ),
    M(
        "P2",
        "encrypted at rest",
        "seal() stores the clear value as its ciphertext",
        [
            (
                "zoufang/core/personal.py",
                "        cipher=encrypt(value, purpose=purpose),",
                "        cipher=value,",
            )
        ],
        ["zoufang/core/tests/test_personal.py"],
    ),
    M(
        "P3",
        "masked in pages, API, exports",
        "mask_phone() returns the number",
        [
            (
                "zoufang/core/personal.py",
                '    digits = phone.replace("-", "")\n    if len(digits) == 11',
                '    return phone\n    digits = phone.replace("-", "")\n    if len(digits) == 11',
            )
        ],
        ["zoufang/ledger/tests/test_views.py", "-k", "masked"],
    ),
    M(
        "P4",
        "key rotation",
        "rotation re-seals nothing",
        [
            (
                "zoufang/core/keyrotation.py",
                "                if is_current(token):\n                    continue",
                "                if True:\n                    continue",
            )
        ],
        [
            "zoufang/core/tests/test_keyrotation.py::test_values_stay_readable_before_during_and_after"
        ],
    ),
    M(
        "P5",
        "reveal needs a permission",
        "the permission check removed",
        [
            (
                "zoufang/ledger/reveal.py",
                "    if not can(actor, Perm.PERSONAL_REVEAL):",
                "    if False:",
            )
        ],
        ["tests/test_personal_data.py::test_the_reveal_service_checks_the_right_itself"],
    ),
    M(
        "P5x",
        "reveal needs a permission",
        "the check removed from the page, the API and the service",
        [
            (
                "zoufang/ledger/reveal.py",
                "    if not can(actor, Perm.PERSONAL_REVEAL):",
                "    if False:",
            ),
            (
                "zoufang/ledger/views.py",
                "    required_perm = Perm.PERSONAL_REVEAL",
                "    required_perm = Perm.VISIT_VIEW",
            ),
            (
                "zoufang/ledger/api.py",
                "    require(user, Perm.PERSONAL_REVEAL)",
                "    require(user, Perm.VISIT_VIEW)",
            ),
        ],
        ["zoufang/ledger/tests/test_reveal.py::TestPage::test_roles_without_the_right_get_403"],
    ),
    M(
        "P6",
        "reveal writes an audit record",
        "the audit record removed",
        [
            (
                "zoufang/ledger/reveal.py",
                "    audit_record(\n        action=AuditAction.REVEAL,",
                "    (lambda **kw: None)(\n        action=AuditAction.REVEAL,",
            )
        ],
        [
            "zoufang/ledger/tests/test_reveal.py::TestPage::test_reveal_shows_the_number_once_and_records_it"
        ],
    ),
    M(
        "P7",
        "reveal needs a reason",
        "the reason check removed from the service's first pass",
        [
            (
                "zoufang/ledger/reveal.py",
                "    for check, value in ((reveal_field_clean, field), (reveal_reason_clean, reason)):",
                "    for check, value in ((reveal_field_clean, field),):",
            )
        ],
        [
            "zoufang/ledger/tests/test_reveal.py::TestPage::test_a_reason_is_required",
            "tests/test_personal_data.py::test_the_reveal_service_needs_a_reason",
        ],
        caught=False,
    ),
    M(
        "P7b",
        "reveal needs a reason",
        "the minimum length of the reason removed",
        [("zoufang/ledger/reveal.py", "    if len(text) < REASON_MIN_LENGTH:", "    if False:")],
        ["zoufang/ledger/tests/test_reveal.py::TestPage::test_a_reason_is_required"],
    ),
    M(
        "P14",
        "encrypted at rest (the stored row)",
        "seal() stores the clear number",
        [
            (
                "zoufang/core/personal.py",
                "        cipher=encrypt(value, purpose=purpose),",
                "        cipher=value,",
            )
        ],
        ["tests/test_personal_data.py::test_the_stored_row_holds_no_clear_number"],
    ),
    M(
        "P15",
        "masked in the API",
        "the API's phone is the stored clear value",
        [
            (
                "zoufang/core/personal.py",
                '    digits = phone.replace("-", "")\n    if len(digits) == 11',
                '    return phone\n    digits = phone.replace("-", "")\n    if len(digits) == 11',
            )
        ],
        ["tests/test_personal_data.py::test_every_interface_shows_the_numbers_masked"],
    ),
    M(
        "P8",
        "reveal rate limit",
        "the rate limit removed",
        [("zoufang/ledger/reveal.py", "    if rate_limited(", "    if False and rate_limited(")],
        ["zoufang/ledger/tests/test_reveal.py::TestPage::test_reveals_are_rate_limited"],
    ),
    M(
        "P9",
        "no personal data in logs",
        "the console handler without the personal_data filter",
        [
            (
                BASE,
                '            "formatter": "plain",\n            "filters": ["personal_data"],',
                '            "formatter": "plain",\n            "filters": [],',
            )
        ],
        [
            "zoufang/core/tests/test_redaction.py::test_a_failing_request_logs_no_personal_data",
            "zoufang/core/tests/test_redaction.py::test_every_configured_handler_masks",
        ],
    ),
    M(
        "P10",
        "no personal data in error reports",
        "Django's default exception reporter filter",
        [
            (
                BASE,
                'DEFAULT_EXCEPTION_REPORTER_FILTER = "zoufang.core.redaction.PersonalDataReporterFilter"\n',
                "",
            )
        ],
        [
            "zoufang/core/tests/test_redaction.py::test_the_error_mail_to_admins_carries_no_personal_data"
        ],
    ),
    M(
        "P11",
        "large exports need approval",
        "the approval check removed",
        [
            (
                "zoufang/ledger/import_views.py",
                "        if count > limit and not can(request.user, Perm.EXPORT_APPROVE):",
                "        if False:",
            )
        ],
        [
            "zoufang/ledger/tests/test_import_views.py::test_a_large_export_needs_the_city_offices_approval"
        ],
    ),
    M(
        "P12",
        "exports carry a watermark",
        "export without watermark",
        [
            (
                "zoufang/ledger/exports.py",
                "count = write_export(rows=export_rows(visits), out=out, watermark=watermark)",
                'count = write_export(rows=export_rows(visits), out=out, watermark="")',
            )
        ],
        [
            "zoufang/ledger/tests/test_import_views.py::test_a_large_export_needs_the_city_offices_approval"
        ],
    ),
    M(
        "P13",
        "retention: personal data anonymised",
        "the phone number kept",
        [
            (
                "zoufang/ledger/retention.py",
                '    "phone_cipher": "",\n    "phone_hash": "",\n    "phone_masked": "",\n',
                "",
            )
        ],
        [
            "zoufang/ledger/tests/test_retention.py::test_old_visits_lose_personal_data_and_keep_their_figures"
        ],
    ),
    M(
        "U1",
        "audit append-only in the database",
        "the triggers not installed (SQLite)",
        [
            (
                "zoufang/core/migrations/0006_audit_guard.py",
                '    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})',
                "    pass",
            )
        ],
        ["zoufang/core/tests/test_audit_guard.py::test_an_audit_row_cannot_be_updated"],
    ),
    M(
        "U2",
        "audit append-only in the application",
        "AuditLogQuerySet.update allowed",
        [
            (
                "zoufang/core/models.py",
                '        raise AuditAppendOnlyError("audit rows are append-only: update refused")\n\n    def delete(self) -> NoReturn:',
                "        return super().update(**kwargs)  # type: ignore[return-value]\n\n    def delete(self) -> NoReturn:",
            )
        ],
        ["zoufang/core/tests/test_audit_guard.py::test_the_model_refuses_changes_and_deletes"],
    ),
    M(
        "U3",
        "hash chain names the tampered row",
        "verify() does not recompute row hashes",
        [
            (
                "zoufang/core/auditchain.py",
                '        if row_digest(row) != row.row_hash:\n            found.append(_problem(row, "its content does not match its hash (changed)"))\n        if seq <= start:',
                "        if seq <= start:",
            )
        ],
        [
            "zoufang/core/tests/test_audit_chain.py::test_verify_names_the_row_whose_after_was_changed"
        ],
    ),
    M(
        "U4",
        "audit kept at least 184 days",
        "MIN_RETENTION_DAYS = 30",
        [("zoufang/core/auditchain.py", "MIN_RETENTION_DAYS = 184", "MIN_RETENTION_DAYS = 30")],
        ["zoufang/core/tests/test_audit_purge.py"],
    ),
    M(
        "U5",
        "if the audit write fails, the action fails",
        "audit_record() swallows errors",
        [
            (
                "zoufang/core/audit.py",
                "    row = entry.to_model()\n    row.save(force_insert=True)\n    return row",
                "    row = entry.to_model()\n    try:\n        with transaction.atomic():\n            row.save(force_insert=True)\n    except Exception:\n        pass\n    return row",
            ),
            (
                "zoufang/core/audit.py",
                "from django.db import models\n",
                "from django.db import models, transaction\n",
            ),
        ],
        [
            "zoufang/core/tests/test_audit_guard.py::test_a_visit_is_not_recorded_when_its_audit_fails"
        ],
    ),
    M(
        "U6",
        "admin changes audited (fixed here)",
        "CityOfficeAdminMixin without AuditedAdminMixin",
        [
            (
                "zoufang/org/admin.py",
                "class CityOfficeAdminMixin(AuditedAdminMixin):",
                "class CityOfficeAdminMixin:",
            )
        ],
        ["tests/test_admin_audit.py::test_the_city_offices_admin_pages_are_audited"],
    ),
    M(
        "U7",
        "role changes audited (fixed here)",
        "OfficerAdmin without AuditedAdminMixin",
        [
            (
                "zoufang/org/admin.py",
                "class OfficerAdmin(AuditedAdminMixin, admin.ModelAdmin):",
                "class OfficerAdmin(admin.ModelAdmin):",
            )
        ],
        ["tests/test_admin_audit.py::test_a_role_change_is_audited"],
    ),
    M(
        "U8",
        "audit trail keeps no password hash",
        "UNAUDITED_FIELDS empty",
        [
            (
                "zoufang/core/admin.py",
                'UNAUDITED_FIELDS = {"password"}',
                "UNAUDITED_FIELDS: set[str] = set()",
            )
        ],
        [
            "tests/test_admin_audit.py::test_a_user_added_in_the_admin_is_audited_without_the_password"
        ],
    ),
    M(
        "R1",
        "rate limits shared by every worker (fixed here)",
        'CACHES["shared"] process-local',
        [
            (
                BASE,
                '        "BACKEND": "django.core.cache.backends.db.DatabaseCache",\n        "LOCATION": "zoufang_shared_cache",',
                '        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",\n        "LOCATION": "zoufang_shared_cache",',
            )
        ],
        [
            "zoufang/core/tests/test_ratelimit.py::test_the_configured_limit_store_is_the_database",
            "tests/test_settings.py::test_prod_passes_the_deploy_check",
        ],
    ),
    M(
        "R2",
        "rate limits shared by every worker (fixed here)",
        "rate_limited() counts in the default (process) cache",
        [
            (
                "zoufang/core/ratelimit.py",
                "    return caches[SHARED_CACHE]",
                '    return caches["default"]',
            )
        ],
        ["zoufang/core/tests/test_ratelimit.py::test_the_configured_limit_store_is_the_database"],
    ),
    M(
        "B1",
        "backup holds every row",
        "the SQLite backup loses a table's rows",
        [
            (
                "zoufang/core/backup.py",
                '            copy.execute("PRAGMA journal_mode=DELETE")',
                '            copy.execute("DELETE FROM ledger_visitofficer")\n            copy.commit()\n            copy.execute("PRAGMA journal_mode=DELETE")',
            )
        ],
        ["zoufang/core/tests/test_backup.py::test_restore_into_an_empty_database_finds_every_row"],
    ),
    M(
        "B2",
        "restore checks the audit chain",
        "restore_database reports no problems",
        [
            (
                "zoufang/core/backup.py",
                "    return RestoreResult(path=path, database=name, report=verify(using=using))",
                "    return RestoreResult(path=path, database=name, report=ChainReport())",
            )
        ],
        [
            "zoufang/core/tests/test_backup.py::test_a_restored_chain_that_was_tampered_with_is_reported"
        ],
    ),
    M(
        "I1",
        "NUL characters refused",
        "RejectNulMiddleware removed",
        [(BASE, '    "zoufang.core.middleware.RejectNulMiddleware",\n', "")],
        ["zoufang/core/tests/test_nul.py"],
    ),
    M(
        "I2",
        "damaged .xlsx is a clear refusal",
        "zlib.error no longer caught",
        [
            (
                "zoufang/ledger/sheets.py",
                "                RuntimeError,  # encrypted entry, unknown method or flag (NotImplementedError)\n                zlib.error,\n",
                "                RuntimeError,  # encrypted entry, unknown method or flag (NotImplementedError)\n",
            )
        ],
        [
            "zoufang/ledger/tests/test_import_fuzz.py::test_zip_features_python_cannot_read_are_a_damaged_file"
        ],
    ),
    M(
        "I3",
        "import all or nothing",
        "a wrong row no longer rolls back",
        [
            (
                "zoufang/ledger/imports.py",
                "            if dry_run or (result.errors and not skip_invalid):\n                transaction.set_rollback(True)",
                "            if dry_run or (result.errors and not skip_invalid):\n                transaction.set_rollback(dry_run)",
            )
        ],
        [
            "tests/test_import_atomicity.py",
            "zoufang/ledger/tests/test_import_fuzz.py::test_any_cells_in_any_column_import_all_or_nothing",
        ],
    ),
    M(
        "I4",
        "ledger upload size limit",
        "the size check removed",
        [
            (
                "zoufang/ledger/import_views.py",
                "        if upload.size > settings.ZOUFANG_UPLOAD_MAX_BYTES:",
                "        if False:",
            )
        ],
        ["tests/test_uploads.py::test_the_ledger_import_refuses_a_file_over_the_limit"],
    ),
    M(
        "I5",
        "ledger upload type by content",
        "check_file trusts the extension of a file that is neither zip nor OLE2",
        [
            (
                "zoufang/ledger/sheets.py",
                '        if extension != ".csv":\n            raise _mismatch_error(extension)\n',
                '        if extension != ".csv":\n            return _Checked(kind=extension.lstrip("."))\n',
            )
        ],
        ["tests/test_uploads.py::test_the_ledger_import_reads_the_content_not_the_name"],
    ),
    M(
        "I6",
        "service import size limit",
        "the size check removed",
        [
            (
                "zoufang/assessment/views.py",
                '        if form.is_valid() and form.cleaned_data["file"].size > MAX_BYTES:',
                "        if False:",
            )
        ],
        ["tests/test_uploads.py::test_the_service_import_refuses_a_file_over_the_limit"],
    ),
    M(
        "I7",
        "plan upload size limit",
        "the size check removed",
        [
            (
                "zoufang/campaigns/forms.py",
                "            if document.size > MAX_UPLOAD:",
                "            if False:",
            )
        ],
        ["tests/test_uploads.py::test_a_plan_over_the_limit_is_refused"],
    ),
    M(
        "I8",
        "task attachment size limit",
        "the size check removed",
        [
            (
                "zoufang/campaigns/forms.py",
                "        if file and file.size > MAX_UPLOAD:",
                "        if False:",
            )
        ],
        ["tests/test_uploads.py::test_a_task_attachment_over_the_limit_is_refused"],
    ),
    M(
        "I9",
        "bulletin pictures by content",
        "a picture accepted without sniffing",
        [
            (
                "zoufang/bulletins/files.py",
                "    info = sniff_image(data)\n    if info is None:\n        raise ValidationError(",
                '    info = sniff_image(data) or ImageInfo(content_type="image/png", extension=".png", width=1, height=1)\n    if info is None:\n        raise ValidationError(',
            )
        ],
        ["zoufang/bulletins/tests/test_files.py::test_a_pdf_is_not_a_picture"],
    ),
    M(
        "I10",
        "API fuzz (schemathesis) finds server errors",
        "RejectNulMiddleware removed, on PostgreSQL",
        [(BASE, '    "zoufang.core.middleware.RejectNulMiddleware",\n', "")],
        ["zoufang/api/tests/test_schema_fuzz.py"],
        postgres=True,
        caught=None,
    ),
    M(
        "I10b",
        "API fuzz (schemathesis): no server error",
        "paginate() no longer clamps the page number (page=0 answers 500)",
        [("zoufang/api/schemas.py", "    page = min(max(1, page), pages)\n", "")],
        ["zoufang/api/tests/test_schema_fuzz.py"],
    ),
    M(
        "I10d",
        "API fuzz (schemathesis) finds server errors",
        "RejectNulMiddleware removed, on PostgreSQL, 40 examples",
        [(BASE, '    "zoufang.core.middleware.RejectNulMiddleware",\n', "")],
        ["zoufang/api/tests/test_schema_fuzz.py"],
        postgres=True,
        env={"ZOUFANG_FUZZ_EXAMPLES": "40"},
        caught=None,
    ),
    M(
        "U9",
        "audit append-only in the database",
        "the triggers not installed (PostgreSQL)",
        [
            (
                "zoufang/core/migrations/0006_audit_guard.py",
                '    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})',
                "    pass",
            )
        ],
        ["zoufang/core/tests/test_audit_guard.py::test_an_audit_row_cannot_be_updated"],
        postgres=True,
    ),
    M(
        "B3",
        "backup holds every row (pg_dump)",
        "pg_dump leaves out a table's data",
        [
            (
                "zoufang/core/backup.py",
                '_run(["pg_dump", "--format=custom", "--no-password", f"--file={target}"], env=env)',
                '_run(["pg_dump", "--format=custom", "--no-password", "--exclude-table-data=ledger_visitofficer", f"--file={target}"], env=env)',
            )
        ],
        ["zoufang/core/tests/test_backup.py::test_restore_into_an_empty_database_finds_every_row"],
        postgres=True,
    ),
]


# Issue 19, items 4, 6, 7 and 8 (docs/security.md, "Issue 19 findings closed").
MUTATIONS += [
    M(
        "19.7",
        "the current password is not a new one (issue 19 item 7)",
        "NotTheCurrentPasswordValidator removed from AUTH_PASSWORD_VALIDATORS",
        [(BASE, '    {"NAME": "zoufang.org.passwords.NotTheCurrentPasswordValidator"},\n', "")],
        [
            "tests/test_authentication.py::test_the_current_password_is_not_a_new_one",
            "tests/test_authentication.py::test_the_first_login_may_not_keep_the_initial_password",
            "tests/test_admin_audit.py::test_the_admin_site_refuses_an_own_password_kept_as_it_is",
        ],
    ),
    M(
        "19.8a",
        "the client's address behind the named proxies (issue 19 item 8)",
        "client_ip ignores ZOUFANG_TRUSTED_PROXIES (REMOTE_ADDR only, as before)",
        [
            (
                "zoufang/core/addresses.py",
                "    if not networks or not _trusted(peer, networks):",
                "    if True:",
            )
        ],
        [
            "tests/test_client_address.py::test_the_lockout_behind_nginx_locks_the_attacker_not_everyone",
            "tests/test_client_address.py::test_the_public_forms_limit_is_per_citizen_behind_nginx",
        ],
    ),
    M(
        "19.8b",
        "no forwarded header believed without a named proxy (issue 19 item 8)",
        "client_ip reads X-Forwarded-For from anybody",
        [
            (
                "zoufang/core/addresses.py",
                "    if not networks or not _trusted(peer, networks):\n        return str(peer)\n",
                "",
            )
        ],
        ["tests/test_client_address.py::test_a_forged_header_does_not_escape_the_lockout"],
    ),
    M(
        "19.8c",
        "the lockout keys on the client's address (issue 19 item 8)",
        "AXES_CLIENT_IP_CALLABLE removed",
        [(BASE, 'AXES_CLIENT_IP_CALLABLE = "zoufang.core.addresses.client_ip"\n', "")],
        [
            "tests/test_client_address.py::test_the_lockout_behind_nginx_locks_the_attacker_not_everyone"
        ],
    ),
    M(
        "19.8d",
        "the token throttle keys on the client's address (issue 19 item 8)",
        "django-ninja's own AnonRateThrottle (X-Forwarded-For from anybody)",
        [
            (
                "zoufang/api/api.py",
                'throttle=[AddressThrottle("10/m")],',
                'throttle=[AnonRateThrottle("10/m")],',
            )
        ],
        ["tests/test_client_address.py::test_the_token_throttle_ignores_a_forged_header"],
    ),
    M(
        "19.8e",
        "the public form's limit keys on the client's address (issue 19 item 8)",
        "the limit keyed on REMOTE_ADDR",
        [
            (
                "zoufang/opinions/public_views.py",
                'f"public:{what}:{client_ip(request)}"',
                "f\"public:{what}:{request.META.get('REMOTE_ADDR')}\"",
            )
        ],
        ["tests/test_client_address.py::test_the_public_forms_limit_is_per_citizen_behind_nginx"],
    ),
    M(
        "19.8f",
        "the audit trail names the client's address (issue 19 item 8)",
        "RequestContextMiddleware records REMOTE_ADDR",
        [
            (
                "zoufang/core/middleware.py",
                "RequestMeta(ip=client_ip(request), channel=channel)",
                'RequestMeta(ip=request.META.get("REMOTE_ADDR"), channel=channel)',
            )
        ],
        ["tests/test_client_address.py::test_the_audit_trail_and_the_sessions_name_the_client"],
    ),
    M(
        "19.8g",
        "prod names the proxy in front (issue 19 item 8)",
        "the W004 deploy check removed",
        [
            (
                "zoufang/core/checks.py",
                "    if settings.SECURE_PROXY_SSL_HEADER and not settings.ZOUFANG_TRUSTED_PROXIES:",
                "    if False:",
            )
        ],
        ["tests/test_settings.py::test_the_deploy_check_asks_for_the_proxy_in_front"],
    ),
]


def apply(tree: Path, mutation: Mutation) -> dict[str, str] | None:
    """Edit the copy; the files' previous text, or None when an edit no longer applies."""
    originals: dict[str, str] = {}
    for path, old, new in mutation.edits:
        target = tree / path
        text = target.read_text()
        originals.setdefault(path, text)
        if old not in text:
            restore(tree, originals)
            return None
        target.write_text(text.replace(old, new, 1))
    return originals


def restore(tree: Path, originals: dict[str, str]) -> None:
    for path, text in originals.items():
        (tree / path).write_text(text)


def run(tree: Path, mutation: Mutation, postgres: str | None) -> dict[str, object]:
    """Apply one mutation, run its tests, undo it; what happened."""
    record: dict[str, object] = {"id": mutation.id, "control": mutation.control}
    if mutation.postgres and not postgres:
        return {**record, "result": "skipped (needs --postgres)"}
    originals = apply(tree, mutation)
    if originals is None:
        return {**record, "result": "not applied: the code changed"}
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(PYTHONPATH=str(tree), **mutation.env)
    env.pop("DATABASE_URL", None)
    if mutation.postgres and postgres:
        env["DATABASE_URL"] = postgres
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutation.tests],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    finally:
        restore(tree, originals)
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    caught = done.returncode != 0
    return {
        **record,
        "result": "caught" if caught else "NOT CAUGHT",
        "expected": {True: "caught", False: "not caught", None: "either"}[mutation.caught],
        "failed": failed[:1],
        "seconds": round(time.monotonic() - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="mutation ids (default: all)")
    parser.add_argument("--postgres", help="DATABASE_URL for the PostgreSQL mutations")
    parser.add_argument("--keep", action="store_true", help="keep the copy of the tree")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.ids or m.id in args.ids]
    tree = Path(tempfile.mkdtemp(prefix="zoufang-mutations-")) / "tree"
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(".venv", "node_modules", "var", "__pycache__", ".git"),
        symlinks=True,
    )
    (tree / "var").mkdir()
    if (ROOT / "node_modules").exists():
        (tree / "node_modules").symlink_to(ROOT / "node_modules")
    surprises = 0
    try:
        for mutation in chosen:
            record = run(tree, mutation, args.postgres)
            print(json.dumps(record, ensure_ascii=False), flush=True)
            result = record["result"]
            if result == "not applied: the code changed" or (
                result in ("caught", "NOT CAUGHT") and (result == "caught") != mutation.caught
            ):
                surprises += 1
    finally:
        if not args.keep:
            shutil.rmtree(tree.parent)
    sys.exit(1 if surprises else 0)


if __name__ == "__main__":
    main()
