"""One conversion of the bundled example through its detected plan, shared by the tests."""

from __future__ import annotations

import pytest
from sophia_plan import converted_example

from kubealign.actions.convert_plan import PlanConvertOutcome


@pytest.fixture(scope="session")
def sophia_environments(tmp_path_factory: pytest.TempPathFactory) -> PlanConvertOutcome:
    return converted_example(tmp_path_factory.mktemp("sophia-plan"))
