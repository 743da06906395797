"""The demonstration partnership and its cases, driven through the engine's services (``lif demo``) and
shared with the scenario tests. The engine knows nothing of it.
"""
