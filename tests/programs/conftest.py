# The household fixtures of tests/cases serve the money tests too.
from tests.cases.conftest import grassroots, standard  # noqa: F401
