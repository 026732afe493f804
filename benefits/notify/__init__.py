"""Messages to citizens and staff: in the app, and by email when an address is known."""
