"""Users, roles, the access policy and the audit log."""
