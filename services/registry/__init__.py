"""Registry: places, people and organisation; the source of truth every other service reads."""
