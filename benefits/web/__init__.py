"""Blueprints by kind of user: public, citizen, officer, payments, admin."""
