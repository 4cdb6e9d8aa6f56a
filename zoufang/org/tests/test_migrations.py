"""ApiToken's move from the api app to org keeps its table, its rows and its content type."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("org", "0002_user_must_change_password_usersession"), ("api", "0002_initial")]
AFTER = [("org", "0003_apitoken"), ("api", "0003_apitoken_moved_to_org")]


def migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_tokens_and_their_content_type_survive_the_move(city) -> None:
    try:
        old = migrate(BEFORE)
        content_types = old.get_model("contenttypes", "ContentType")
        content_types.objects.get_or_create(app_label="api", model="apitoken")
        content_types.objects.filter(app_label="org", model="apitoken").delete()
        old.get_model("api", "ApiToken").objects.create(
            user_id=city.user("officer").pk,
            key_hash="a" * 64,
            prefix="zf_abc",
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        new = migrate(AFTER)
        token = new.get_model("org", "ApiToken").objects.get()
        assert (token.key_hash, token.user_id) == ("a" * 64, city.user("officer").pk)
        content_types = new.get_model("contenttypes", "ContentType")
        assert content_types.objects.filter(app_label="org", model="apitoken").exists()
        assert not content_types.objects.filter(app_label="api", model="apitoken").exists()

        back = migrate(BEFORE)
        assert back.get_model("api", "ApiToken").objects.get().prefix == "zf_abc"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
