"""The console log a newcomer reads under `make run`: a refused or missing page is one line, no traceback."""

import copy
import logging.config

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from hardship.models import Role
from tests.factories import user_with_role


@pytest.fixture
def console_log(tmp_path):
    """The portal's LOGGING with its console handler writing to a file the test reads."""
    path = tmp_path / "console.log"
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"] = {"class": "logging.FileHandler", "filename": str(path)}
    logging.config.dictConfig(config)
    try:
        yield path
    finally:
        logging.config.dictConfig(settings.LOGGING)


def test_a_refused_page_is_logged_once_without_a_traceback(client, tree, console_log):
    client.force_login(user_with_role(Role.ENTERPRISE_CONTACT, tree["company"], username="contact"))

    assert client.get(reverse("programs:batch_list")).status_code == 403

    lines = console_log.read_text().splitlines()
    assert lines == ["Forbidden (Permission denied): /programs/batches/"]


def test_a_missing_page_is_logged_once(client, tree, console_log):
    client.force_login(user_with_role(Role.CENTRE_STAFF, tree["city"], username="centre"))

    assert client.get("/no-such-page/").status_code == 404

    assert console_log.read_text().splitlines() == ["Not Found: /no-such-page/"]


def test_a_server_error_keeps_its_traceback(console_log):
    logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=ValueError("boom"),
                                              extra={"status_code": 500})  # fmt: skip
    text = console_log.read_text()
    assert text.count("Internal Server Error: /x/") == 1
    assert "ValueError: boom" in text


def test_the_system_check_prints_no_covering_index_warning(db, capsys):
    # On SQLite (the laptop trial) Django warns that INCLUDE columns are ignored (models.W040).
    call_command("check", "--database", "default")
    assert "W040" not in capsys.readouterr().err
