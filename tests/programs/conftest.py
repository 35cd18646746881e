# The household fixtures of tests/cases serve the money tests too.
from tests.cases.conftest import grassroots, standard  # noqa: F401

# The money fixtures of test_money serve the other money tests.
from tests.programs.test_money import approver, centre, fund  # noqa: E402, F401
