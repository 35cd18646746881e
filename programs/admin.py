from .workstudy import admin  # noqa: F401 — registers the work-study models
