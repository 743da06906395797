"""People: accounts and roles, agencies, passwords, API tokens, sign-in and browser sessions.
"""
