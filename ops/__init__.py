"""Operations: backups and their restore, metrics, readiness. Above every app (it may import all)."""
