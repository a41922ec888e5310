"""The "Usagers" page: find a resident, their record, household, history across channels, duplicates."""
