"""Every write to a household file: one function per action, each audited.

``households`` holds the file itself (create, edit, attachments, standards);
the review chain's writes (submit → 初审 → 复审 → 公示 → 建档, exit, 返困) live in
``cases.review.services`` and are re-exported here.
"""

from ..review.services import *  # noqa: E402, F403
from .households import *  # noqa: F403
