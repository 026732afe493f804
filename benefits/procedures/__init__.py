"""The catalogue of procedures (thủ tục hành chính), as data."""
