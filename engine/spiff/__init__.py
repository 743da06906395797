"""The fence around SpiffWorkflow: every contact with the library lives here (the adapter that runs a
step, the stored state, the tree walks, the script environment, the timer bounds). Nothing outside this
package imports SpiffWorkflow.
"""
