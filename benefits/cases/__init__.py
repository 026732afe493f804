"""Dossiers (hồ sơ) under the procedures: one state machine for all of them."""
