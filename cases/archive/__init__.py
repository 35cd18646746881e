"""The archive's life cycle: 临时档案 (转正/注销), 脱困库 and 注销库, retention and destruction, stale files."""
