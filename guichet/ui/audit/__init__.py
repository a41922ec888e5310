"""The audit log for supervisors, and the dialogs on one person's data (right of access, erasure)."""
