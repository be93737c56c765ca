"""Schemathesis against GET /api/v1/openapi.json, in-process (WSGI, no socket):
every operation, fuzzed with the admin token and with an agency token (SYT),
must answer without a 5xx and as its document says (status code, content
type, headers and body schema).

A bounded run for CI: EXAMPLES cases per operation in each generation mode
(valid and invalid by the document), derandomized, so a run is repeatable.
Generated ids (path and query parameters, body fields) are replaced by the
`world`'s in about half of the cases, so that more than 404s are exercised. The fuzzing
itself (checks, substitutions, the summary) is bench/fuzz.py's, which runs
the same on many more cases: `python bench/fuzz.py --sqlite --examples 500`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The bench scripts import one another as top-level modules of their folder.
sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))

from fuzz import fuzz, known_values, summary, table, totals

from tests.api.conftest import Caller, World

# Per operation, caller and generation mode: 22 operations x 2 modes x 25 is
# about 1,050 cases per caller, ~8 s on either store (~35 s for the file).
EXAMPLES = 25


@pytest.mark.parametrize("caller", ["admin", "agency"])
def test_every_operation_answers_as_documented(api: Caller, world: World, caller: str) -> None:
    app = api.client.application
    known = known_values(world.dialogue, [world.question, world.other_question], world.answer,
                         world.commitment)
    token = api.token if caller == "admin" else world.agency_token
    assert token is not None
    tallies = fuzz(app, known, {caller: token}, EXAMPLES)

    print(table(tallies))
    print(totals(tallies))
    assert sum(t.cases for t in tallies) > len(tallies) * EXAMPLES
    report = summary(tallies)
    if report:
        pytest.fail(f"the API does not answer as its OpenAPI document says, fuzzing with the "
                    f"{caller} token:\n{report}\n\n{totals(tallies)}", pytrace=False)
