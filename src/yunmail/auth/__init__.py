"""Who is this? One answer for every front door: logins, sessions, client passwords, lockout (coming with the member-login issue)."""

__all__: list[str] = []
