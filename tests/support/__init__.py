"""Test support: real backends, real servers on loopback, real clients, and invariant checkers."""
