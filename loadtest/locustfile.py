"""Locust users for `make loadtest` (started by loadtest/run.py, which writes LOADTEST_PLAN).

Each simulated user is a signed-in demo user (a session created by the runner) reading the
household list, a search, a household file and the dashboard, with a think time between pages
(the `think` run; the request names are the pages of run.py's JSON lines).
Requests carry X-Forwarded-Proto as the TLS proxy in front of gunicorn would, so the
production settings (SSL redirect, secure cookies, HSTS) stay on.
"""

# ruff: noqa: S311 — load-generation randomness, not security
import itertools
import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["LOADTEST_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
SESSIONS = itertools.cycle(PLAN["sessions"])
THINK_MIN, THINK_MAX = PLAN.get("think_seconds", [2.0, 6.0])


class PortalUser(HttpUser):
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        session = next(SESSIONS)
        self.username = session["username"]
        self.household_ids = session["household_ids"]
        self.surnames = session["surnames"]
        self.can_dashboard = session["dashboard"]
        # An explicit Cookie header: the session cookie is Secure and this hop is plain HTTP behind the "proxy".
        self.headers = {
            "Cookie": f"{PLAN['session_cookie']}={session['key']}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-hans",
        }

    def _get(self, path, name):
        with self.client.get(path, headers=self.headers, name=name, allow_redirects=False,
                             catch_response=True) as response:  # fmt: skip
            if response.status_code == 0:
                response.failure(f"no answer for {self.username}: {response.error!r}")
            elif response.status_code != 200:
                response.failure(f"{response.status_code} for {self.username}")
            elif "<html" not in response.text:
                response.failure("not a page")

    @task(3)
    def household_list(self):
        page = random.choice(["", "?page=2", "?sort=name", "?sort=per_capita", "?tier=extreme"])
        self._get(f"/cases/{page}", "list")

    @task(2)
    def household_search(self):
        self._get(f"/cases/?q={random.choice(self.surnames)}", "search")

    @task(4)
    def household_detail(self):
        self._get(f"/cases/{random.choice(self.household_ids)}/", "file")

    @task(1)
    def dashboard(self):
        if self.can_dashboard:  # every demo user the runner signs in may read it
            self._get("/reports/", "dashboard")
