"""The desk's decisions: a command's arguments and a read-only view in, actions out."""
