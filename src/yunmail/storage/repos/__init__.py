"""Repository functions per aggregate: async functions over an ``AsyncConnection``, scoped by ids passed in.

Tenant repositories always take ``enterprise_id`` and filter every query by it, so an id of another
enterprise behaves exactly like a missing one.
"""
