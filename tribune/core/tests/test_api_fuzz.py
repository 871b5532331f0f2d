"""Generated input against every API operation: no request may produce a 5xx.

Schemathesis reads /api/v1/openapi.json from the Django WSGI app and, for each
operation, generates requests that fit the document (positive) and requests
that break it (negative: wrong types, missing fields, out-of-range values).
Half of them aim at real objects of alice's workspace, so the generated bodies
reach the forms and the actions, not only the 404 path.
"""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tribune.editorial.models import MediaAsset, Post, QueueSlot, Variant
from tribune.strategy.models import NetworkChoice, Objective, Persona
from tribune.testing.api_client import token_for
from tribune.workspaces.models import Membership

# Per operation and per mode; about a minute for the whole API.
EXAMPLES = 30


@pytest.fixture
def wsgi_app() -> Iterator:
    # A real WSGI handler closes "old" connections when a request ends, which would
    # break the test's transaction; Django's test client disconnects the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(workspace, alice, bob) -> dict[str, int]:
    """Objects of alice's workspace that generated path ids are steered to (strategy, editorial)."""
    persona = Persona.objects.create(workspace=workspace, name="Camille", networks=["linkedin"])
    objective = Objective.objects.create(
        workspace=workspace,
        title="Visibility",
        lever="visibility",
        kpi="audience",
        baseline=10,
        target=20,
        deadline=date.today() + timedelta(days=30),
    )
    objective.personas.add(persona)
    choice = NetworkChoice.objects.create(workspace=workspace, network="linkedin", rationale="B2B")
    choice.personas.add(persona)
    post = Post.objects.create(workspace=workspace, title="Launch", body="Spring", author=alice)
    Variant.objects.create(post=post, network="linkedin", text="Spring")
    media = MediaAsset.objects.create(
        workspace=workspace,
        file="media/a.png",
        original_name="a.png",
        kind="image",
        mime_type="image/png",
        size_bytes=10,
        alt_text="A lamp",
    )
    slot = QueueSlot.objects.create(
        workspace=workspace, network="linkedin", weekday=1, time="09:30"
    )
    return {
        "slug": workspace.slug,
        "persona_id": persona.pk,
        "objective_id": objective.pk,
        "member_id": Membership.objects.get(user=bob).pk,
        "choice_id": choice.pk,
        "key": "linkedin",
        "network": "instagram",
        "post_id": post.pk,
        "media_id": media.pk,
        "slot_id": slot.pk,
    }


def _strategy(operation, mode: GenerationMode, seeded: dict) -> st.SearchStrategy:
    names = {p.name for p in operation.path_parameters}
    aimed = {name: seeded[name] for name in names if name in seeded}
    strategies = [operation.as_strategy(generation_mode=mode)]
    if aimed:
        strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=aimed))
    return st.one_of(strategies)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_it_never_answers_5xx_to_generated_input(wsgi_app, seeded, alice, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {token_for(alice)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    failures: list[str] = []

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples on every run, so CI is stable
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategy(operation, mode, seeded))
        def call(case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(
                    f"{response.status_code} {case.method} {case.formatted_path} "
                    f"query={case.query} body={case.body!r:.300}"
                )
            elif response.status_code >= 400:
                # Every error is a problem-details body.
                assert response.headers.get("content-type") == ["application/problem+json"], (
                    case.method,
                    case.formatted_path,
                    response.status_code,
                )

        call()

    assert not failures, "\n".join(failures[:20])
