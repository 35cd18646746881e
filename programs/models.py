"""Assistance programs and money (``assistance``) and 关爱·圆梦 work-study (``workstudy``)."""

from .assistance.models import *  # noqa: F403
from .assistance.models import __all__ as _assistance_all
from .workstudy.models import *  # noqa: F403
from .workstudy.models import __all__ as _workstudy_all

__all__ = [*_assistance_all, *_workstudy_all]
