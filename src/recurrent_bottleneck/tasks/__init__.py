"""Data generators for the chapter's tasks, each defined as in its paper (NumPy only)."""
