"""The JSON API for system clients (civil registry, post office, national portal)."""
