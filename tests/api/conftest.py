# The dataset of the dashboard tests serves the API tests too.
from tests.reports.conftest import dataset, grassroots, standard  # noqa: F401
