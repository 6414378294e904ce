"""Rate counters: atomic increment-with-limit over fixed time windows."""
