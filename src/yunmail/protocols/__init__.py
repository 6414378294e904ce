"""Front doors that translate protocol bytes to service calls: SMTP, IMAP and POP3.

Each protocol parses with a pure codec, calls services, and renders results and catalogue errors in
its own words. Protocol code never writes SQL and never holds a business rule (DESIGN.md §1, §3).
"""
