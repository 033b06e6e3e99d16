"""Name search: find a voter by name in a region however the name is spelled, and say honestly
whether the best answer is this person."""
