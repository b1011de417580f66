"""The owners' yearly rating of their committee, and the correction or recall it may open."""
