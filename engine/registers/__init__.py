"""The partnership's registers: the action register and the learning log, kept as rows projected from case data at
each step (``projection``), so lists, plans and reports read rows and never a workflow."""
