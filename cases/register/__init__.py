"""存量档案导入: a register a union already keeps, brought in as a stage (upload → check → review → commit).

One engine (``engine``) for every kind of register: a kind (``kinds``) names its columns, its
per-row checks, its set-wise SQL checks and its commit. The household register is this app's
(``households``); the past payments (历史发放) are programs' (programs/assistance/history_import.py).
"""
