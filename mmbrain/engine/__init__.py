"""Filled by later issues (see issues 3-6)."""
