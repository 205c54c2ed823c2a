"""Keras models assembled from the cells and layers the milestones compare."""
