"""Every write to a household file: one function per action, each audited.

``households`` holds the file itself (create, edit, attachments, standards);
``review`` holds the review chain (submit → 初审 → 复审 → 公示 → 建档, exit, 返困).
"""

from .households import *  # noqa: F403
from .review import *  # noqa: F403
