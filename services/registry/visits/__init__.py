"""Household visits (走访台账): the grid worker's ledger of visits to the households of the grid."""
