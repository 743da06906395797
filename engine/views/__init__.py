"""Need to know: which parts of a case's data each task, and so each person, may see."""
