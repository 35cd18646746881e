"""追回: money found to have been wrongly paid, recorded as a receivable, collected or written off by ledger entries."""
