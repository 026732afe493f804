"""The linked death procedure (Decree 63/2024; procedure 2.002913): one effects engine."""
