"""Provinces and communes of the 2025 administrative map, and the working-day calendar."""
