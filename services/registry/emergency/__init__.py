"""Emergency plans and mobilisation (应急动员预案, seeds 002 and 004): a plan per compound and kind
of incident with its posts and call list; activating it sends a roll call, tracks who answered
and who reported at their post, escalates compound → community → street, and ends in a record."""
