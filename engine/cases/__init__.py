"""Cases: the runtime that saves a step, the step function, starting instances, messages, recurring
starts, timers and the due table.
"""
