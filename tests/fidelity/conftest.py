"""The fidelity tests: the rules as a caseworker lives them, each given / when / then, on SQLite and PostgreSQL."""

from tests.cases.conftest import grassroots, standard  # noqa: F401
