"""What people do to a case: complete, claim and release tasks; change deadlines.
"""
