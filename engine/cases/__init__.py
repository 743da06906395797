"""Cases: the runtime that saves a step, the step function, launching and starting instances, message
correlation, recurring starts, timers and the due table.
"""
