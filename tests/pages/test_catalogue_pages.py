"""Every template of the catalogue gives working pages: several samples, iterations, biases, outputs."""

from __future__ import annotations

import re

import pytest

from grader.generation import template_names
from tests.pages.helpers import answer_form, make_set, student_token

# The pages do the same on any database; SQLite suffices here.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize("template", template_names())
def test_each_template_has_a_student_page_and_a_set_page(app, client, keys, signed_in, template):
    set_id = make_set(app, "alice", template=template, seed=3)
    token = student_token(app, set_id, "amy")
    page = client.get(f"/student/{token}").get_data(as_text=True)
    fields = re.findall(r'name="answer:([^"]+)"', page)
    assert fields and "<svg" in page
    assert client.post(f"/student/{token}", data=answer_form(dict.fromkeys(fields, "0.5"))).status_code == 302
    graded = client.get(f"/student/{token}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert graded.count('<div class="answer is-') == len(fields)
    alice = signed_in("alice")
    assert alice.get(f"/sets/{set_id}").status_code == 200
    assert alice.get(f"/sets/{set_id}/students/amy").status_code == 200
    assert alice.get(f"/sets/{set_id}/printables/answer_key").status_code == 200
