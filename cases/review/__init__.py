"""The review chain of a household file, in one folder.

``workflow`` declares the chain (submit → 初审 → 复审 → 公示 → 建档, yearly review,
exit, 回访, 返困; and who may take part in a visit); ``services`` are the writes,
``selectors`` the reads, ``views`` and ``forms`` the pages. ``models`` holds the
visits, opinions and monthly incomes (app label ``cases``).
"""
