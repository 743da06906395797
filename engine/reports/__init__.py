"""What the partnership reads across its cases: the action register, the learning log and its themes, the
compliance measures and the annual report pack. Reads rows only (``engine.registers`` keeps them), never a workflow."""
