"""A module tally-info's build leaves out."""

NAME = "extra"
