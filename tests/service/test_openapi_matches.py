"""The OpenAPI document is as strict as the server: a request the document calls valid is never
refused for its form (400 malformed-request, or 422 validation-error naming a field), only for
what a schema cannot say (an unknown template or step key, a rule between two fields) or the one
rule the API description states for every string (no NUL).  The other direction, that the server
refuses what the document forbids, is tests/service/test_fuzz.py."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from tests.service.test_fuzz import OPERATIONS

EXAMPLES = 25
# What the document describes in words rather than in the schema.
STATED_IN_WORDS = (
    "strings may not contain NUL",
    "unpaired UTF-16 surrogates",
    "give exactly one of template",
    "in the catalogue; see GET /api/v1/templates",  # a template name the catalogue does not have
    "must be an IANA time zone name",  # a zone the server's time-zone database does not know
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("label", [op for op in OPERATIONS if not op.startswith(("GET", "DELETE"))])
def test_what_the_document_allows_is_not_refused_for_its_form(app, client, auth, label):
    app.config["RATE_LIMITS"] = dict.fromkeys(app.config["RATE_LIMITS"], "100000/minute")
    set_id = client.post("/api/v1/exercise-sets", json={"template": "seed-classic"}, headers=auth("alice")).json["id"]
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).find_operation_by_label(label)
    refused = []

    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def probe(case):
        if "set_id" in (case.path_parameters or {}):
            case.path_parameters["set_id"] = set_id
        response = case.call(headers=auth("alice"))
        if response.status_code == 400 or (response.status_code == 422 and "validation-error" in response.text):
            detail = response.json().get("detail", "")
            if not any(words in detail for words in STATED_IN_WORDS):
                refused.append((response.status_code, detail[:200], repr(case.body)[:200]))

    probe()
    assert refused == []
