from tests.cases.conftest import grassroots, standard  # noqa: F401 — the household files' fixtures, used here too
