"""`salon serve`: the preview server, its reload decisions and its loop around the engine."""
