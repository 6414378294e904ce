"""Content-addressed blob stores for message bytes."""
