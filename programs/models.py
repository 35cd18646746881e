"""Assistance programs and money (``assistance``), recovery of wrongly paid aid (``recovery``),
关爱·圆梦 work-study (``workstudy``) and the
dashboard's cached summary (``reports``)."""

from .assistance.models import *  # noqa: F403
from .assistance.models import __all__ as _assistance_all
from .recovery.models import *  # noqa: F403
from .recovery.models import __all__ as _recovery_all
from .reports.models import *  # noqa: F403
from .reports.models import __all__ as _reports_all
from .workstudy.models import *  # noqa: F403
from .workstudy.models import __all__ as _workstudy_all

__all__ = [*_assistance_all, *_recovery_all, *_reports_all, *_workstudy_all]
