"""Every write to a household file: one function per action, each audited.

``households`` holds the file itself (create, edit, attachments, standards); the
review chain's writes (submit → 初审 → 复审 → 公示 → 建档, exit, 返困) are in
``cases.review.services``.
"""

from .households import *  # noqa: F403
