"""The family channel's writes: accounts and codes (accounts), online applications (applications)."""
