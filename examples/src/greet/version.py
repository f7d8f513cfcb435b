# The version of greet. pyrelease stamps builds with the computed version
# and restores this file afterwards; `mage bump` rewrites it.
VERSION = "0.1.0"
