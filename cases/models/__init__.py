"""The household file and its review: one module per part, re-exported here."""

from ..archive.models import *  # noqa: F403
from ..changes.models import *  # noqa: F403
from ..crosscheck.models import *  # noqa: F403
from ..notices.models import *  # noqa: F403
from ..register.models import *  # noqa: F403
from ..review.models import *  # noqa: F403
from ..review.models import visit_photo_path  # noqa: F401
from ..support.models import *  # noqa: E402, F403
from ..tickets.models import *  # noqa: E402, F403
from .households import *  # noqa: F403
from .households import NOT_LIVE_STATUSES, SERIOUS_HEALTH, attachment_path  # noqa: F401
