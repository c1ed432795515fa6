"""The brands app's writes, for other apps (the assistant, the marketplace) and for the
portal's areas: re-exported from the sub-package that owns each."""
